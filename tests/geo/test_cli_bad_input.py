"""The command line on bad input (issue 16, finding 7): one line naming the file, row or feature
and what to do, exit status 1, no traceback, and nothing changed.

Before: ``export`` on a missing or odd ``--data`` created and seeded a store there (``--data /``
seeded the root, ``--data ''`` the current folder); ``init --data /proc/self`` waited forever on
a file lock; a CSV field over 131,072 characters and a GeoJSON nested 600 deep ended in a
traceback; Latin-1 and UTF-16 CSV got a raw codec message.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from geo.cli import cli
from tests.geo.test_bounds import nested
from tests.geo.test_csvio import ACLED


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def folder_state(folder: Path) -> dict[str, bytes] | None:
    """Every file under ``folder`` and its bytes; None when the folder does not exist."""
    if not folder.exists():
        return None
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line_error(result, *words: str) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    errors = [line for line in result.stderr.splitlines() if line.startswith("incidentmap: error: ")]
    assert len(errors) == 1 and result.stderr.strip().endswith(errors[0]), result.stderr
    for word in words:
        assert word in errors[0]
    return errors[0]


def geojson(*features: dict) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def incident(fid: str = "cli-1", **props) -> dict:
    return {"type": "Feature", "id": fid, "geometry": {"type": "Point", "coordinates": [44, 33]},
            "properties": {"date": "2024-01-05", "event_type": "ied", **props}}


ACLED_HEADER = ACLED.splitlines()[0]
ACLED_ROW = ACLED.splitlines()[1]

BAD_FILES = [
    ("long.csv", (ACLED_HEADER + "\n" + ACLED_ROW[:-1] + "x" * 200_000 + "\n").encode(),
     ("long.csv: line 2: a field is longer than 131,072 characters", "shorten")),
    ("latin1.csv", (ACLED + "IRQ9,2023-12-09,33.3,44.4,Air/drone strike,,,,Bagdad,,Iraq,1,1,Presse,Frappe à l'aube\n")
     .encode("latin-1"), ("latin1.csv is not UTF-8", "line 5", "save it as UTF-8")),
    ("utf16.csv", ACLED.encode("utf-16"), ("utf16.csv is UTF-16 text", "save it as UTF-8")),
    ("utf16-no-bom.csv", ACLED.encode("utf-16-le"), ("utf16-no-bom.csv holds NUL bytes", "save it as UTF-8")),
    ("utf16.geojson", geojson(incident()).encode("utf-16"), ("utf16.geojson is UTF-16 text", "save it as UTF-8")),
    ("binary.geojson", bytes(range(128, 256)) * 4, ("binary.geojson is not UTF-8",)),
    ("deep600.geojson", geojson(incident(x=nested(600))).encode(),
     ("deep600.geojson: features[0].properties.x", "at most 16 levels")),
    ("deep2000.geojson", geojson(incident(x="DEEP")).replace('"DEEP"', "[" * 2000 + "]" * 2000).encode(),
     ("deep2000.geojson nests JSON deeper than 1,024 levels",)),
    ("wide.geojson", geojson(incident(x={f"k{i}": i for i in range(50_000)})).encode(),
     ("wide.geojson: features[0].properties", "at most 65,536 bytes")),
    ("many-keys.geojson", geojson(incident(x={f"k{i}": i for i in range(1_000)})).encode(),
     ("many-keys.geojson: features[0].properties.x", "at most 1000 unknown property keys")),
    ("newline-id.geojson", geojson(incident("ok-1"), incident("nl-demo\n")).encode(),
     ("newline-id.geojson: features[1].id", "URL-safe")),
    ("long-notes.csv", (ACLED.rstrip("\n") + "\n" + ACLED_ROW.replace("IRQ1", "IRQ7")[:-1] + "n" * 3000 + "\n").encode(),
     ("long-notes.csv: row 5: notes: is longer than 2000 characters",)),
]


@pytest.mark.parametrize("name, content, words", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_import_file_is_one_line_and_changes_nothing(runner, data_dir, tmp_path, name, content, words):
    source = tmp_path / name
    source.write_bytes(content)
    before = folder_state(data_dir)
    one_line_error(runner.invoke(cli, ["import", str(source), "--data", str(data_dir)]), *words)
    assert folder_state(data_dir) == before


@pytest.mark.parametrize("command", [
    ["export"], ["export", "--format", "csv"], ["render", "--format", "svg", "-o", "out.svg"],
], ids=["export", "export-csv", "render"])
def test_a_read_only_command_never_creates_a_store(runner, tmp_path, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "missing"
    one_line_error(runner.invoke(cli, [*command, "--data", str(missing)]), "does not exist", "incidentmap init")
    assert not missing.exists()
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "notes.txt").write_text("not a data folder")
    one_line_error(runner.invoke(cli, [*command, "--data", str(odd)]), "is not an incidentmap data folder")
    assert folder_state(odd) == {"notes.txt": b"not a data folder"}
    monkeypatch.setenv("INCIDENTMAP_DATA", str(missing))
    one_line_error(runner.invoke(cli, command), "does not exist")
    assert not missing.exists() and not (tmp_path / "out.svg").exists()


@pytest.mark.parametrize("command", [["export"], ["import", "x.geojson"], ["token", "list"]])
def test_an_empty_data_option_is_refused(runner, tmp_path, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.geojson").write_text(geojson(incident()))
    result = runner.invoke(cli, [*command, "--data", ""])
    assert result.exit_code == 2 and "is empty" in result.stderr and "Traceback" not in result.output
    assert folder_state(tmp_path) == {"x.geojson": geojson(incident()).encode()}


def test_a_writing_command_does_not_seed_a_folder_holding_other_files(runner, tmp_path):
    folder = tmp_path / "home"
    folder.mkdir()
    (folder / "thesis.txt").write_text("mine")
    source = tmp_path / "in.geojson"
    source.write_text(geojson(incident()))
    one_line_error(runner.invoke(cli, ["import", str(source), "--data", str(folder)]),
                   "is not an incidentmap data folder", "thesis.txt", "incidentmap init --data")
    assert folder_state(folder) == {"thesis.txt": b"mine"}


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
def test_init_in_a_folder_that_takes_no_files_fails_at_once(runner):
    one_line_error(runner.invoke(cli, ["init", "--data", "/proc/self"]), "/proc/self")


def test_a_write_waits_for_the_lock_only_so_long(runner, data_dir, tmp_path, monkeypatch):
    from filelock import FileLock

    import geo.store.geojson

    monkeypatch.setattr(geo.store.geojson, "LOCK_TIMEOUT", 0.2)
    source = tmp_path / "in.geojson"
    source.write_text(geojson(incident()))
    with FileLock(str(data_dir / ".incidents.lock")):  # another process's write that does not end
        before = folder_state(data_dir)
        result = runner.invoke(cli, ["import", str(source), "--data", str(data_dir)])
    one_line_error(result, "cannot lock incidents", "waited 0.2 s", "try again")
    assert folder_state(data_dir) == before


def test_a_token_change_waits_for_the_lock_only_so_long(runner, data_dir, monkeypatch):
    from filelock import FileLock

    import geo.tokens

    monkeypatch.setattr(geo.tokens, "LOCK_TIMEOUT", 0.2)
    with FileLock(str(data_dir / "tokens.json.lock")):
        before = folder_state(data_dir)
        result = runner.invoke(cli, ["token", "add", "late", "--data", str(data_dir)])
    one_line_error(result, "tokens.json is locked by another process", "waited 0.2 s")
    assert folder_state(data_dir) == before
