"""Reading HTML reports: trafilatura (``parse_html``) against the hand-written fallback reader alone.

    python bench/html_bench.py [--runs 3]

Prints, for each page, the median seconds of ``parse_html`` (trafilatura, then the fallback for what it
left empty) and of the fallback reader alone, and how many characters of text each gave. Pages: a
typical article with navigation, a sidebar and a footer; the same article body made 1 MB and 5 MB
long (paragraphs, and one giant table of links); and the hostile pages of
``tests/geo/test_hostile_reports.py`` (100,000 nested or unclosed divs, 100,000 attributes, an unclosed
comment, 500,000 '<'), plus shapes that are slow for trafilatura (many inline elements in one
paragraph, nesting 250 deep repeated, a table of 100,000 links) just under and over
``TRAFILATURA_MAX_TAGS``, past which the fallback reads the page alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.report import _fallback_html, _fallback_text, parse_html  # noqa: E402

SENTENCE = "Two rockets hit the US embassy in Baghdad on Friday, causing no casualties, officials said. "
PARAGRAPH = f"<p>{SENTENCE * 4}</p>\n"


def paragraphs(n: int) -> str:
    """n paragraphs that differ (trafilatura drops a paragraph repeated word for word)."""
    return "".join(f"<p>Paragraph {i}. {SENTENCE * 4}</p>\n" for i in range(n))


def page(body: str) -> str:
    return (f"<!doctype html><html><head><title>Bench Wire | Rockets</title>"
            f'<meta property="og:site_name" content="Bench Wire">'
            f'<meta property="article:published_time" content="2024-01-05T10:00:00Z"></head><body>'
            f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
            f"<article><h1>Rockets hit the embassy</h1>{body}</article>"
            f"<aside><h2>Related</h2><ul>{'<li><a href=/x>Rockets hit somewhere else</a></li>' * 8}</ul></aside>"
            f"<footer>About us. Contact. Terms.</footer></body></html>")


def pages() -> dict[str, str]:
    embassy = "Two rockets hit the US embassy in Baghdad on Friday, causing no casualties."
    return {
        "typical article (8 paragraphs)": page(paragraphs(8)),
        "1 MB in 2,600 paragraphs": page(paragraphs(1_000_000 // len(PARAGRAPH))),
        "5 MB in 13,000 paragraphs": page(paragraphs(5_000_000 // len(PARAGRAPH))),
        "5 MB in one paragraph": page(f"<p>{SENTENCE * (5_000_000 // len(SENTENCE))}</p>"),
        "15,000 <b> in one paragraph": page("<p>" + "<b>w</b> " * 7_400 + "</p>" + paragraphs(4)),
        "50,000 <b> in one paragraph": page("<p>" + "<b>w</b> " * 25_000 + "</p>" + paragraphs(4)),
        "250-deep nesting x 55": page(("<div>" * 250 + PARAGRAPH + "</div>" * 250) * 55),
        "250-deep nesting x 400": page(("<div>" * 250 + PARAGRAPH + "</div>" * 250) * 400),
        "100,000 links in a table": page("<table>" + "<tr><td><a href=/a>a link</a></td></tr>" * 100_000
                                         + "</table>" + paragraphs(4)),
        "100,000 nested divs": f"<html><body><article>{'<div>' * 100_000}{embassy}{'</div>' * 100_000}"
                               "</article></body></html>",
        "100,000 unclosed divs": "<html><body>" + "<div>" * 100_000 + embassy,
        "100,000 attributes": "<html><body><p " + "a=b " * 100_000 + ">" + embassy,
        "an unclosed comment": "<html><body><p>" + embassy + "<!--" + "-" * 300_000,
        "500,000 '<'": "<html>" + "<" * 500_000,
    }


def median_seconds(call, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    parse_html(page(PARAGRAPH), "warm.html")  # imports trafilatura once
    print(f"{'page':32} {'bytes':>10} {'<':>8} {'parse_html s':>13} {'chars':>9} {'fallback s':>11} {'chars':>9}")
    for name, html in pages().items():
        new, report = median_seconds(lambda html=html: parse_html(html, "bench.html"), args.runs)
        old, text = median_seconds(lambda html=html: _fallback_text(_fallback_html(html)), args.runs)
        print(f"{name:32} {len(html):>10,} {html.count('<'):>8,} {new:>13.3f} {len(report.text):>9,} {old:>11.3f} {len(text):>9,}")


if __name__ == "__main__":
    main()
