"""Feeds: each new item's page read as a report, conditional GET, once ever, and hostile feeds."""

from __future__ import annotations

import logging

import pytest

from geo.live.sources import make_source
from geo.query import Query
from tests.geo.live.pages import ASAD, ERBIL, TANF, article, atom, rss
from tests.geo.live.watch_fixtures import Route


def _incidents(store, url_part: str) -> list[dict]:
    return [f for f in store.query("incidents", Query(limit=10000)).features()
            if any(url_part in (s.get("url") or "") for s in f["properties"]["sources"])]


def _serve_desert_wire(feed_server, etag: str | None = '"v1"') -> None:
    feed_server.routes["/asad"] = Route(article("Rockets hit Ain al-Asad", ASAD, "2022-03-14").encode())
    feed_server.routes["/erbil"] = Route(article("Drone attack on Erbil airport", ERBIL, "2022-03-12").encode())
    feed_server.routes["/feed.xml"] = Route(rss([
        {"guid": "dw-2", "link": feed_server.url("/erbil"), "title": "Drone attack on Erbil airport",
         "pubDate": "Sat, 12 Mar 2022 07:00:00 GMT"},
        {"guid": "dw-1", "link": feed_server.url("/asad"), "title": "Rockets hit Ain al-Asad",
         "pubDate": "Mon, 14 Mar 2022 08:00:00 GMT"},
    ]), content_type="application/rss+xml", etag=etag, last_modified="Mon, 14 Mar 2022 09:00:00 GMT")


def test_each_new_item_becomes_a_reported_incident_with_the_pages_metadata(feed_server, make_watcher):
    _serve_desert_wire(feed_server)
    watcher = make_watcher(make_source("feed", feed_server.url("/feed.xml")))
    totals = watcher.run_once()
    assert (totals.items, totals.failed, totals.source_errors, totals.new) == (2, 0, 0, 2)
    [asad] = _incidents(watcher.store, "/asad")
    props = asad["properties"]
    assert props["status"] == "reported" and props["site_id"] and "al-asad" in props["site_id"].replace("_", "-")
    assert props["event_type"] == "rocket_attack" and props["injured"] == 2
    [source] = props["sources"]
    assert source["url"] == feed_server.url("/asad") and source["outlet"] == "Desert Wire"
    assert source["title"] == "Rockets hit Ain al-Asad" and source["published"].startswith("2022-03-14")
    assert props["date"] == "2022-03-12"  # "late on Saturday", read against the page's date
    assert "Copyright" not in str(props)  # page furniture is not evidence
    [erbil] = _incidents(watcher.store, "/erbil")
    assert erbil["properties"]["event_type"] == "drone_attack" and erbil["properties"]["killed"] in (0, None)


def test_unchanged_feed_is_asked_conditionally_and_answers_304(feed_server, make_watcher):
    _serve_desert_wire(feed_server)
    watcher = make_watcher(make_source("feed", feed_server.url("/feed.xml")))
    watcher.run_once()
    feed_server.requests.clear()
    totals = watcher.run_once()
    assert feed_server.not_modified == 1 and totals.items == 0
    [(path, headers)] = feed_server.requests
    assert path == "/feed.xml" and headers["if-none-match"] == '"v1"'
    assert headers["if-modified-since"] == "Mon, 14 Mar 2022 09:00:00 GMT"


def test_last_modified_alone_also_gives_304(feed_server, make_watcher):
    _serve_desert_wire(feed_server, etag=None)
    watcher = make_watcher(make_source("feed", feed_server.url("/feed.xml")))
    watcher.run_once()
    watcher.run_once()
    assert feed_server.not_modified == 1


def test_a_restart_does_not_ingest_seen_items_again(feed_server, make_watcher, data_dir):
    _serve_desert_wire(feed_server, etag=None)
    feed_server.routes["/feed.xml"].last_modified = None  # a server with no validators: the full feed every time
    first = make_watcher(make_source("feed", feed_server.url("/feed.xml")))
    first.run_once()
    first.close()
    history = (data_dir / "incidents.history.jsonl").read_bytes() if (data_dir / "incidents.history.jsonl").exists() \
        else None
    stored = (data_dir / "incidents.geojson").read_bytes()
    feed_server.requests.clear()
    again = make_watcher(make_source("feed", feed_server.url("/feed.xml")))  # a new process would build a new one
    totals = again.run_once()
    assert totals.items == 0 and feed_server.paths() == ["/feed.xml"]  # no page fetched again
    assert (data_dir / "incidents.geojson").read_bytes() == stored
    if history is not None:
        assert (data_dir / "incidents.history.jsonl").read_bytes() == history


