"""HTML reports read through trafilatura: article text without the page's furniture, metadata, the
fallback reader for what trafilatura does not read, no network, and ``incidentmap extract`` on a page.

Every page here is written for these tests.
"""

from __future__ import annotations

import json
import re
import socket

import pytest
from click.testing import CliRunner

from geo.cli import cli
from geo.report import TRAFILATURA_MAX_TAGS, parse_report

ARTICLE = """
<h1>Drones strike Harir air base</h1>
<p class="byline">By A. Reporter, Test Wire</p>
<p>Two explosive-laden drones struck Harir air base north of Erbil late on Thursday, a coalition
spokesman said. One drone was shot down before it reached the runway.</p>
<p>Nobody was hurt in the attack, the spokesman added, and damage to a hangar was being assessed.</p>
<p>No group has said it carried out the attack. Officials in Erbil described the base as calm on Friday
morning.</p>
"""

TEASERS = ["Rockets hit a port city far away", "Rockets hit a border crossing overnight",
           "Rockets hit a market in another country"]


def page(head: str = "", article: str = ARTICLE, padding: str = "") -> str:
    """An article page with the usual furniture around the article."""
    teasers = "".join(f'<li><a href="/news/{i}">{t}</a></li>' for i, t in enumerate(TEASERS))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Drones strike Harir air base | Test Wire</title>{head}</head><body>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your visit. Accept all cookies</div>
<header><nav><a href="/">Home</a> <a href="/world">World news</a> <a href="/sport">Sport pages</a></nav></header>
<main><article>{article}
<div class="related-stories"><h2>Most read today</h2><ul>{teasers}</ul></div></article>
<section id="comments" class="comments"><h3>Readers' comments</h3>
<div class="comment"><p>Commenter: this site's coverage is always late and I say so every week.</p></div></section>
</main>{padding}
<footer><p>Copyright Test Wire. Terms of use and privacy notice for every reader.</p></footer>
</body></html>"""


HEAD = """<meta property="og:title" content="Drones strike Harir air base">
<meta property="og:site_name" content="Test Wire">
<link rel="canonical" href="https://wire.example/2024/drones-harir">
<meta property="article:published_time" content="2024-01-18T21:40:00+03:00">"""

FURNITURE = [*TEASERS, "Most read", "cookies", "World news", "Sport pages", "Readers' comments",
             "Commenter", "Copyright", "privacy notice"]


def test_article_text_without_the_page_furniture():
    report = parse_report(page(HEAD), "harir.html")
    assert "Two explosive-laden drones struck Harir air base north of Erbil late on Thursday" in report.text
    assert "Nobody was hurt in the attack" in report.text and "calm on Friday morning" in report.text
    for junk in FURNITURE:
        assert junk not in report.text


def test_paragraphs_are_separated_by_a_blank_line():
    paragraphs = parse_report(page(HEAD), "harir.html").text.split("\n\n")
    written = [" ".join(p.split()) for p in re.findall(r"<p>(.*?)</p>", ARTICLE, re.S)]
    assert paragraphs[-3:] == written  # the article's own line breaks inside a paragraph are spaces


def test_title_outlet_canonical_url_and_date_from_the_metadata():
    report = parse_report(page(HEAD), "harir.html")
    assert (report.title, report.outlet, report.url, str(report.published)) == (
        "Drones strike Harir air base", "Test Wire", "https://wire.example/2024/drones-harir", "2024-01-18")
    assert report.published_how == "from the page's metadata, read by trafilatura" and report.published_certain


JSON_LD = """<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "Drones strike Harir air base", "datePublished": "2024-01-19T07:00:00Z",
"publisher": {"@type": "Organization", "name": "Test Wire"}}</script>"""


@pytest.mark.parametrize("head, published, how", [
    (HEAD, "2024-01-18", "from the page's metadata, read by trafilatura"),
    (JSON_LD, "2024-01-19", "from the page's metadata, read by trafilatura"),  # the fallback reader reads no JSON-LD
    ('<meta name="dc.date" content="2024-01-17">', "2024-01-17", "from the page's metadata, read by trafilatura"),
    ("", None, "no publication date"),
])
def test_where_the_date_came_from(head, published, how):
    report = parse_report(page(head), "harir.html")
    assert (str(report.published) if report.published else None) == published
    assert report.published_how.startswith(how)


def test_a_date_in_the_text_is_left_to_the_text_reader():
    """trafilatura's opportunistic search of the text is off: a date only the text gives is found by
    find_publication_date, which says so, not reported as the page's metadata."""
    article = ARTICLE + "<p>Updated: January 19, 2024</p>"
    report = parse_report(page(article=article), "harir.html")
    assert str(report.published) == "2024-01-19" and "metadata" not in report.published_how


def test_a_page_with_too_much_markup_is_read_by_the_fallback():
    padding = "<div hidden>" + "<span></span>" * (TRAFILATURA_MAX_TAGS // 2) + "</div>"
    report = parse_report(page(HEAD, padding=padding), "heavy.html")
    assert "Two explosive-laden drones struck Harir air base" in report.text
    assert (report.title, report.outlet, str(report.published)) == (
        "Drones strike Harir air base", "Test Wire", "2024-01-18")
    assert report.published_how == "from the page's article:published_time meta tag"


@pytest.mark.parametrize("html, text", [
    # a fragment is no page to trafilatura: the fallback reads it
    ("<article><p>Rockets hit Erbil.</p></article>", "Rockets hit Erbil."),
    ("<html><body>Rockets hit Erbil on Friday.</body></html>", "Rockets hit Erbil on Friday."),
    # markup trafilatura (htmldate, through lxml) raises an AssertionError on
    ("<math><base href='https://x.example'><table><p>Rockets hit Erbil.</p>", "Rockets hit Erbil."),
    ("<html><body><div>" * 300 + "Deeper than lxml reads." + "</div>" * 300, "Deeper than lxml reads."),
])
def test_what_trafilatura_keeps_nothing_of_or_fails_on_the_fallback_reads(html, text):
    assert parse_report(html, "small.html").text == text


def test_no_network_is_used(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network use while reading a page: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    head = HEAD + '<meta property="og:image" content="https://img.wire.example/a.jpg">'
    report = parse_report(page(head), "harir.html")
    assert report.url == "https://wire.example/2024/drones-harir" and "Harir air base" in report.text


def test_cli_extract_reads_an_html_page(tmp_path):
    path = tmp_path / "harir.html"
    path.write_text(page(HEAD))
    result = CliRunner().invoke(cli, ["extract", str(path)])
    assert result.exit_code == 0, result.output
    collection = json.loads(result.stdout)
    assert collection["reports"][0]["published"] == "2024-01-18"
    [incident] = collection["features"]
    props = incident["properties"]
    assert (props["site_id"], props["date"], props["event_type"]) == ("harir-air-base", "2024-01-18", "drone_attack")
    assert props["sources"][0]["url"] == "https://wire.example/2024/drones-harir"
