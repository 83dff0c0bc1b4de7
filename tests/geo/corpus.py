"""Score the extractor on tests/data/reports: 45 short reports in our own words with expected incidents."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from geo.extract import Extractor
from geo.report import read_report

REPORTS = Path(__file__).resolve().parents[1] / "data" / "reports"
TODAY = date(2026, 11, 21)
FIELDS = ("place", "dates", "event_type", "killed", "injured", "attribution", "time_local", "perpetrator")


def expected() -> dict:
    return json.loads((REPORTS / "expected.json").read_text())


class Rates:
    """Recall and precision from ``expected``, ``found`` and ``extra``."""

    expected: int
    found: int
    extra: list[str]

    @property
    def recall(self) -> float:
        return self.found / max(1, self.expected)

    @property
    def precision(self) -> float:
        return self.found / max(1, self.found + len(self.extra))


@dataclass
class Score(Rates):
    expected: int = 0
    found: int = 0
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    field_right: dict[str, int] = field(default_factory=lambda: {f: 0 for f in FIELDS})
    field_checked: dict[str, int] = field(default_factory=lambda: {f: 0 for f in FIELDS})
    wrong: list[str] = field(default_factory=list)
    background_hits: list[str] = field(default_factory=list)

    def accuracy(self, name: str) -> float:
        return self.field_right[name] / max(1, self.field_checked[name])

    def lines(self) -> list[str]:
        out = [f"incidents found {self.found}/{self.expected} (recall {self.recall:.0%}), "
               f"extra {len(self.extra)} (precision {self.precision:.0%})"]
        out += [f"  {name}: {self.accuracy(name):.0%} of {self.field_checked[name]}" for name in FIELDS]
        return out


def _place_matches(want: dict, props: dict) -> bool:
    if want.get("site_id"):
        return props.get("site_id") in [want["site_id"], *want.get("site_id_also", [])]
    if want.get("location"):
        return (props.get("location") or "").casefold().startswith(want["location"].casefold()[:4]) or \
            want["location"].casefold() in (props.get("location") or "").casefold()
    return props.get("site_id") is None and props.get("country_code") == want.get("country_code")


def pick(unused: list[dict], want: dict, at_place) -> dict | None:
    """The extracted incident an expected one matches: at its place and of its type, else at its place."""
    near = [f for f in unused if at_place(want, f)]
    return next((f for f in near if f["properties"]["event_type"] == want["event_type"]), None) or \
        (near[0] if near else None)


def score(extractor: Extractor) -> Score:
    table = expected()["reports"]
    result = Score()
    for name, spec in sorted(table.items()):
        features = extractor.extract(read_report(REPORTS / name, today=TODAY)).features
        unused = list(features)
        for want in spec["incidents"]:
            if not want.get("allow_none"):
                result.expected += 1
            match = pick(unused, want, lambda w, f: _place_matches(w, f["properties"]))
            if match is None:
                if not want.get("allow_none"):
                    result.missed.append(f"{name}: {want.get('site_id') or want.get('location')} "
                                         f"{want['event_type']} {want.get('date_from')}")
                continue
            unused.remove(match)
            if want.get("allow_none"):
                continue
            result.found += 1
            props = match["properties"]
            checks = {
                "place": props.get("geo_precision") == want.get("geo_precision"),
                "event_type": props["event_type"] == want["event_type"],
                "dates": (want.get("date_from") is None and props["date_precision"] == "year") or
                         (props["date_from"], props["date_to"]) == (want.get("date_from"), want.get("date_to")),
            }
            for key in ("killed", "injured", "attribution", "time_local"):
                if key in want:
                    checks[key] = props.get(key) == want[key]
            if want.get("perpetrator_contains"):
                checks["perpetrator"] = want["perpetrator_contains"].casefold() in (props.get("perpetrator") or
                                                                                  "").casefold()
            for key, ok in checks.items():
                result.field_checked[key] += 1
                result.field_right[key] += ok
                if not ok:
                    got = {"place": props.get("geo_precision"), "dates": (props["date_from"], props["date_to"])}.get(
                        key, props.get(key))
                    wanted = {"place": want.get("geo_precision"),
                              "dates": (want.get("date_from"), want.get("date_to"))}.get(key, want.get(key))
                    if key == "perpetrator":
                        wanted = want["perpetrator_contains"]
                    result.wrong.append(f"{name}: {key} got {got!r} want {wanted!r}")
        for extra in unused:
            p = extra["properties"]
            result.extra.append(f"{name}: {p.get('site_id') or p.get('location')} {p['event_type']} {p['date_from']}")
        for place in spec.get("not_places", []):
            for f in features:
                props = f["properties"]
                where = (props.get("site_name") if props.get("site_id") else props.get("location")) or ""
                where = where.casefold()
                if place.casefold() in where:
                    result.background_hits.append(f"{name}: {place}")
    return result