def test_a_new_item_in_a_known_feed_is_the_only_one_read(feed_server, make_watcher):
    _serve_desert_wire(feed_server, etag=None)
    watcher = make_watcher(make_source("feed", feed_server.url("/feed.xml")))
    watcher.run_once()
    feed_server.routes["/tanf"] = Route(article("Drones target al-Tanf", TANF, "2022-03-13").encode())
    feed_server.routes["/feed.xml"] = Route(rss([
        {"guid": "dw-3", "link": feed_server.url("/tanf"), "title": "Drones target al-Tanf",
         "pubDate": "Sun, 13 Mar 2022 20:00:00 GMT"},
        {"guid": "dw-2", "link": feed_server.url("/erbil"), "title": "Drone attack on Erbil airport"},
        {"guid": "dw-1", "link": feed_server.url("/asad"), "title": "Rockets hit Ain al-Asad"},
    ]), content_type="application/rss+xml")
    feed_server.requests.clear()
    totals = watcher.run_once()
    assert totals.items == 1 and feed_server.paths() == ["/feed.xml", "/tanf"]
    assert _incidents(watcher.store, "/tanf")


def test_atom_feeds_are_read_too(feed_server, make_watcher):
    feed_server.routes["/tanf"] = Route(article("Drones target al-Tanf", TANF, "2022-03-13", site="Border Post").encode())
    feed_server.routes["/atom"] = Route(atom([{"id": "urn:bp:1", "title": "Drones target al-Tanf", "link": feed_server.url("/tanf"),
                                       "updated": "2022-03-13T20:00:00Z"}]), content_type="application/atom+xml")
    watcher = make_watcher(make_source("feed", feed_server.url("/atom")))
    assert watcher.run_once().items == 1
    [tanf] = _incidents(watcher.store, "/tanf")
    assert tanf["properties"]["sources"][0]["outlet"] == "Border Post"


def _one_item_feed(feed_server, link: str | None, summary: str = ASAD) -> None:
    item = {"guid": "one", "title": "Rockets hit Ain al-Asad", "description": f"<p>{summary}</p>",
            "pubDate": "Mon, 14 Mar 2022 08:00:00 GMT"}
    if link:
        item["link"] = link
    else:  # an RSS guid is a permalink unless it says otherwise: no guid either
        del item["guid"]
    feed_server.routes["/feed.xml"] = Route(rss([item]), content_type="application/rss+xml")


def _huge(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Connection", "close")
    handler.end_headers()
    for _ in range(50 * 16):
        handler.wfile.write(b"<p>" + b"z" * 65530 + b"</p>")


@pytest.mark.parametrize("page, note", [
    ("huge", "over the limit of 262,144 bytes"),
    ("loop", "redirect loop"),
    ("missing", "HTTP 404"),
    ("binary", "not HTML or text"),
    ("internal", "refused '10.20.30.40': 10.20.30.40 is a private address"),
    (None, "the item has no link"),
])
def test_when_the_page_cannot_be_read_the_items_summary_is_the_report(feed_server, make_watcher, caplog, page, note):
    feed_server.routes["/huge"] = _huge
    feed_server.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})
    feed_server.routes["/binary"] = Route(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, content_type="image/png")
    link = {"internal": "http://10.20.30.40/admin", None: None}.get(page, feed_server.url(f"/{page}"))
    _one_item_feed(feed_server, link)
    watcher = make_watcher(make_source("feed", feed_server.url("/feed.xml")))
    with caplog.at_level(logging.INFO, "incidentmap.watch"):
        totals = watcher.run_once()
    assert (totals.items, totals.failed, totals.source_errors) == (1, 0, 0)
    [line] = [r.getMessage() for r in caplog.records if r.name == "incidentmap.watch"]
    assert note in line and ("read the item's summary" in line or "read its summary" in line)
    [incident] = [f for f in watcher.store.query("incidents", Query(limit=10000)).features()
                  if f["properties"]["date"] == "2022-03-12"]
    assert incident["properties"]["sources"][0]["outlet"] == "Desert Wire"  # the feed's title
    assert incident["properties"]["sources"][0].get("url") == link


