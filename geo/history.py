"""Who changed what: history documents for the API and restoring a feature from its history."""

from __future__ import annotations

from geo.errors import InvalidParameterValue, NotFound
from geo.query import parse_int
from geo.store import Change, Store

MAX_HISTORY_LIMIT = 1000


def _check(store: Store, collection_id: str) -> None:
    if collection_id not in store.names:
        raise NotFound(f"no collection {collection_id!r}")


def _paging(params: dict[str, str], allowed: tuple[str, ...]) -> tuple[int, int]:
    for name in params:
        if name not in allowed:
            raise InvalidParameterValue(f"unknown query parameter {name!r}; known: {', '.join(allowed)}")
    after = parse_int("after", params["after"], 0, 2**62) if "after" in params else 0
    limit = parse_int("limit", params["limit"], 1, MAX_HISTORY_LIMIT) if "limit" in params else 100
    return after, limit


def feature_history(store: Store, base: str, collection_id: str, fid: str,
                    params: dict[str, str]) -> dict:
    """A feature's changes, oldest first; 404 when it never existed."""
    _check(store, collection_id)
    after, limit = _paging(params, ("f", "after", "limit"))
    changes = store.history(collection_id, fid, after_seq=after, limit=limit)
    current = store.get(collection_id, fid)
    if not changes and current is None and after == 0:
        raise NotFound(f"no feature {fid!r} in collection {collection_id!r} and no history of one")
    url = f"{base}/collections/{collection_id}/items/{fid}"
    return {
        "collection": collection_id,
        "id": fid,
        "exists": current is not None,
        "changes": [_with_links(c, url) for c in changes],
        "links": [
            {"href": f"{url}/history?f=json", "rel": "self", "type": "application/json"},
            {"href": f"{url}?f=json", "rel": "item", "type": "application/geo+json"},
        ],
    }


def collection_history(store: Store, base: str, collection_id: str, params: dict[str, str]) -> dict:
    """Every change to a collection after ``after`` (a seq), oldest first: an audit feed."""
    _check(store, collection_id)
    after, limit = _paging(params, ("f", "after", "limit"))
    changes = store.history(collection_id, None, after_seq=after, limit=limit)
    url = f"{base}/collections/{collection_id}/history"
    links = [{"href": f"{url}?after={after}&limit={limit}", "rel": "self", "type": "application/json"}]
    if len(changes) == limit:
        links.append({"href": f"{url}?after={changes[-1].seq}&limit={limit}", "rel": "next",
                      "type": "application/json"})
    items_url = f"{base}/collections/{collection_id}/items"
    return {"collection": collection_id, "changes": [_with_links(c, f"{items_url}/{c.fid}") for c in changes],
            "links": links}


def _with_links(change: Change, item_url: str) -> dict:
    doc = change.to_json()
    doc["restore"] = f"{item_url}/history/{change.seq}/restore"
    return doc


def restore(store: Store, collection_id: str, fid: str, seq: int, actor: str | None) -> dict:
    """Store ``fid`` as it was in change ``seq`` (after it, or before it for a deletion)."""
    _check(store, collection_id)
    found = store.history(collection_id, fid, after_seq=seq - 1, limit=1)
    if not found or found[0].seq != seq:
        raise NotFound(f"no change {seq} of feature {fid!r} in collection {collection_id!r}")
    change = found[0]
    version = change.after if change.after is not None else change.before
    if version is None:
        raise NotFound(f"change {seq} of {fid!r} holds no version of the feature")
    version = {**version, "properties": dict(version.get("properties") or {})}
    return store.put(collection_id, version, actor=actor, note=f"restored from change {seq}", keep_stamps=True)
