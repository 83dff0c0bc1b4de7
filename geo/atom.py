"""The newest incidents as an Atom feed (RFC 4287), under the same filters as the items endpoint.

lxml writes the XML, so every text from a report is escaped (feedgen 1.0.0 drops the
rel and type of an entry's links, which feed readers need to tell them apart);
each entry links to the incident as HTML and GeoJSON and to the map centred on
it, and carries its point as GeoRSS.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from geo import ogcapi
from geo.errors import InvalidParameterValue
from geo.store import Store
from geo.timespan import utc_now_rfc3339

ATOM = "application/atom+xml"
DEFAULT_SORT = "-date,-updated"  # newest first
_NS = "http://www.w3.org/2005/Atom"
_GEORSS = "http://www.georss.org/georss"


def entry_title(props: dict) -> str:
    """``Rocket attack at Ain al-Asad, 2024-01-20`` (the span when the day is not known)."""
    kind = str(props.get("event_type") or "incident").replace("_", " ").capitalize()
    place = props.get("site_name") or props.get("location") or props.get("site_id") or props.get("admin1") \
        or props.get("country") or props.get("country_code") or "an unknown place"
    when = props.get("date") or "undated"
    if props.get("date_to") and props.get("date_from") and props["date_to"] != props["date_from"]:
        when = f"{props['date_from']} to {props['date_to']}"
    return f"{kind} at {place}, {when}"


def entry_summary(props: dict) -> str:
    """One paragraph of plain text: who, casualties, the product's note, the outlets."""
    parts = []
    if props.get("perpetrator"):
        parts.append(f"Perpetrator: {props['perpetrator']} ({props.get('attribution') or 'unknown'}).")
    if props.get("target"):
        parts.append(f"Target: {props['target']}.")
    killed, injured = props.get("killed"), props.get("injured")
    parts.append(f"Killed: {'not reported' if killed is None else killed}; "
                 f"injured: {'not reported' if injured is None else injured}.")
    if props.get("notes"):
        parts.append(str(props["notes"]))
    outlets = [s.get("outlet") or s.get("url") for s in props.get("sources") or [] if s.get("outlet") or s.get("url")]
    if outlets:
        parts.append("Sources: " + ", ".join(outlets) + ".")
    return " ".join(parts)


def map_link(base: str, feature: dict) -> str:
    """The map page centred on the incident, showing its days."""
    props = feature.get("properties") or {}
    lon, lat = (feature.get("geometry") or {}).get("coordinates", [None, None])[:2]
    state = {"lat": f"{lat:.5f}", "lon": f"{lon:.5f}", "zoom": "12"} if lat is not None else {}
    if props.get("date_from"):
        state["datetime"] = f"{props['date_from']}/{props.get('date_to') or props['date_from']}"
    return f"{base}/map?{urlencode(state)}"


def _add(parent, tag: str, text: str | None = None, **attrs: str):
    from lxml import etree

    element = etree.SubElement(parent, f"{{{_NS}}}{tag}" if ":" not in tag else tag, attrs)
    if text is not None:
        element.text = _xml_text(text)
    return element


def _xml_text(text: str) -> str:
    """XML 1.0 cannot hold most control characters, even escaped: drop them."""
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)


def atom_feed(store: Store, base: str, collection_id: str, params: Mapping[str, str]) -> bytes:
    """The feed of one items page; ``params`` are the items endpoint's (bbox, datetime, filters,
    limit, sortby: newest first by default). InvalidParameterValue for a bad one, or for sites."""
    from lxml import etree

    if collection_id == "sites":
        raise InvalidParameterValue("f=atom is offered for incidents only")
    wanted = {k: v for k, v in params.items() if k != "f"}
    wanted.setdefault("sortby", DEFAULT_SORT)
    page = ogcapi.items(store, base, collection_id, wanted)
    url = f"{base}/collections/{collection_id}/items"
    self_url = f"{url}?{urlencode({**params, 'f': 'atom'})}"
    features = page.features()
    stamps = [f["properties"].get("updated") or f["properties"].get("created")
              or f"{f['properties'].get('date')}T00:00:00Z" for f in features]

    feed = etree.Element(f"{{{_NS}}}feed", nsmap={None: _NS, "georss": _GEORSS})
    _add(feed, "id", self_url)
    _add(feed, "title", "incidentmap: incidents" + (" (filtered)" if set(wanted) - {"sortby", "limit"} else ""))
    _add(feed, "subtitle", f"{page.number_returned} of {page.number_matched} incidents, newest first")
    _add(feed, "updated", max(stamps, default=None) or page.time_stamp or utc_now_rfc3339())
    _add(_add(feed, "author"), "name", "incidentmap")
    _add(feed, "generator", "incidentmap")
    _add(feed, "link", href=self_url, rel="self", type=ATOM)
    _add(feed, "link", href=f"{url}?{urlencode({**wanted, 'f': 'html'})}", rel="alternate", type="text/html")
    for link in page.links:
        if link["rel"] in ("next", "prev"):
            _add(feed, "link", href=link["href"].replace("f=json", "f=atom"),
                 rel="previous" if link["rel"] == "prev" else "next", type=ATOM)
    for feature, stamp in zip(features, stamps, strict=True):
        props = feature["properties"]
        item = f"{url}/{feature['id']}"
        entry = _add(feed, "entry")
        _add(entry, "id", item)
        _add(entry, "title", entry_title(props), type="text")
        _add(entry, "updated", stamp)
        if props.get("created"):
            _add(entry, "published", props["created"])
        _add(entry, "link", href=f"{item}?f=html", rel="alternate", type="text/html")
        _add(entry, "link", href=f"{item}?f=json", rel="alternate", type="application/geo+json")
        _add(entry, "link", href=map_link(base, feature), rel="related", type="text/html", title="On the map")
        _add(entry, "category", term=str(props.get("event_type") or "other"))
        _add(entry, "summary", entry_summary(props), type="text")
        coords = (feature.get("geometry") or {}).get("coordinates")
        if coords:
            _add(entry, f"{{{_GEORSS}}}point", f"{coords[1]} {coords[0]}")
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
