"""The watcher's one way to read a URL: guarded against hostile servers and internal addresses.

Every fetch has a size limit (the download stops there), a timeout for each connect and read and
one for the whole fetch, and a limit on redirects, which are followed here one hop at a time. A
host is refused when any address it resolves to is loopback, link-local, private or otherwise not
public, checked before connecting on every hop, and the address actually connected to is checked
again (so a name that resolves once to a public address and then to 127.0.0.1 gets nowhere). Hosts
on the allow-list (``--allow-host``, ``$INCIDENTMAP_ALLOW_HOSTS``) skip the address check.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

ALLOW_HOSTS_ENV = "INCIDENTMAP_ALLOW_HOSTS"
USER_AGENT = "incidentmap-watch/0.1 (+https://github.com/incidentmap)"
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A URL could not be read; the message says why, in a few words."""


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for every fetch: bytes, seconds, redirects, and the hosts allowed past the address check."""

    max_bytes: int = 5 * 1024 * 1024
    timeout: float = 20.0
    max_redirects: int = 5
    allow_hosts: frozenset[str] = field(default_factory=frozenset)

    def allows(self, host: str) -> bool:
        return host.strip("[]").lower().rstrip(".") in self.allow_hosts


def allow_hosts(given: tuple[str, ...] | list[str] = (), environ: dict | None = None) -> frozenset[str]:
    """The allow-list: hosts given (``--allow-host``) plus ``$INCIDENTMAP_ALLOW_HOSTS`` (comma-separated)."""
    env = os.environ if environ is None else environ
    names = list(given) + (env.get(ALLOW_HOSTS_ENV) or "").split(",")
    return frozenset(n.strip().strip("[]").lower().rstrip(".") for n in names if n.strip())


@dataclass
class Fetched:
    """A response: the final URL (after redirects), its status, headers (lower-case names) and body."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("'\"")
        return None


def refusal(address: str) -> str | None:
    """Why a connection to ``address`` (an IP) is refused, or None for a public address."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "link_local", "unspecified", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{kind}"):
            return f"{address} is a {kind.replace('_', '-')} address"
    if not ip.is_global:
        return f"{address} is not a public address"
    return None


def check_host(host: str, port: int, policy: FetchPolicy) -> None:
    """Refuse a host (FetchError) that resolves to any address that is not public, unless allowed."""
    if policy.allows(host):
        return
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host!r}: {exc}") from None
    for info in infos:
        reason = refusal(info[4][0])
        if reason:
            raise FetchError(f"refused {host!r}: {reason} (allow it with --allow-host or ${ALLOW_HOSTS_ENV})")


class _PeerCheck:
    """A connection that checks the address it actually reached (against DNS answers that change)."""

    policy: FetchPolicy

    def _new_conn(self):
        sock = super()._new_conn()
        if not self.policy.allows(self.host):
            reason = refusal(sock.getpeername()[0])
            if reason:
                sock.close()
                raise urllib3.exceptions.NewConnectionError(self, f"refused {self.host!r}: {reason}")
        return sock


class Fetcher:
    """Fetches URLs under one policy, reusing connections between fetches."""

    def __init__(self, policy: FetchPolicy | None = None):
        self.policy = policy or FetchPolicy()
        attrs = {"policy": self.policy}
        http_conn = type("GuardedHTTPConnection", (_PeerCheck, HTTPConnection), attrs)
        https_conn = type("GuardedHTTPSConnection", (_PeerCheck, HTTPSConnection), attrs)
        self._pools = urllib3.PoolManager(num_pools=20, maxsize=2, block=False)
        self._pools.pool_classes_by_scheme = {
            "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }

    def close(self) -> None:
        self._pools.clear()

    def get(self, url: str, headers: dict[str, str] | None = None) -> Fetched:
        """GET ``url`` following redirects; a 304 comes back as is, other statuses past 299 are errors."""
        deadline = time.monotonic() + self.policy.timeout
        seen: list[str] = []
        while True:
            response = self._one(url, headers or {}, deadline)
            if response.status not in (301, 302, 303, 307, 308):
                break
            location = response.headers.get("location")
            if not location:
                raise FetchError(f"HTTP {response.status} redirect without a Location from {url}")
            seen.append(url)
            url = urljoin(url, location)
            if url in seen:
                raise FetchError(f"redirect loop ({' -> '.join(seen + [url])[:300]})")
            if len(seen) > self.policy.max_redirects:
                raise FetchError(f"more than {self.policy.max_redirects} redirects (last {url[:200]})")
        if response.status == 304 or 200 <= response.status < 300:
            return response
        raise FetchError(f"HTTP {response.status} from {url}")

    def _one(self, url: str, headers: dict[str, str], deadline: float) -> Fetched:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"not an http or https URL: {url[:200]!r}")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise FetchError(f"bad port in {url[:200]!r}") from None
        check_host(parts.hostname, port, self.policy)
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError(f"timed out after {self.policy.timeout:g} s")
        try:
            response = self._pools.request(
                "GET", url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate", **headers},
                preload_content=False, redirect=False, retries=False,
                timeout=urllib3.Timeout(connect=min(left, self.policy.timeout), read=min(left, self.policy.timeout)))
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(_reason(exc)) from None
        try:
            body = self._body(response, url, deadline)
        except BaseException:
            response.close()  # a body left unread (too big, too slow) must not go back to the pool
            raise
        if body or response.status == 304:
            response.release_conn()
        else:
            response.close()
        return Fetched(url, response.status, {k.lower(): v for k, v in response.headers.items()}, body)

    def _body(self, response, url: str, deadline: float) -> bytes:
        if response.status in (301, 302, 303, 304, 307, 308):
            return b""
        limit = self.policy.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"{url[:200]} is {int(declared):,} bytes; the limit is {limit:,}")
        chunks, size = [], 0
        try:
            while True:
                chunk = response.read(_CHUNK, decode_content=True)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:  # the rest is never read: the connection is closed
                    raise FetchError(f"{url[:200]} is over the limit of {limit:,} bytes; stopped reading there")
                if time.monotonic() > deadline:
                    raise FetchError(f"timed out after {self.policy.timeout:g} s reading {url[:200]}")
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(_reason(exc)) from None
        return b"".join(chunks)


def _reason(exc: Exception) -> str:
    """A short reason for a urllib3 error (its own messages repeat the pool's repr)."""
    inner = getattr(exc, "reason", None) or exc
    # NewConnectionError is a kind of timeout error in urllib3, but most are not timeouts
    if not isinstance(inner, urllib3.exceptions.NewConnectionError) and (
            isinstance(inner, urllib3.exceptions.TimeoutError) or isinstance(exc, urllib3.exceptions.TimeoutError)):
        return "timed out"
    text = re.sub(r"^(<[^>]*>|\w+\(host=[^)]*\)): ", "", str(inner))
    return text[:300]
