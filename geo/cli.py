"""The ``incidentmap`` command: one entry point, one subcommand per job."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import click
import orjson

from geo import cli_db
from geo.datadir import ADMIN_FILE, default_data_dir, init_data_dir, is_initialised, shipped_data_dir
from geo.errors import IncidentMapError, InvalidInput, NotFound, ValidationError
from geo.io import EXPORT_FORMATS, IMPORT_FORMATS
from geo.query import parse_query
from geo.store import is_database_url
from geo.store.geojson import line_rows


def _folder_option(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    if value is None:
        return None
    if not value.strip():  # Path("") is the current folder: never what an empty --data meant
        raise click.BadParameter("is empty; give a data folder")
    return Path(value).expanduser()


DATA_OPTION = click.option(
    "--data", "data_dir", type=click.Path(file_okay=False), default=None, callback=_folder_option,
    help="Data folder (default: $INCIDENTMAP_DATA or ~/.local/share/incidentmap).")

# what a data folder may hold before ``init`` seeds it: a tokens file made first, lock files, the
# watcher's sources (``incidentmap source add``)
_BEFORE_INIT = ("tokens.json", "tokens.json.lock", "watch")


def _data_dir(value: Path | None) -> Path | str:
    """--data, else the store of --store/$INCIDENTMAP_STORE (a folder or a postgresql:// URL), else
    $INCIDENTMAP_DATA or the default folder."""
    return value if value is not None else (cli_db.configured_location() or default_data_dir())


def _ready_store(data_dir: Path):
    """The store of ``data_dir`` for a command that writes, running ``init`` first when the folder
    is new (or empty); a folder holding other files is refused rather than seeded."""
    from geo.store import open_store

    if is_database_url(data_dir):  # PostGIS: set up a blank database as init sets up a folder
        return cli_db.ready_database(data_dir)
    if not is_initialised(data_dir):
        others = _other_files(Path(data_dir))
        if others:
            raise InvalidInput(
                f"{data_dir} is not an incidentmap data folder (no sites.geojson) and holds other files "
                f"({', '.join(others[:3])}{', ...' if len(others) > 3 else ''}); give a new or empty folder, "
                f"or run 'incidentmap init --data {data_dir}' to make this one a data folder")
        seeded = init_data_dir(data_dir)
        click.echo(f"initialised {data_dir} ({_describe(seeded)})", err=True)
    return open_store(data_dir)


def _other_files(folder: Path) -> list[str]:
    """Names in ``folder`` that incidentmap did not put there (empty when it does not exist)."""
    try:
        names = sorted(entry.name for entry in folder.iterdir())
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        return [folder.name]
    return [n for n in names if n not in _BEFORE_INIT and not (n.startswith(".") and n.endswith(".lock"))]


def _existing_store(data_dir: Path | str):
    """The store of ``data_dir`` for a command that only reads: never created or seeded here."""
    from geo.store import open_store

    if is_database_url(data_dir):
        return cli_db.open_existing_database(data_dir)
    folder = Path(data_dir)
    if not folder.is_dir():
        raise NotFound(f"the data folder {str(folder)!r} does not exist; run 'incidentmap init --data "
                       f"{folder}' to make one, or give the right --data")
    if not is_initialised(folder):
        raise NotFound(f"{str(folder)!r} is not an incidentmap data folder (no sites.geojson); give the "
                       "right --data, or run 'incidentmap init' on it")
    return open_store(folder)


def _describe(seeded: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in seeded.items()) or "nothing new"


def friendly_errors(command: Callable) -> Callable:
    """Turn expected errors into one line on stderr and exit status 1."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except IncidentMapError as exc:
            click.echo(f"incidentmap: error: {exc.description}", err=True)
            sys.exit(1)
        except (OSError, ValueError) as exc:
            click.echo(f"incidentmap: error: {exc}", err=True)
            sys.exit(1)
    return wrapper


@click.group()
@click.version_option(package_name="incidentmap")
@click.option("--store", metavar="URL|DIR", envvar="INCIDENTMAP_STORE",
              help="The store of every command that takes --data: a postgresql:// URL or a data folder "
                   "(default: $INCIDENTMAP_STORE).")
@click.pass_context
def cli(ctx: click.Context, store: str | None) -> None:
    """incidentmap: incidents from conflict reports, placed on known sites and served as maps."""
    ctx.ensure_object(dict)["store"] = store


@cli.command()
@DATA_OPTION
@click.option("--empty", is_flag=True, help="Known sites only, no sample incidents.")
@friendly_errors
def init(data_dir: Path | None, empty: bool) -> None:
    """Make a data folder holding the known sites and the sample incidents."""
    data_dir = _data_dir(data_dir)
    if is_database_url(data_dir):
        cli_db.ready_database(data_dir, samples=not empty)
        click.echo("the database is set up; 'incidentmap db upgrade' upgrades its schema")
        return
    seeded = init_data_dir(data_dir, empty=empty)
    click.echo(f"{data_dir}: {_describe(seeded) if seeded else 'already initialised, left as it is'}")


@cli.command()
@DATA_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="gunicorn worker processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 256),
              help="Threads per worker: requests each worker answers at once.")
