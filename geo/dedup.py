"""Decide whether two incidents are one event, and merge them.

Two reports describe the same event when they place it on the same known site
(or one site inside the other: the embassy and the Green Zone), or within a
few kilometres when no site is known; their date spans overlap; and their
types are compatible (rockets, mortars and missiles are all indirect fire,
which reports mix up). A merge keeps the tighter date and place, lists every
source once, and records where the reports disagree instead of picking one
value silently.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable
from datetime import date, timedelta

INDIRECT_FIRE = {"rocket_attack", "mortar_attack", "missile_attack"}
NEAR_KM = 5.0
SAME_SALVO_KM = 1.5
NEAR_TOWN_KM = 40.0  # how far "near <town>" may lie from a known site another report names
_PRECISION_ORDER = {"day": 0, "days": 1, "week": 2, "month": 3, "year": 4}


def _compatible_types(a: str, b: str) -> bool:
    return a == b or {a, b} <= INDIRECT_FIRE or "other" in (a, b)


def _km(a: dict, b: dict) -> float:
    (lon1, lat1), (lon2, lat2) = a["geometry"]["coordinates"][:2], b["geometry"]["coordinates"][:2]
    dx = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371.0 * math.hypot(dx, math.radians(lat2 - lat1))


def same_place(a: dict, b: dict, ancestors: Callable[[str], tuple[str, ...]] = lambda s: ()) -> bool:
    """Same known site, nested sites, or (without sites) points a few kilometres apart."""
    sa, sb = a["properties"].get("site_id"), b["properties"].get("site_id")
    if sa and sb:
        # nested sites, or neighbours hit by one salvo (the embassy and the NSS next door)
        return sa == sb or sa in ancestors(sb) or sb in ancestors(sa) or _km(a, b) <= SAME_SALVO_KM
    if (sa or sb) and 2 in (a["properties"].get("geo_precision"), b["properties"].get("geo_precision")) and \
            (a["properties"].get("geo_precision") if not sa else b["properties"].get("geo_precision")) == 2:
        # "a base near Hasakah" in one report, the known base outside Hasakah in another
        return _km(a, b) <= NEAR_TOWN_KM
    if (a["properties"].get("geo_precision") or 1) == 3 or (b["properties"].get("geo_precision") or 1) == 3:
        # a province's incident is one inside that province; a country's, one anywhere in the country
        pa, pb = a["properties"].get("admin1"), b["properties"].get("admin1")
        return a["properties"].get("country_code") == b["properties"].get("country_code") and not (sa or sb) \
            and (not pa or not pb or pa == pb)
    return _km(a, b) <= NEAR_KM


def spans_overlap(a: dict, b: dict) -> bool:
    pa, pb = a["properties"], b["properties"]
    return pa["date_from"] <= pb["date_to"] and pb["date_from"] <= pa["date_to"]


def same_event(a: dict, b: dict, ancestors: Callable[[str], tuple[str, ...]] = lambda s: ()) -> bool:
    """Whether two incident features describe one event."""
    pa, pb = a["properties"], b["properties"]
    return (_compatible_types(pa["event_type"], pb["event_type"]) and spans_overlap(a, b)
            and same_place(a, b, ancestors))


def _source_key(source: dict) -> tuple:
    return (source.get("url") or "", source.get("outlet") or "", source.get("title") or "") \
        if source.get("url") else ("", source.get("outlet") or "", source.get("quote") or "")


def _note_disagreement(props: dict, field: str, values: list) -> None:
    distinct = []
    for value in values:
        if value is not None and value not in distinct:
            distinct.append(value)
    if len(distinct) < 2:
        return
    table = props.setdefault("disagreements", {})
    known = table.get(field, [])
    table[field] = known + [v for v in distinct if v not in known]


def merge(kept: dict, other: dict, ancestors: Callable[[str], tuple[str, ...]] = lambda s: (),
          in_place: bool = False, source_keys: set | None = None) -> dict:
    """One incident from two reports of the same event; ``kept``'s id survives (and ``kept`` itself is
    changed only with ``in_place``). ``source_keys``, kept by a caller that merges many times into one
    incident, saves re-reading its sources each time."""
    result = kept if in_place else copy.deepcopy(kept)
    p, q = result["properties"], other["properties"]
    # the tighter date span: their intersection when it is not empty
    start, end = max(p["date_from"], q["date_from"]), min(p["date_to"], q["date_to"])
    if start <= end:
        if (start, end) != (p["date_from"], p["date_to"]):
            p["date_from"], p["date_to"], p["date"] = start, end, start
            p["date_precision"] = "day" if start == end else (
                p["date_precision"] if _PRECISION_ORDER[p["date_precision"]] <= _PRECISION_ORDER[q["date_precision"]]
                else q["date_precision"])
    if p.get("time_local") or q.get("time_local"):
        p["time_local"] = p.get("time_local") or q.get("time_local")
    # the more specific place: a site inside the other's, else the lower precision number
    sp, sq = p.get("site_id"), q.get("site_id")
    more_specific = (sq and sp and sp in ancestors(sq)) or (
        not (sp and sq and sq in ancestors(sp)) and (q.get("geo_precision") or 3) < (p.get("geo_precision") or 3))
    if more_specific:
        result["geometry"] = copy.deepcopy(other["geometry"])
        for key in ("site_id", "site_name", "location", "admin1", "country", "country_code", "geo_precision"):
            p[key] = q.get(key)
    # values the reports disagree on are kept side by side
    for field, values in (q.get("disagreements") or {}).items():
        _note_disagreement(p, field, [p.get(field), *values])
    for field in ("event_type", "killed", "injured", "perpetrator"):
        _note_disagreement(p, field, [p.get(field), q.get(field)])
    if p.get("event_type") == "other" and q.get("event_type") not in (None, "other"):
        p["event_type"] = q["event_type"]  # "other" is means untold; a report that names them tells more
    for field in ("killed", "injured"):
        values = [v for v in (p.get(field), q.get(field)) if v is not None]
        p[field] = max(values) if values else None
    for field in ("perpetrator", "target"):
        mine, theirs = p.get(field), q.get(field)
        # the fuller account wins: "Iran-aligned militias: Kataib Hezbollah" over "Iran-aligned militias"
        if mine or theirs:
            p[field] = theirs if (theirs and (not mine or (mine in theirs and len(theirs) > len(mine)))) else mine
    if p.get("perpetrator") and q.get("perpetrator") and (p["perpetrator"] in q["perpetrator"]
                                                          or q["perpetrator"] in p["perpetrator"]):
        p.get("disagreements", {}).pop("perpetrator", None)
        if not p.get("disagreements"):
            p.pop("disagreements", None)
    if p.get("attribution") == "unknown" and q.get("attribution") != "unknown":
        p["attribution"] = q.get("attribution")
    elif q.get("attribution") == "claimed":
        p["attribution"] = "claimed"
    seen = source_keys if source_keys is not None else {_source_key(s) for s in p.get("sources") or []}
    for source in q.get("sources") or []:
        if _source_key(source) not in seen:
            p.setdefault("sources", []).append(copy.deepcopy(source))
            seen.add(_source_key(source))
    if q.get("confidence") is not None:
        p["confidence"] = round(max(p.get("confidence") or 0, q["confidence"]), 2)
    if q.get("status") == "verified" or p.get("status") == "verified":
        p["status"] = "verified" if "rejected" not in (p.get("status"), q.get("status")) else p["status"]
    return result


_INDEXED_DAYS = 62


def _days(feature: dict) -> list[str] | None:
    """The days a feature's span covers, or None when there are too many to index (or no dates)."""
    p = feature["properties"]
    try:
        start, end = date.fromisoformat(p["date_from"]), date.fromisoformat(p["date_to"])
    except (KeyError, TypeError, ValueError):
        return None
    if not 0 <= (end - start).days <= _INDEXED_DAYS:
        return None
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def merge_all(features: list[dict], ancestors: Callable[[str], tuple[str, ...]] = lambda s: ()) -> list[dict]:
    """Fold a list of incidents so that each event appears once, in first-seen order.

    Each feature is compared only with the ones kept so far whose days it meets (an index by day),
    not with all of them: a report naming thousands of distinct incidents stays linear."""
    out: list[dict] = []
    keys: list[set] = []  # each kept incident's source keys
    by_day: dict[str, list[int]] = {}
    wide: list[int] = []  # spans over more days than are indexed: compared with every feature
    for feature in features:
        days = _days(feature)
        if days is None:
            candidates: Iterable[int] = range(len(out))
        else:
            candidates = sorted({i for day in days for i in by_day.get(day, ())}.union(wide))
        for i in candidates:  # in first-seen order, as a scan of all would meet them
            if same_event(out[i], feature, ancestors):
                merge(out[i], feature, ancestors, in_place=True, source_keys=keys[i])  # only narrows the span
                break
        else:
            out.append(copy.deepcopy(feature))
            keys.append({_source_key(s) for s in out[-1]["properties"].get("sources") or []})
            if days is None:
                wide.append(len(out) - 1)
            for day in days or ():
                by_day.setdefault(day, []).append(len(out) - 1)
    return out
