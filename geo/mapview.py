"""The map pages' parameters (``/map``, ``/embed``, ``/export/map.*``), checked like the API's.

A map page's URL carries its whole state: the view (``lat``, ``lon``, ``zoom``), the layers shown,
and the filters its layers are fetched with. Each is checked here as the API checks its own
parameters: numbers finite and in range, written in ASCII digits, names known; anything else is a
400 that names the parameter, never a page built on a NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from geo.errors import InvalidParameterValue
from geo.model import EVENT_TYPES, ValidationError, check_id
from geo.query import is_plain_number, parse_int, parse_query, whole_number

MAX_ZOOM = 18  # the map's tile layers go no deeper
FILTERS = ("bbox", "datetime", "event_type", "country_code", "site_id", "status", "perpetrator", "q",
           "min_killed", "min_injured")
VIEW = ("lat", "lon", "zoom", "layers", "source", "incident")  # incident: the one whose details are open
SOURCES = ("features", "tiles")  # where the map draws incidents from: the items and aggregates, or vector tiles
LAYERS = (*EVENT_TYPES, "sites", "areas", "heat")
IMAGE_SIZE = {"width": (200, 6000), "height": (200, 6000), "dpi": (50, 600)}
MAX_TITLE = 300


def _coordinate(name: str, text: str, bound: float) -> float:
    try:
        if not is_plain_number(text):
            raise ValueError(text)
        value = float(text.strip())
    except ValueError:
        raise InvalidParameterValue(f"{name} must be a number, got {text!r}") from None
    if not math.isfinite(value) or not -bound <= value <= bound:
        raise InvalidParameterValue(f"{name} must be a finite number from {-bound:g} to {bound:g}, got {text!r}")
    return value


def _layers(text: str) -> None:
    for name in (part.strip() for part in text.split(",")):
        if name and name not in LAYERS:
            raise InvalidParameterValue(f"layers: unknown layer {name[:60]!r}; known: {', '.join(LAYERS)}")


def is_incident_id(text: str) -> bool:
    """Whether ``text`` could be an incident's id (1-128 URL-safe characters)."""
    try:
        check_id("incident", text)
    except ValidationError:
        return False
    return True


def parse_map_params(params: Mapping[str, str], extra: tuple[str, ...] = ()) -> dict[str, str]:
    """The map state in ``params``: the parameters given (empty ones left out), each checked;
    InvalidParameterValue for an unknown or bad one. ``extra`` names what else the caller takes
    (an export's ``title``, an image's ``width``, ``height``, ``dpi``)."""
    known = FILTERS + VIEW + extra
    state = {}
    for name, text in params.items():
        if name not in known:
            raise InvalidParameterValue(f"unknown query parameter {name[:60]!r}; known: {', '.join(known)}")
        if text.strip() == "":
            continue
        if name == "lat":
            _coordinate("lat", text, 90)
        elif name == "lon":
            _coordinate("lon", text, 180)
        elif name == "zoom":
            parse_int("zoom", text, 0, MAX_ZOOM)
        elif name == "layers":
            _layers(text)
        elif name == "incident" and not is_incident_id(text):
            raise InvalidParameterValue(f"incident must be an incident id (URL-safe), got {text[:60]!r}")
        elif name == "source" and text not in SOURCES:
            raise InvalidParameterValue(f"source must be one of {', '.join(SOURCES)}, got {text[:60]!r}")
        elif name in IMAGE_SIZE:
            low, high = IMAGE_SIZE[name]
            if not low <= whole_number(name, text) <= high:
                unit = "dots per inch" if name == "dpi" else "pixels"
                raise InvalidParameterValue(f"{name} must be {low}..{high} {unit}, got {text!r}")
        elif name == "incident" and len(text) > MAX_TITLE:
            raise InvalidParameterValue(f"incident must be an id of at most {MAX_TITLE} characters, got {len(text)}")
        elif name == "title" and len(text) > MAX_TITLE:
            raise InvalidParameterValue(f"title must be at most {MAX_TITLE} characters, got {len(text)}")
        state[name] = text
    parse_query({k: v for k, v in state.items() if k in FILTERS})  # the filters, as the API reads them
    return state


def map_view(state: Mapping[str, str], default: tuple[float, float, int]) -> tuple[float, float, int]:
    """(lat, lon, zoom) of a checked state, each falling back to ``default``'s."""
    lat = float(state["lat"]) if "lat" in state else default[0]
    lon = float(state["lon"]) if "lon" in state else default[1]
    zoom = int(state["zoom"]) if "zoom" in state else default[2]
    return lat, lon, zoom
