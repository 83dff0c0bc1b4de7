"""The server store: PostgreSQL with PostGIS behind the same Store protocol as the GeoJSON files.

Each collection is a table holding every feature's GeoJSON exactly as the
GeoJSON store would write it (``doc``, the orjson bytes, so pages are a join of
bytes and property order is kept), beside the columns its filters and sorts
use: a geometry with a GiST index, the time span as UTC seconds with btree
indexes, and the filter values. Writes take a per-collection advisory lock,
so they apply (and number their history rows) one after another, each in one
transaction with its history. Reads may go to a replica (``read_url``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import orjson
import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool, PoolTimeout

from geo.errors import Conflict, NotFound, StoreUnavailable, ValidationError
from geo.index import dumps
from geo.query import Query
from geo.store import pg_sql
from geo.store.base import (
    COLLECTIONS,
    Change,
    CollectionInfo,
    GridCell,
    QueryResult,
    WriteGuard,
    WriteSummary,
    prepare_feature,
    same_but_bookkeeping,
    stamp,
)
from geo.store.pg_schema import check_version
from geo.timespan import DAY_SECONDS, epoch_to_day, format_epoch, utc_now_rfc3339

WRITE_LOCK = 71_173  # first key of the per-collection pg_advisory_xact_lock
LOCK_TIMEOUT = 60.0  # seconds a write waits for another write to the same collection
_INSERT = sql.SQL("INSERT INTO {table} ({columns}) VALUES ({values})")
_UPDATE = sql.SQL("UPDATE {table} SET ({columns}) = ({values}) WHERE fid = %(fid)s")
_HISTORY = ("INSERT INTO history (at, collection, fid, action, actor, note, before, after) "
            "VALUES (%s::timestamptz, %s, %s, %s, %s, %s, %s, %s)")


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))




SESSION_SETTINGS = {
    # JIT compilation costs about 0.3 s per query the planner thinks large; these are short
    "jit": "off",
    # parallel workers cost more to start and gather than these queries take, and every
    # connection is one request of many at once: the processes are better spent on those
    "max_parallel_workers_per_gather": "0",
    # the tables' pages are expected in memory: a random read costs about what a sequential one does
    "random_page_cost": "1.1",
    # a map view's grid groups tens of thousands of matches: in memory, not in temporary files
    "work_mem": "32MB",
}


def _configure(conn: psycopg.Connection) -> None:
    """Session settings of every pooled connection (SESSION_SETTINGS)."""
    for name, value in SESSION_SETTINGS.items():
        conn.execute(sql.SQL("SELECT set_config({}, {}, false)").format(sql.Literal(name), sql.Literal(value)))


def _columns_sql() -> tuple[sql.Composable, sql.Composable]:
    names = sql.SQL(", ").join(sql.Identifier(c) for c in pg_sql.COLUMNS)
    values = sql.SQL(", ").join(
        sql.SQL("ST_SetSRID(ST_GeomFromGeoJSON(%(geom)s), 4326)") if c == "geom" else sql.Placeholder(c)
        for c in pg_sql.COLUMNS)
    return names, values


def _row_params(raw: bytes, feature: dict) -> dict:
    row = pg_sql.feature_row(raw, feature)
    row["geom"] = orjson.dumps(row["geom"]).decode()
    for key in ("minx", "miny", "maxx", "maxy"):
        if math.isnan(row[key]):
            row[key] = None
    return row


class PostGISStore:
    """Store backed by PostgreSQL + PostGIS at ``url``; reads from ``read_url`` when given.

    ``count_threshold``: a query the planner expects to match more rows than this
    reports the planner's estimate as ``number_matched`` (``number_matched_exact``
    False) rather than counting them. ``materialize_limit``: a filter the planner expects
    to match at most this many rows is answered by finding every match through its
    indexes, then sorting them (and its total is then exact, as it costs nothing more);
    a wider one by walking the order's index.
    """

    def __init__(self, url: str, read_url: str | None = None, *, count_threshold: int = 10_000,
                 materialize_limit: int = 100_000, pool_size: int = 4, timeout: float = 10.0,
                 check_schema: bool = True):
        self.url = url
        self.read_url = read_url or url
        self.where = redact(url)
        self.names = tuple(COLLECTIONS)
        self.count_threshold = count_threshold
        self.materialize_limit = materialize_limit
        self._timeout = timeout
        self._pool = self._open_pool(url, pool_size, "write")
        self._read_pool = self._pool
        try:
            if self.read_url != url:
                self._read_pool = self._open_pool(self.read_url, pool_size, "read")
            if check_schema:
                with self._connect(self._pool) as conn:
                    check_version(conn, self.where)
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        return f"PostGISStore({self.where!r})"

    def _open_pool(self, url: str, size: int, role: str) -> ConnectionPool:
        pool = ConnectionPool(url, min_size=1, max_size=max(1, size), timeout=self._timeout, open=False,
                              kwargs={"autocommit": True}, configure=_configure,
                              check=ConnectionPool.check_connection, name=f"incidentmap-{role}")
        try:
            pool.open(wait=True, timeout=self._timeout)
        except PoolTimeout:
            pool.close()
            raise StoreUnavailable(f"cannot reach the database {redact(url)} "
                                   f"(no connection within {self._timeout:g} s)") from None
        return pool

    def close(self) -> None:
        """Close the connection pools."""
        for pool in {id(p): p for p in (getattr(self, "_read_pool", None), getattr(self, "_pool", None))
                     if p is not None}.values():
            pool.close()

    def __enter__(self) -> PostGISStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- connections -------------------------------------------------------

    @contextmanager
    def _connect(self, pool: ConnectionPool) -> Iterator[psycopg.Connection]:
        """A pooled connection; database outages become StoreUnavailable (503)."""
        try:
            with pool.connection() as conn:
                yield conn
        except PoolTimeout:
            raise StoreUnavailable(f"no database connection free or reachable at {self.where} "
                                   f"within {self._timeout:g} s") from None
        except psycopg.errors.ReadOnlySqlTransaction:
            raise StoreUnavailable(f"the database {self.where} is read-only (a replica?)") from None
        except psycopg.OperationalError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreUnavailable(f"cannot reach the database {self.where}: {first}") from None

    def _read(self) -> Iterator[psycopg.Connection]:
        return self._connect(self._read_pool)

    @contextmanager
    def _write(self, collection: str) -> Iterator[psycopg.Connection]:
        """One transaction on the primary holding the collection's write lock."""
        with self._connect(self._pool) as conn, conn.transaction():
            conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(f"{int(LOCK_TIMEOUT * 1000)}ms")))
            try:
                conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (WRITE_LOCK, collection))
            except psycopg.errors.LockNotAvailable:
                raise StoreUnavailable(f"cannot lock {collection} in {self.where} for writing: waited "
                                       f"{LOCK_TIMEOUT:g} s for another write to it; try again") from None
            yield conn

    def _table(self, collection: str) -> sql.Identifier:
        if collection not in self.names:
            raise NotFound(f"no collection {collection!r}; collections: {', '.join(self.names)}")
        return sql.Identifier(collection)

    # ---- reading -----------------------------------------------------------

    def collections(self) -> list[CollectionInfo]:
        infos = []
        with self._read() as conn:
            for name in self.names:
                count, minx, miny, maxx, maxy, first, last = conn.execute(sql.SQL(
                    "SELECT count(*), min(minx), min(miny), max(maxx), max(maxy), min(sort_from), "
                    "max(sort_to) FROM {}").format(self._table(name))).fetchone()
                bbox = None if not count or minx is None else [minx, miny, maxx, maxy]
                interval = None if not count or first is None else [format_epoch(first), format_epoch(last)]
                meta = COLLECTIONS.get(name, {"title": name, "description": ""})
                infos.append(CollectionInfo(name, meta["title"], meta["description"], count, bbox, interval))
        return infos

    def query(self, collection: str, query: Query) -> QueryResult:
        table = self._table(collection)
        keys = pg_sql.sort_columns(query)
        condition = pg_sql.where(query)
        with self._read() as conn:
            estimate = None
            if condition is not pg_sql.TRUE:
                estimate = self.estimate(conn, table, pg_sql.where(query, estimate=True))
            total = None
            if estimate is not None and estimate <= self.materialize_limit:
                rows, total = self._page_of_matches(conn, table, query, keys, condition)
            else:
                rows = self._page_in_order(conn, table, query, keys, condition)
            more = len(rows) > query.limit
            rows = rows[:query.limit]
            if total is not None:
                matched, exact = total, True
            else:
                matched, exact = self._number_matched(conn, table, query, condition, estimate, len(rows), more)
        next_cursor = pg_sql.make_cursor(query, rows[-1]) if more and rows else None
        return QueryResult([bytes(row[0]) for row in rows], matched, exact, next_cursor)

    def _page_of_matches(self, conn: psycopg.Connection, table: sql.Identifier, query: Query,
                         keys: list, condition: sql.Composable) -> tuple[list[tuple], int]:
        """Up to limit + 1 rows (doc, *sort keys, fid) and how many match in all, for a filter the
        planner expects few rows of: every match's id and sort keys found through the filter's
        indexes first, then sorted, and only the page's documents read. (Walking an index in the
        page's order instead, filtering as it goes, reads half the table when the matches sit
        late in that order, as a time window's do in the id order.)"""
        after: sql.Composable = pg_sql.TRUE
        offset = query.offset
        if query.cursor is not None:
            values, fid = pg_sql.read_cursor(query, keys)
            after = sql.SQL(" OR ").join(sql.SQL("({})").format(part)
                                         for part in pg_sql.keyset_parts(keys, values, fid))
            offset = 0
        columns = pg_sql.key_columns(keys)
        statement = sql.SQL("""
            WITH m AS MATERIALIZED (SELECT {columns} FROM {table} WHERE {condition}),
            p AS (SELECT {columns} FROM m WHERE {after} ORDER BY {order} LIMIT {want} OFFSET {offset})
            SELECT t.doc, {keys}, (SELECT count(*) FROM m) FROM p JOIN {table} t ON t.fid = p.fid
            ORDER BY {page_order}""").format(
            columns=columns, table=table, condition=condition, after=after, order=pg_sql.order_by(keys),
            want=sql.Literal(query.limit + 1), offset=sql.Literal(offset),
            keys=pg_sql.select_keys(keys, "p"), page_order=pg_sql.order_by(keys, "p"))
        rows = conn.execute(statement, binary=True).fetchall()
        if rows:
            return [row[:-1] for row in rows], rows[0][-1]
        count = sql.SQL("SELECT count(*) FROM {} WHERE {}").format(table, condition)
        return rows, conn.execute(count).fetchone()[0]

    def _page_in_order(self, conn: psycopg.Connection, table: sql.Identifier, query: Query,
                       keys: list, condition: sql.Composable) -> list[tuple]:
        """Up to limit + 1 rows (doc, *sort keys, fid): one more than the page says whether more
        follow. The page's ids come from walking the order's index (only its entries, where the
        table's visibility map allows, so an offset skips index entries rather than rows), then
        its documents are read."""
        columns = pg_sql.key_columns(keys)
        order = pg_sql.order_by(keys)

        def page(part: sql.Composable, want: int, offset: int) -> list[tuple]:
            statement = sql.SQL("""
                WITH p AS MATERIALIZED (SELECT {columns} FROM {table} WHERE {condition} AND {part}
                                       ORDER BY {order} LIMIT {want} OFFSET {offset})
                SELECT t.doc, {keys} FROM p JOIN {table} t ON t.fid = p.fid ORDER BY {page_order}""").format(
                columns=columns, table=table, condition=condition, part=part, order=order,
                want=sql.Literal(want), offset=sql.Literal(offset),
                keys=pg_sql.select_keys(keys, "p"), page_order=pg_sql.order_by(keys, "p"))
            return conn.execute(statement, binary=True).fetchall()

        want = query.limit + 1
        if query.cursor is None:
            return page(pg_sql.TRUE, want, query.offset)
        values, fid = pg_sql.read_cursor(query, keys)
        rows: list[tuple] = []
        for part in pg_sql.keyset_parts(keys, values, fid):
            rows += page(part, want - len(rows), 0)
            if len(rows) >= want:
                break
        return rows

    def _number_matched(self, conn: psycopg.Connection, table: sql.Identifier, query: Query,
                        condition: sql.Composable, estimate: int | None, returned: int,
                        more: bool) -> tuple[int, bool]:
        """(total, exact): known from the page itself when it is the last one, counted when the
        planner expects fewer than ``count_threshold`` matches, else the planner's estimate
        (``estimate`` when the caller has it already)."""
        if query.cursor is None and not more and (returned or not query.offset):
            return query.offset + returned, True
        if estimate is None:
            estimate = self.estimate(conn, table, pg_sql.where(query, estimate=True))
        if estimate < self.count_threshold:
            statement = sql.SQL("SELECT count(*) FROM {} WHERE {}").format(table, condition)
            return conn.execute(statement).fetchone()[0], True
        known = (0 if query.cursor else query.offset) + returned + (1 if more else 0)
        return max(estimate, known), False

    @staticmethod
    def estimate(conn: psycopg.Connection, table: sql.Identifier, condition: sql.Composable) -> int:
        """The planner's row estimate for the condition: no rows are read."""
        plan = conn.execute(sql.SQL("EXPLAIN (FORMAT JSON) SELECT 1 FROM {} WHERE {}").format(
            table, condition)).fetchone()[0]
        if isinstance(plan, (str, bytes)):
            plan = orjson.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])

    def get(self, collection: str, fid: str) -> dict | None:
        table = self._table(collection)
        with self._read() as conn:
            row = conn.execute(sql.SQL("SELECT doc FROM {} WHERE fid = %s").format(table), (fid,),
                               binary=True).fetchone()
        return None if row is None else orjson.loads(row[0])

    def day_counts(self, collection: str, query: Query) -> list[tuple[str, int]]:
        table = self._table(collection)
        statement = sql.SQL(
            "SELECT sort_from / {day}, count(*) FROM {table} WHERE {condition} AND sort_from IS NOT NULL "
            "GROUP BY 1 ORDER BY 1").format(day=sql.Literal(DAY_SECONDS), table=table,
                                           condition=pg_sql.where(query))
        with self._read() as conn:
            rows = conn.execute(statement).fetchall()
        return [(epoch_to_day(day * DAY_SECONDS).isoformat(), count) for day, count in rows]

    def day_type_counts(self, collection: str, query: Query) -> list[tuple[str, str | None, int, int, int]]:
        """(day, event_type, incidents, killed, injured) of the matches, grouped in SQL (geo.trend)."""
        statement = sql.SQL(
            "SELECT sort_from / {day}, event_type, count(*), coalesce(sum(killed), 0), coalesce(sum(injured), 0) "
            "FROM {table} WHERE {condition} AND sort_from IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"
        ).format(day=sql.Literal(DAY_SECONDS), table=self._table(collection), condition=pg_sql.where(query))
        with self._read() as conn:
            rows = conn.execute(statement).fetchall()
        return [(epoch_to_day(day * DAY_SECONDS).isoformat(), kind, count, int(killed), int(injured))
                for day, kind, count, killed, injured in rows]

    def aggregate(self, collection: str, query: Query, size: float) -> list[GridCell]:
        """Counts per grid cell, in SQL: each feature at the centre of its extent (its point for a
        Point), as the GeoJSON store places it; cells clipped to the world as it clips them."""
        table = self._table(collection)
        columns, rows = math.ceil(360 / size), math.ceil(180 / size)
        statement = sql.SQL("""
            WITH m AS (
                SELECT (minx + maxx) / 2 AS x, (miny + maxy) / 2 AS y, event_type
                FROM {table} WHERE {condition} AND minx IS NOT NULL AND miny IS NOT NULL
            ), c AS (
                SELECT LEAST(GREATEST(floor((x + 180) / {size})::bigint, 0), {last_i}) AS i,
                       LEAST(GREATEST(floor((y + 90) / {size})::bigint, 0), {last_j}) AS j,
                       x, y, event_type
                FROM m
            ), t AS (
                SELECT i, j, event_type, count(*) AS n, sum(x) AS sx, sum(y) AS sy,
                       min(x) AS x0, min(y) AS y0, max(x) AS x1, max(y) AS y1
                FROM c GROUP BY i, j, event_type
            )
            SELECT i, j, sum(n)::bigint, sum(sx) / sum(n), sum(sy) / sum(n),
                   min(x0), min(y0), max(x1), max(y1),
                   coalesce(jsonb_agg(jsonb_build_array(event_type, n) ORDER BY n DESC, event_type)
                            FILTER (WHERE event_type IS NOT NULL), '[]'::jsonb)
            FROM t GROUP BY i, j ORDER BY i, j""").format(
            table=table, condition=pg_sql.where(query), size=sql.Literal(float(size)),
            last_i=sql.Literal(columns - 1), last_j=sql.Literal(rows - 1))
        with self._read() as conn:
            found = conn.execute(statement).fetchall()
        return [GridCell(i, j, int(n), float(lon), float(lat), (x0, y0, x1, y1),
                         {name: int(count) for name, count in types})
                for i, j, n, lon, lat, x0, y0, x1, y1, types in found]

    def history(self, collection: str, fid: str | None = None, *, after_seq: int = 0,
                limit: int = 1000) -> list[Change]:
        """Changes oldest first, for one feature or the whole collection (seq > after_seq)."""
        self._table(collection)
        statement = sql.SQL(
            "SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), collection, fid, "
            "action, actor, note, before, after FROM history WHERE collection = %s AND seq > %s {} "
            "ORDER BY seq LIMIT %s").format(sql.SQL("AND fid = %s") if fid is not None else sql.SQL(""))
        params = (collection, after_seq, *((fid,) if fid is not None else ()), limit)
        with self._read() as conn:
            rows = conn.execute(statement, params, binary=True).fetchall()
        return [Change(seq=seq, at=at, collection=coll, fid=f, action=action, actor=actor,
                       before=None if before is None else orjson.loads(before),
                       after=None if after is None else orjson.loads(after), note=note)
                for seq, at, coll, f, action, actor, note, before, after in rows]

    # ---- writing -----------------------------------------------------------

    def put(self, collection: str, feature: dict, *, create_only: bool = False,
            replace_only: bool = False, actor: str | None = None, note: str | None = None,
            guard: WriteGuard | None = None, keep_stamps: bool = False) -> dict:
        """Validate and store one feature (added or replaced); returns it as stored.
        Storing what is already there changes nothing and records nothing."""
        table = self._table(collection)
        clean = prepare_feature(collection, feature)
        fid = clean["id"]
        with self._write(collection) as conn:
            row = conn.execute(sql.SQL("SELECT doc FROM {} WHERE fid = %s").format(table), (fid,),
                               binary=True).fetchone()
            previous = None if row is None else orjson.loads(row[0])
            if previous is None and replace_only:
                raise NotFound(f"no feature {fid!r} in {collection}")
            if previous is not None and create_only:
                raise Conflict(f"a feature with id {fid!r} already exists in {collection}")
            if guard is not None:
                guard(fid, previous, clean, lambda: self._creator(conn, collection, fid))
            if previous is not None and same_but_bookkeeping(previous, clean):
                return previous
            final = stamp(collection, clean, previous, keep_stamps)
            raw = dumps(final)
            if previous is None:
                self._insert(conn, table, [(raw, final)])
                self._record(conn, collection, [("create", fid, None, raw)], actor, note)
            else:
                self._update(conn, table, [(raw, final)])
                self._record(conn, collection, [("replace", fid, bytes(row[0]), raw)], actor, note)
        return final

    def put_many(self, collection: str, features: Iterable[dict], *, actor: str | None = None,
                 note: str | None = None, guard: WriteGuard | None = None,
                 keep_stamps: bool = False) -> WriteSummary:
        """Validate every feature first, then store them all in one transaction."""
        table = self._table(collection)
        clean = []
        for i, feature in enumerate(features):
            try:
                clean.append(prepare_feature(collection, feature))
            except ValidationError as exc:
                raise ValidationError(f"features[{i}].{exc.field}", exc.value, exc.problem) from None
        summary = WriteSummary()
        if not clean:
            return summary
        with self._write(collection) as conn:
            ids = list(dict.fromkeys(item["id"] for item in clean))
            current: dict[str, bytes] = {
                fid: bytes(doc) for fid, doc in conn.execute(
                    sql.SQL("SELECT fid, doc FROM {} WHERE fid = ANY(%s)").format(table), (ids,), binary=True)}
            inserts: dict[str, tuple[bytes, dict]] = {}
            updates: dict[str, tuple[bytes, dict]] = {}
            changes = []
            for item in clean:
                fid = item["id"]
                if guard is not None:
                    previous = orjson.loads(current[fid]) if fid in current else None
                    guard(fid, previous, item, functools.partial(self._creator, conn, collection, fid))
                if fid not in current:
                    final = stamp(collection, item, None, keep_stamps)
                    raw = current[fid] = dumps(final)
                    inserts[fid] = (raw, final)
                    summary.added.append(fid)
                    changes.append(("create", fid, None, raw))
                    continue
                previous = orjson.loads(current[fid])
                if same_but_bookkeeping(previous, item):
                    summary.unchanged.append(fid)
                    continue
                final = stamp(collection, item, previous, keep_stamps)
                raw = dumps(final)
                changes.append(("replace", fid, current[fid], raw))
                current[fid] = raw
                (inserts if fid in inserts else updates)[fid] = (raw, final)
                summary.replaced.append(fid)
            self._insert(conn, table, list(inserts.values()))
            self._update(conn, table, list(updates.values()))
            self._record(conn, collection, changes, actor, note)
        return summary

    def delete(self, collection: str, fid: str, *, actor: str | None = None,
               note: str | None = None) -> bool:
        """Remove a feature (False if absent); the history keeps it."""
        table = self._table(collection)
        with self._write(collection) as conn:
            row = conn.execute(sql.SQL("DELETE FROM {} WHERE fid = %s RETURNING doc").format(table), (fid,),
                               binary=True).fetchone()
            if row is None:
                return False
            self._record(conn, collection, [("delete", fid, bytes(row[0]), None)], actor, note)
        return True

    def creator(self, collection: str, fid: str) -> str | None:
        """The actor of the change that created ``fid`` (its first one), None if that was no creation."""
        self._table(collection)
        with self._read() as conn:
            return self._creator(conn, collection, fid)

    @staticmethod
    def _creator(conn: psycopg.Connection, collection: str, fid: str) -> str | None:
        row = conn.execute("SELECT action, actor FROM history WHERE collection = %s AND fid = %s "
                           "ORDER BY seq LIMIT 1", (collection, fid)).fetchone()
        return row[1] if row is not None and row[0] == "create" else None

    def analyze(self) -> None:
        """Refresh the planner's statistics and the visibility map (after a bulk load or a schema
        upgrade, so estimates are right and an offset can skip index entries without reading rows)."""
        with self._connect(self._pool) as conn:
            for name in self.names:
                conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(name)))

    @staticmethod
    def _insert(conn: psycopg.Connection, table: sql.Identifier, items: list[tuple[bytes, dict]]) -> None:
        if not items:
            return
        names, values = _columns_sql()
        statement = _INSERT.format(table=table, columns=names, values=values)
        try:
            with conn.cursor() as cur:
                cur.executemany(statement, [_row_params(raw, feature) for raw, feature in items])
        except psycopg.errors.UniqueViolation:
            raise Conflict("a feature with one of these ids was stored at the same time; try again") from None

    @staticmethod
    def _update(conn: psycopg.Connection, table: sql.Identifier, items: list[tuple[bytes, dict]]) -> None:
        if not items:
            return
        names, values = _columns_sql()
        statement = _UPDATE.format(table=table, columns=names, values=values)
        with conn.cursor() as cur:
            cur.executemany(statement, [_row_params(raw, feature) for raw, feature in items])

    @staticmethod
    def _record(conn: psycopg.Connection, collection: str, changes: list[tuple],
                actor: str | None, note: str | None) -> None:
        """History rows for the changes, in the write's own transaction."""
        if not changes:
            return
        at = utc_now_rfc3339()
        with conn.cursor() as cur:
            cur.executemany(_HISTORY, [(at, collection, fid, action, actor, note, before, after)
                                       for action, fid, before, after in changes])


def seed(store: PostGISStore, samples: bool = False) -> dict[str, int]:
    """Seed an empty database as ``incidentmap init`` seeds a folder: the known sites when the
    sites table is empty and, with ``samples``, the sample incidents when incidents is empty."""
    from geo.datadir import SAMPLE_FILE, SITES_FILE, read_feature_collection, shipped_data_dir

    shipped = shipped_data_dir()
    plan = {"sites": shipped / SITES_FILE, "incidents": shipped / SAMPLE_FILE if samples else None}
    seeded = {}
    for collection, source in plan.items():
        if source is None or store.query(collection, Query(limit=1)).feature_json:
            continue
        features = read_feature_collection(source)
        store.put_many(collection, features, actor="local", note="seeded from the shipped data",
                       keep_stamps=True)
        seeded[collection] = len(features)
    return seeded
