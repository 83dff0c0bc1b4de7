"""Detailed vector tiles in SQL with PostGIS's ST_AsMVT, for the PostGIS store answering in SQL."""

from __future__ import annotations

from psycopg import sql

from geo.query import Query
from geo.store import pg_sql


def tiles_in_sql(store: object) -> bool:
    """True for the PostGIS store that answers reads in SQL (not from its in-memory index)."""
    from geo.store.indexed import IndexedReads
    from geo.store.postgis import PostGISStore

    return isinstance(store, PostGISStore) and not isinstance(store, IndexedReads)


def sql_tile(store, collection: str, tile, query: Query, most: int) -> bytes | None:
    """The tile's matching features as one MVT layer, or None when more than ``most`` match
    (the caller then draws cell counts instead)."""
    from geo.tiles import BUFFER, EXTENT, PROPERTIES

    table = store._table(collection)
    condition = pg_sql.where(query)
    envelope = sql.SQL("ST_TileEnvelope({}, {}, {})").format(sql.Literal(tile.z), sql.Literal(tile.x),
                                                           sql.Literal(tile.y))
    doc = "convert_from(doc, 'UTF8')::jsonb -> 'properties' ->> {}"
    columns = [sql.SQL("fid AS id")]
    for name in PROPERTIES:
        if name == "id":
            continue
        if name in ("killed", "injured"):
            columns.append(sql.SQL("{} AS {}").format(sql.Identifier(name), sql.Identifier(name)))
        else:
            columns.append(sql.SQL(doc + " AS {}").format(sql.Literal(name), sql.Identifier(name)))
    statement = sql.SQL("""
        WITH m AS (SELECT * FROM {table} WHERE {condition} LIMIT {limit}),
        t AS (SELECT ST_AsMVTGeom(ST_Transform(CASE WHEN is_point THEN geom ELSE ST_PointOnSurface(geom) END, 3857),
                                  {envelope}, {extent}, {buffer}, true) AS geom, {columns}, 1 AS count FROM m)
        SELECT (SELECT count(*) FROM m), ST_AsMVT(t, {layer}, {extent}, 'geom') FROM t WHERE geom IS NOT NULL
    """).format(table=table, condition=condition, limit=sql.Literal(most + 1), envelope=envelope,
                extent=sql.Literal(EXTENT), buffer=sql.Literal(BUFFER), columns=sql.SQL(", ").join(columns),
                layer=sql.Literal(collection))
    with store._read() as conn:
        matched, data = conn.execute(statement, binary=True).fetchone()
    if matched > most:
        return None
    return bytes(data or b"")
