"""The analyst's map in a browser (issue 14): a data folder with the test incidents and a few made-up
ones that carry what the list and details panel must show (several sources that disagree, a date
span, Arabic text), a server over it, and helpers to read the page."""

from __future__ import annotations

import contextlib
import json
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

from geo.datadir import shipped_data_dir
from tests.webapp.live_server import running_server

TEST_DATA = Path(__file__).resolve().parents[1] / "data"
ARABIC_QUOTE = "سقطت قذيفتان قرب القاعدة ولم تقع إصابات"  # made up: two shells fell near the base, no one hurt
ARABIC_PLACE = "قرية تجريبية"  # made up: "test village"
HOSTILE = 'Hostile <script>alert("x")</script> <img src=x onerror=alert(3)> `tick`'



def _incident(fid: str, lon: float, lat: float, **props) -> dict:
    base = {"id": fid, "date": props.get("date_from", "2024-02-10"), "date_from": "2024-02-10",
            "date_to": "2024-02-10", "date_precision": "day", "time_local": None, "event_type": "rocket_attack",
            "perpetrator": None, "target": None, "attribution": "unknown", "killed": None, "injured": None,
            "site_id": None, "site_name": None, "location": "Test place", "admin1": "Anbar", "country": "Iraq",
            "country_code": "IQ", "geo_precision": 1, "status": "reported", "confidence": 0.8,
            "notes": "Made-up incident for the map's tests.", "created": "2026-01-01T00:00:00Z",
            "updated": "2026-01-01T00:00:00Z",
            "sources": [{"url": "https://example.org/a", "outlet": "Example Wire", "title": "A made-up report",
                         "published": "2024-02-10", "quote": "A made-up sentence that supports the incident."}]}
    base.update(props)
    base["date"] = base["date_from"]
    return {"type": "Feature", "id": fid, "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": base}


MADE_UP = [
    _incident("t14-multi", 42.441, 33.786, site_id="ain-al-asad", site_name="Ain al-Asad Air Base",
              location="Ain al-Asad Air Base", event_type="rocket_attack", perpetrator="Example Brigade",
              attribution="claimed", killed=5, injured=3, status="verified", date_from="2024-02-14",
              date_to="2024-02-14",
              disagreements={"killed": [2, 5], "event_type": ["rocket_attack", "mortar_attack"]},
              sources=[
                  {"url": "https://example.org/one", "outlet": "Example Wire", "title": "Rockets hit a base",
                   "published": "2024-02-14", "quote": "Two people were killed when rockets struck the base."},
                  {"url": "https://example.net/two", "outlet": "Sample Daily", "title": "Mortar fire at base",
                   "published": "2024-02-15", "quote": "Mortar rounds killed five, a local official said."},
                  {"url": "https://example.com/three", "outlet": "وكالة مثال", "title": "خبر تجريبي",
                   "published": "2024-02-15", "quote": ARABIC_QUOTE}]),
    _incident("t14-span", 43.1, 34.2, event_type="ied", date_from="2024-02-01", date_to="2024-02-29",
              date_precision="month", perpetrator="Unnamed cell", attribution="attributed", killed=1,
              geo_precision=2, location="Road north of Test town"),
    _incident("t14-arabic", 44.9, 33.9, event_type="small_arms", location=ARABIC_PLACE, killed=0, injured=1,
              geo_precision=3, date_from="2024-02-12", date_to="2024-02-12"),
    _incident("t14-hostile", 45.3, 32.6, event_type="other", date_from="2024-01-20", date_to="2024-01-20",
              location='<img src=x onerror="alert(1)">', notes=HOSTILE,
              sources=[{"url": "javascript:alert(2)", "outlet": "<b>Outlet</b>", "title": HOSTILE,
                        "published": "2024-01-20", "quote": HOSTILE}]),
]


def generated(n: int) -> list[dict]:
    """``n`` plain made-up incidents in the Syrian desert, one a day back from 2024-01-31 (for paging)."""
    from datetime import date, timedelta

    day = date(2024, 1, 31)
    return [_incident(f"t14-gen-{i:03d}", 39.0 + (i % 10) * 0.05, 34.5 + (i // 10) * 0.05,
                      date_from=(day - timedelta(days=i)).isoformat(), date_to=(day - timedelta(days=i)).isoformat(),
                      event_type=("airstrike", "drone_attack", "ied")[i % 3], country_code="SY", country="Syria")
            for i in range(n)]


def analyst_data(folder: Path, extra: int = 0) -> Path:
    """A data folder: the shipped known sites, the test incidents, the made-up ones above and ``extra``
    generated ones."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(shipped_data_dir() / "sites.geojson", folder / "sites.geojson")
    incidents = json.loads((TEST_DATA / "incidents.geojson").read_text())
    incidents["features"].extend(MADE_UP + generated(extra))
    (folder / "incidents.geojson").write_text(json.dumps(incidents, ensure_ascii=False))
    return folder


@contextlib.contextmanager
def analyst_server(folder: Path, extra: int = 0):
    with running_server(analyst_data(folder, extra), env={"INCIDENTMAP_TILES": "none"}) as base:
        yield base


def api(base: str, path: str = "/collections/incidents/items", **params) -> dict:
    query = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{base}{path}?{query}") as response:
        return json.loads(response.read())


def matched(base: str, **params) -> int:
    return api(base, limit=1, **params)["numberMatched"]


def open_map(page, url: str) -> None:
    """Open a map page and wait until it and its list have drawn."""
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", state="attached", timeout=30000)
    page.wait_for_function("document.body.dataset.listed !== undefined", timeout=30000)


def list_query(page) -> dict:
    """The query of the list's last request to the API (bbox, datetime, filters)."""
    return page.evaluate("window.incidentmap.lastListQuery")


def wait_for_list(page, before: str | None) -> None:
    page.wait_for_function(f"document.body.dataset.listed !== {json.dumps(before)} && "
                           "!window.incidentmap.listPending", timeout=30000)
