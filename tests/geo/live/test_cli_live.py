"""``incidentmap watch`` and ``incidentmap source`` through the CLI runner."""

from __future__ import annotations

import subprocess
import sys

import orjson
import pytest
from click.testing import CliRunner

from geo.cli import cli
from geo.fileio import held
from geo.query import Query
from geo.store.geojson import GeoJSONStore
from tests.geo.live.pages import ASAD, ERBIL, article, rss
from tests.geo.live.watch_fixtures import Route


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _feed(feed_server) -> str:
    feed_server.routes["/asad"] = Route(article("Rockets hit Ain al-Asad", ASAD, "2022-03-14").encode())
    feed_server.routes["/feed.xml"] = Route(rss([{"guid": "a", "link": feed_server.url("/asad"), "title": "Rockets hit Ain al-Asad"}]),
                                    content_type="application/rss+xml", etag='"1"')
    return feed_server.url("/feed.xml")


def test_kept_sources_are_watched_with_no_long_command_line(runner, data_dir, feed_server, tmp_path):
    drop = tmp_path / "drop"
    data = ["--data", str(data_dir)]
    assert runner.invoke(cli, ["source", "add", "feed", _feed(feed_server), *data]).exit_code == 0
    added = runner.invoke(cli, ["source", "add", "folder", str(drop), *data])
    assert added.exit_code == 0 and drop.is_dir() and added.output.startswith("added folder-")
    again = runner.invoke(cli, ["source", "add", "folder", str(drop), *data])
    assert "already kept" in again.output
    (drop / "erbil.txt").write_text(f"published: 2022-03-12\n\n{ERBIL}", encoding="utf-8")

    result = runner.invoke(cli, ["watch", "--once", "--allow-host", "127.0.0.1", *data])
    assert result.exit_code == 0, result.output
    assert "watch: 2 source(s), 0 with errors; 2 new item(s), 0 failed; incidents: 2 new, 0 merged" in result.stdout
    assert "'Rockets hit Ain al-Asad': 1 incident(s) new, 0 merged" in result.stderr
    assert (drop / "done" / "erbil.txt").exists()

    listed = runner.invoke(cli, ["source", "list", *data])
    lines = listed.stdout.splitlines()
    assert len(lines) == 2 and all("items: 1" in line and "last error: -" in line for line in lines)
    assert all("last success: 20" in line for line in lines)

    gone = runner.invoke(cli, ["source", "remove", str(drop), *data])
    assert gone.exit_code == 0 and "removed folder-" in gone.output
    assert len(runner.invoke(cli, ["source", "list", *data]).stdout.splitlines()) == 1


def test_source_list_shows_the_last_error(runner, data_dir, feed_server):
    feed_server.routes["/bad.xml"] = Route(article("Home", "Welcome. " * 30).encode())
    runner.invoke(cli, ["source", "add", "feed", feed_server.url("/bad.xml"), "--data", str(data_dir)])
    result = runner.invoke(cli, ["watch", "--once", "--data", str(data_dir)])
    # reported, not fatal to the others; with every source failing, --once says so in its exit status
    assert result.exit_code == 1 and "1 source(s), 1 with errors" in result.stdout
    assert "Traceback" not in result.output
    assert "refused '127.0.0.1': 127.0.0.1 is a loopback address" in result.stderr  # not allowed this time
    result = runner.invoke(cli, ["watch", "--once", "--data", str(data_dir)],
                           env={"INCIDENTMAP_ALLOW_HOSTS": "127.0.0.1"})
    assert "not an RSS or Atom feed (text/html" in result.stderr
    [line] = runner.invoke(cli, ["source", "list", "--data", str(data_dir)]).stdout.splitlines()
    assert "last success: never" in line and "last error: not an RSS or Atom feed" in line and "items: 0" in line


