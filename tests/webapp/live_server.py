"""Start ``incidentmap serve`` (gunicorn) on a free loopback port for a test."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: Path, port: int, workers: int = 2, env: dict | None = None,
                 log_dir: Path | None = None, extractor: bool = False) -> subprocess.Popen:
    """``incidentmap serve`` in its own process group (so a test can kill master and workers at once).
    Its log goes to ``server-<port>.log`` in ``log_dir`` (default: beside the data folder). The
    report extractor is built before the workers fork only with ``extractor=True``, for tests that
    ingest: it is most of a start (about 4 s of 5.5 on a loaded 2-core machine); without it the
    server builds one on its first ingest, as with INCIDENTMAP_PRELOAD_EXTRACTOR=off."""
    preload = {} if extractor else {"INCIDENTMAP_PRELOAD_EXTRACTOR": "off"}
    command = [sys.executable, "-m", "geo", "serve", "--data", str(data_dir), "--port", str(port),
               "--workers", str(workers)]
    log = open((log_dir or data_dir.parent) / f"server-{port}.log", "a")
    try:
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, **preload, **(env or {})})
    finally:
        log.close()


def wait_until_up(base: str, proc: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{base}/conformance", timeout=2).read()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {log_path.read_text()}") from None
            time.sleep(0.1)


@contextlib.contextmanager
def running_server(data_dir: Path, workers: int = 2, env: dict | None = None, extractor: bool = False):
    """Yield the base URL of a server over ``data_dir``; stop it afterwards."""
    port = free_port()
    proc = start_server(data_dir, port, workers, env, extractor=extractor)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc, data_dir.parent / f"server-{port}.log")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
