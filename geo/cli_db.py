"""CLI for the PostGIS store: ``db upgrade``, ``migrate`` between stores, and store URLs for every command.

``incidentmap --store URL <command>`` (or ``INCIDENTMAP_STORE=URL``) points any
command that takes ``--data`` at a PostGIS database instead of a data folder.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from geo.errors import IncidentMapError, NotFound, StoreUnavailable
from geo.query import Query
from geo.store import Store, is_database_url, open_store

PAGE = 5_000  # features read (and, into PostGIS, written) per step of a migration


class MigrationMismatch(IncidentMapError):
    """After a migration the target does not hold exactly what the source holds."""

    code = "MigrationMismatch"
    status = 500


def configured_location() -> str | Path | None:
    """The store named by ``incidentmap --store`` or ``$INCIDENTMAP_STORE``: a URL or a folder."""
    ctx = click.get_current_context(silent=True)
    value = (ctx.find_root().obj or {}).get("store") if ctx is not None else None
    value = value or os.environ.get("INCIDENTMAP_STORE") or None
    if value is None or is_database_url(value):
        return value
    return Path(value).expanduser()


def close_store(store: Store) -> None:
    """Close a store's connections now (a database store; a folder store holds none)."""
    close = getattr(store, "close", None)
    if close is not None:
        close()