@click.option("--dev", is_flag=True, help="Flask's development server with reloading (never in production).")
@friendly_errors
def serve(data_dir: Path | None, host: str, port: int, workers: int, threads: int, dev: bool) -> None:
    """Serve the API and maps over the data folder (gunicorn)."""
    data_dir = _data_dir(data_dir)
    cli_db.close_store(_ready_store(data_dir))  # workers open their own; no pool may cross the fork
    # the web layer is imported only here: geo/ itself never depends on Flask
    from webapp.server import run

    click.echo(f"incidentmap serving {cli_db.redact_location(data_dir)} on http://{host}:{port}/", err=True)
    run(cli_db.app_config(data_dir), host=host, port=port, workers=workers, dev=dev, threads=threads)


def _country_codes() -> dict[str, str]:
    admin = orjson.loads((shipped_data_dir() / ADMIN_FILE).read_bytes())
    codes = {}
    for country in admin.get("countries", []):
        for name in [country["name"], *country.get("aliases", [])]:
            codes[name.casefold()] = country["country_code"]
    return codes


class _LineFeatures(Sequence):
    """The features of a FeatureCollection written one per line (as the store and
    bench/generate.py write them), parsed one at a time as they are read, so a file of a
    million does not sit in memory as a million dicts."""

    def __init__(self, rows, name: str):
        self.rows, self.name = rows, name

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i):
        return orjson.loads(self.rows[i])

    def __iter__(self):
        for n, row in enumerate(self.rows, start=1):
            try:
                feature = orjson.loads(row)
            except orjson.JSONDecodeError as exc:
                problem = _json_problem(self.name, exc).description.removeprefix(self.name).strip()
                raise InvalidInput(f"{self.name}: feature {n} {problem}") from None
            yield feature


_SAVE_AS_UTF8 = "save it as UTF-8 (in a spreadsheet: 'CSV UTF-8'; in an editor: encoding UTF-8) and import it again"


