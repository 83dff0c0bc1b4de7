"""Files in and out through GDAL (pyogrio) where it has a driver, GeoParquet through pyarrow.

Every format holds the same table (see geo.io.frame): one row per feature, nested values as
JSON text. Shapefile's limits are met in a documented way: column names are cut to its 10
characters by the fixed map ``SHAPEFILE_NAMES``, and a text longer than a DBF field's 254 bytes
is cut in the ``.dbf`` and kept whole in ``<name>.long.csv`` beside it (columns ``id``,
``field``, ``value``), which the import reads back.
"""

from __future__ import annotations

import csv
import os
import tempfile
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from geo.errors import InvalidInput
from geo.io.frame import CRS, features_from_frame, frame_from_features, table_from_features


@dataclass(frozen=True)
class Format:
    """A file format: its name on the command line, extension, GDAL driver and media type."""

    name: str
    extension: str
    driver: str | None  # None: not through GDAL
    media_type: str
    binary: bool = True


FORMATS = {f.name: f for f in (
    Format("geojson", ".geojson", None, "application/geo+json", binary=False),
    Format("csv", ".csv", None, "text/csv", binary=False),
    Format("gpkg", ".gpkg", "GPKG", "application/geopackage+sqlite3"),
    Format("fgb", ".fgb", "FlatGeobuf", "application/flatgeobuf"),
    Format("parquet", ".parquet", None, "application/vnd.apache.parquet"),
    Format("shp", ".shp", "ESRI Shapefile", "application/x-shapefile"),
    Format("kml", ".kml", "LIBKML", "application/vnd.google-earth.kml+xml", binary=False),
)}
_EXTENSIONS = {f.extension: f.name for f in FORMATS.values()} | {".json": "geojson", ".geoparquet": "parquet"}

# Shapefile column names (at most 10 characters): the same map both ways
SHAPEFILE_NAMES = {
    "date_precision": "date_prec", "perpetrator": "perpetr", "attribution": "attrib",
    "country_code": "country_cd", "geo_precision": "geo_prec", "disagreements": "disagree",
    "confidence": "confidence", "time_local": "time_local",
}
_FROM_SHAPEFILE = {v: k for k, v in SHAPEFILE_NAMES.items()}
DBF_TEXT_BYTES = 254
_STEM = "export"
_KML_FIELDS = ("Name", "Description", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude",
               "visibility", "drawOrder", "icon", "snippet")


def format_of(path: Path, given: str | None = None) -> str:
    """The format named by ``given``, else by the file's extension; InvalidInput otherwise."""
    if given:
        if given not in FORMATS:
            raise InvalidInput(f"unknown format {given!r}; formats: {', '.join(FORMATS)}")
        return given
    name = _EXTENSIONS.get(Path(path).suffix.lower())
    if name is None:
        raise InvalidInput(f"{Path(path).name}: cannot tell the format from the extension "
                           f"{Path(path).suffix or '(none)'!r}; give --format ({', '.join(FORMATS)})")
    return name


def layer_name(collection: str) -> str:
    return collection


def write_frame(frame: gpd.GeoDataFrame, path: Path, fmt: str, collection: str = "incidents") -> None:
    """Write the table to ``path`` in ``fmt`` (a GDAL format, or parquet). The file (and a
    Shapefile's side files) is written in a temporary folder beside it, then renamed into place,
    so a failed or interrupted export leaves any earlier file as it was."""
    spec = FORMATS[fmt]
    path = Path(path)
    kinds = set(frame.geometry.geom_type.dropna()) if len(frame) else set()
    if fmt == "shp" and len(kinds) > 1:
        raise InvalidInput(f"a Shapefile holds one geometry type and these features mix {', '.join(sorted(kinds))}; "
                           "use gpkg, fgb or parquet")
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.") as folder:
        out = Path(folder) / f"{_STEM}{spec.extension}"
        if fmt == "parquet":
            frame.to_parquet(out, index=False)
        else:
            if fmt == "shp":
                frame = _shapefile_frame(frame, out)
            options = {"layer": layer_name(collection)} if fmt in ("gpkg", "kml", "fgb") else {}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on field widths and the like
                pyogrio.write_dataframe(frame, out, driver=spec.driver, use_arrow=True, **options)
        if fmt == "shp" and not long_text_path(out).exists():
            long_text_path(path).unlink(missing_ok=True)  # an earlier export's long texts are not this one's
        for produced in sorted(Path(folder).iterdir(), key=lambda p: p == out):  # the main file last
            target = path if produced == out else path.with_name(path.stem + produced.name[len(_STEM):])
            os.replace(produced, target)


ARROW_FORMATS = ("gpkg", "fgb")  # written from a pyarrow Table, no GeoDataFrame (the downloads' formats)


