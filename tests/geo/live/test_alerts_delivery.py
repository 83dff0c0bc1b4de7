"""Alerts end to end: rules made with the CLI, incidents stored, deliveries to real local receivers."""

from __future__ import annotations

import email
import json
import time

import orjson
import pytest
from click.testing import CliRunner

from geo.cli import cli
from geo.live.alerts import SIGNATURE_HEADER, verify
from geo.live.alerts_state import read_state
from geo.live.alerts_worker import AlertSettings, run_once, worker_for, written
from geo.store.geojson import GeoJSONStore

FAST = AlertSettings(backoff=0.05, attempts=3, timeout=5.0, wait=5.0)


def incident(fid: str, lon: float = 44.396, lat: float = 33.299, **props) -> dict:
    base = {"date": "2024-02-01", "event_type": "rocket_attack", "site_id": "us-embassy-baghdad",
            "country_code": "IQ", "killed": 0, "injured": 1,
            "notes": "Written for the alerts tests.", "sources": [{"url": f"https://news.example.org/{fid}",
                                                                    "outlet": "Example News"}]}
    return {"type": "Feature", "id": fid, "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {**base, **props}}


def add_rule(data_dir, *args: str) -> str:
    result = CliRunner().invoke(cli, ["alert", "add", "--data", str(data_dir), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_new_matching_incident_is_posted_as_signed_geojson(data_dir, webhook):
    out = add_rule(data_dir, "--webhook", webhook.url, "--type", "rocket_attack")
    secret = out.strip().splitlines()[-1]
    assert CliRunner().invoke(cli, ["alert", "secret", "--data", str(data_dir)]).stdout.strip() == secret
    assert (data_dir / "alerts.secret").stat().st_mode & 0o777 == 0o600
    store = GeoJSONStore(data_dir)
    store.put("incidents", incident("alert-1"))
    store.put("incidents", incident("alert-2", event_type="ied"))  # no rule matches it
    report = run_once(store, data_dir, FAST)
    assert (report.queued, report.delivered) == (1, 1)
    [got] = webhook.received
    assert got.headers["Content-Type"] == "application/geo+json"
    assert verify(secret, got.body, got.headers[SIGNATURE_HEADER])
    assert not verify(secret, got.body + b" ", got.headers[SIGNATURE_HEADER])
    feature = orjson.loads(got.body)
    assert feature["type"] == "Feature" and feature["id"] == "alert-1"
    assert feature["properties"]["notes"] == "Written for the alerts tests."
    assert got.headers["X-Incidentmap-Event"] == "created"


def test_incidents_stored_before_the_rule_do_not_fire(data_dir, webhook):
    store = GeoJSONStore(data_dir)
    store.put("incidents", incident("before-rule"))
    add_rule(data_dir, "--webhook", webhook.url)
    assert run_once(store, data_dir, FAST).queued == 0
    store.put("incidents", incident("after-rule"))
    run_once(store, data_dir, FAST)
    assert [orjson.loads(r.body)["id"] for r in webhook.received] == ["after-rule"]


def test_an_email_goes_through_apprise_to_a_real_smtp_server(data_dir, smtp):
    add_rule(data_dir, "--notify", f"mailto://127.0.0.1:{smtp.port}?from=alerts@example.org&to=ops@example.org",
             "--site", "us-embassy-baghdad")
    store = GeoJSONStore(data_dir)
    store.put("incidents", incident("mail-1", perpetrator="Group <b>&</b>"))
    assert run_once(store, data_dir, FAST).delivered == 1
    [envelope] = smtp.messages
    assert envelope.rcpt_tos == ["ops@example.org"]
    message = email.message_from_bytes(envelope.content)
    assert message["Subject"] == "New incident: rocket attack at us-embassy-baghdad, 2024-02-01"
    body = message.get_payload(decode=True).decode()
    assert "Group <b>&</b>" in body and "mail-1" in body and "killed: 0, injured: 1" in body


def test_a_failed_delivery_is_retried_with_backoff_and_recorded(data_dir, webhook):
    webhook.statuses = [500, 503]
    add_rule(data_dir, "--webhook", webhook.url)
    store = GeoJSONStore(data_dir)
    store.put("incidents", incident("retry-1"))
    before = time.time()
    first = run_once(store, data_dir, AlertSettings(backoff=30, attempts=5))
    after = time.time()
    assert (first.delivered, first.failed) == (0, 1)
    entry = read_state(data_dir).outbox[0]
    assert entry["attempts"] == 1 and "HTTP 500" in entry["last_error"]
    # waits for its backoff: 30 s from the moment it failed, which lies between before and after
    assert before + 30 <= entry["next_at"] <= after + 30
    assert run_once(store, data_dir, AlertSettings(backoff=30, attempts=5)).delivered == 0
    listing = CliRunner().invoke(cli, ["alert", "list", "--data", str(data_dir)]).stdout
    assert "queued 1" in listing and "HTTP 500" in listing
    ran = CliRunner().invoke(cli, ["alert", "run", "--data", str(data_dir)])  # retries at once
    assert "1 failed" in ran.stdout
    assert read_state(data_dir).outbox[0]["attempts"] == 2
    ran = CliRunner().invoke(cli, ["alert", "run", "--data", str(data_dir)])
    assert "1 sent" in ran.stdout and webhook.attempts == 3
    listing = CliRunner().invoke(cli, ["alert", "list", "--data", str(data_dir)]).stdout
    assert "sent 1" in listing and "queued 0" in listing and "failed attempts 2" in listing
    assert read_state(data_dir).outbox == []


def test_a_delivery_is_given_up_after_its_attempts(data_dir, dead_url):
    add_rule(data_dir, "--webhook", dead_url)
    store = GeoJSONStore(data_dir)
    store.put("incidents", incident("never-1"))
    settings = AlertSettings(backoff=0.0, attempts=2, timeout=2.0)
    run_once(store, data_dir, settings)
    run_once(store, data_dir, settings)
    state = read_state(data_dir)
    assert state.outbox == [] and state.failed[0]["fid"] == "never-1"
    assert state.status["1"]["gave_up"] == 1 and "ConnectionError" in state.status["1"]["last_error"]


def test_the_background_worker_sends_after_a_write_and_retries(data_dir, webhook, monkeypatch):
    monkeypatch.setenv("INCIDENTMAP_ALERT_BACKOFF", "0.05")
    webhook.statuses = [500]
    add_rule(data_dir, "--webhook", webhook.url)
    store = GeoJSONStore(data_dir)
    store.put("incidents", incident("bg-1"))
    written(store)
    assert [orjson.loads(r.body)["id"] for r in webhook.wait_for(1)] == ["bg-1"]
    assert webhook.attempts == 2
    assert worker_for(store).wait_idle(5)


def test_a_merge_that_adds_a_source_does_not_alert_again_unless_asked(data_dir, webhook):
    from geo.extract import Extractor
    from geo.gazetteer import Gazetteer
    from geo.ingest import ingest_features
    from tests.geo.test_ingest import FIRST, SECOND, proposals

    add_rule(data_dir, "--webhook", webhook.url)
    add_rule(data_dir, "--webhook", webhook.url + "?updates", "--updates")
    store = GeoJSONStore(data_dir)
    extractor = Extractor(Gazetteer.load(geonames=False))
    first = ingest_features(store, proposals(extractor, FIRST), extractor.ancestors)
    second = ingest_features(store, proposals(extractor, SECOND), extractor.ancestors)
    assert second.merged == first.new
    run_once(store, data_dir, FAST)
    seen = [(r.path, r.headers["X-Incidentmap-Event"], orjson.loads(r.body)["id"]) for r in webhook.received]
    fid = first.new[0]
    assert sorted(seen) == sorted([("/hook", "created", fid), ("/hook?updates", "created", fid),
                                   ("/hook?updates", "updated", fid)])


def test_a_restart_does_not_alert_again(data_dir, webhook):
    add_rule(data_dir, "--webhook", webhook.url)
    store = GeoJSONStore(data_dir)
    store.put("incidents", incident("once-1"))
    run_once(store, data_dir, FAST)
    again = GeoJSONStore(data_dir)  # a new process: the cursor and outbox are in the data folder
    assert run_once(again, data_dir, FAST).queued == 0
    CliRunner().invoke(cli, ["alert", "run", "--data", str(data_dir)])
    assert len(webhook.received) == 1


def test_a_dead_receiver_never_fails_an_import(data_dir, dead_url, tmp_path):
    add_rule(data_dir, "--webhook", dead_url)
    source = tmp_path / "new.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [incident("import-1")]}))
    result = CliRunner().invoke(cli, ["import", str(source), "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "1 added" in result.stdout
    assert "queued for a retry" in result.stderr and "alert run" in result.stderr
    assert GeoJSONStore(data_dir).get("incidents", "import-1") is not None
    assert [e["fid"] for e in read_state(data_dir).outbox] == ["import-1"]


def test_a_receiver_that_never_answers_does_not_hold_an_import(data_dir, webhook, tmp_path, monkeypatch):
    import threading

    webhook.hang = threading.Event()
    monkeypatch.setenv("INCIDENTMAP_ALERT_TIMEOUT", "60")
    monkeypatch.setenv("INCIDENTMAP_ALERT_WAIT", "0.5")
    add_rule(data_dir, "--webhook", webhook.url)
    source = tmp_path / "new.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [incident("hang-1")]}))
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["import", str(source), "--data", str(data_dir)])
    assert result.exit_code == 0 and "1 added" in result.stdout
    assert "still sending" in result.stderr and "stays queued" in result.stderr
    assert time.monotonic() - started < 30  # availability: far below the receiver's 60 s timeout
    assert [e["fid"] for e in read_state(data_dir).outbox] == ["hang-1"]


@pytest.mark.parametrize("args, message", [
    ([], "give one of --webhook URL or --notify"),
    (["--webhook", "http://127.0.0.1:9/h", "--notify", "json://127.0.0.1"], "give one of"),
    (["--webhook", "ftp://example.org/x"], "--webhook must be an http:// or https:// URL"),
    (["--notify", "nothing://at/all"], "is not a URL apprise can send to"),
    (["--notify", "mialto://ops:hunter2@mail.example.org"], "mialto://… is not a URL apprise"),  # no password shown
    (["--webhook", "http://127.0.0.1:9/h", "--near", "44,33"], "--near must be LON,LAT,KM"),
    (["--webhook", "http://127.0.0.1:9/h", "--near", "33.3,144.4,10"], "latitude must be within -90..90"),
    (["--webhook", "http://127.0.0.1:9/h", "--near", "44,33,0"], "the distance must be more than 0"),
    (["--webhook", "http://127.0.0.1:9/h", "--near", "nan,33,5"], "finite"),
    (["--webhook", "http://127.0.0.1:9/h", "--type", "rockets"], "'rockets' is not an event type"),
    (["--webhook", "http://127.0.0.1:9/h", "--min-killed", "-1"], "--min-killed must be 0 or more"),
    (["--webhook", "http://127.0.0.1:9/h", "--site", "atlantis"], "'atlantis' is not a known site id"),
])
def test_bad_rules_are_refused_with_one_line_and_change_nothing(data_dir, args, message):
    add_rule(data_dir, "--webhook", "http://127.0.0.1:9/keep")
    before = (data_dir / "alerts.json").read_bytes()
    result = CliRunner().invoke(cli, ["alert", "add", "--data", str(data_dir), *args])
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output and "hunter2" not in result.output
    assert (data_dir / "alerts.json").read_bytes() == before


def test_rules_are_listed_and_removed(data_dir, webhook):
    add_rule(data_dir, "--webhook", webhook.url, "--near", "44.39,33.30,25", "--min-killed", "2")
    add_rule(data_dir, "--notify", "mailto://user:hunter2@mail.example.org?to=ops@example.org")
    listing = CliRunner().invoke(cli, ["alert", "list", "--data", str(data_dir)]).stdout
    assert "within 25 km of 44.39,33.3; killed >= 2" in listing
    assert "hunter2" not in listing  # apprise's private form hides the password
    assert (data_dir / "alerts.json").stat().st_mode & 0o777 == 0o600
    removed = CliRunner().invoke(cli, ["alert", "remove", "1", "--data", str(data_dir)])
    assert removed.exit_code == 0
    assert [r.id for r in read_state(data_dir).rules] == ["2"]
    missing = CliRunner().invoke(cli, ["alert", "remove", "1", "--data", str(data_dir)])
    assert missing.exit_code == 1 and "no alert rule '1'" in missing.output


def test_alerts_follow_the_history_of_each_store(store, tmp_path, webhook):
    from geo.live.alerts import AlertRule
    from geo.live.alerts_state import editing
    from geo.live.alerts_worker import last_seq

    folder = tmp_path / "alerts"
    folder.mkdir()
    with editing(folder) as state:
        state.rules.append(AlertRule("1", webhook=webhook.url, types=["ied"], since=last_seq(store)))
        state.cursor = last_seq(store)
    store.put("incidents", incident("each-1", event_type="ied"))
    store.put_many("incidents", [incident("each-2", event_type="ied"), incident("each-3")])
    assert run_once(store, folder, FAST).delivered == 2
    assert sorted(orjson.loads(r.body)["id"] for r in webhook.received) == ["each-1", "each-2"]
    assert run_once(store, folder, FAST).queued == 0
