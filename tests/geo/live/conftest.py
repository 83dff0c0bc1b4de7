"""Real local receivers for alerts: a threaded HTTP webhook receiver and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class WebhookReceiver:
    """Answers each POST with the next status of ``statuses`` (then 200); ``hang`` holds requests open."""

    url: str = ""
    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    attempts: int = 0
    hang: threading.Event | None = None
    got: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        with self.got:
            self.got.wait_for(lambda: len(self.received) >= count, timeout)
        return self.received


def _handler(receiver: WebhookReceiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.attempts += 1
            if receiver.hang is not None:
                receiver.hang.wait(30)
                return
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            if status == 200:
                with receiver.got:
                    receiver.received.append(Received(self.path, dict(self.headers), body))
                    receiver.got.notify_all()
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok" if status == 200 else b"no")

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def webhook():
    """A real HTTP server on 127.0.0.1 recording what alerts POST to it."""
    receiver = WebhookReceiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    if receiver.hang is not None:
        receiver.hang.set()
    server.shutdown()
    server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dead_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connections are refused at once)."""
    return f"http://127.0.0.1:{free_port()}/hook"


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on 127.0.0.1; ``.messages`` holds what it received."""
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()
