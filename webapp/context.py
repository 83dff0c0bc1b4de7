"""What every view of the web layer shares: the app's store, its URL, and its report extractor.

``webapp.api``, ``webapp.pages`` and ``webapp.tiles`` all depend on this module and on
``webapp.responses``, never on each other (tests/webapp/test_layering.py holds them to it).
"""

from __future__ import annotations

import orjson
from flask import current_app, request

from geo.query import parse_query
from geo.store import Store


def store() -> Store:
    """The store the app was created with."""
    return current_app.extensions["incidentmap.store"]


def base_url() -> str:
    """The service's root URL as the client reached it, without the trailing slash."""
    return request.url_root.rstrip("/")


_WARM_UP_REPORT = {"title": "warm-up", "published": "2024-01-12", "text": (
    "Two rockets struck Ain al-Asad air base in Anbar late on Wednesday, officials said. "
    "A drone attack near Erbil airport caused no casualties, and a US strike killed three "
    "fighters in Al-Qaim on January 9.")}


def build_extractor(source: Store):
    """An extractor over the known sites of ``source``, with everything it loads lazily loaded:
    ``incidentmap serve`` builds it once in gunicorn's master, before the workers fork."""
    from geo.extract import Extractor
    from geo.gazetteer import Gazetteer
    from geo.report import parse_report

    sites = source.query("sites", parse_query({"limit": "10000"})).features() if "sites" in source.names else []
    built = Extractor(Gazetteer.from_features(sites))
    built.extract(parse_report(orjson.dumps(_WARM_UP_REPORT), "report.json"))
    return built


def extractor():
    """One extractor per app, over the store's known sites (built before the fork by
    ``incidentmap serve``, else on first use)."""
    cached = current_app.extensions.get("incidentmap.extractor")
    if cached is None:
        cached = build_extractor(store())
        current_app.extensions["incidentmap.extractor"] = cached
    return cached
