"""A drop folder: every ``.txt``, ``.html`` or ``.json`` report put there is ingested once.

A file is moved to ``done/`` once stored, or to ``failed/`` with its reason beside it
(``NAME.reason``) when it cannot be read; a file that fails because the store could not be written
stays where it is and is tried again with the folder. Write a report elsewhere and move it in (or
give it a name starting with ``.`` until it is whole), so that half a file is never read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from geo.errors import InvalidInput
from geo.fileio import atomic_write_bytes, fsync_dir
from geo.live.seen import SourceState
from geo.live.sources import Source
from geo.live.watch import ItemFailed
from geo.report import read_report

if TYPE_CHECKING:
    from geo.live.watch import Watcher

SUFFIXES = (".txt", ".html", ".htm", ".json")


def pending(folder: Path) -> list[Path]:
    """The reports waiting in ``folder``, oldest first (hidden files and sub-folders left alone)."""
    files = []
    for entry in os.scandir(folder):
        if entry.name.startswith(".") or not entry.name.lower().endswith(SUFFIXES) or not entry.is_file():
            continue
        files.append((entry.stat().st_mtime, entry.name, Path(entry.path)))
    return [path for _, _, path in sorted(files)]


def poll(source: Source, state: SourceState, watcher: Watcher) -> None:
    folder = Path(source.location)
    if not folder.is_dir():
        raise InvalidInput(f"the folder {source.location} does not exist (or is not a folder)")
    for path in pending(folder):
        try:
            report = read_report(path)
            watcher.ingest(source, f"done/{_free_name(folder / 'done', path.name)}", report)
        except (InvalidInput, ItemFailed) as exc:
            reason = exc.description if isinstance(exc, InvalidInput) else str(exc)
            moved = move(path, folder / "failed", reason)
            watcher.item_failed(source, f"failed/{moved.name}", path.name, reason)
            continue
        move(path, folder / "done")


def _free_name(folder: Path, name: str) -> str:
    """``name``, or ``stem-2.ext`` and so on when ``folder`` already holds one of that name."""
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 1
    while (folder / candidate).exists() or (folder / f"{candidate}.reason").exists():
        n += 1
        candidate = f"{stem}-{n}{dot}{ext}"
    return candidate


def move(path: Path, into: Path, reason: str | None = None) -> Path:
    """Move ``path`` into the folder ``into`` (made when missing) under a free name; with ``reason``,
    write it first in ``NAME.reason`` beside it. The move is a rename: never half a file."""
    into.mkdir(exist_ok=True)
    target = into / _free_name(into, path.name)
    if reason is not None:
        atomic_write_bytes(into / f"{target.name}.reason", (reason.rstrip() + "\n").encode("utf-8"))
    os.replace(path, target)
    fsync_dir(into)
    fsync_dir(path.parent)
    return target