def write_features(features: Iterable[dict], path: Path, fmt: str, collection: str = "incidents") -> int:
    """Write the features to ``path`` in ``fmt``; how many were written."""
    if fmt in ARROW_FORMATS:
        features = list(features)
        try:
            table = table_from_features(features, collection)
        except ValueError:
            pass  # a value its column type cannot hold: the GeoDataFrame path cleans it
        else:
            write_table(table, path, fmt, collection)
            return table.num_rows
    frame = frame_from_features(features, collection)
    write_frame(frame, path, fmt, collection)
    return len(frame)


def write_table(table, path: Path, fmt: str, collection: str = "incidents") -> None:
    """Write a :func:`geo.io.frame.table_from_features` table (geometry as WKB) through GDAL's
    Arrow interface, in a temporary folder beside ``path`` and renamed into place, as write_frame."""
    import pyproj

    spec = FORMATS[fmt]
    path = Path(path)
    geometry_type = (table.schema.metadata or {}).get(b"geometry_type", b"Unknown").decode()
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.") as folder:
        out = Path(folder) / f"{_STEM}{spec.extension}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            pyogrio.write_arrow(table, out, driver=spec.driver, layer=layer_name(collection),
                                geometry_name="geometry", geometry_type=geometry_type,
                                crs=pyproj.CRS(CRS).to_wkt())
        os.replace(out, path)


def read_frame(path: Path, fmt: str) -> gpd.GeoDataFrame:
    """The file's first layer as a GeoDataFrame in CRS84 (reprojected if it is in another CRS)."""
    path = Path(path)
    try:
        if fmt == "parquet":
            frame = gpd.read_parquet(path)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # e.g. a GeoPackage named other than .gpkg
                frame = pyogrio.read_dataframe(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError, ValueError) as exc:
        raise InvalidInput(f"{path.name}: cannot be read as {fmt}: {str(exc).splitlines()[0]}") from None
    if frame.crs is not None and not frame.crs.equals("OGC:CRS84"):
        frame = frame.to_crs("OGC:CRS84")
    if fmt == "shp":
        frame = _from_shapefile(frame, path)
    if fmt == "kml":  # LIBKML's own placemark fields, and the height it adds to every point
        if "Name" in frame.columns and "name" not in frame.columns and frame["Name"].notna().any():
            frame = frame.rename(columns={"Name": "name"})  # a "name" column is written as <name>
        frame = frame.drop(columns=[c for c in _KML_FIELDS if c in frame.columns])
        frame = frame.set_geometry(shapely.force_2d(frame.geometry.values), crs=frame.crs)
    return frame


def read_features(path: Path, fmt: str, collection: str = "incidents") -> list[dict]:
    """The file's features; InvalidInput naming the file, the feature and the column."""
    frame = read_frame(path, fmt)
    try:
        return list(features_from_frame(frame, collection))
    except ValueError as exc:
        raise InvalidInput(f"{Path(path).name}: {exc}") from None


# ---- Shapefile ----------------------------------------------------------------------------


def _cut(text: str, limit: int = DBF_TEXT_BYTES) -> str:
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def long_text_path(path: Path) -> Path:
    return Path(path).with_suffix(".long.csv")


def _shapefile_frame(frame: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    """Short column names, long texts cut, and the whole texts in the side table."""
    frame = frame.rename(columns=SHAPEFILE_NAMES)
    long_rows = []
    for column in frame.columns:
        if column == frame.geometry.name or frame[column].dtype != object:
            continue
        values = frame[column].tolist()
        for i, value in enumerate(values):
            if isinstance(value, str) and len(value.encode("utf-8")) > DBF_TEXT_BYTES:
                long_rows.append((frame["id"].iat[i], _FROM_SHAPEFILE.get(column, column), value))
                values[i] = _cut(value)
        frame[column] = values
    if long_rows:
        with long_text_path(path).open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(("id", "field", "value"))
            writer.writerows(long_rows)
    return frame


def _from_shapefile(frame: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    frame = frame.rename(columns=_FROM_SHAPEFILE)
    side = long_text_path(path)
    if side.exists() and "id" in frame.columns:
        position = {fid: i for i, fid in enumerate(frame["id"].tolist())}
        with side.open(newline="", encoding="utf-8") as handle:
            for n, row in enumerate(csv.DictReader(handle), start=2):
                at = position.get(row.get("id"))
                if at is None or row.get("field") not in frame.columns:
                    raise InvalidInput(f"{side.name}: row {n} names no feature and column of {path.name}: "
                                       f"{row.get('id')!r}, {row.get('field')!r}")
                frame[row["field"]] = frame[row["field"]].astype(object)
                frame.iat[at, frame.columns.get_loc(row["field"])] = row["value"]
    return frame
