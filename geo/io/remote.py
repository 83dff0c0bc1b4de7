"""Features from a running OGC API - Features server, page after page through its ``next`` links."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from urllib.parse import urlencode

import orjson

from geo.errors import InvalidInput

PAGE = 10_000


def fetch_features(base: str, collection: str, params: Mapping[str, str], timeout: float = 60.0) -> list[dict]:
    """Every feature of ``collection`` at the server ``base`` matching ``params``."""
    query = {**params, "limit": params.get("limit", str(PAGE)), "f": "json"}
    url: str | None = f"{base.rstrip('/')}/collections/{collection}/items?{urlencode(query)}"
    features: list[dict] = []
    while url:
        request = urllib.request.Request(url, headers={"Accept": "application/geo+json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                page = orjson.loads(response.read())
        except urllib.error.HTTPError as exc:
            body = exc.read()[:500].decode("utf-8", "replace")
            try:
                body = orjson.loads(body).get("description", body)
            except orjson.JSONDecodeError:
                pass
            raise InvalidInput(f"{base} answered {exc.code}: {body}") from None
        features.extend(page.get("features") or [])
        url = next((link["href"] for link in page.get("links") or [] if link.get("rel") == "next"), None)
        if "limit" in params:  # the caller asked for one page
            break
    return features
