"""The guarded fetch: limits, redirects, and no internal addresses unless allowed."""

from __future__ import annotations

import time

import pytest

from geo.live import fetch as fetch_module
from geo.live.fetch import Fetcher, FetchError, FetchPolicy, allow_hosts, refusal
from tests.geo.live.watch_fixtures import Route


@pytest.mark.parametrize("address, words", [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("::1", "loopback"),
    ("169.254.169.254", "link-local"),  # cloud metadata
    ("fe80::1", "link-local"),
    ("10.1.2.3", "private"),
    ("172.16.0.9", "private"),
    ("192.168.1.1", "private"),
    ("fd00::5", "private"),
    ("::ffff:127.0.0.1", "loopback"),  # IPv4 inside IPv6
    ("0.0.0.0", "unspecified"),
    ("100.64.0.1", "not a public"),  # carrier-grade NAT
    ("224.0.0.1", "multicast"),
])
def test_internal_addresses_are_refused(address, words):
    assert words in refusal(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "8.8.8.8"])
def test_public_addresses_pass(address):
    assert refusal(address) is None


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:{port}/page",
    "http://localhost:{port}/page",
    "http://[::1]:{port}/page",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://192.168.0.1:8080/admin",
])
def test_without_the_allow_list_internal_urls_are_refused(feed_server, url):
    feed_server.routes["/page"] = Route(b"<p>secret</p>")
    port = feed_server.base.rsplit(":", 1)[1]
    with pytest.raises(FetchError, match="refused .*(loopback|link-local|private)"):
        Fetcher(FetchPolicy(timeout=2)).get(url.format(port=port))
    assert feed_server.requests == []  # refused before connecting


def test_the_allow_list_lets_a_named_host_through(feed_server):
    feed_server.routes["/page"] = Route(b"<p>fine</p>")
    got = Fetcher(FetchPolicy(allow_hosts=frozenset({"127.0.0.1"}))).get(feed_server.url("/page"))
    assert (got.status, got.body, got.content_type) == (200, b"<p>fine</p>", "text/html")


def test_allow_list_from_option_and_environment():
    hosts = allow_hosts(["Feeds.Example."], {"INCIDENTMAP_ALLOW_HOSTS": " intranet.local , 10.0.0.7,,"})
    assert hosts == {"feeds.example", "intranet.local", "10.0.0.7"}
    assert FetchPolicy(allow_hosts=hosts).allows("FEEDS.example")


def test_a_redirect_to_a_host_not_allowed_is_refused_on_that_hop(feed_server):
    port = feed_server.base.rsplit(":", 1)[1]
    feed_server.routes["/jump"] = Route(status=302, headers={"Location": f"http://localhost:{port}/inside"})
    feed_server.routes["/inside"] = Route(b"internal")
    with pytest.raises(FetchError, match="refused 'localhost'.*loopback"):
        Fetcher(FetchPolicy(allow_hosts=frozenset({"127.0.0.1"}))).get(feed_server.url("/jump"))
    assert feed_server.paths() == ["/jump"]


def test_the_address_connected_to_is_checked_too(feed_server, monkeypatch):
    """A name that passed the DNS check but then resolves to loopback (DNS rebinding) gets nowhere."""
    feed_server.routes["/page"] = Route(b"internal")
    monkeypatch.setattr(fetch_module, "check_host", lambda *args: None)
    with pytest.raises(FetchError, match="loopback"):
        Fetcher(FetchPolicy(timeout=2)).get(feed_server.url("/page"))
    assert feed_server.requests == []


def test_a_page_over_the_limit_is_cut_there(feed_server):
    sent = []

    def fifty_megabytes(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Connection", "close")  # no length: the client cannot refuse it up front
        handler.end_headers()
        chunk = b"<p>" + b"x" * 65530 + b"</p>"
        for _ in range(50 * 1024 * 1024 // len(chunk)):
            handler.wfile.write(chunk)
            sent.append(len(chunk))

    feed_server.routes["/huge"] = fifty_megabytes
    fetch_policy = FetchPolicy(max_bytes=1024 * 1024, timeout=10, allow_hosts=frozenset({"127.0.0.1"}))
    with pytest.raises(FetchError, match="over the limit of 1,048,576 bytes"):
        Fetcher(fetch_policy).get(feed_server.url("/huge"))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(sent) < 20:  # what the socket buffers may still take
        time.sleep(0.01)
    assert sum(sent) < 20 * 1024 * 1024  # the server could not push the 50 MB: the client stopped reading


def test_a_declared_length_over_the_limit_is_refused_before_reading(feed_server):
    feed_server.routes["/big"] = Route(b"y" * 300_000)
    with pytest.raises(FetchError, match="300,000 bytes; the limit is 262,144"):
        Fetcher(FetchPolicy(max_bytes=256 * 1024, allow_hosts=frozenset({"127.0.0.1"}))).get(feed_server.url("/big"))


def test_a_server_that_never_answers_times_out(feed_server):
    feed_server.routes["/slow"] = lambda handler: feed_server.release.wait(10)
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        Fetcher(FetchPolicy(timeout=0.3, allow_hosts=frozenset({"127.0.0.1"}))).get(feed_server.url("/slow"))
    assert time.monotonic() - started < 5  # an availability bound with a wide margin, not a speed figure


@pytest.mark.parametrize("routes, words", [
    ({"/a": Route(status=302, headers={"Location": "/a"})}, "redirect loop"),
    ({"/a": Route(status=301, headers={"Location": "/b"}), "/b": Route(status=307, headers={"Location": "/a"})},
     "redirect loop"),
    ({f"/{i}": Route(status=302, headers={"Location": f"/{i + 1}"}) for i in range(10)} | {"/a": Route(
        status=302, headers={"Location": "/0"})}, "more than 5 redirects"),
    ({"/a": Route(status=302)}, "redirect without a Location"),
    ({"/a": Route(b"gone", status=404)}, "HTTP 404"),
    ({"/a": Route(b"oops", status=503)}, "HTTP 503"),
])
def test_bad_answers_are_errors_with_their_reason(feed_server, routes, words):
    feed_server.routes.update(routes)
    with pytest.raises(FetchError, match=words):
        Fetcher(FetchPolicy(allow_hosts=frozenset({"127.0.0.1"}))).get(feed_server.url("/a"))


def test_redirects_are_followed_to_the_page(feed_server):
    feed_server.routes["/old"] = Route(status=301, headers={"Location": "/new"})
    feed_server.routes["/new"] = Route(b"here")
    got = Fetcher(FetchPolicy(allow_hosts=frozenset({"127.0.0.1"}))).get(feed_server.url("/old"))
    assert (got.url, got.body) == (feed_server.url("/new"), b"here")


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "file:///etc/passwd", "gopher://x/", "http:///nohost"])
def test_only_http_urls(url):
    with pytest.raises(FetchError, match="not an http or https URL"):
        Fetcher().get(url)
