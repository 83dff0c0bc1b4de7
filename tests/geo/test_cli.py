import json

import pytest
from click.testing import CliRunner

from geo.cli import cli
from tests.conftest import store_state
from tests.geo.test_csvio import ACLED


def stored_incidents(folder) -> list[dict]:
    """The incidents as the store holds them (the collection file is a checkpoint of its journal)."""
    from geo.query import Query
    from geo.store.geojson import GeoJSONStore

    return GeoJSONStore(folder).query("incidents", Query(limit=10**6)).features()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_init_seeds_sites_and_samples(runner, tmp_path):
    folder = tmp_path / "new"
    result = runner.invoke(cli, ["init", "--data", str(folder)])
    assert result.exit_code == 0, result.output
    assert "sites" in result.output and "incidents" in result.output
    incidents = json.loads((folder / "incidents.geojson").read_text())["features"]
    assert len(incidents) >= 17
    again = runner.invoke(cli, ["init", "--data", str(folder)])
    assert "already initialised" in again.output


def test_init_empty(runner, tmp_path):
    runner.invoke(cli, ["init", "--data", str(tmp_path / "e"), "--empty"])
    assert json.loads((tmp_path / "e" / "incidents.geojson").read_text())["features"] == []
    assert json.loads((tmp_path / "e" / "sites.geojson").read_text())["features"]


def test_import_into_a_new_folder_runs_init(runner, tmp_path):
    source = tmp_path / "acled.csv"
    source.write_text(ACLED)
    result = runner.invoke(cli, ["import", str(source), "--data", str(tmp_path / "fresh")])
    assert result.exit_code == 0, result.output
    assert "3 added" in result.output
    ids = {f["id"] for f in stored_incidents(tmp_path / "fresh")}
    assert {"IRQ1", "IRQ2", "SYR3"} <= ids


def test_import_geojson_keeps_ids_and_reimport_changes_nothing(runner, data_dir, tmp_path):
    source = tmp_path / "in.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "keep-me", "geometry": {"type": "Point", "coordinates": [44, 33]},
         "properties": {"date": "2024-01-05", "event_type": "ied"}}]}))
    first = runner.invoke(cli, ["import", str(source), "--data", str(data_dir)])
    assert "1 added" in first.output
    second = runner.invoke(cli, ["import", str(source), "--data", str(data_dir)])
    assert "1 unchanged" in second.output


@pytest.mark.parametrize("content, message", [
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", '
     '"coordinates": [44, 33]}, "properties": {"date": "2024-01-05", "event_type": "ied"}}, {"type": "Feature", '
     '"geometry": {"type": "Point", "coordinates": [44, 133]}, "properties": {"date": "2024-01-05", '
     '"event_type": "ied"}}]}', "features[1].geometry.coordinates"),
    ("not json at all", "neither GeoJSON"),
    ('{"type": "Point", "coordinates": [1, 2]}', "not a GeoJSON FeatureCollection"),
])
def test_failed_import_changes_nothing(runner, data_dir, tmp_path, content, message):
    before = store_state(data_dir)
    source = tmp_path / "bad.geojson"
    source.write_text(content)
    result = runner.invoke(cli, ["import", str(source), "--data", str(data_dir)])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("incidentmap: error: ")]
    assert len(errors) == 1 and message in errors[0]
    assert store_state(data_dir) == before


def test_export_filters_as_geojson_and_csv(runner, data_dir, tmp_path):
    result = runner.invoke(cli, ["export", "--data", str(data_dir), "--bbox", "44,33,45,34",
                                 "--datetime", "2023-12-08"])
    assert result.exit_code == 0, result.output
    ids = {f["id"] for f in json.loads(result.output)["features"]}
    assert ids == {"t-embassy-1208", "t-airport-rejected"}
    out = tmp_path / "out.csv"
    result = runner.invoke(cli, ["export", "--data", str(data_dir), "--format", "csv", "-o", str(out),
                                 "--event-type", "airstrike"])
    assert result.exit_code == 0
    assert out.read_text().count("\n") == 3  # header and two rows


def test_export_bad_bbox_is_one_line_error(runner, data_dir):
    result = runner.invoke(cli, ["export", "--data", str(data_dir), "--bbox", "1,2,3"])
    assert result.exit_code == 1
    assert result.output.strip() == "incidentmap: error: bbox must have 4 or 6 numbers, got '1,2,3'"


EMBASSY = ("title: Rockets strike near US embassy\noutlet: Test Wire\nurl: https://wire.example/embassy\n"
           "published: 2023-12-08\n\nBAGHDAD (Test Wire) - Two salvos of rockets struck the US embassy compound "
           "in Baghdad's Green Zone at about 4:15 am on Friday, officials said. There were no casualties.")
UNDATED = ("Gunmen opened fire on a US convoy near Ramadi on Friday, killing two soldiers, police said.")


def test_extract_prints_geojson_and_stores_nothing(runner, data_dir, tmp_path):
    report = tmp_path / "embassy.txt"
    report.write_text(EMBASSY)
    before = store_state(data_dir)
    result = runner.invoke(cli, ["extract", str(report), "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    collection = json.loads(result.stdout)
    [incident] = collection["features"]
    props = incident["properties"]
    assert (props["site_id"], props["date"], props["time_local"], props["event_type"], props["killed"]) == (
        "us-embassy-baghdad", "2023-12-08", "04:15", "rocket_attack", 0)
    assert props["sources"][0]["url"] == "https://wire.example/embassy"
    assert collection["reports"][0]["published"] == "2023-12-08"
    assert store_state(data_dir) == before


def test_extract_says_when_no_publication_date_is_known(runner, tmp_path):
    report = tmp_path / "undated.txt"
    report.write_text(UNDATED)
    result = runner.invoke(cli, ["extract", str(report)])
    assert result.exit_code == 0
    assert "no publication date" in result.stderr
    [incident] = json.loads(result.stdout)["features"]
    assert incident["properties"]["date_precision"] == "year"  # never an invented day
    assert incident["properties"]["location"] == "Ramadi" and incident["properties"]["killed"] == 2


def test_ingest_then_ingest_again(runner, tmp_path):
    report = tmp_path / "embassy.txt"
    report.write_text(EMBASSY)
    folder = str(tmp_path / "empty")
    runner.invoke(cli, ["init", "--data", folder, "--empty"])
    first = runner.invoke(cli, ["ingest", str(report), "--data", folder])
    assert first.exit_code == 0 and "1 new, 0 merged, 0 unchanged" in first.stdout
    second = runner.invoke(cli, ["ingest", str(report), "--data", folder])
    assert "0 new, 0 merged, 1 unchanged" in second.stdout


def test_ingest_merges_into_a_stored_incident(runner, data_dir, tmp_path):
    report = tmp_path / "embassy.txt"
    report.write_text(EMBASSY)
    result = runner.invoke(cli, ["ingest", str(report), "--data", str(data_dir)])
    assert "0 new, 1 merged" in result.stdout  # the test data holds this attack already
    stored = stored_incidents(data_dir)
    embassy = next(f for f in stored if f["id"] == "t-embassy-1208")
    assert {s["url"] for s in embassy["properties"]["sources"]} >= {"https://wire.example/embassy"}
    assert embassy["properties"]["time_local"] == "04:15"


def test_ingest_bad_report_is_one_line_error(runner, data_dir, tmp_path):
    report = tmp_path / "bad.json"
    report.write_text('{"title": "no text here"}')
    result = runner.invoke(cli, ["ingest", str(report), "--data", str(data_dir)])
    assert result.exit_code == 1 and "needs a \"text\"" in result.output
