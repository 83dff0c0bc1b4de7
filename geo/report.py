"""A report as the extractor reads it: text plus title, outlet, URL and publication date.

Three inputs are understood: plain text that may start with ``title:``,
``outlet:``, ``url:`` and ``published:`` header lines and a blank line; HTML,
whose article text and metadata trafilatura reads (a small hand-written reader
stands in where it reads nothing); and JSON ``{title, url, outlet, published, text}``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from geo.dates import PublicationDate, find_publication_date
from geo.errors import InvalidInput
from geo.timespan import parse_day, parse_instant

if TYPE_CHECKING:
    from trafilatura.settings import Document

# Limits that keep a hostile report from holding a worker for long: reading a report costs about
# 5-8 s per million characters of text made to be slow (one attack sentence repeated), and a real
# article is a few thousand. The raw limit is larger because HTML carries markup and scripts.
MAX_REPORT_BYTES = 5 * 1024 * 1024
MAX_REPORT_CHARS = 500_000
# invisible characters dropped from report text so that "Bag\u200bhdad" still names Baghdad: zero-width
# space, non-joiner, joiner, word joiner, BOM, soft hyphen, and the bidirectional controls (which can also
# make a text display otherwise than it reads)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u061c"
                                    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
# other control characters (NUL, escape ...) become spaces; tabs and line breaks stay
_CONTROLS = {c: " " for c in (*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0))}
_CONTROLS.update(_INVISIBLE)
# trafilatura's time grows with the markup, and faster than linearly for some shapes (one paragraph of
# 25,000 <b> elements takes 2 s, of 50,000 8 s); past this many '<' (an ordinary article page has a few
# thousand elements) a page is read by the hand-written reader alone, whose time is linear
# (bench/html_bench.py)
TRAFILATURA_MAX_TAGS = 30_000
_HEADER_RE = re.compile(r"^(title|outlet|url|published|source)\s*:\s*(.*)$", re.I)


@dataclass
class Report:
    """One report's text and what is known about where and when it appeared."""

    text: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: date | None = None
    published_how: str = "no publication date given"
    published_certain: bool = False
    name: str = "report"


def _to_day(value: object, what: str) -> date | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        return parse_day(text[:10]) if len(text) >= 10 and text[4] == "-" else parse_instant(text).date()
    except (ValueError, IndexError):
        raise InvalidInput(f"{what}: published must be a date YYYY-MM-DD, got {text!r}") from None


def _decode(raw: bytes, name: str) -> str:
    """UTF-8, UTF-16 with its BOM, else Windows-1252 or Latin-1; InvalidInput for what is not text."""
    binary = InvalidInput(f"{name} looks like a binary file, not a report (or its encoding is not "
                          "UTF-8, UTF-16 with a BOM, Windows-1252 or Latin-1)")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise binary from None
    if b"\x00" in raw[:4096]:
        raise binary
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1252", "latin-1"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = text[:65536]
        controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
        if controls > len(sample) / 100:  # random bytes: about one in five is a control character
            raise binary
        return text
    raise binary


def clean_text(text: str) -> str:
    """Report text as the extractor should read it: NFC (so a decomposed "Erbi\u0304l" is the composed
    one), invisible characters dropped, other control characters made spaces."""
    return unicodedata.normalize("NFC", text).translate(_CONTROLS)


def parse_text(text: str, name: str = "report") -> Report:
    """Plain text with optional header lines before a blank line."""
    lines = text.splitlines()
    headers: dict[str, str] = {}
    body_start = 0
    for i, line in enumerate(lines):
        if not line.strip():
            body_start = i + 1 if headers else 0
            break
        match = _HEADER_RE.match(line.strip())
        if not match:
            headers = {}
            break
        headers[match.group(1).lower()] = match.group(2).strip()
    body = "\n".join(lines[body_start:]) if headers else text
    report = Report(body.strip(), headers.get("title") or None, headers.get("outlet") or headers.get("source"),
                    headers.get("url") or None, name=name)
    if headers.get("published"):
        report.published = _to_day(headers["published"], name)
        report.published_how, report.published_certain = "from the published: header", True
    return report


