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


@contextlib.contextmanager
def running_server(data_dir: Path, workers: int = 2, env: dict | None = None):
    """Yield the base URL of a server over ``data_dir``; stop it afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "geo", "serve", "--data", str(data_dir), "--port", str(port),
               "--workers", str(workers)]
    log = open(data_dir.parent / f"server-{port}.log", "w")
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/conformance", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log_text = (data_dir.parent / f"server-{port}.log").read_text()
                    raise RuntimeError(f"server did not start: {log_text}") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