def _check_utf8(raw: bytes, name: str) -> None:
    """InvalidInput saying what the file is and what to do, unless ``raw`` is UTF-8 text."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidInput(f"{name} is UTF-16 text; {_SAVE_AS_UTF8}")
    if b"\x00" in raw[:65536]:
        raise InvalidInput(f"{name} holds NUL bytes: it is UTF-16 text without a byte-order mark, or not "
                           f"text at all; {_SAVE_AS_UTF8}")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InvalidInput(f"{name} is not UTF-8 (byte 0x{raw[exc.start]:02x} on line {line}; Latin-1 and "
                           f"Windows-1252 files look like that); {_SAVE_AS_UTF8}") from None


def _json_problem(name: str, exc: orjson.JSONDecodeError) -> InvalidInput:
    if "depth limit" in str(exc) or "recursion" in str(exc):
        return InvalidInput(f"{name} nests JSON deeper than 1,024 levels, which no feature needs (unknown "
                            "properties may nest at most 16 deep); remove the deep part and import it again")
    return InvalidInput(f"{name} is neither GeoJSON nor a .csv file ({exc})")


def _check_csv_fields(text: str, name: str) -> None:
    """InvalidInput naming the line, when a CSV has a field longer than the csv module reads (often a
    quote left open) or is otherwise unreadable as CSV."""
    import csv
    import io

    from geo.csvio import _csv_problem

    reader = csv.reader(io.StringIO(text))
    try:
        for _ in reader:
            pass
    except csv.Error as exc:
        raise InvalidInput(f"{name}: {_csv_problem(max(reader.line_num, 1), exc)}") from None  # the line being read


def read_import_file(path: Path, fmt: str | None = None, collection: str = "incidents") -> Sequence[dict]:
    """Features from a GeoJSON FeatureCollection (or one Feature), a CSV (incidentmap's, ACLED's
    or UCDP GED's columns) or any other format of geo.io (the format from the extension or ``fmt``);
    a text file that is not UTF-8, nests too deep or holds an overlong CSV field is an InvalidInput
    naming it."""
    tabular = (".csv", ".gpkg", ".fgb", ".parquet", ".geoparquet", ".shp", ".kml")
    if fmt in (None, "geojson", "csv", "acled", "ucdp") and path.suffix.lower() not in tabular[1:]:
        raw = path.read_bytes()
        _check_utf8(raw, path.name)
        if fmt in ("csv", "acled", "ucdp") or path.suffix.lower() == ".csv":
            _check_csv_fields(raw.decode("utf-8-sig"), path.name)
    if fmt not in (None, "geojson") or (fmt is None and path.suffix.lower() in tabular):
        import csv

        from geo.csvio import _csv_problem
        from geo.io import read_file

        try:
            return read_file(path, fmt, collection, _country_codes())
        except csv.Error as exc:
            raise InvalidInput(f"{path.name}: {_csv_problem(0, exc).removeprefix('line 0: ')}") from None
    raw = path.read_bytes()
    lines = line_rows(raw)
    if lines is not None and len(lines):
        try:
            orjson.loads(lines[0]), orjson.loads(lines[len(lines) - 1])
            return _LineFeatures(lines, path.name)
        except orjson.JSONDecodeError:
            pass  # laid out some other way: parse it whole
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise _json_problem(path.name, exc) from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        return [data]
    if isinstance(data, dict) and data.get("type") == "FeatureCollection" \
            and isinstance(data.get("features"), list):
        return data["features"]
    raise InvalidInput(f"{path.name} is not a GeoJSON FeatureCollection or Feature")


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@DATA_OPTION
@click.option("--collection", default="incidents", show_default=True,
              type=click.Choice(["incidents", "sites"]))
@click.option("--format", "fmt", default=None, type=click.Choice(IMPORT_FORMATS),
              help="The file's format (default: from its extension; a .csv by its header).")
@friendly_errors
def import_(file: Path, data_dir: Path | None, collection: str, fmt: str | None) -> None:
    """Add or replace features from GeoJSON, CSV (ours, ACLED's, UCDP's), GeoPackage, FlatGeobuf,
    GeoParquet, Shapefile or KML; all or nothing."""
    features = read_import_file(file, fmt, collection)
    store = _ready_store(_data_dir(data_dir))
    cli_alert.attach(store, _data_dir(data_dir))
    click.echo(f"validating {len(features)} features from {file.name} ...", err=True)
    try:
        summary = store.put_many(collection, features, actor=local_actor(), note=f"imported from {file.name}",
                                 keep_stamps=True)
    except ValidationError as exc:
        raise InvalidInput(_where_in_file(file, exc)) from None
    click.echo(f"{collection}: {len(summary.added)} added, {len(summary.replaced)} replaced, "
               f"{len(summary.unchanged)} unchanged")
    cli_alert.after_write(store)


def _where_in_file(file: Path, exc: ValidationError) -> str:
    """A feature's error as the file's own place: ``x.csv: row 4: notes: ...`` (the header is row 1),
    ``x.geojson: features[2].notes: ...``."""
    import re

    found = re.match(r"features\[(\d+)\]\.(.*)", exc.field)
    if file.suffix.lower() == ".csv" and found:
        return f"{file.name}: row {int(found[1]) + 2}: {found[2]}: {exc.description.split(': ', 1)[1]}"
    return f"{file.name}: {exc.description}"


@cli.command()
@DATA_OPTION
@click.option("--collection", default="incidents", show_default=True,
              type=click.Choice(["incidents", "sites"]))
@click.option("--bbox", help="minlon,minlat,maxlon,maxlat")
@click.option("--datetime", "datetime_", help="RFC 3339 instant or interval, e.g. 2023-12-01/2023-12-31")
@click.option("--event-type", help="Exact event type(s), comma-separated.")
@click.option("--country-code", help="ISO country code(s), comma-separated.")
@click.option("--filter", "cql", help="A CQL2 text filter, e.g. \"event_type = 'airstrike' AND killed > 0\".")
@click.option("--format", "fmt", default=None, type=click.Choice(EXPORT_FORMATS),
              help="geojson (default), csv, gpkg, fgb, parquet, shp, kml, acled, ucdp; "
                   "default: from -o's extension, else geojson.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here instead of stdout (needed for the binary formats).")
@click.option("--max-zoom", default=12, show_default=True, type=click.IntRange(0, 16),
              help="pmtiles: the deepest zoom level written.")
@friendly_errors
def export(data_dir: Path | None, collection: str, bbox: str | None, datetime_: str | None,
           event_type: str | None, country_code: str | None, cql: str | None, fmt: str | None,
           output: Path | None, max_zoom: int) -> None:
    """Write the matching features as GeoJSON, CSV, GeoPackage, FlatGeobuf, GeoParquet, Shapefile,
    KML, or ACLED's or UCDP GED's CSV columns."""
    store = _existing_store(_data_dir(data_dir))
    params = {k: v for k, v in {"bbox": bbox, "datetime": datetime_, "event_type": event_type,
                                "country_code": country_code, "filter": cql}.items() if v}
    fmt = fmt or (_format_from_name(output) if output is not None else "geojson")
    query = parse_query(params, collection)
    if fmt == "pmtiles":  # vector tiles of the whole layer, for a static host
        from geo.tiles_export import export_pmtiles

        if output is None:
            raise InvalidInput("--format pmtiles writes a file: give -o FILE")
        counts = export_pmtiles(store, collection, query, output, max_zoom)
        click.echo(f"wrote {sum(counts.values())} tiles (zoom 0 to {max_zoom}) to {output}", err=True)
        return
    query.limit = 10**12  # an export is never paged
    result = store.query(collection, query)
    if fmt not in ("geojson", "csv"):
        from geo.io import write_file

        if output is None:
            raise InvalidInput(f"--format {fmt} writes a file: give -o FILE")
        count = write_file(result.features(), output, fmt, collection)
        click.echo(f"wrote {count} {collection} to {output}", err=True)
        return
    if fmt == "csv":
        from geo.csvio import to_csv

        text = to_csv(collection, result.features()).encode("utf-8-sig")  # BOM: spreadsheets read it as UTF-8
    else:
        text = (b'{"type": "FeatureCollection", "features": [\n' + b",\n".join(result.feature_json)
                + b"\n]}\n")
    if output is None:
        sys.stdout.buffer.write(text)
    else:
        output.write_bytes(text)
        click.echo(f"wrote {result.number_matched} {collection} to {output}", err=True)


def _format_from_name(path: Path) -> str:
    """The export format an output file's extension names (geojson when it names none)."""
    from geo.io.formats import FORMATS

    by_extension = {f.extension: f.name for f in FORMATS.values()} | {".json": "geojson", ".pmtiles": "pmtiles"}
    return by_extension.get(path.suffix.lower(), "geojson")


def _extract_files(files: tuple[Path, ...], data_dir: Path | None, published: str | None, url: str | None,
                   progress: bool, max_bytes: int | None = None):
    from geo.extract import Extractor
    from geo.gazetteer import Gazetteer
    from geo.report import MAX_REPORT_BYTES, read_report

    folder = _data_dir(data_dir) if data_dir else cli_db.configured_location()
    if is_database_url(folder):
        gazetteer = cli_db.load_gazetteer(folder)
    elif folder and is_initialised(folder):  # through the store: sites.geojson is a checkpoint of the journal
        from geo.store.geojson import GeoJSONStore

        sites = GeoJSONStore(Path(folder)).query("sites", parse_query({"limit": "10000"})).features()
        gazetteer = Gazetteer.from_features(sites)
    else:
        gazetteer = Gazetteer.load(None)
    extractor = Extractor(gazetteer)
    results = []
    with click.progressbar(files, label="reading reports", file=sys.stderr,
                           show_pos=True) if progress and len(files) > 1 else contextlib.nullcontext(files) as items:
        for path in items:
            results.append(extractor.extract(read_report(path, published, url, max_bytes=max_bytes or MAX_REPORT_BYTES)))
    return extractor, results


REPORT_OPTIONS = [
    click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)),
    click.option("--published", help="Publication date YYYY-MM-DD (overrides the report's own)."),
    click.option("--url", help="The report's URL (overrides the report's own)."),
    click.option("--max-bytes", type=click.IntRange(min=1), default=None,
                 help="Refuse report files larger than this (default 5 MiB); text over 500,000 characters is "
                      "refused whatever the size."),
]


