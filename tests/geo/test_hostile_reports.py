"""Hostile reports: each gives a result or a clear error within seconds, never a hang.

Through ``geo.report``/``geo.extract`` in-process, through ``POST /ingest``, and through the CLI. A hang
must fail rather than stall CI: in-process cases run under ``faulthandler``'s watchdog, which dumps
every thread's stack and ends the run when a case passes ``HANG_SECONDS``; CLI cases run in a
subprocess with a timeout. No test here bounds wall-clock time (CI is a loaded machine): how fast
each case is lives in ``bench/extract_bench.py``; here a test checks that the work grows linearly.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.errors import InvalidInput
from geo.extract import Extractor
from geo.gazetteer import Gazetteer
from geo.report import MAX_REPORT_BYTES, MAX_REPORT_CHARS, parse_report

HANG_SECONDS = 120
PUBLISHED = "2024-01-05"
EMBASSY = "Two rockets hit the US embassy in {} on Friday, causing no casualties."


@contextlib.contextmanager
def within():
    """End the whole run, with every thread's stack, if the block hangs."""
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    extractor = Extractor(Gazetteer.load(None))
    extractor.extract(parse_report("Rockets hit Erbil on Friday.", "warm.txt", published=PUBLISHED))  # loads GeoNames
    return extractor


def every_script(n: int, seed: int = 6) -> str:
    """Text drawn from many Unicode blocks: Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic, Syriac,
    Devanagari, Thai, Georgian, Hangul, kana, CJK, emoji, Linear B, maths letters, combining marks,
    zero-width and bidirectional controls, with spaces, full stops and paragraph breaks."""
    blocks = [(0x41, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x530, 0x58F), (0x590, 0x5FF), (0x600, 0x6FF),
              (0x700, 0x74F), (0x900, 0x97F), (0xE00, 0xE7F), (0x10A0, 0x10FF), (0x1100, 0x11FF),
              (0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0x1F300, 0x1F64F), (0x10000, 0x1007F),
              (0x1D400, 0x1D7FF), (0x300, 0x36F), (0x200B, 0x200F), (0x2028, 0x202E), (0x2066, 0x2069)]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        low, high = rng.choice(blocks)
        out.append(chr(rng.randint(low, high)))
        if rng.random() < 0.15:
            out.append(rng.choice([" ", ". ", "\n", "\n\n"]))
    return "".join(out)


def nested_html(depth: int, inner: str) -> str:
    return f"<html><body><article>{'<div>' * depth}{inner}{'</div>' * depth}</article></body></html>"


