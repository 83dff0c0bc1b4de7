"""Drop folders and Telegram Desktop channel exports, each item ingested once."""

from __future__ import annotations

import os

import orjson
import pytest

from geo.live.sources import make_source
from geo.live.telegram import message_text
from geo.query import Query
from tests.geo.live.pages import ASAD, ERBIL, TANF, article


def _urls(store) -> set[str]:
    return {s.get("url") for f in store.query("incidents", Query(limit=10000)).features()
            for s in f["properties"]["sources"] if s.get("url")}


def test_a_folder_ingests_each_report_once_and_files_it(tmp_path, make_watcher):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "asad.txt").write_text(f"title: Rockets hit Ain al-Asad\noutlet: Desk\nurl: https://desk.example/asad\n"
                                   f"published: 2022-03-14\n\n{ASAD}", encoding="utf-8")
    (drop / "erbil.html").write_text(article("Drone attack on Erbil airport", ERBIL, "2022-03-12"), encoding="utf-8")
    (drop / "tanf.json").write_bytes(orjson.dumps({"text": TANF, "url": "https://desk.example/tanf",
                                                   "published": "2022-03-13"}))
    (drop / "photo.txt").write_bytes(bytes(range(256)) * 4)  # binary: refused
    (drop / "empty.json").write_text("{}", encoding="utf-8")
    (drop / ".half-written.txt").write_text("Three rockets", encoding="utf-8")
    (drop / "notes.md").write_text("not a report type", encoding="utf-8")
    watcher = make_watcher(make_source("folder", str(drop)))
    totals = watcher.run_once()
    assert (totals.items, totals.failed, totals.source_errors) == (3, 2, 0)
    assert sorted(p.name for p in (drop / "done").iterdir()) == ["asad.txt", "erbil.html", "tanf.json"]
    assert sorted(p.name for p in (drop / "failed").iterdir()) == ["empty.json", "empty.json.reason", "photo.txt",
                                                                  "photo.txt.reason"]
    assert "binary file" in (drop / "failed" / "photo.txt.reason").read_text()
    assert "needs a \"text\" string" in (drop / "failed" / "empty.json.reason").read_text()
    assert sorted(p.name for p in drop.iterdir()) == [".half-written.txt", "done", "failed", "notes.md"]
    assert {"https://desk.example/asad", "https://desk.example/tanf"} <= _urls(watcher.store)
    stored = watcher.store.query("incidents", Query(limit=10000)).features()
    assert all(f["properties"]["status"] == "reported" for f in stored
               if any("desk.example" in (s.get("url") or "") for s in f["properties"]["sources"]))
    assert watcher.run_once().items == 0  # nothing left to read
    assert watcher.state.state(make_source("folder", str(drop)).id).items == 5


def test_a_report_dropped_again_under_the_same_name_keeps_both_files(tmp_path, make_watcher):
    drop = tmp_path / "drop"
    drop.mkdir()
    watcher = make_watcher(make_source("folder", str(drop)))
    for _ in range(2):
        (drop / "asad.txt").write_text(f"published: 2022-03-14\n\n{ASAD}", encoding="utf-8")
        watcher.run_once()
    assert sorted(p.name for p in (drop / "done").iterdir()) == ["asad-2.txt", "asad.txt"]


def test_a_folder_that_is_gone_is_a_source_error(tmp_path, make_watcher):
    watcher = make_watcher(make_source("folder", str(tmp_path / "nowhere")))
    totals = watcher.run_once()
    assert totals.source_errors == 1 and "does not exist" in totals.errors[0]


CHANNEL_ID = 1789012345


def _export(messages: list[dict]) -> bytes:
    return orjson.dumps({"name": "Frontline Notes", "type": "public_channel", "id": CHANNEL_ID,
                         "messages": messages}, option=orjson.OPT_INDENT_2)


