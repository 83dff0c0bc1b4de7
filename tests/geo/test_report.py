from datetime import date

import pytest

from geo.errors import InvalidInput
from geo.report import parse_report

TODAY = date(2026, 11, 21)


def test_text_with_headers():
    report = parse_report("title: Drones hit Harir\noutlet: Test Wire\nurl: https://wire.example/a\n"
                          "published: 2024-01-05\n\nTwo drones struck Harir air base on Thursday.", "a.txt")
    assert (report.title, report.outlet, report.url, str(report.published)) == (
        "Drones hit Harir", "Test Wire", "https://wire.example/a", "2024-01-05")
    assert report.text == "Two drones struck Harir air base on Thursday." and report.published_certain


def test_text_without_headers_keeps_every_line():
    report = parse_report("Rockets hit a base\n\nSomething: happened here.", "b.txt", today=TODAY)
    assert report.text.startswith("Rockets hit a base") and report.title is None


def test_command_line_overrides_the_header():
    report = parse_report("published: 2024-01-05\nurl: https://a.example\n\nText about rockets.", "c.txt",
                          published="2024-01-07", url="https://b.example")
    assert (str(report.published), report.url, report.published_how) == (
        "2024-01-07", "https://b.example", "given on the command line")


def test_publication_found_in_text_or_said_missing():
    found = parse_report("Drones hit Erbil.\n\nUpdated: January 14, 2024", "d.txt", today=TODAY)
    assert str(found.published) == "2024-01-14"
    missing = parse_report("Drones hit Erbil on Friday.", "e.txt", today=TODAY)
    assert missing.published is None and "no publication date" in missing.published_how


HTML = """<!doctype html><html><head><title>Wire | Rockets</title>
<meta property="og:title" content="Rockets hit Ain al-Asad">
<meta property="og:site_name" content="Example Wire">
<meta property="article:published_time" content="2024-01-20T18:00:00+03:00"></head>
<body><nav>Home World Sport</nav><header>Subscribe now</header>
<article><h1>Rockets hit Ain al-Asad</h1><p>Several rockets struck the base on Saturday evening.</p>
<p>Two service members were lightly hurt.</p><div><div><div><p>Deep &amp; nested.</p></div></div></div></article>
<aside>Most read: something else</aside><footer>Copyright</footer><script>var ad = "rockets";</script></body></html>"""


def test_html_boilerplate_dropped_and_meta_read():
    report = parse_report(HTML, "f.html")
    assert report.title == "Rockets hit Ain al-Asad" and report.outlet == "Example Wire"
    assert str(report.published) == "2024-01-20"
    assert "Several rockets struck" in report.text and "Deep & nested." in report.text
    for junk in ("Home World Sport", "Subscribe", "Most read", "Copyright", "var ad"):
        assert junk not in report.text


def test_json_report():
    report = parse_report(b'{"title": "T", "url": "https://x.example", "outlet": "X", "published": "2024-02-02",'
                          b' "text": "US forces struck Al-Qaim."}', "g.json")
    assert (report.title, str(report.published), report.text) == ("T", "2024-02-02", "US forces struck Al-Qaim.")


@pytest.mark.parametrize("raw, name, message", [
    (b"\x00\x01\x02binary", "h.bin", "binary"),
    (b'{"title": "no text"}', "i.json", "needs a"),
    (b"{not json", "j.json", "not valid JSON"),
    (b"published: 5 Jan\n\nText", "k.txt", "published must be a date"),
    (b"   ", "l.txt", "has no text"),
])
def test_bad_reports_are_clear_errors(raw, name, message):
    with pytest.raises(InvalidInput, match=message):
        parse_report(raw, name)