class _HtmlText(HTMLParser):
    SKIP = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "svg", "button",
            "figure", "iframe", "template"}
    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section", "tr",
             "blockquote", "time"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: dict[str, list[str]] = {"article": [], "main": [], "body": []}
        self.meta: dict[str, str] = {}
        self.title = ""
        self._skip = 0
        self._open: list[str] = []
        self._in_title = False
        self.time_datetime: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
            if key and attrs.get("content"):
                self.meta.setdefault(key, attrs["content"])
            return
        if tag == "time" and attrs.get("datetime") and not self.time_datetime:
            self.time_datetime = attrs["datetime"]
        if tag == "title":
            self._in_title = True
        if tag in self.SKIP:
            self._skip += 1
        if tag in ("article", "main"):
            self._open.append(tag)
        if tag in self.BLOCK:
            self._emit("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        if tag in ("article", "main") and tag in self._open:
            self._open.remove(tag)
        if tag in self.BLOCK:
            self._emit("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self._skip:
            self._emit(data)

    def _emit(self, data: str) -> None:
        self.parts["body"].append(data)
        for tag in set(self._open):
            self.parts[tag].append(data)


def _clean(text: str) -> str:
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" *\n[ \n]*", "\n\n", text)
    return text.strip()


def _fallback_html(html: str) -> _HtmlText:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return parser


def _fallback_text(parser: _HtmlText) -> str:
    for key in ("article", "main", "body"):
        text = _clean("".join(parser.parts[key]))
        if len(text) > 200 or key == "body":
            break
    return text


def _paragraphs(text: str) -> str:
    """trafilatura's text has one paragraph a line; the extractor splits paragraphs on blank lines."""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


def _trafilatura(html: str) -> Document | None:
    """The article and its metadata as trafilatura reads them, or None where it reads nothing.

    Only the given string is parsed: trafilatura fetches nothing unless asked to, and htmldate is given
    the parsed tree, never a URL. Its extensive date search (any date-like text on the page) is off, so
    a date it gives comes from the page's markup (meta tags, JSON-LD, <time>, the URL); dates in the
    article's text are left to ``find_publication_date``, which says how it found them.
    """
    # imported here, not at the top: it takes about a tenth of a second, which every CLI command would pay
    import trafilatura

    try:
        return trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True,
            date_extraction_params={"original_date": True, "extensive_search": False})
    except Exception:
        # trafilatura answers None for most pages it cannot read, but some broken markup still raises
        # inside it or htmldate (an AssertionError from lxml for "<svg><html>"); the hand-written reader
        # reads such a page instead
        return None


def parse_html(html: str, name: str = "report") -> Report:
    """HTML: the article's text, title, site name, canonical URL and publication date, as trafilatura
    reads them; the meta tags and the first <time> element where it finds nothing."""
    found = _trafilatura(html) if html.count("<") <= TRAFILATURA_MAX_TAGS else None
    title, outlet, url, day, text = (getattr(found, attr, None) for attr in ("title", "sitename", "url", "date",
                                                                           "text"))
    text = _paragraphs(text or "")
    parser: _HtmlText | None = None
    if not (text and title and outlet and url and day):
        # the fallback: the hand-written reader (no recursion, so any depth is fine) for what trafilatura
        # gave nothing for, or every field of a page with too much markup for it: lxml keeps no more
        # than 255 levels of nesting, so text inside 100,000 nested divs is lost to it, and trafilatura
        # keeps nothing of a page whose only text is one short fragment
        parser = _fallback_html(html)
    if not text and parser is not None:
        text = _fallback_text(parser)
    meta = parser.meta if parser is not None else {}
    title = title or meta.get("og:title") or meta.get("twitter:title") or (parser and parser.title.strip()) or None
    report = Report(text, title, outlet or meta.get("og:site_name"), url or meta.get("og:url"), name=name)
    if day:
        try:
            report.published = _to_day(day, name)
            report.published_how = "from the page's metadata, read by trafilatura"
            report.published_certain = True
            return report
        except InvalidInput:
            pass
    # fallback, only where trafilatura gave no date: the meta tags, then the first <time> element
    for key in ("article:published_time", "datepublished", "pubdate", "publishdate", "date", "dc.date",
                "article:modified_time"):
        if meta.get(key):
            try:
                report.published = _to_day(meta[key], name)
                report.published_how, report.published_certain = f"from the page's {key} meta tag", True
                break
            except InvalidInput:
                continue
    if report.published is None and parser is not None and parser.time_datetime:
        try:
            report.published = _to_day(parser.time_datetime, name)
            report.published_how, report.published_certain = "from the page's <time> element", True
        except InvalidInput:
            pass
    return report