def report_options(command: Callable) -> Callable:
    for option in reversed(REPORT_OPTIONS):
        command = option(command)
    return command


@cli.command()
@report_options
@DATA_OPTION
@friendly_errors
def extract(files: tuple[Path, ...], published: str | None, url: str | None, max_bytes: int | None,
            data_dir: Path | None) -> None:
    """Print the incidents the reports propose, as GeoJSON; stores nothing."""
    _, results = _extract_files(files, data_dir, published, url, progress=False, max_bytes=max_bytes)
    for result in results:
        for message in result.messages:
            click.echo(f"note: {message}", err=True)
    features = [f for result in results for f in result.features]
    collection = {"type": "FeatureCollection", "features": features,
                  "reports": [result.summary() for result in results]}
    sys.stdout.buffer.write(orjson.dumps(collection, option=orjson.OPT_INDENT_2) + b"\n")


@cli.command()
@report_options
@DATA_OPTION
@friendly_errors
def ingest(files: tuple[Path, ...], published: str | None, url: str | None, max_bytes: int | None,
           data_dir: Path | None) -> None:
    """Extract incidents, merge them with the stored ones, and store them as reported."""
    from geo.ingest import ingest_features

    store = _ready_store(_data_dir(data_dir))
    cli_alert.attach(store, _data_dir(data_dir))
    extractor, results = _extract_files(files, _data_dir(data_dir), published, url, progress=True,
                                        max_bytes=max_bytes)
    for result in results:
        for message in result.messages:
            click.echo(f"note: {message}", err=True)
    features = [f for result in results for f in result.features]
    summary = ingest_features(store, features, extractor.ancestors, actor=local_actor(),
                              note="ingested from " + ", ".join(f.name for f in files))
    click.echo(f"{len(files)} report(s), {len(features)} incident(s) proposed: {summary.line()}")
    cli_alert.after_write(store)