def _close_with_command(store: Store) -> Store:
    """Close the store's connections when the running command ends."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(lambda: close_store(store))
    return store


def redact_location(location: str | Path) -> str:
    """A folder as it is, a database URL without its password."""
    from geo.store.postgis import redact

    return redact(location) if is_database_url(location) else str(location)


def app_config(location: str | Path) -> dict:
    """The create_app settings that serve ``location``."""
    return {"STORE": location} if is_database_url(location) else {"DATA": str(location)}


def _admin_connection(url: str):
    import psycopg

    from geo.store.postgis import redact

    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreUnavailable(f"cannot reach the database {redact(url)}: {first}") from None


def upgrade_database(url: str) -> list[str]:
    """Apply the migrations the database lacks; the titles of those applied."""
    from geo.store.pg_schema import upgrade

    with _admin_connection(url) as conn:
        return [f"{m.version}: {m.title}" for m in upgrade(conn)]


def ready_database(url: str, samples: bool = True) -> Store:
    """The store of a database, set up first when incidentmap never touched it (as ``init`` sets
    up a new folder: schema, known sites and sample incidents); an older schema is an error."""
    from geo.store.pg_schema import current_version
    from geo.store.postgis import PostGISStore, redact, seed

    with _admin_connection(url) as conn:
        blank = current_version(conn) == 0
    if blank:
        upgrade_database(url)
    store = PostGISStore(url, os.environ.get("INCIDENTMAP_STORE_READ") or None)
    if blank:
        seeded = seed(store, samples=samples)
        store.analyze()
        click.echo(f"initialised {redact(url)} ({', '.join(f'{n} {c}' for c, n in seeded.items())})", err=True)
    return _close_with_command(store)


def open_existing_database(url: str) -> Store:
    """The store of a database that is already set up (for commands that only read): a blank or
    older database is an error saying to run ``incidentmap db upgrade``, never set up here."""
    return _close_with_command(open_store(url))


def load_gazetteer(url: str):
    """The gazetteer of the known sites stored in a database."""
    from geo.gazetteer import Gazetteer
    from geo.store.postgis import PostGISStore

    with PostGISStore(url, pool_size=1) as store:
        return Gazetteer.from_features(store.query("sites", Query(limit=10**9)).features())


def _source(location: str) -> Store:
    if is_database_url(location):
        return _close_with_command(open_store(location))
    from geo.datadir import is_initialised

    if not is_initialised(Path(location)):
        raise NotFound(f"{location!r} is not an incidentmap data folder (no sites.geojson)")
    return open_store(Path(location))


def _target(location: str) -> Store:
    if is_database_url(location):
        upgrade_database(location)
        return _close_with_command(open_store(location))
    folder = Path(location).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    return open_store(folder)


def pages(store: Store, collection: str, size: int = PAGE) -> Iterator[list[dict]]:
    """Every feature of a collection in id order, a keyset page at a time."""
    by_id = [("id", False)]
    query = Query(limit=size, sortby=by_id)
    while True:
        result = store.query(collection, query)
        if result.feature_json:
            yield result.features()
        if not result.next_cursor:
            return
        query = Query(limit=size, sortby=by_id, cursor=result.next_cursor)


def differences(source: Store, target: Store) -> list[str]:
    """What differs between two stores: counts, and every feature compared in id order."""
    problems = []
    counts = {info.id: info.count for info in target.collections()}
    for info in source.collections():
        if counts.get(info.id) != info.count:
            problems.append(f"{info.id}: {info.count} in the source, {counts.get(info.id)} in the target")
        left = (f for page in pages(source, info.id) for f in page)
        right = (f for page in pages(target, info.id) for f in page)
        for a, b in zip(left, right, strict=False):
            if a != b:
                problems.append(f"{info.id}: feature {a.get('id')!r} differs from {b.get('id')!r}")
                if len(problems) > 20:
                    return problems
    return problems


def migrate_store(source: Store, target: Store, note: str, actor: str | None,
                  progress: bool = True) -> dict[str, tuple[int, int, int]]:
    """Copy every feature of each collection; (added, replaced, unchanged) per collection. Into
    a database a page at a time; into a folder in one write (each write rewrites its file)."""
    done = {}
    into_folder = not hasattr(target, "analyze")
    counts = {info.id: info.count for info in source.collections()}
    for collection in source.names:
        added = replaced = unchanged = 0
        held: list[dict] = []
        with click.progressbar(length=counts.get(collection, 0), label=f"{collection:<10}", file=sys.stderr,
                               show_pos=True, show_eta=True) if progress else _NoBar() as bar:
            for page in pages(source, collection):
                if into_folder:
                    held += page
                else:
                    summary = target.put_many(collection, page, actor=actor, note=note, keep_stamps=True)
                    added += len(summary.added)
                    replaced += len(summary.replaced)
                    unchanged += len(summary.unchanged)
                bar.update(len(page))
        if into_folder:
            summary = target.put_many(collection, held, actor=actor, note=note, keep_stamps=True)
            added, replaced, unchanged = len(summary.added), len(summary.replaced), len(summary.unchanged)
        done[collection] = (added, replaced, unchanged)
    if hasattr(target, "analyze"):
        target.analyze()
    return done


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n: int) -> None:
        pass


def register(cli: click.Group, friendly_errors, local_actor) -> None:
    """Add ``db upgrade`` and ``migrate`` to the ``incidentmap`` command."""

    @cli.group()
    def db() -> None:
        """The PostGIS database: create or upgrade its schema."""

    @db.command()
    @click.option("--store", "url", metavar="URL", help="postgresql:// URL (default: $INCIDENTMAP_STORE).")
    @click.option("--samples", is_flag=True, help="Also seed the sample incidents when incidents is empty.")
    @friendly_errors
    def upgrade(url: str | None, samples: bool) -> None:
        """Create or upgrade the schema, then seed the known sites when there are none."""
        from geo.store.postgis import PostGISStore, redact, seed

        url = url or os.environ.get("INCIDENTMAP_STORE")
        if not is_database_url(url):
            raise click.UsageError("give the database as --store postgresql://... or $INCIDENTMAP_STORE "
                                   "(a data folder needs no upgrade; see 'incidentmap init')")
        applied = upgrade_database(url)
        with PostGISStore(url, pool_size=1) as store:
            seeded = seed(store, samples=samples)
            if seeded or applied:
                store.analyze()
        click.echo(f"{redact(url)}: " + ("; ".join(
            [f"applied migration {m}" for m in applied] + [f"seeded {n} {c}" for c, n in seeded.items()])
            or "schema up to date, nothing to do"))

    @db.command()
    @click.option("--data", "data_dir", default=None,
                  help="Data folder (default: $INCIDENTMAP_DATA, else ~/.local/share/incidentmap).")
    @friendly_errors
    def compact(data_dir: str | None) -> None:
        """Rewrite a data folder's collection files to hold every change in its journal."""
        from geo.datadir import default_data_dir, is_initialised
        from geo.store.geojson import GeoJSONStore

        if data_dir is not None and not data_dir.strip():
            raise click.UsageError("--data is empty; give a data folder")
        folder = Path(data_dir) if data_dir is not None else default_data_dir()
        if not is_initialised(folder):
            raise NotFound(f"{str(folder)!r} is not an incidentmap data folder (no sites.geojson)")
        store = GeoJSONStore(folder)
        for collection in store.names:
            seq, count = store.compact(collection)
            click.echo(f"{collection}: {count} features, as of change {seq}")

    @cli.command()
    @click.option("--from", "source", required=True, metavar="DIR|URL", help="Data folder or postgresql:// URL.")
    @click.option("--to", "target", required=True, metavar="DIR|URL", help="Data folder or postgresql:// URL.")
    @friendly_errors
    def migrate(source: str, target: str) -> None:
        """Copy every feature from one store to another (folder or PostGIS, either way), then check
        that the counts and every feature match; exit status 1 if they do not."""
        from geo.store.postgis import redact

        if source == target:
            raise click.UsageError("--from and --to are the same store")
        src, dst = _source(source), _target(target)
        done = migrate_store(src, dst, note=f"migrated from {redact(source)}", actor=local_actor())
        for collection, (added, replaced, unchanged) in done.items():
            click.echo(f"{collection}: {added} added, {replaced} replaced, {unchanged} unchanged")
        problems = differences(src, dst)
        if problems:
            raise MigrationMismatch("the target does not match the source: " + "; ".join(problems[:20]))
        click.echo(f"checked: {redact(target)} holds exactly what {redact(source)} holds "
                   "(counts and every feature compared)")