def parse_json(raw: str, name: str = "report") -> Report:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"{name} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise InvalidInput(f"{name}: a JSON report needs a \"text\" string (and may have title, url, outlet, "
                           "published)")
    for key in ("title", "outlet", "url"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise InvalidInput(f"{name}: {key} must be a string, got {type(data[key]).__name__}")
    report = Report(data["text"].strip(), data.get("title"), data.get("outlet"), data.get("url"), name=name)
    if data.get("published"):
        report.published = _to_day(data["published"], name)
        report.published_how, report.published_certain = "from the JSON published field", True
    return report


def parse_report(raw: bytes | str, name: str = "report", published: str | None = None,
                 url: str | None = None, today: date | None = None,
                 max_bytes: int = MAX_REPORT_BYTES) -> Report:
    """Any of the three forms; ``published`` and ``url`` override what the report says.

    With no publication date given, one is looked for in the text; the report
    says how it was found, or that it was not.
    """
    if len(raw) > max_bytes:
        raise InvalidInput(f"{name} is {len(raw):,} bytes; reports over {max_bytes:,} bytes are refused")
    if isinstance(raw, bytes):
        raw = _decode(raw, name)
    stripped = raw.lstrip()
    if name.endswith(".json") or stripped.startswith("{"):
        report = parse_json(raw, name)
    elif name.endswith((".html", ".htm")) or re.match(r"<(!doctype|html|head|body|article)", stripped, re.I):
        report = parse_html(raw, name)
    else:
        report = parse_text(raw, name)
    if url:
        report.url = url
    if published:
        report.published = _to_day(published, name)
        report.published_how, report.published_certain = "given on the command line", True
    if report.published is None:
        found: PublicationDate = find_publication_date(report.text, today)
        report.published, report.published_how, report.published_certain = found.day, found.how, found.certain
    report.text = clean_text(report.text)
    for attr in ("title", "outlet"):
        value = getattr(report, attr)
        setattr(report, attr, clean_text(value).strip() if isinstance(value, str) else None)
    if not report.text.strip():
        raise InvalidInput(f"{name} has no text")
    if len(report.text) > MAX_REPORT_CHARS:
        raise InvalidInput(f"{name} has {len(report.text):,} characters of text; reports over "
                           f"{MAX_REPORT_CHARS:,} are refused (split it into several)")
    return report


def read_report(path: Path, published: str | None = None, url: str | None = None,
                today: date | None = None, max_bytes: int = MAX_REPORT_BYTES) -> Report:
    """A report file (.txt, .html or .json) of at most ``max_bytes``, checked before it is read."""
    size = path.stat().st_size
    if size > max_bytes:
        raise InvalidInput(f"{path.name} is {size:,} bytes; reports over {max_bytes:,} bytes are refused "
                           "(--max-bytes raises the limit)")
    with path.open("rb") as handle:  # read no more than the limit, even if the file grows meanwhile
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise InvalidInput(f"{path.name} is over {max_bytes:,} bytes; reports over that are refused")
    return parse_report(raw, path.name, published, url, today, max_bytes=max_bytes)