def test_sources_on_the_command_line_and_a_telegram_export(runner, data_dir, tmp_path):
    export = tmp_path / "result.json"
    export.write_bytes(orjson.dumps({"name": "Notes", "type": "private_channel", "id": 42, "messages": [
        {"id": 7, "type": "message", "date": "2022-03-14T10:00:00", "text": ASAD}]}))
    result = runner.invoke(cli, ["watch", "--once", "--telegram-export", str(export), "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "1 new item(s)" in result.stdout
    stored = GeoJSONStore(data_dir).query("incidents", Query(limit=10000)).features()
    assert any(s.get("url") == "https://t.me/c/42/7" for f in stored for s in f["properties"]["sources"])


@pytest.mark.parametrize("args, words", [
    (["watch", "--once"], "nothing to watch"),
    (["watch", "--once", "--feed", "ftp://x.example/feed"], "a feed must be an http or https URL"),
    (["watch", "--once", "--feed", "not a url"], "a feed must be an http or https URL"),
    (["source", "add", "feed", "file:///etc/passwd"], "a feed must be an http or https URL"),
    (["source", "add", "podcast", "x"], "'podcast' is not one of"),
    (["source", "add", "telegram", "r.json", "--channel", "bad name!"], "letters, digits and _"),
    (["source", "add", "feed", "https://x.example/f", "--channel", "x"], "--channel is for a telegram source"),
    (["source", "remove", "feed-0000000000"], "no source 'feed-0000000000'"),
    (["watch", "--once", "--interval", "0", "--feed", "https://x.example/f"], "--interval"),
])
def test_bad_commands_fail_with_one_line(runner, tmp_path, args, words):
    result = runner.invoke(cli, [*args, "--data", str(tmp_path / "d")])
    assert result.exit_code != 0 and words in result.output
    assert "Traceback" not in result.output


def test_a_second_watcher_on_the_same_folder_is_refused(runner, data_dir, tmp_path):
    (data_dir / "watch").mkdir()
    with held(data_dir / "watch" / "watch.lock", timeout=1):
        result = runner.invoke(cli, ["watch", "--once", "--folder", str(tmp_path / "drop"), "--data", str(data_dir)])
    assert result.exit_code == 1 and "another 'incidentmap watch' is running" in result.output


def test_a_new_data_folder_with_kept_sources_is_set_up_by_watch(runner, tmp_path):
    data = ["--data", str(tmp_path / "fresh")]
    assert runner.invoke(cli, ["source", "add", "folder", str(tmp_path / "drop"), *data]).exit_code == 0
    result = runner.invoke(cli, ["watch", "--once", *data])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "fresh" / "sites.geojson").exists()


@pytest.mark.slow
def test_the_watcher_runs_until_stopped_and_stops_cleanly_on_sigterm(data_dir, tmp_path):
    """The long-running form, in its own process: it polls, then stops on SIGTERM with status 0."""
    import signal
    import time

    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "asad.txt").write_text(f"published: 2022-03-14\n\n{ASAD}", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "geo", "watch", "--folder", str(drop), "--interval", "1",
                             "--data", str(data_dir)], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (drop / "done" / "asad.txt").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (drop / "done" / "asad.txt").exists()
        (drop / "later.txt").write_text(f"published: 2022-03-12\n\n{ERBIL}", encoding="utf-8")
        while not (drop / "done" / "later.txt").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (drop / "done" / "later.txt").exists()  # picked up on a later round
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "watching 1 source(s)" in err


def test_watched_incidents_are_served_for_review_as_reported(runner, data_dir, feed_server, client):
    runner.invoke(cli, ["watch", "--once", "--feed", _feed(feed_server), "--allow-host", "127.0.0.1", "--data", str(data_dir)])
    page = client.get("/collections/incidents/items?status=reported&limit=1000&f=json").get_json()
    [watched] = [f for f in page["features"] if any(s.get("url") == feed_server.url("/asad") for s in f["properties"]["sources"])]
    item = client.get(f"/collections/incidents/items/{watched['id']}?f=json").get_json()
    assert item["properties"]["status"] == "reported"
    history = client.get(f"/collections/incidents/items/{watched['id']}/history?f=json").get_json()
    assert "watch" in str(history)  # the change is recorded as the watcher's