MESSAGES = [
    {"id": 1, "type": "service", "date": "2022-03-10T09:00:00", "date_unixtime": "1646902800",
     "actor": "Frontline Notes", "action": "create_channel", "title": "Frontline Notes", "text": ""},
    {"id": 2, "type": "message", "date": "2022-03-14T10:05:00", "date_unixtime": "1647252300",
     "from": "Frontline Notes", "from_id": f"channel{CHANNEL_ID}", "text": ASAD,
     "text_entities": [{"type": "plain", "text": ASAD}]},
    {"id": 3, "type": "message", "date": "2022-03-14T11:00:00", "date_unixtime": "1647255600",
     "from": "Frontline Notes", "from_id": f"channel{CHANNEL_ID}", "photo": "(File not included.)",
     "width": 800, "height": 600, "text": ""},
    {"id": 4, "type": "message", "date": "2022-03-12T23:30:00", "date_unixtime": "1647127800",
     "from": "Frontline Notes", "from_id": f"channel{CHANNEL_ID}",
     "text": [{"type": "bold", "text": "Erbil:"}, " ", ERBIL, {"type": "hashtag", "text": "#Iraq"}]},
]


def test_a_channel_export_gives_one_report_a_message_and_only_new_ones_when_it_grows(tmp_path, make_watcher):
    export = tmp_path / "ChatExport_2022-03-15" / "result.json"
    export.parent.mkdir()
    export.write_bytes(_export(MESSAGES))
    source = make_source("telegram", str(export))
    watcher = make_watcher(source)
    totals = watcher.run_once()
    assert (totals.items, totals.failed, totals.source_errors) == (2, 0, 0)
    urls = _urls(watcher.store)
    assert {f"https://t.me/c/{CHANNEL_ID}/2", f"https://t.me/c/{CHANNEL_ID}/4"} <= urls
    asad = [f for f in watcher.store.query("incidents", Query(limit=10000)).features()
            if any(s.get("url") == f"https://t.me/c/{CHANNEL_ID}/2" for s in f["properties"]["sources"])]
    assert asad[0]["properties"]["sources"][0]["outlet"] == "Frontline Notes"
    assert asad[0]["properties"]["sources"][0]["published"].startswith("2022-03-14")
    assert asad[0]["properties"]["date"] == "2022-03-12" and asad[0]["properties"]["status"] == "reported"

    grown = MESSAGES + [{"id": 5, "type": "message", "date": "2022-03-13T21:00:00", "date_unixtime": "1647205200",
                         "from": "Frontline Notes", "text": TANF}]
    export.write_bytes(_export(grown))
    os.utime(export, ns=(1, 2))  # a different time: the export is read again
    restarted = make_watcher(source)
    totals = restarted.run_once()
    assert (totals.items, totals.failed) == (1, 0)
    assert f"https://t.me/c/{CHANNEL_ID}/5" in _urls(restarted.store)
    assert restarted.run_once().items == 0  # unchanged export: not even read


def test_a_public_channels_username_makes_its_links(tmp_path, make_watcher):
    export = tmp_path / "result.json"
    export.write_bytes(_export(MESSAGES[:2]))
    watcher = make_watcher(make_source("telegram", str(export), channel="@frontline_notes"))
    watcher.run_once()
    assert "https://t.me/frontline_notes/2" in _urls(watcher.store)


@pytest.mark.parametrize("content, reason", [
    (b"{not json", "not valid JSON"),
    (b"[]", "not a Telegram Desktop chat export"),
    (orjson.dumps({"personal_information": {}, "chats": {"list": []}}), "a whole account's export"),
])
def test_a_broken_export_is_a_source_error(tmp_path, make_watcher, content, reason):
    export = tmp_path / "result.json"
    export.write_bytes(content)
    totals = make_watcher(make_source("telegram", str(export))).run_once()
    assert totals.source_errors == 1 and reason in totals.errors[0]


@pytest.mark.parametrize("text, expected", [
    ("plain", "plain"),
    (["a ", {"type": "link", "text": "https://x.example"}, " b"], "a https://x.example b"),
    ([{"type": "bold"}, 7, None, "c"], "c"),
    (None, ""),
])
def test_message_text_shapes(text, expected):
    assert message_text(text) == expected
