"""RSS and Atom feeds: polled with conditional GET, each new item's page read as a report.

The feed is fetched by ``geo.live.fetch`` (never by feedparser, which would fetch without our
limits) and parsed from its bytes by feedparser. Each item not handled before has its page fetched
and read like an ``.html`` report (trafilatura: the article's text, title, outlet, date); when the
page cannot be fetched or read, or the item has no link, the item's own summary is the report.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import orjson

from geo.errors import InvalidInput
from geo.live.fetch import Fetched, FetchError
from geo.live.seen import SourceState
from geo.live.sources import Source
from geo.live.watch import ItemFailed
from geo.report import Report, parse_report

if TYPE_CHECKING:
    from geo.live.watch import Watcher

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain", "")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_HTML_START = re.compile(r"<(!doctype|html|head|body|article)", re.I)


def poll(source: Source, state: SourceState, watcher: Watcher) -> None:
    """Fetch the feed (304 when unchanged since the validators in ``state``) and handle its new items.
    The validators are kept only once every item is handled, so a failure halfway re-reads the feed."""
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    response = watcher.fetcher.get(source.location, headers)
    if response.status == 304:
        return
    parsed = parse_feed(response)
    feed_title = parsed.feed.get("title") or None
    for entry in reversed(parsed.entries):  # feeds list the newest first; store in the order published
        key = item_key(entry)
        if watcher.state.seen(source.id, key):
            continue
        title = entry.get("title") or entry.get("link") or key
        try:
            report, note = entry_report(entry, feed_title, watcher)
            watcher.ingest(source, key, report, note)
        except InvalidInput as exc:
            watcher.item_failed(source, key, title, exc.description)
        except ItemFailed as exc:
            watcher.item_failed(source, key, title, str(exc))
    state.etag = response.headers.get("etag")
    state.last_modified = response.headers.get("last-modified")


def parse_feed(response: Fetched):
    """The feed as feedparser reads it; FetchError when the body is no RSS or Atom feed."""
    import feedparser  # imported here: every CLI command would pay for it otherwise

    parsed = feedparser.parse(response.body, response_headers={
        "content-type": response.headers.get("content-type", "application/xml"),
        "content-location": response.url})
    if not parsed.get("version"):
        kind = response.content_type or "no content type"
        problem = parsed.get("bozo_exception")
        raise FetchError(f"not an RSS or Atom feed ({kind}, {len(response.body):,} bytes"
                         + (f"; {str(problem)[:120]}" if problem else "") + ")")
    return parsed


def item_key(entry) -> str:
    """What identifies an item for good: its id (guid), else its link, else a hash of its content."""
    for name in ("id", "link"):
        value = entry.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()[:1000]
    content = f"{entry.get('title', '')}\n{entry.get('summary', '')}"
    return "sha256:" + hashlib.sha256(content.encode("utf-8", "replace")).hexdigest()


def entry_day(entry) -> date | None:
    for name in ("published_parsed", "updated_parsed"):
        value = entry.get(name)
        if value:
            try:
                return date(*value[:3])
            except (TypeError, ValueError):
                continue
    return None


def entry_report(entry, feed_title: str | None, watcher: Watcher) -> tuple[Report, str]:
    """The item's page as a report, or its summary when that fails; and a note saying which."""
    link = entry.get("link") or None
    if link:
        try:
            page = watcher.fetcher.get(link)
            report = page_report(page, link)
            _fill(report, entry, feed_title)
            return report, ""
        except FetchError as exc:
            note = f"page not fetched: {exc}; read the item's summary"
        except InvalidInput as exc:
            note = f"page not read: {exc.description}; read the item's summary"
    else:
        note = "the item has no link; read its summary"
    return summary_report(entry, feed_title, link, note), note


def page_report(page: Fetched, link: str) -> Report:
    """A fetched page as a report: HTML read by trafilatura (via geo.report), or plain text."""
    if page.content_type not in _HTML_TYPES + _TEXT_TYPES:
        raise InvalidInput(f"the page is {page.content_type}, not HTML or text")
    raw: bytes | str = page.body
    charset = page.charset or _meta_charset(page.body)
    if charset:
        try:
            raw = page.body.decode(charset, errors="replace")
        except LookupError:  # a charset Python does not know: let geo.report guess
            raw = page.body
    if page.content_type in _HTML_TYPES:
        text = raw if isinstance(raw, str) else None
        if text is not None and not _HTML_START.match(text.lstrip()):
            raw = "<!DOCTYPE html>\n" + text  # read as HTML whatever comes first (a comment, an XML line)
        elif text is None and not _HTML_START.match(page.body.lstrip().decode("latin-1")[:20]):
            raw = b"<!DOCTYPE html>\n" + page.body
    return parse_report(raw, name=link, url=link)


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii") if match else None


def _fill(report: Report, entry, feed_title: str | None) -> None:
    """What the page did not say, from the feed: title, outlet, and the item's date."""
    report.title = report.title or entry.get("title") or None
    report.outlet = report.outlet or feed_title
    day = entry_day(entry)
    if day is not None and not report.published_certain:
        report.published, report.published_how, report.published_certain = day, "from the feed item's date", True


def summary_report(entry, feed_title: str | None, link: str | None, note: str) -> Report:
    """The item's own text (its content, else its summary) as a report; InvalidInput when it has none."""
    contents = entry.get("content") or []
    html = (contents[0].get("value") if contents else None) or entry.get("summary") or ""
    text = html_text(html)
    if not text.strip():
        raise InvalidInput(f"{note}, and it has no summary either")
    day = entry_day(entry)
    data = {"text": text, "title": entry.get("title") or None, "outlet": feed_title, "url": link,
            "published": day.isoformat() if day else None}
    report = parse_report(orjson.dumps(data), name=link or (entry.get("title") or "feed item"))
    if day is not None:
        report.published_how = "from the feed item's date"
    return report


class _Text(HTMLParser):
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        if tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    """An item summary's text: tags dropped, paragraphs kept apart by blank lines."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    paragraphs = [" ".join(p.split()) for p in "".join(parser.parts).split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)