def test_an_item_with_neither_page_nor_summary_is_logged_and_not_retried(feed_server, make_watcher, caplog):
    _one_item_feed(feed_server, feed_server.url("/missing"), summary="")
    watcher = make_watcher(make_source("feed", feed_server.url("/feed.xml")))
    with caplog.at_level(logging.INFO, "incidentmap.watch"):
        totals = watcher.run_once()
    assert (totals.items, totals.failed, totals.source_errors) == (0, 1, 0)
    assert "HTTP 404" in caplog.text and "no summary either" in caplog.text
    assert watcher.run_once().failed == 0  # remembered as failed: not tried again


def test_a_page_in_a_legacy_encoding_is_read_in_it(feed_server, make_watcher):
    title = "Rockets hit Ain al-Asad – “no group claimed it”"
    page = article(title, ASAD.replace("officials said", "officials said — the base’s spokesman"))
    feed_server.routes["/cp1252"] = Route(page.encode("cp1252"), content_type="text/html; charset=windows-1252")
    _one_item_feed(feed_server, feed_server.url("/cp1252"))
    watcher = make_watcher(make_source("feed", feed_server.url("/feed.xml")))
    assert watcher.run_once().items == 1
    [incident] = _incidents(watcher.store, "/cp1252")
    assert incident["properties"]["sources"][0]["title"] == title


def test_a_page_declaring_its_charset_in_a_meta_tag_is_read_in_it(feed_server, make_watcher):
    page = article("Rockets hit Ain al-Asad – café owners heard them", ASAD).replace(
        "<head>", "<head><meta charset=\"iso-8859-1\">")
    feed_server.routes["/latin"] = Route(page.replace("–", "-").encode("latin-1"), content_type="text/html")
    _one_item_feed(feed_server, feed_server.url("/latin"))
    watcher = make_watcher(make_source("feed", feed_server.url("/feed.xml")))
    assert watcher.run_once().items == 1
    [incident] = _incidents(watcher.store, "/latin")
    assert "café" in incident["properties"]["sources"][0]["title"]


def _never(handler):
    handler.server.feed_server.release.wait(10)


@pytest.mark.parametrize("route, reason", [
    (Route(article("Home", "Welcome to our feed_server. " * 20).encode()), "not an RSS or Atom feed (text/html"),
    (Route(bytes(range(256)) * 40, content_type="application/octet-stream"), "not an RSS or Atom feed"),
    (Route(b"", content_type="application/rss+xml"), "not an RSS or Atom feed"),
    (Route(status=302, headers={"Location": "/bad.xml"}), "redirect loop"),
    (Route(b"down", status=500), "HTTP 500"),
    (_never, "timed out"),
])
def test_a_bad_feed_is_logged_backed_off_and_the_others_go_on(feed_server, make_watcher, fetch_policy, caplog, route, reason):
    import dataclasses
    import time

    _serve_desert_wire(feed_server)
    feed_server.routes["/bad.xml"] = route
    bad = make_source("feed", feed_server.url("/bad.xml"))
    good = make_source("feed", feed_server.url("/feed.xml"))
    watcher = make_watcher(bad, good, interval=60, policy=dataclasses.replace(fetch_policy, timeout=0.3))
    before = time.time()
    with caplog.at_level(logging.INFO, "incidentmap.watch"):
        totals = watcher.run_once()
    after = time.time()
    assert (totals.source_errors, totals.items) == (1, 2)  # the good feed after the bad one was read
    [error] = [r.getMessage() for r in caplog.records if r.name == "incidentmap.watch" and r.levelno == logging.WARNING]
    assert reason in error and "next try in 120 s" in error
    state = watcher.state.state(bad.id)
    assert state.failures == 1 and reason in state.last_error and state.last_success is None
    assert before + 120 <= state.next_try <= after + 120  # 120 s (twice the interval) from when it failed
    watcher.run_once()
    assert watcher.state.state(bad.id).failures == 2  # backoff grows: 240 s next
    assert watcher.state.state(good.id).last_success and watcher.state.state(good.id).failures == 0


def test_report_text_in_log_lines_cannot_forge_lines_or_colour_the_terminal(feed_server, make_watcher, caplog):
    evil = "Rockets hit Ain al-Asad\n2022-03-14 fake line \x1b[31mred"
    feed_server.routes["/p"] = Route(article(evil.replace("\n", "&#10;").replace("\x1b", "&#27;"), ASAD).encode())
    _one_item_feed(feed_server, feed_server.url("/p"))
    watcher = make_watcher(make_source("feed", feed_server.url("/feed.xml")))
    with caplog.at_level(logging.INFO, "incidentmap.watch"):
        watcher.run_once()
    [line] = [r.getMessage() for r in caplog.records if r.name == "incidentmap.watch"]
    assert "\n" not in line and "\x1b" not in line and "fake line" in line
