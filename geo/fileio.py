"""Writing files so that a reader or a crash sees the old content or the new, never half."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_temp(path: Path, chunks: Iterable[bytes], mode: int = 0o644) -> str:
    """``chunks`` written and fsynced to a new temporary file beside ``path``; its name.
    The caller renames it into place (``os.replace``) or removes it."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def atomic_write_chunks(path: Path, chunks: Iterable[bytes], mode: int = 0o644) -> None:
    """Write ``chunks`` to a temporary file beside ``path``, fsync it, and rename it over ``path``."""
    tmp = write_temp(path, chunks, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    fsync_dir(Path(path).parent)


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    atomic_write_chunks(path, (data,), mode)


@contextmanager
def held(path: Path, timeout: float) -> Iterator[None]:
    """Hold the cross-process lock file ``path``, waiting at most ``timeout`` seconds for another
    holder (``filelock.Timeout`` then). When the lock is not free at once, the folder is first
    checked for taking new files, so a folder where no lock file can be made (read-only, or not
    a real folder, like /proc/self) fails at once with the OSError rather than after the wait."""
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        _check_can_create(Path(path).parent)
        lock.acquire(timeout=timeout)
    try:
        yield
    finally:
        lock.release()


def _check_can_create(folder: Path) -> None:
    fd, name = tempfile.mkstemp(dir=folder, prefix=".probe.", suffix=".tmp")
    os.close(fd)
    os.unlink(name)
