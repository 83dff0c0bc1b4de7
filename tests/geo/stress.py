"""Score the extractor on a stress set (tests/data/stress/<language>): reports written for the purpose by
someone who had not read the extractor, each with the incidents a careful reader finds in it.

Unlike ``corpus.py`` (reports written alongside the extractor), these measure wording it was not shaped on.
A place matches by its known site, else by the expected town's point within 25 km.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from geo.extract import Extractor
from geo.extract.places import _km
from geo.gazetteer import Gazetteer
from geo.report import read_report
from tests.geo.corpus import Rates, pick

STRESS = Path(__file__).resolve().parents[1] / "data" / "stress"
TODAY = date(2026, 12, 7)
CHECKED = ("dates", "event_type", "killed", "injured")


@dataclass
class StressScore(Rates):
    expected: int = 0
    found: int = 0
    extra: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    right: dict[str, list[int]] = field(default_factory=lambda: {name: [0, 0] for name in CHECKED})

    def accuracy(self, name: str) -> float:
        right, checked = self.right[name]
        return right / max(1, checked)

    def line(self) -> str:
        return (f"recall {self.found}/{self.expected} = {self.recall:.2f}, precision {self.precision:.2f}; " +
                ", ".join(f"{name} {self.right[name][0]}/{self.right[name][1]}" for name in CHECKED))


def _matches(gazetteer: Gazetteer, want: dict, feature: dict) -> bool:
    props = feature["properties"]
    if want.get("site_id") and props.get("site_id") in [want["site_id"], *want.get("site_id_also", [])]:
        return True
    point = None
    if want.get("site_id") and gazetteer.site(want["site_id"]):
        point = gazetteer.site(want["site_id"]).point
    elif want.get("location"):
        named = gazetteer.find_all(want["location"])
        point = (named[0].lon, named[0].lat) if named else None
    if point is None or not feature.get("geometry"):
        return props.get("country_code") == want.get("country_code") and not want.get("site_id")
    return _km(point, tuple(feature["geometry"]["coordinates"][:2])) <= 25


def score_stress(extractor: Extractor, folder: Path) -> StressScore:
    table = json.loads((folder / "expected.json").read_text(encoding="utf-8"))["reports"]
    result = StressScore()
    for name, spec in sorted(table.items()):
        features = extractor.extract(read_report(folder / name, today=TODAY)).features
        unused = list(features)
        for want in spec["incidents"]:
            if not want.get("allow_none"):
                result.expected += 1
            match = pick(unused, want, lambda w, f: _matches(extractor.gazetteer, w, f))
            if match is None:
                if not want.get("allow_none"):
                    result.missed.append(f"{name}: {want.get('site_id') or want.get('location')} {want['event_type']}")
                continue
            unused.remove(match)
            if want.get("allow_none"):
                continue
            result.found += 1
            props = match["properties"]
            checks = {"dates": (props["date_from"], props["date_to"]) == (want.get("date_from"), want.get("date_to")),
                      "event_type": props["event_type"] == want["event_type"]}
            for key in ("killed", "injured"):
                if want.get(key) is not None:
                    checks[key] = props.get(key) == want[key]
            for key, ok in checks.items():
                result.right[key][1] += 1
                result.right[key][0] += ok
                if not ok:
                    result.wrong.append(f"{name}: {key} got {props.get(key) if key != 'dates' else props['date_from']}")
        result.extra += [f"{name}: {f['properties'].get('site_id') or f['properties'].get('location')} "
                         f"{f['properties']['event_type']}" for f in unused]
    return result
