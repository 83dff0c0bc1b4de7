"""Sustained load on the map's typical queries, and whether the server's memory stays flat.

    python bench/load_bench.py [--n 100000] [--minutes 10] [--threads 4] [--workers 2]

Serves N generated incidents (bench/generate.py, cached in --cache) with gunicorn
on 127.0.0.1 and sends, from T client threads, a seeded mix of what the map asks
while people use it: the per-day counts for the time histogram, the incidents
in a view (a region or a city, 30 days, limit 5000), the grid aggregate for a
zoomed-out view (when the server has it), and one incident by id. It stops by
itself after --minutes or --max-requests, whichever comes first.

Prints requests per second overall and per minute, p50 and p99 per kind, the
number of failed answers, and the memory (PSS) of the gunicorn master and
workers sampled every 15 seconds, with the growth from the first minute to the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.webapp.live_server import free_port, start_server, wait_until_up  # noqa: E402

VIEWS = {
    "region": (38.0, 29.0, 48.0, 37.0),
    "baghdad": (44.0, 33.0, 44.8, 33.6),
    "syria_east": (39.5, 34.0, 41.5, 36.8),
    "erbil_kirkuk": (43.5, 35.2, 44.6, 36.4),
}


def prepared_data(n: int, cache: Path) -> Path:
    """A data folder holding ``n`` generated incidents, made once and reused."""
    data = cache / f"data-{n}"
    if (data / "incidents.geojson").exists():
        return data
    cache.mkdir(parents=True, exist_ok=True)
    source = cache / f"incidents-{n}.geojson"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(n), str(source)], check=True)
    subprocess.run([sys.executable, "-m", "geo", "init", "--data", str(data), "--empty"], check=True)
    subprocess.run([sys.executable, "-m", "geo", "import", str(source), "--data", str(data)], check=True)
    return data


def window(rng: random.Random, days: int) -> str:
    start = date(2023, 10, 1) + timedelta(days=rng.randrange(458 - days))
    return f"{start}T00:00:00Z/{start + timedelta(days=days - 1)}T23:59:59Z"


def next_request(rng: random.Random, n: int, has_aggregate: bool) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.2:
        return "counts", f"/collections/incidents/counts?datetime={window(rng, 90)}"
    if roll < 0.6:
        name = rng.choice(["baghdad", "syria_east", "erbil_kirkuk"])
        bbox = ",".join(map(str, VIEWS[name]))
        return "view_items", f"/collections/incidents/items?bbox={bbox}&datetime={window(rng, 30)}&limit=5000&f=json"
    if roll < 0.8:
        bbox = ",".join(map(str, VIEWS["region"]))
        if has_aggregate:
            return "region_aggregate", f"/collections/incidents/aggregate?bbox={bbox}&datetime={window(rng, 30)}&size=0.25"
        return "region_items", f"/collections/incidents/items?bbox={bbox}&datetime={window(rng, 7)}&limit=5000&f=json"
    return "by_id", f"/collections/incidents/items/inc-{rng.randint(1, n):07d}?f=json"


def memory_mb(root_pid: int) -> tuple[float, float]:
    """(PSS, RSS) of a process and its children, in MB, from /proc. PSS splits each shared
    page among the processes sharing it (gunicorn's workers share the master's index), so it
    is what the server really holds; RSS counts shared pages once per process."""
    pids = [root_pid]
    try:
        children = Path(f"/proc/{root_pid}/task/{root_pid}/children").read_text().split()
        pids += [int(p) for p in children]
    except OSError:
        pass
    pss_kb = rss_kb = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss_kb += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss_kb += int(line.split()[1])
        except OSError:
            continue
    return pss_kb / 1024, rss_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=2_000_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/incidentmap-bench"))
    args = parser.parse_args()

    data = prepared_data(args.n, args.cache)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(data, port, workers=args.workers, log_dir=args.cache)
    try:
        wait_until_up(base, proc, args.cache / f"server-{port}.log", timeout=300)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("GET", "/openapi?f=json")
        has_aggregate = "/collections/{collectionId}/aggregate" in json.loads(conn.getresponse().read())["paths"]
        for _ in range(4 * args.workers):  # every worker builds its index before the clock starts
            conn.request("GET", "/collections/incidents/items?limit=1")
            conn.getresponse().read()
        conn.close()

        results: list[tuple[float, str, float, int]] = []  # (finished at, kind, ms, status)
        lock = threading.Lock()
        started = time.monotonic()
        deadline = started + args.minutes * 60
        memory: list[tuple[float, float]] = [(0.0, memory_mb(proc.pid)[0])]
        stop = threading.Event()

        def client(seed: int) -> None:
            rng = random.Random(seed)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            while not stop.is_set() and time.monotonic() < deadline:
                kind, path = next_request(rng, args.n, has_aggregate)
                t0 = time.perf_counter()
                try:
                    connection.request("GET", path)
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    status = 0
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    results.append((time.monotonic() - started, kind, elapsed, status))
                    if len(results) >= args.max_requests:
                        stop.set()
            connection.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.threads)]
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            time.sleep(min(15.0, max(0.1, deadline - time.monotonic())))
            memory.append((time.monotonic() - started, memory_mb(proc.pid)[0]))
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)

    failed = sum(1 for *_, status in results if status != 200)
    print(f"\n{args.n} incidents, gunicorn {args.workers} workers, {args.threads} client threads, "
          f"{wall / 60:.1f} min, {len(results)} requests, {failed} not 200")
    print(f"sustained: {len(results) / wall:.1f} requests/s")
    print(f"{'kind':<18}{'p50 ms':>9}{'p99 ms':>9}{'n':>8}")
    for kind in sorted({k for _, k, _, _ in results}):
        times = sorted(ms for _, k, ms, _ in results if k == kind)
        p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
        print(f"{kind:<18}{statistics.median(times):9.1f}{p99:9.1f}{len(times):8d}")
    every = sorted(ms for _, _, ms, _ in results)
    print(f"{'all':<18}{statistics.median(every):9.1f}{every[int(round(0.99 * (len(every) - 1)))]:9.1f}"
          f"{len(every):8d}")
    print("\nrequests/s per minute:", " ".join(
        f"{sum(1 for t, *_ in results if m * 60 <= t < (m + 1) * 60) / 60:.0f}"
        for m in range(int(wall // 60))))
    print("memory (PSS MB, master + workers) every 15 s:", " ".join(f"{mb:.0f}" for _, mb in memory))
    after_warmup = [mb for t, mb in memory if t >= 60] or [memory[-1][1]]
    growth = memory[-1][1] - after_warmup[0]
    print(f"memory from the first minute to the end: {after_warmup[0]:.0f} -> {memory[-1][1]:.0f} MB "
          f"({growth:+.0f} MB, {100 * growth / after_warmup[0]:+.1f}%)")


if __name__ == "__main__":
    main()
