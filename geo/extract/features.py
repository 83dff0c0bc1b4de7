"""Stage 6: candidates as GeoJSON features, with a confidence, a one-line note and a stable id."""

from __future__ import annotations

import hashlib
import re
from datetime import date

from geo.extract.candidates import Candidate
from geo.extract.lexicon import EVENT_PATTERNS, INDIRECT, TYPE_WORDS
from geo.gazetteer import Place
from geo.report import Report


def to_feature(candidate: Candidate, report: Report) -> dict:
    place, span = candidate.place, candidate.span
    if span is None or not span.known:
        date_from = date_to = None
        precision = "year"
    else:
        date_from, date_to, precision = span.date_from, span.date_to, span.precision
    if date_from is None:
        year = report.published.year if report.published else None
        years = [int(y) for y in re.findall(r"\b(20[0-3]\d)\b", report.text)]
        year = year or (max(years) if years else date.today().year)
        date_from, date_to, precision = date(year, 1, 1), date(year, 12, 31), "year"
    confidence = 0.45 + (0.2 if place.geo_precision == 1 else 0.1 if place.geo_precision == 2 else 0.0)
    confidence += {"day": 0.2, "days": 0.1, "week": 0.05}.get(precision, 0.0)
    confidence += 0.05 if candidate.date_from_sentence else 0.0
    quote = " ".join(s.text for s in candidate.sentences)[:1000]
    means = [t for t, pattern in EVENT_PATTERNS if t in INDIRECT and pattern.search(quote)]
    props = {
        "date": date_from.isoformat(), "date_from": date_from.isoformat(), "date_to": date_to.isoformat(),
        "date_precision": precision, "time_local": candidate.time_local if precision == "day" else None,
        "event_type": candidate.event_type, "perpetrator": candidate.perpetrator,
        "target": candidate.target, "attribution": candidate.attribution,
        "killed": candidate.killed, "injured": candidate.injured,
        "site_id": place.site_id, "site_name": place.name if place.site_id else None,
        "location": _location_name(place), "admin1": place.admin1,
        "country": {"IQ": "Iraq", "SY": "Syria", "JO": "Jordan"}.get(place.country_code or ""),
        "country_code": place.country_code, "geo_precision": place.geo_precision,
        "sources": [{"url": report.url, "outlet": report.outlet, "title": report.title,
                     "published": report.published.isoformat() if report.published else None,
                     "quote": quote}],
        "status": "reported", "confidence": round(min(confidence, 0.95), 2),
        "notes": _notes(candidate, place, precision),
    }
    if candidate.event_type in INDIRECT and len(means) > 1:
        props["disagreements"] = {"event_type": [candidate.event_type] + [m for m in means
                                                                          if m != candidate.event_type]}
    return {"type": "Feature", "id": None,
            "geometry": {"type": "Point", "coordinates": [round(place.lon, 5), round(place.lat, 5)]},
            "properties": props}

def one_source_per_report(props: dict) -> None:
    """Sentences of one report that described one event become one source with all of them."""
    merged: dict[tuple, dict] = {}
    for source in props.get("sources") or []:
        key = (source.get("url"), source.get("outlet"), source.get("title"), source.get("published"))
        if key in merged:
            quotes = merged[key]["quote"] or ""
            if source.get("quote") and source["quote"] not in quotes:
                merged[key]["quote"] = (quotes + " … " + source["quote"])[:2000]
        else:
            merged[key] = dict(source)
    props["sources"] = list(merged.values())


def _location_name(place: Place) -> str:
    if place.site_id:
        site_admin = place.admin1 or place.name
        return place.name if place.kind in ("city", "area") else site_admin
    if place.source == "geonames" and place.matched:
        return place.matched  # as the report spells it: "Fallujah", not "Al Fallūjah"
    return place.name


def _notes(candidate: Candidate, place: Place, precision: str) -> str:
    what = TYPE_WORDS[candidate.event_type].replace("ied", "IED")
    who = f" by {candidate.perpetrator}" if candidate.perpetrator else ""
    where = ("near " if place.geo_precision == 2 else "in " if place.geo_precision == 3 else "at ") + place.name
    toll = []
    if candidate.killed is not None:
        toll.append(f"{candidate.killed} killed")
    if candidate.injured is not None:
        toll.append(f"{candidate.injured} injured")
    return f"{what.capitalize()}{who} {where}" + (f"; {', '.join(toll)}" if toll else "") + "."


def incident_id(feature: dict) -> str:
    """Stable across re-ingesting: the day, the place and the kind of attack."""
    p = feature["properties"]
    place = p.get("site_id") or re.sub(r"[^a-z0-9]+", "-", (p.get("location") or "place").lower()).strip("-")
    kind = "indirect" if p["event_type"] in ("rocket_attack", "mortar_attack", "missile_attack") else p["event_type"]
    digest = hashlib.sha1(f"{p['date_from']}|{place}|{kind}".encode()).hexdigest()[:6]
    return f"{p['date_from']}-{place}-{TYPE_WORDS[p['event_type']]}-{digest}"