# name, raw report, file name, what must hold of the result: an int (that many incidents or more), or the
# words of the InvalidInput error
CASES = [
    ("random bytes", random.Random(1).randbytes(300_000), "r.txt", "binary"),
    ("random bytes with no NUL", bytes(b or 1 for b in random.Random(2).randbytes(300_000)), "r.txt", "binary"),
    ("NUL bytes", b"Rockets hit Erbil.\x00" * 20_000, "r.txt", "binary"),
    ("NUL bytes after the start", b"Two rockets hit Erbil airport on Friday. " * 200 + b"\x00" * 5000, "r.txt", 1),
    ("invalid UTF-8", b"Two rockets hit Erbil airport on Friday \xff\xfe\xc3\x28. " * 5000, "r.txt", 1),
    ("UTF-16 with a BOM", "\ufeffTwo rockets hit Erbil airport on Friday.".encode("utf-16"), "r.txt", 1),
    ("100,000 nested divs", nested_html(100_000, EMBASSY.format("Baghdad")).encode(), "r.html", 1),
    ("100,000 unclosed divs", ("<html><body>" + "<div>" * 100_000 + EMBASSY.format("Baghdad")).encode(), "r.html", 1),
    ("100,000 attributes", ("<html><body><p " + "a=b " * 100_000 + ">" + EMBASSY.format("Baghdad")).encode(),
     "r.html", 1),
    ("an unclosed comment", ("<html><body><p>" + EMBASSY.format("Baghdad") + "<!--" + "-" * 300_000).encode(),
     "r.html", 1),
    ("500,000 '<'", ("<html>" + "<" * 500_000).encode(), "r.html", 0),
    ("JSON nested 100,000 deep", ('{"text": ' + "[" * 100_000 + "]" * 100_000 + "}").encode(), "r.json",
     "not valid JSON"),
    ("every Unicode script", every_script(300_000).encode(), "r.txt", 0),
    ("every script around a report", (every_script(5_000) + "\n\n" + EMBASSY.format("Baghdad") + "\n\n"
                                      + every_script(5_000, seed=7)).encode(), "r.txt", 1),
    ("Arabic and Hebrew", ("صواريخ تضرب السفارة الأمريكية في بغداد يوم الجمعة. רקטות פגעו בשגרירות בבגדאד. "
                           * 3000).encode(), "r.txt", 0),
    ("right-to-left around English", ("\u202bقالت مصادر\u202c " + EMBASSY.format("بغداد Baghdad") + " ") .encode()
     * 500, "r.txt", 1),
    ("a zero-width space in a name", EMBASSY.format("Bag\u200bhdad").encode(), "r.txt", 1),
    ("zero-width joiners in a name", EMBASSY.format("B\u200da\u200cg\u2060hdad\ufeff").encode(), "r.txt", 1),
    ("a soft hyphen and bidi marks", EMBASSY.format("Bagh\u00addad\u200e\u202e").encode(), "r.txt", 1),
    ("combining marks", ("Ro\u0301ckets hi\u0308t Bag\u0301hdad o\u0327n Friday. " * 10_000).encode(), "r.txt", 0),
    ("the text limit, one attack repeated", ("ROCKETS HIT ERBIL AIR BASE. " * (MAX_REPORT_CHARS // 28)).encode(),
     "r.txt", 1),
    ("one sentence of 60,000 places", ("Rockets hit " + "Erbil, Baghdad, Kirkuk, Basra, " * 2_000).encode(),
     "r.txt", 1),
    ("'U.S.' 20,000 times", ("Rockets hit U.S. " * 20_000).encode(), "r.txt", 0),
    ("a 20,000-digit count", ("Rockets hit Erbil air base, killing " + "1" * 20_000 + " people.").encode(), "r.txt",
     1),
    ("thousands of distinct incidents", " ".join(
        f"Rockets hit Erbil airport on {1 + i % 28} {('January', 'March', 'May', 'July')[i // 28 % 4]} "
        f"{2000 + i // 112}." for i in range(4_000)).encode(), "r.txt", 1000),
    ("text over the limit", ("Rockets hit Erbil. " * (MAX_REPORT_CHARS // 10)).encode(), "r.txt", "characters"),
    ("50 MB", b"Rockets hit Erbil. " * (50_000_000 // 19), "r.txt", "bytes"),
    ("only invisible characters", "\u200b\u200c\u200d\u2060\ufeff \u202e".encode(), "r.txt", "has no text"),
]


@pytest.mark.parametrize("raw, name, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_hostile_report_gives_a_result_or_a_clear_error_in_seconds(extractor, raw, name, expected):
    with within():
        try:
            result = extractor.extract(parse_report(raw, name, published=PUBLISHED))
        except InvalidInput as exc:
            assert isinstance(expected, str), f"refused: {exc.description}"
            assert expected in exc.description
            return
    assert isinstance(expected, int), f"expected an error about {expected!r}, got {len(result.features)} incidents"
    assert len(result.features) >= expected


def _cpu_seconds(extractor: Extractor, sentence: str, count: int) -> float:
    """The least of three runs' CPU time, each on text never seen before (so no cache answers for it)."""
    best = float("inf")
    gc.collect()
    gc.disable()  # a collection landing in one run and not the other is noise, not growth
    try:
        for run in range(3):  # the least of three: other processes only ever add time
            text = "".join(sentence.format(n=1 + i % 28) + f"(r{run}-{i}) " for i in range(count))
            report = parse_report(text, "n.txt", published=PUBLISHED)
            started = time.process_time()
            extractor.extract(report)
            best = min(best, time.process_time() - started)
    finally:
        gc.enable()
    return best


@pytest.mark.parametrize("sentence", [
    "Rockets hit Erbil airport on {n} March, wounding {n} people. ",        # every attack different
    "Officials in the capital discussed budget number {n} on Tuesday. ",    # prose with no attack
])
def test_reading_grows_linearly_with_the_report(extractor, sentence):
    """Four times the text takes well under eight times as long (a quadratic step would take ~16x)."""
    ratio = _cpu_seconds(extractor, sentence, 2000) / max(_cpu_seconds(extractor, sentence, 500), 1e-3)
    assert ratio < 8, f"4x the text took {ratio:.1f}x the time"


@pytest.mark.parametrize("spelling", ["Bag\u200bhdad", "B\u200da\u200cg\u2060hdad\ufeff", "Bagh\u00addad\u200e",
                                      "Baghdad\u202e"])
def test_invisible_characters_do_not_hide_a_place(extractor, spelling):
    [incident] = extractor.extract(parse_report(EMBASSY.format(spelling), "z.txt", published=PUBLISHED)).features
    assert incident["properties"]["site_id"] == "us-embassy-baghdad"
    assert "\u200b" not in incident["properties"]["sources"][0]["quote"]


# ---- over HTTP --------------------------------------------------------------------------------

HTTP_CASES = [
    ("binary garbage", {"text": random.Random(3).randbytes(50_000).decode("latin-1")}, 200),
    ("NUL characters", {"text": "Two rockets hit Erbil airport on Friday.\x00" * 1000}, 200),
    ("nested HTML as text", {"text": nested_html(20_000, EMBASSY.format("Baghdad"))}, 200),
    ("every Unicode script", {"text": every_script(200_000)}, 200),
    ("right-to-left", {"text": "صواريخ تضرب السفارة الأمريكية في بغداد. " * 2000, "title": "\u202eevil"}, 200),
    ("a zero-width space in a name", {"text": EMBASSY.format("Bag\u200bhdad")}, 200),
    ("text over the limit", {"text": "Rockets hit Erbil. " * (MAX_REPORT_CHARS // 10)}, 400),
    ("one sentence of 40,000 places", {"text": "Rockets hit " + "Erbil, Baghdad, Kirkuk, Basra, " * 1_300}, 200),
    ("lone surrogates", {"text": "Rockets hit Erbil \ud800 on Friday."}, 400),
]


@pytest.mark.parametrize("body, status", [c[1:] for c in HTTP_CASES], ids=[c[0] for c in HTTP_CASES])
def test_ingest_answers_a_hostile_report_in_seconds(client, auth, body, status):
    """With an editor's token, whose body limit is MAX_BODY_BYTES (without one it is smaller)."""
    import orjson

    try:
        data = orjson.dumps(body)
    except TypeError:  # orjson refuses lone surrogates; send them escaped as a client might
        import json

        data = json.dumps(body).encode()
    with within():
        response = client.post("/ingest", data=data, content_type="application/json", headers=auth)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if status >= 400:
        assert set(response.get_json()) == {"code", "description"}


def test_ingest_refuses_a_50_mb_body_with_413(client):
    with within():
        response = client.post("/ingest", data=b'{"text": "' + b"x" * 50_000_000 + b'"}',
                               content_type="application/json")
    assert response.status_code == 413 and response.get_json()["code"] == "PayloadTooLarge"


def test_ingest_finds_baghdad_through_a_zero_width_space(client):
    response = client.post("/ingest", json={"text": EMBASSY.format("Bag\u200bhdad"), "published": PUBLISHED})
    assert [f["properties"]["site_id"] for f in response.get_json()["features"]] == ["us-embassy-baghdad"]


# ---- the CLI ------------------------------------------------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "INCIDENTMAP_DATA": "/nonexistent-incidentmap-test"}
    return subprocess.run([sys.executable, "-m", "geo", *args], capture_output=True, text=True, timeout=HANG_SECONDS,
                          env=env)


@pytest.mark.slow
@pytest.mark.parametrize("content, name, extra, words", [
    (b"Rockets hit Erbil. " * (50_000_000 // 19), "big.txt", [], "reports over 5,242,880 bytes are refused"),
    (b"Rockets hit Erbil. " * 100, "small.txt", ["--max-bytes", "1000"], "reports over 1,000 bytes"),
    (random.Random(4).randbytes(100_000), "garbage.txt", [], "looks like a binary file"),
    (b"Rockets hit Erbil. " * 30_000, "long.txt", [], "500,000 are refused"),
])
def test_cli_extract_refuses_with_a_message_and_status_1(tmp_path: Path, content, name, extra, words):
    path = tmp_path / name
    path.write_bytes(content)
    done = run_cli("extract", str(path), "--published", PUBLISHED, *extra)  # run_cli's timeout catches a hang
    assert done.returncode == 1 and words in done.stderr, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr


@pytest.mark.slow
def test_cli_extract_reads_deeply_nested_html(tmp_path: Path):
    path = tmp_path / "nested.html"
    path.write_text(nested_html(100_000, EMBASSY.format("Bag\u200bhdad")))
    done = run_cli("extract", str(path), "--published", PUBLISHED)
    assert done.returncode == 0, done.stderr
    assert '"site_id": "us-embassy-baghdad"' in done.stdout


def test_the_limits_are_what_the_readme_says():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert MAX_REPORT_BYTES == 5 * 1024 * 1024 and "5 MiB" in readme
    assert f"{MAX_REPORT_CHARS:,}" in readme
