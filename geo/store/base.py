"""The Store protocol: what every storage backend offers the rest of the product."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import orjson

from geo.model import validate_feature
from geo.query import Query
from geo.timespan import utc_now_rfc3339

COLLECTIONS = {
    "incidents": {
        "title": "Incidents",
        "description": "Attacks and strikes placed on known sites, with sources.",
        "temporal": True,
    },
    "sites": {
        "title": "Known sites",
        "description": "Bases, embassies, towns and areas incidents are placed on, with aliases.",
        "temporal": False,
    },
}


@dataclass
class CollectionInfo:
    """A collection's id, title and extents (bbox lon/lat and time interval)."""

    id: str
    title: str
    description: str
    count: int
    bbox: list[float] | None = None
    interval: list[str | None] | None = None


@dataclass
class QueryResult:
    """One page of features as pre-serialised GeoJSON, and the total that matched.

    ``number_matched_exact`` is False when the store estimated the total instead
    of counting it (a large table). ``next_cursor`` is the keyset cursor of the
    page after this one, None on the last page; the API puts it in the ``next``
    link as ``cursor=...`` so deep pages cost no more than the first.
    """

    feature_json: list[bytes]
    number_matched: int
    number_matched_exact: bool = True
    next_cursor: str | None = None
    extra: dict = field(default_factory=dict)

    def features(self) -> list[dict]:
        return [orjson.loads(b) for b in self.feature_json]


@dataclass
class WriteSummary:
    """What a batch write did."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class GridCell:
    """Incidents counted in one square of a longitude/latitude grid.

    Cells are ``size`` degrees wide, aligned on multiples of ``size`` from
    (-180, -90): cell (i, j) covers lon -180 + i*size .. -180 + (i+1)*size and
    lat -90 + j*size .. -90 + (j+1)*size. ``lon``/``lat`` is the mean position
    of the incidents in it (where a marker goes); ``bbox`` is their extent
    (minlon, minlat, maxlon, maxlat: what a map zooms to); ``by_type`` counts
    them per ``event_type``, largest first.
    """

    i: int
    j: int
    count: int
    lon: float
    lat: float
    bbox: tuple[float, float, float, float]
    by_type: dict[str, int] = field(default_factory=dict)


@dataclass
class Change:
    """One entry of a collection's append-only history.

    ``action`` is "create", "replace" or "delete"; ``before``/``after`` are the
    whole feature before and after (None where it did not exist); ``actor`` is
    the name of the token that made the change (None for local commands);
    ``note`` says why, where that is known ("restored from change 41").
    """

    seq: int
    at: str
    collection: str
    fid: str
    action: str
    actor: str | None
    before: dict | None
    after: dict | None
    note: str | None = None

    def changed(self) -> list[str]:
        """Names of the properties (and "geometry") that differ between before and after."""
        old = (self.before or {}).get("properties") or {}
        new = (self.after or {}).get("properties") or {}
        names = sorted(k for k in old.keys() | new.keys()
                       if k not in ("created", "updated") and old.get(k) != new.get(k))
        if (self.before or {}).get("geometry") != (self.after or {}).get("geometry"):
            names.append("geometry")
        return names

    def to_json(self) -> dict:
        return {"seq": self.seq, "at": self.at, "collection": self.collection, "id": self.fid,
                "action": self.action, "actor": self.actor, "note": self.note,
                "changed": self.changed(), "before": self.before, "after": self.after}


BOOKKEEPING = ("created", "updated")

# Called by put and put_many under the write's lock for each feature before it is stored, with
# (id, the stored feature or None, the new feature, a function giving the actor of the change
# that created the stored feature, or None); raises (geo.errors.Forbidden) to refuse the whole
# write. geo.roles.write_guard makes the one for a token's role.
WriteGuard = Callable[[str, dict | None, dict, Callable[[], str | None]], None]


def new_incident_id(props: dict) -> str:
    """A readable, unique id: ``2023-12-08-us-embassy-baghdad-3f9a1c2e``."""
    place = props.get("site_id") or props.get("location") or props.get("event_type") or ""
    slug = re.sub(r"[^a-z0-9]+", "-", str(place).casefold()).strip("-")[:40] or "incident"
    return f"{props.get('date', 'undated')}-{slug}-{uuid.uuid4().hex[:8]}"


def prepare_feature(collection: str, feature: dict) -> dict:
    """The feature validated for ``collection``, with a new id when it has none."""
    clean = validate_feature(collection, feature)
    if clean.get("id") is None:
        clean["id"] = new_incident_id(clean["properties"])
        clean["properties"]["id"] = clean["id"]
    return clean


def same_but_bookkeeping(old: dict, new: dict) -> bool:
    """Equal but for the created/updated stamps: storing ``new`` over ``old`` changes nothing."""
    def strip(feature: dict) -> dict:
        props = {k: v for k, v in (feature.get("properties") or {}).items() if k not in BOOKKEEPING}
        return {**feature, "properties": props}

    return strip(old) == strip(new)


def stamp(collection: str, feature: dict, previous: dict | None, keep: bool = False) -> dict:
    """Set an incident's ``created`` (kept from ``previous``, else now) and ``updated`` (now).

    Whatever a writer sent for them is ignored, unless ``keep``: copying data whose stamps are
    already history (``import``, ``migrate``, seeding, a restore) keeps a new feature's own."""
    if collection != "incidents":
        return feature
    props = feature["properties"]
    now = utc_now_rfc3339()
    old = (previous or {}).get("properties") or {}
    given_created, given_updated = (props.get("created"), props.get("updated")) if keep else (None, None)
    props["created"] = old.get("created") or given_created or now
    props["updated"] = now if previous is not None or not given_updated else given_updated
    return feature


