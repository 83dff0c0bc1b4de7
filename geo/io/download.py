"""Items as a file to download (CSV, GeoPackage, FlatGeobuf): every match of the filters,
streamed in pieces so a large layer never sits in the answer's memory twice."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson

from geo.errors import NotFound
from geo.gctools import gc_paused
from geo.query import parse_query
from geo.store import Store

DOWNLOAD_FORMATS = ("csv", "gpkg", "fgb")
MAX_FEATURES = 10_000_000  # a download without a limit: every match, up to this
_BLOCK = 1 << 20


@dataclass
class Download:
    """A file to send: its media type, name, the number of features and its bytes in pieces."""

    media_type: str
    filename: str
    number_matched: int
    chunks: Iterable[bytes]


def download(store: Store, collection_id: str, params: Mapping[str, str], fmt: str) -> Download:
    """Every feature matching the items parameters (or the page ``limit``/``offset`` ask for) as
    ``fmt``; raises InvalidParameterValue for a bad parameter, NotFound for no collection."""
    from geo.io.formats import FORMATS

    if collection_id not in store.names:
        raise NotFound(f"no collection {collection_id!r}")
    query = parse_query({k: v for k, v in params.items() if k != "f"}, collection_id)
    if "limit" not in params:
        query.limit = MAX_FEATURES
    result = store.query(collection_id, query)
    spec = FORMATS[fmt]
    filename = f"{collection_id}{spec.extension}"
    if fmt == "csv":
        return Download(spec.media_type, filename, result.number_matched,
                        _csv_chunks(result.feature_json, collection_id))
    return Download(spec.media_type, filename, result.number_matched,
                    _file_chunks(result.feature_json, collection_id, fmt))


BOM = "\ufeff".encode()  # the UTF-8 byte order mark


def _csv_chunks(raws: list[bytes], collection: str) -> Iterator[bytes]:
    from geo.io.tables import csv_chunks

    features = (orjson.loads(raw) for raw in raws)
    yield BOM  # spreadsheets read the file as UTF-8 (Arabic names and quotes) only with it
    if collection == "incidents":
        for text in csv_chunks(features, "csv"):
            yield text.encode("utf-8")
        return
    from geo.csvio import to_csv

    yield to_csv(collection, features).encode("utf-8")


class _TempFile:
    """A written temporary file as an iterable of blocks; the file goes when the iteration
    ends or the server closes the answer (also when the client left before the first block)."""

    def __init__(self, path: Path):
        self.path = path

    def __iter__(self) -> Iterator[bytes]:
        try:
            with self.path.open("rb") as handle:
                while block := handle.read(_BLOCK):
                    yield block
        finally:
            self.close()

    def close(self) -> None:
        folder = self.path.parent
        if folder.exists():
            for leftover in folder.iterdir():
                leftover.unlink()
            os.rmdir(folder)


def _file_chunks(raws: list[bytes], collection: str, fmt: str) -> _TempFile:
    """The features written by GDAL to a temporary file now (so a failure is an error answer,
    not a cut download), to be sent in blocks."""
    from geo.io.formats import FORMATS, write_features

    path = Path(tempfile.mkdtemp(prefix="incidentmap-download-")) / f"{collection}{FORMATS[fmt].extension}"
    stream = _TempFile(path)
    try:
        with gc_paused():
            write_features([orjson.loads(raw) for raw in raws], path, fmt, collection)
    except BaseException:
        stream.close()
        raise
    return stream