@cli.command()
@DATA_OPTION
@click.option("--format", "fmt", default="png", show_default=True, type=click.Choice(["html", "png", "svg", "pdf"]))
@click.option("--datetime", "datetime_", help="RFC 3339 instant or interval, e.g. 2023-12-01/2023-12-31")
@click.option("--bbox", help="minlon,minlat,maxlon,maxlat")
@click.option("--event-type", help="Exact event type(s), comma-separated.")
@click.option("--title", default="Incidents", show_default=True)
@click.option("--width", default=1600, show_default=True, type=click.IntRange(200, 6000), help="Pixels (png).")
@click.option("--height", default=1200, show_default=True, type=click.IntRange(200, 6000), help="Pixels (png).")
@click.option("--dpi", default=200, show_default=True, type=click.IntRange(50, 600))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The file to write.")
@friendly_errors
def render(data_dir: Path | None, fmt: str, datetime_: str | None, bbox: str | None, event_type: str | None,
           title: str, width: int, height: int, dpi: int, output: Path) -> None:
    """Draw the incidents of a filter for a report: a static map (png, svg, pdf) with the trend under it
    (incidents per period stacked by type, killed and injured), or a standalone HTML map."""
    from geo.exports import export_data

    store = _existing_store(_data_dir(data_dir))
    params = {k: v for k, v in {"datetime": datetime_, "bbox": bbox, "event_type": event_type,
                                "title": title}.items() if v}
    if fmt == "html":
        from webapp.pages import standalone_html  # the web layer assembles the map page

        output.write_text(standalone_html(store, params), encoding="utf-8")
        count = len(export_data(store, params).incidents)
    else:
        from geo.render import RenderRequest
        from geo.render import render as draw

        data = export_data(store, params)
        output.write_bytes(draw(RenderRequest(data.incidents, data.sites, title=title, subtitle=data.description,
                                              fmt=fmt, width_px=width, height_px=height, dpi=dpi,
                                              trend=data.trend)))
        count = len(data.incidents)
    click.echo(f"wrote {output} ({count} incidents)", err=True)


def local_actor() -> str:
    """Who a change made from this machine's command line is recorded as."""
    import getpass

    try:
        return f"local:{getpass.getuser()}"
    except (KeyError, OSError):
        return "local"


from geo import cli_alert, cli_token  # noqa: E402  (subcommand groups register themselves on cli)

cli_token.register(cli, DATA_OPTION, friendly_errors)
cli_db.register(cli, friendly_errors, local_actor)
cli_alert.register(cli, DATA_OPTION, friendly_errors, _data_dir, _existing_store)

from geo import cli_live  # noqa: E402

cli_live.register(cli, DATA_OPTION, friendly_errors)


def main() -> None:
    cli(prog_name="incidentmap")