@runtime_checkable
class Store(Protocol):
    """Storage of features per collection. Features are GeoJSON dicts."""

    names: tuple[str, ...]  # the collections this store holds

    def collections(self) -> list[CollectionInfo]: ...

    def query(self, collection: str, query: Query) -> QueryResult: ...

    def get(self, collection: str, fid: str) -> dict | None: ...

    def day_counts(self, collection: str, query: Query) -> list[tuple[str, int]]: ...

    def day_type_counts(self, collection: str, query: Query) -> list[tuple[str, str | None, int, int, int]]:
        """(day, event_type, incidents, killed, injured) per first day and type of the matches."""
        ...

    def aggregate(self, collection: str, query: Query, size: float) -> list[GridCell]:
        """Matching features counted per grid cell of ``size`` degrees (see GridCell).
        The query's bbox, time and filters apply; its limit, offset, cursor and sort do not."""
        ...

    def put(self, collection: str, feature: dict, *, create_only: bool = False,
            replace_only: bool = False, actor: str | None = None, note: str | None = None,
            guard: WriteGuard | None = None, keep_stamps: bool = False) -> dict:
        """Validate and store one feature; records a Change in the same write. ``guard`` checks
        it against the stored one under the write's lock; the store sets created/updated
        (see ``stamp``; ``keep_stamps`` keeps a new feature's own)."""
        ...

    def put_many(self, collection: str, features: Iterable[dict], *,
                 actor: str | None = None, note: str | None = None,
                 guard: WriteGuard | None = None, keep_stamps: bool = False) -> WriteSummary:
        """Validate all, then store all in one atomic write, one Change per added or replaced
        feature; ``guard`` and ``keep_stamps`` as for ``put``."""
        ...

    def delete(self, collection: str, fid: str, *, actor: str | None = None,
               note: str | None = None) -> bool:
        """Remove a feature (False if absent); records a "delete" Change holding it as ``before``."""
        ...

    def history(self, collection: str, fid: str | None = None, *, after_seq: int = 0,
                limit: int = 1000) -> list[Change]:
        """Changes oldest first, for one feature or (fid None) the whole collection,
        those with seq > after_seq, at most ``limit``. Entries are never rewritten."""
        ...
