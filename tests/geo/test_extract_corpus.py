"""The extractor on 45 reports in our own words (tests/data/reports): outlets' styles, spellings, traps.

Floors sit a little under what the extractor scores today, so a change that makes it worse fails;
the scores are printed with -s and recorded in the README.
"""

import pytest

from geo.extract import Extractor
from geo.gazetteer import Gazetteer
from geo.ingest import ingest_features
from geo.report import read_report
from tests.geo.corpus import REPORTS, TODAY, expected, score

FLOORS = {"recall": 0.85, "precision": 0.95, "place": 0.94, "dates": 0.85, "event_type": 0.92, "killed": 0.88,
          "injured": 0.90, "time_local": 0.95, "attribution": 0.60, "perpetrator": 0.80}


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(Gazetteer.load())


@pytest.fixture(scope="module")
def result(extractor):
    return score(extractor)


def test_corpus_scores_stay_above_their_floors(result):
    print("\n" + "\n".join(result.lines()))
    measured = {"recall": result.recall, "precision": result.precision,
                **{name: result.accuracy(name) for name in FLOORS if name not in ("recall", "precision")}}
    below = {name: f"{measured[name]:.0%} < {floor:.0%}" for name, floor in FLOORS.items() if measured[name] < floor}
    assert not below, f"{below}\nmissed: {result.missed}\nextra: {result.extra}\nwrong: {result.wrong}"


def test_background_places_never_become_incidents(result):
    assert result.background_hits == []


def test_reports_about_no_attack_give_nothing(extractor):
    for name, spec in expected()["reports"].items():
        if not spec["incidents"]:
            assert extractor.extract(read_report(REPORTS / name, today=TODAY)).features == [], name


def test_same_event_from_several_outlets_is_one_incident(extractor, tmp_path):
    """Each group of reports about one event, ingested together, leaves that event stored once with
    every outlet as a source; at least five of the six groups must come out whole."""
    from geo.datadir import init_data_dir
    from geo.query import Query
    from geo.store.geojson import GeoJSONStore

    table = expected()["reports"]
    failures = []
    for n, group in enumerate(expected()["same_event_groups"]):
        folder = tmp_path / f"group{n}"
        init_data_dir(folder, empty=True)
        store = GeoJSONStore(folder)
        shared = None
        for name in group:
            wanted = {(w.get("site_id"), w.get("date_from")) for w in table[name]["incidents"]
                      if not w.get("allow_none")}
            shared = wanted if shared is None else shared & wanted
        features = [f for name in group for f in extractor.extract(read_report(REPORTS / name, today=TODAY)).features]
        ingest_features(store, features, extractor.ancestors)
        stored = store.query("incidents", Query(limit=1000)).features()
        for site_id, day in shared:
            same = [f for f in stored if f["properties"]["site_id"] == site_id
                    and f["properties"]["date_from"] <= day <= f["properties"]["date_to"]]
            outlets = {s.get("url") or s.get("outlet") for f in same for s in f["properties"]["sources"]}
            if len(same) != 1 or len(outlets) < 2:
                failures.append(f"{'+'.join(group)}: {site_id} {day}: {len(same)} stored, {len(outlets)} outlets")
    print("\n".join(failures))
    assert len(failures) <= 1, failures
