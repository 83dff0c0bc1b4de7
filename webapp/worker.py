"""gunicorn's threaded worker, made so that slow or half-sent requests cost no thread.

gunicorn's ``gthread`` worker hands each new connection to a thread, which then reads the request
line and headers with blocking reads: a client that sends half its headers and waits holds that
thread for as long as it likes, and a few such clients stall every request (the ``sync`` worker is
worse: one blocks the whole process). This worker reads each request's head (request line and
headers) in its event loop, without blocking, and gives a request a thread only once its head has
arrived whole; a head that has not arrived ``HEAD_TIMEOUT`` seconds (a setting: 10 by default)
after the connection opened (or, on a kept-alive connection, after the client started the next
request) is answered 408 and closed. In the thread, every read of the body waits at most until
``BODY_TIMEOUT`` seconds (60) after the head came, so a body sent a byte at a time cannot hold a
thread either. CPU-bound work (an extraction) runs in its thread while the others go on answering.

gunicorn's own error answers (a request line over ``limit_request_line``: 414, headers over the
header limits: 431, a malformed request: 400, a head that never came: 408) carry the app's JSON
error body ``{"code": ..., "description": ...}`` instead of gunicorn's HTML page.

Used by ``incidentmap serve`` (``webapp.server``); with your own gunicorn:
``gunicorn --worker-class webapp.worker.HeadFirstWorker --threads 4 'webapp:create_app()'``.
"""

from __future__ import annotations

import errno
import json
import selectors
import socket
import time
from functools import partial

from gunicorn import http, util
from gunicorn.workers.gthread import TConn, ThreadWorker

_READ = 64 * 1024
_CODES = {400: "InvalidRequest", 403: "Forbidden", 408: "RequestTimeout", 414: "URITooLong",
          417: "ExpectationFailed", 431: "RequestHeaderFieldsTooLarge", 500: "ServerError",
          501: "NotImplemented"}


def json_error_bytes(status: int, reason: str, description: str) -> bytes:
    """A whole HTTP/1.1 response carrying the app's JSON error body; the connection closes after it."""
    body = json.dumps({"code": _CODES.get(status, reason.replace(" ", "")),
                       "description": description or reason}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"X-Content-Type-Options: nosniff\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """Stands in for ``gunicorn.util.write_error``, which writes an HTML page."""
    util.write_nonblock(sock, json_error_bytes(status_int, reason, mesg))


class _TimedReads:
    """The connection as the request parser reads it: no read waits past ``deadline``.

    Writes, the poller and closing use the socket itself; only the parser's reads come here."""

    def __init__(self, sock: socket.socket):
        self._sock = sock
        self.deadline: float | None = None

    def recv(self, size: int) -> bytes:
        if self.deadline is None:
            return self._sock.recv(size)
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the request did not arrive in time")
        previous = self._sock.gettimeout()
        self._sock.settimeout(remaining if previous is None else min(previous, remaining))
        try:
            return self._sock.recv(size)
        finally:
            self._sock.settimeout(previous)

    def __getattr__(self, name: str):
        return getattr(self._sock, name)


def _head_ends(buffer: bytearray, searched_from: int) -> bool:
    start = max(0, searched_from - 3)
    return buffer.find(b"\r\n\r\n", start) >= 0 or buffer.find(b"\n\n", start) >= 0


class HeadFirstWorker(ThreadWorker):
    """``gthread`` with each request's head read in the event loop (see the module's docstring)."""

    head_timeout = 10.0  # seconds for the request line and headers (HEAD_TIMEOUT)
    body_timeout = 60.0  # seconds for the body, from when the head has come (BODY_TIMEOUT)

    def init_process(self) -> None:
        from webapp.settings import resolve_settings

        # the mapping `incidentmap serve` runs the app with, else the environment (INCIDENTMAP_*)
        settings = resolve_settings(getattr(self.app, "app_config", None) or {})
        self.head_timeout, self.body_timeout = settings["HEAD_TIMEOUT"], settings["BODY_TIMEOUT"]
        # gunicorn writes its own error answers with util.write_error (workers/base.py); in this
        # worker process they carry the app's JSON error body instead
        util.write_error = write_json_error
        cfg = self.cfg
        if cfg.limit_request_line and cfg.limit_request_fields and cfg.limit_request_field_size:
            # a head longer than this breaks one of the limits within what is buffered, so the
            # parser answers it (414 or 431) without waiting for more
            self.max_head = (cfg.limit_request_line + 2
                             + cfg.limit_request_fields * (cfg.limit_request_field_size + 2) + 2)
        else:
            self.max_head = 1024 * 1024
        super().init_process()

    def _buffered(self) -> bool:
        return not self.cfg.is_ssl  # TLS needs its handshake in the thread: gthread's own path

    def accept(self, listener) -> None:
        if not self._buffered():
            return super().accept(listener)
        try:
            client_sock, client_addr = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client_sock, client_addr, listener.getsockname())  # non-blocking
        self._await_head(conn)

    def on_client_socket_readable(self, conn, client) -> None:
        """A kept-alive connection starts its next request: read its head here too."""
        if not self._buffered():
            return super().on_client_socket_readable(conn, client)
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._await_head(conn)
        self._on_head_bytes(conn, client)

    def _await_head(self, conn) -> None:
        conn.head = bytearray()
        conn.timeout = time.monotonic() + self.head_timeout
        self.pending_conns.append(conn)  # every entry has the same delay: the deque stays in order
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_head_bytes, conn))

    def _on_head_bytes(self, conn, client) -> None:
        try:
            data = conn.sock.recv(_READ)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # closed before a whole request came
            self._forget_pending(conn)
            conn.close()
            return
        searched = len(conn.head)
        conn.head += data
        if not _head_ends(conn.head, searched) and len(conn.head) <= self.max_head:
            return
        self._forget_pending(conn, closing=False)
        if conn.parser is None:
            conn.parser = http.get_parser(self.cfg, _TimedReads(conn.sock), conn.client)
            conn.initialized = True
        conn.parser.unreader.unread(bytes(conn.head))
        conn.head = None
        conn.data_ready = True
        conn.sock.setblocking(True)
        self.enqueue_req(conn)

    def _forget_pending(self, conn, closing: bool = True) -> None:
        try:
            self.poller.unregister(conn.sock)
        except (OSError, KeyError, ValueError):
            pass
        self.pending_conns.remove(conn)
        if closing:
            self.nr_conns -= 1

    def enqueue_req(self, conn) -> None:
        timed = getattr(conn.parser, "unreader", None)
        if timed is not None and isinstance(getattr(timed, "sock", None), _TimedReads):
            timed.sock.deadline = time.monotonic() + self.body_timeout
        super().enqueue_req(conn)

    def murder_pending(self) -> None:
        """Close connections whose request head has not come in time; a started one is told 408."""
        now = time.monotonic()
        while self.pending_conns and self.pending_conns[0].timeout <= now:
            conn = self.pending_conns.popleft()
            try:
                self.poller.unregister(conn.sock)
            except (OSError, KeyError, ValueError):
                pass
            self.nr_conns -= 1
            if getattr(conn, "head", None):
                try:
                    conn.sock.send(json_error_bytes(
                        408, "Request Timeout",
                        f"the request line and headers did not arrive within {self.head_timeout:g} s"))
                except OSError:
                    pass
            conn.close()
