"""``incidentmap watch`` and ``incidentmap source``: reports from feeds, folders and channel exports."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path

import click

from geo.live.fetch import FetchPolicy, allow_hosts
from geo.live.sources import KINDS, WATCH_FOLDER, Source, SourceList, make_source
from geo.store import is_database_url

DEFAULT_INTERVAL = 300.0


def watch_dir(location: Path | str) -> Path:
    """Where the watcher keeps its sources and state: ``watch/`` in the data folder; for a database
    store, in the default data folder ($INCIDENTMAP_DATA or ~/.local/share/incidentmap)."""
    from geo.datadir import default_data_dir

    return (default_data_dir() if is_database_url(location) else Path(location)) / WATCH_FOLDER


def _extractor(location: Path | str):
    from geo import cli_db
    from geo.datadir import is_initialised
    from geo.extract import Extractor
    from geo.gazetteer import Gazetteer

    if is_database_url(location):
        return Extractor(cli_db.load_gazetteer(location))
    return Extractor(Gazetteer.load(location if is_initialised(location) else None))


def _log_to_stderr() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    logger = logging.getLogger("incidentmap.watch")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler


def register(cli: click.Group, data_option, friendly_errors) -> None:
    """Add ``watch`` and the ``source`` group to the ``incidentmap`` command."""

    @cli.command()
    @data_option
    @click.option("--feed", "feeds", multiple=True, metavar="URL", help="An RSS or Atom feed (repeatable).")
    @click.option("--folder", "folders", multiple=True, type=click.Path(file_okay=False),
                  help="A folder where .txt, .html and .json reports are dropped (repeatable).")
    @click.option("--telegram-export", "exports", multiple=True, type=click.Path(dir_okay=False),
                  help="A Telegram Desktop channel export's result.json (repeatable).")
    @click.option("--once", is_flag=True, help="Poll every source once, print a summary and exit.")
    @click.option("--interval", type=click.FloatRange(min=1), default=DEFAULT_INTERVAL, show_default=True,
                  help="Seconds between polls of a source (a failing source waits longer).")
    @click.option("--allow-host", "allowed", multiple=True, metavar="HOST",
                  help="Fetch from HOST even when it is on a loopback, link-local or private network "
                       "(repeatable; also $INCIDENTMAP_ALLOW_HOSTS, comma-separated).")
    @click.option("--timeout", type=click.FloatRange(min=0.05), default=20.0, show_default=True,
                  help="Seconds for one fetch, redirects included.")
    @click.option("--max-page-bytes", type=click.IntRange(min=1024), default=5 * 1024 * 1024, show_default=True,
                  help="A feed or page over this size is not read past it.")
    @friendly_errors
    def watch(data_dir: Path | None, feeds: tuple[str, ...], folders: tuple[str, ...], exports: tuple[str, ...],
              once: bool, interval: float, allowed: tuple[str, ...], timeout: float, max_page_bytes: int) -> None:
        """Ingest reports from feeds, drop folders and channel exports as they appear (status reported).

        Sources kept with 'incidentmap source add' are watched too. Each item is ingested once,
        ever; a source that fails is logged and retried later, and the others go on."""
        from filelock import Timeout

        from geo import cli as main
        from geo.errors import InvalidInput
        from geo.fileio import held
        from geo.live.fetch import Fetcher
        from geo.live.watch import Watcher

        given = ([make_source("feed", f) for f in feeds] + [make_source("folder", f) for f in folders]
                 + [make_source("telegram", f) for f in exports])
        location = main._data_dir(data_dir)
        folder = watch_dir(location)
        kept = SourceList(folder)
        if not given and not kept.load():
            raise click.UsageError("nothing to watch: give --feed, --folder or --telegram-export, or keep sources "
                                   "with 'incidentmap source add'")
        store = main._ready_store(location)
        folder.mkdir(parents=True, exist_ok=True)
        last: list[list[Source]] = [[]]

        def sources() -> list[Source]:
            try:
                last[0] = given + kept.load()
            except InvalidInput as exc:  # a broken sources.json: say so, go on with what was read before
                logging.getLogger("incidentmap.watch").warning("sources: %s", exc.description)
            return last[0]

        handler = _log_to_stderr()
        policy = FetchPolicy(max_bytes=max_page_bytes, timeout=timeout, allow_hosts=allow_hosts(allowed))
        try:
            with held(folder / "watch.lock", timeout=0):
                watcher = Watcher(store, _extractor(location), folder, sources, Fetcher(policy), interval=interval,
                                  actor=f"watch@{main.local_actor()}")
                try:
                    if once:
                        summary = watcher.run_once()
                        click.echo(f"watch: {summary.line()}")
                        if summary.sources and summary.source_errors == summary.sources:
                            # for cron and CI: nothing could be read, which a caller wants to hear
                            raise click.exceptions.Exit(1)
                        return
                    stop = threading.Event()
                    for sig in (signal.SIGINT, signal.SIGTERM):
                        signal.signal(sig, lambda *_: stop.set())
                    click.echo(f"watching {len(sources())} source(s) every {interval:g} s; Ctrl-C stops", err=True)
                    watcher.run(stop)
                finally:
                    watcher.close()
        except Timeout:
            raise InvalidInput(f"another 'incidentmap watch' is running on {folder}; stop it first") from None
        finally:
            logging.getLogger("incidentmap.watch").removeHandler(handler)

    @cli.group()
    def source() -> None:
        """The sources 'incidentmap watch' reads, kept in the data folder."""

    @source.command("add")
    @click.argument("kind", type=click.Choice(KINDS))
    @click.argument("location")
    @click.option("--channel", metavar="USERNAME",
                  help="telegram: the public channel's username, for t.me/USERNAME/ID links.")
    @data_option
    @friendly_errors
    def add(kind: str, location: str, channel: str | None, data_dir: Path | None) -> None:
        """Keep a source: 'feed URL', 'folder DIR' (made when missing) or 'telegram result.json'."""
        from geo import cli as main

        found = make_source(kind, location, channel)
        if kind == "folder":
            Path(found.location).mkdir(parents=True, exist_ok=True)
        kept = SourceList(watch_dir(main._data_dir(data_dir)))
        if kept.add(found):
            click.echo(f"added {found.id}: {kind} {found.location}")
        else:
            click.echo(f"{found.id}: {kind} {found.location} is already kept")

    @source.command("list")
    @data_option
    @friendly_errors
    def list_(data_dir: Path | None) -> None:
        """Each kept source with its last success, last error and how many items it gave."""
        from geo import cli as main
        from geo.live.seen import STATE_FILE, WatchState

        folder = watch_dir(main._data_dir(data_dir))
        kept = SourceList(folder).load()
        if not kept:
            click.echo(f"no sources kept in {folder}; add one with 'incidentmap source add'", err=True)
            return
        state = WatchState(folder) if (folder / STATE_FILE).exists() else None
        try:
            for found in kept:
                st = state.state(found.id) if state else None
                error = f"{st.last_error} (at {st.last_error_at})" if st and st.last_error else "-"
                if st and st.last_error and st.last_success and st.last_success > (st.last_error_at or ""):
                    error += " [since recovered]"
                click.echo(f"{found.id}\t{found.kind}\t{found.location}\titems: {st.items if st else 0}\t"
                           f"last success: {(st and st.last_success) or 'never'}\tlast error: {error}")
        finally:
            if state:
                state.close()

    @source.command("remove")
    @click.argument("what", metavar="ID|LOCATION")
    @data_option
    @friendly_errors
    def remove(what: str, data_dir: Path | None) -> None:
        """Stop watching a kept source (its seen items are kept, so adding it back repeats nothing)."""
        from geo import cli as main

        gone = SourceList(watch_dir(main._data_dir(data_dir))).remove(what)
        click.echo(f"removed {gone.id}: {gone.kind} {gone.location}")
