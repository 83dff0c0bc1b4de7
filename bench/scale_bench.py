"""The scale issue's benchmark: a million incidents in both stores (and pygeoapi), one query mix.

    python bench/scale_bench.py [--n 1000000] [--requests 100] [--cache /tmp/incidentmap-scale]
                                [--stores geojson,postgis] [--skip-pygeoapi]
                                [--source FILE] [--data DIR]

Generates N incidents (bench/generate.py), imports them into a GeoJSON data folder
(``incidentmap import``) and migrates that folder into PostGIS (``incidentmap migrate``,
on a throwaway cluster on a loopback port kept in the cache folder), printing the load
times. Everything made is cached under --cache (keyed by N), so a rerun skips
generating and loading; --source and --data reuse a generated file and a data folder
made elsewhere (their load time is then not measured).

For each store, ``incidentmap serve`` (gunicorn, 2 workers) answers a seeded mix, from
1 and then from 4 client threads, of five kinds of request: a bbox around Baghdad with
a 30-day window (limit 1000), the whole region with a 7-day window (limit 1000), a page
of 100 at a random offset, one feature by id, and a map view's grid aggregate (the
region, 30 days, 0.25-degree cells). Every answer is checked against the generated file
(numpy over its coordinates and dates): numberMatched where the store says it is exact,
else the page's size and that every feature returned matches (the estimate's error is
reported); the page's ids; the feature by id and its coordinates; the aggregate's total
and its cells' sum. The same queries' SQL (count included) is timed with psycopg on the
PostGIS data, as the "raw SQL" row, and pygeoapi (its PostgreSQL provider over a table
of the same incidents, gunicorn with 2 workers) answers the same mix without the
aggregate when it is installed in --pygeoapi-venv.

Prints p50 per kind and requests/s beside the issue's reference figures, the number of
wrong answers, the embedded store's start time and memory (PSS and RSS of master and
workers), and pass/fail for each target of the issue.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pg import PG_BIN, Cluster, unavailable  # noqa: E402
from tests.webapp.live_server import free_port  # noqa: E402

BAGHDAD = (44.0, 33.0, 44.8, 33.6)
REGION = (38.0, 29.0, 48.0, 37.0)
AGGREGATE_SIZE = 0.25
START, DAYS = date(2023, 10, 1), 458  # bench/generate.py's dates
KINDS = ("baghdad_30d", "region_7d", "page_100", "by_id", "aggregate")
ITEM_KINDS = KINDS[:4]
LABELS = {"baghdad_30d": "Baghdad 30 d", "region_7d": "region 7 d", "page_100": "page at offset",
          "by_id": "by id", "aggregate": "aggregate"}
# the issue's figures: pygeoapi 0.21, PostgreSQL provider, gunicorn 2 workers, 1,000,000 incidents
REFERENCE = {
    "pygeoapi PostgreSQL, 4 threads (issue)": ((219, 207, 260, 100, None), 19.3),
    "pygeoapi PostgreSQL, 1 thread (issue)": ((70, 58, 124, 3, None), 14.0),
    "raw SQL (issue)": ((20, 10, 102, 0.3, None), None),
}
PYGEOAPI_TABLE = "pygeoapi_incidents"


# ---- the data and what every answer should be -----------------------------------------------------

@dataclass
class Truth:
    """Coordinates, day spans and ids of every generated incident, in file order."""

    lon: np.ndarray
    lat: np.ndarray
    day_from: np.ndarray  # days since START
    day_to: np.ndarray
    ids: np.ndarray
    id_order: np.ndarray = field(init=False)  # positions in id order (both stores' default order)
    position: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.id_order = np.argsort(self.ids, kind="stable")
        self.position = {fid: i for i, fid in enumerate(self.ids.tolist())}

    def __len__(self) -> int:
        return len(self.ids)

    def mask(self, bbox: tuple[float, float, float, float], days: tuple[int, int]) -> np.ndarray:
        """Incidents inside the bbox (edges included) whose day span meets the window."""
        x0, y0, x1, y1 = bbox
        return ((self.lon >= x0) & (self.lon <= x1) & (self.lat >= y0) & (self.lat <= y1)
                & (self.day_to >= days[0]) & (self.day_from <= days[1]))


def day_number(text: str) -> int:
    return (date.fromisoformat(text[:10]) - START).days


def load_truth(source: Path, cache: Path) -> Truth:
    """The Truth of a generated file, read once and kept as .npz beside the other cached files."""
    stat = source.stat()
    saved = cache / f"truth-{source.stem}-{stat.st_size}.npz"
    if saved.exists():
        arrays = np.load(saved)
        return Truth(arrays["lon"], arrays["lat"], arrays["day_from"], arrays["day_to"], arrays["ids"])
    lon, lat, day_from, day_to, ids = [], [], [], [], []
    with source.open("rb") as lines:
        for line in lines:
            line = line.strip().rstrip(b",")
            if not line.startswith(b'{"type": "Feature"'):
                continue  # the FeatureCollection's first and last lines (bench/generate.py's layout)
            feature = orjson.loads(line)
            props = feature["properties"]
            x, y = feature["geometry"]["coordinates"][:2]
            lon.append(x)
            lat.append(y)
            day_from.append(day_number(props.get("date_from") or props["date"]))
            day_to.append(day_number(props.get("date_to") or props["date"]))
            ids.append(feature["id"])
    truth = Truth(np.array(lon), np.array(lat), np.array(day_from, dtype=np.int32),
                  np.array(day_to, dtype=np.int32), np.array(ids))
    np.savez(saved, lon=truth.lon, lat=truth.lat, day_from=truth.day_from, day_to=truth.day_to, ids=truth.ids)
    return truth


@dataclass
class Request:
    kind: str
    path: str
    params: dict[str, str]
    days: tuple[int, int] | None = None
    bbox: tuple[float, float, float, float] | None = None


def plan(requests_per_kind: int, n: int, seed: int, kinds: tuple[str, ...] = KINDS) -> list[Request]:
    """A seeded, shuffled mix of ``requests_per_kind`` of each kind."""
    rng = random.Random(seed)
    order = [kind for kind in kinds for _ in range(requests_per_kind)]
    rng.shuffle(order)
    out = []
    for kind in order:
        if kind == "by_id":
            fid = f"inc-{rng.randint(1, n):07d}"
            out.append(Request(kind, f"/collections/incidents/items/{fid}?f=json", {"id": fid}))
            continue
        if kind == "page_100":
            params = {"limit": "100", "offset": str(100 * rng.randrange(max(1, n // 100)))}
            out.append(Request(kind, "/collections/incidents/items?" + _query(params, "json"), params))
            continue
        bbox, days = (BAGHDAD, 30) if kind == "baghdad_30d" else (REGION, 7 if kind == "region_7d" else 30)
        first = rng.randrange(DAYS - days)
        start = START + timedelta(days=first)
        params = {"bbox": ",".join(map(str, bbox)),
                  "datetime": f"{start}T00:00:00Z/{start + timedelta(days=days - 1)}T23:59:59Z"}
        if kind == "aggregate":
            params["size"] = str(AGGREGATE_SIZE)
            path = "/collections/incidents/aggregate?" + _query(params, None)
        else:
            params["limit"] = "1000"
            path = "/collections/incidents/items?" + _query(params, "json")
        out.append(Request(kind, path, params, (first, first + days - 1), bbox))
    return out


def _query(params: dict[str, str], f: str | None) -> str:
    return "&".join([f"{k}={v}" for k, v in params.items()] + ([f"f={f}"] if f else []))


@dataclass
class Verdict:
    wrong: str | None = None  # why the answer is wrong, or None
    estimate_error: float | None = None  # relative error of an estimated numberMatched


def check(request: Request, status: int, body: bytes, truth: Truth) -> Verdict:
    """Whether one answer agrees with the data."""
    if status != 200:
        return Verdict(f"HTTP {status}: {body[:200]!r}")
    doc = orjson.loads(body)
    if request.kind == "by_id":
        i = truth.position.get(request.params["id"])
        x, y = doc.get("geometry", {}).get("coordinates", [None, None])[:2]
        if i is None or doc.get("id") != request.params["id"] or (x, y) != (truth.lon[i], truth.lat[i]):
            return Verdict(f"feature {request.params['id']} differs: {body[:200]!r}")
        return Verdict()
    if request.kind == "page_100":
        matched = len(truth)
        offset, limit = int(request.params["offset"]), int(request.params["limit"])
        expected_ids = truth.ids[truth.id_order[offset:offset + limit]].tolist()
    else:
        inside = truth.mask(request.bbox, request.days)
        matched = int(inside.sum())
        expected_ids = None
    if request.kind == "aggregate":
        total = sum(cell["properties"]["count"] for cell in doc["features"])
        if total != matched or doc.get("numberMatched") != matched:
            return Verdict(f"aggregate: cells sum to {total}, numberMatched {doc.get('numberMatched')}, "
                           f"the data holds {matched}")
        return Verdict()
    features = doc.get("features", [])
    returned = min(int(request.params["limit"]), max(0, matched - int(request.params.get("offset", 0))))
    if doc.get("numberReturned") != returned or len(features) != returned:
        return Verdict(f"{len(features)} features, numberReturned {doc.get('numberReturned')}, expected {returned}")
    got_ids = [f["id"] for f in features]
    if len(set(got_ids)) != len(got_ids):
        return Verdict("a feature is returned twice")
    if expected_ids is not None and got_ids != expected_ids:
        return Verdict(f"page at offset {request.params['offset']} holds other features than the data's")
    if expected_ids is None:
        positions = [truth.position.get(fid) for fid in got_ids]
        if None in positions or not inside[np.array(positions, dtype=np.int64)].all():
            return Verdict("a returned feature does not match the filter")
    estimate_error = None
    if doc.get("numberMatchedExact", True) is False:
        estimate_error = (doc.get("numberMatched", 0) - matched) / max(1, matched)
    elif doc.get("numberMatched") != matched:
        return Verdict(f"numberMatched {doc.get('numberMatched')}, the data holds {matched}")
    return Verdict(None, estimate_error)


# ---- PostgreSQL -----------------------------------------------------------------------------------

class CachedCluster(Cluster):
    """tests/pg.py's cluster, but in a folder of the cache that outlives the run (so a loaded
    database is reused), with more shared memory than the tests give it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.as_root = os.geteuid() == 0
        root.mkdir(parents=True, exist_ok=True)
        if self.as_root:
            shutil.chown(root, user="postgres", group="postgres")
        self.port = 0

    def running_port(self) -> int | None:
        """The port of this cluster's running postmaster, or None."""
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return None
        lines = pid_file.read_text().splitlines()
        try:
            os.kill(int(lines[0]), 0)
        except (OSError, ValueError):
            return None
        return int(lines[3])

    def start(self) -> CachedCluster:
        if not (self.data / "PG_VERSION").exists():
            self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                      "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        port = self.running_port()
        if port:
            self.port = port
            return self
        self.port = free_port()
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                   "-c shared_buffers=512MB -c maintenance_work_mem=512MB")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"),
                  "-o", options, "-w", "-t", "120", "start")
        return self

    def stop(self) -> None:
        """Stop the server; keep its files for the next run."""
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


def load_postgis(cluster: CachedCluster, data: Path, n: int) -> tuple[str, str]:
    """The URL of a database holding the data folder's incidents (``incidentmap migrate``), and
    how long the migration took (now or in the run that made it)."""
    name = f"incidents_{n}"
    marker = cluster.root / f"{name}.loaded"
    url = cluster.url(name)
    if marker.exists():  # a database of an older schema version is brought up to date first
        subprocess.run([sys.executable, "-m", "geo", "db", "upgrade", "--store", url], check=True,
                       stdout=subprocess.DEVNULL)
        return url, f"{marker.read_text().strip()} (cached from an earlier run)"
    cluster.create_database(name)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "geo", "migrate", "--from", str(data), "--to", url], check=True,
                   stdout=subprocess.DEVNULL)
    took = f"{time.perf_counter() - started:.0f} s"
    marker.write_text(took + "\n")
    return url, f"{took} (this run; migrate includes its check of every feature)"


def pygeoapi_table(url: str) -> None:
    """A plain table for pygeoapi's PostgreSQL provider: the same incidents, an id primary key,
    a date column, the common properties, and GiST and btree indexes as a deployment would have."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass(%s) IS NOT NULL", (PYGEOAPI_TABLE,)).fetchone()[0]:
            return
        conn.execute(f"""CREATE TABLE {PYGEOAPI_TABLE} AS
            SELECT fid, geom, (p->>'date')::date AS date, p->>'event_type' AS event_type,
                   p->>'site_id' AS site_id, p->>'site_name' AS site_name, p->>'location' AS location,
                   p->>'country_code' AS country_code, (p->>'killed')::int AS killed,
                   (p->>'injured')::int AS injured, p->>'status' AS status, p->>'notes' AS notes
            FROM (SELECT fid, geom, convert_from(doc, 'UTF8')::jsonb->'properties' AS p FROM incidents) s""")
        conn.execute(f"ALTER TABLE {PYGEOAPI_TABLE} ADD PRIMARY KEY (fid)")
        conn.execute(f"CREATE INDEX {PYGEOAPI_TABLE}_geom ON {PYGEOAPI_TABLE} USING gist (geom)")
        conn.execute(f"CREATE INDEX {PYGEOAPI_TABLE}_date ON {PYGEOAPI_TABLE} (date)")
        conn.execute(f"ANALYZE {PYGEOAPI_TABLE}")


class _Recorder:
    """Stands in for a connection to catch the statement a store method would run."""

    def __init__(self) -> None:
        self.statements: list = []

    def execute(self, statement, *args, **kwargs) -> _Recorder:
        self.statements.append(statement)
        return self

    def fetchall(self) -> list:
        return []


def raw_sql_times(url: str, requests: list[Request]) -> dict[str, list[float]]:
    """Milliseconds per request for the store's own SQL, over one psycopg connection, no HTTP:
    the page and an exact count(*) of the filter for items, the grid query for aggregates."""
    import psycopg
    from psycopg import sql

    from geo.query import parse_query
    from geo.store import pg_sql
    from geo.store.postgis import PostGISStore

    recorder = _Recorder()
    with PostGISStore(url, pool_size=1) as store:
        store._read = lambda: contextlib.nullcontext(recorder)  # type: ignore[method-assign]
        statements: list[list] = []
        for request in requests:
            if request.kind == "by_id":
                statements.append([(sql.SQL("SELECT doc FROM incidents WHERE fid = {}").format(
                    sql.Literal(request.params["id"])))])
                continue
            query = parse_query({k: v for k, v in request.params.items() if k != "size"})
            if request.kind == "aggregate":
                recorder.statements.clear()
                store.aggregate("incidents", query, AGGREGATE_SIZE)
                statements.append(list(recorder.statements))
                continue
            condition = pg_sql.where(query)
            statements.append([
                sql.SQL("SELECT doc, fid FROM incidents WHERE {} ORDER BY fid LIMIT {} OFFSET {}").format(
                    condition, sql.Literal(query.limit), sql.Literal(query.offset)),
                sql.SQL("SELECT count(*) FROM incidents WHERE {}").format(condition)])
    times: dict[str, list[float]] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements[:10]:  # warm the cache as the servers' warm-up does
            for part in statement:
                conn.execute(part, binary=True).fetchall()
        for request, statement in zip(requests, statements, strict=True):
            started = time.perf_counter()
            for part in statement:
                conn.execute(part, binary=True).fetchall()
            times.setdefault(request.kind, []).append((time.perf_counter() - started) * 1000)
    return times


# ---- servers --------------------------------------------------------------------------------------

@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None
    port: int = 0

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid


@contextlib.contextmanager
def serving(server: Server, log_dir: Path) -> Iterator[Server]:
    """Start the server (command with {port} filled in) in its own process group; stop it after."""
    server.port = free_port()
    log = open(log_dir / f"{server.name}-{server.port}.log", "w")
    command = [part.replace("{port}", str(server.port)) for part in server.command]
    server.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                   env={**os.environ, **server.env}, cwd=log_dir)
    log.close()
    try:
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.proc.pid, signal.SIGTERM)
        try:
            server.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.proc.pid, signal.SIGKILL)
            server.proc.wait()


def get(port: int, path: str, timeout: float = 300) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _status_into(port: int, path: str, timeout: float, statuses: list[int]) -> None:
    """GET path; append its status (0 when the connection fails) to ``statuses``."""
    try:
        statuses.append(get(port, path, timeout=timeout)[0])
    except OSError:
        statuses.append(0)


def wait_for_workers(server: Server, path: str, workers: int = 2, timeout: float = 600) -> None:
    """Until ``workers`` requests for ``path`` sent at once are all answered 200: with sync
    workers each takes its own, so every worker has answered one (and built what it needs)."""
    deadline = time.monotonic() + timeout
    while True:
        if server.proc is not None and server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited; see its log in the cache folder")
        statuses: list[int] = []
        pool = [threading.Thread(target=_status_into, args=(server.port, path, timeout, statuses))
                for _ in range(workers)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        if statuses == [200] * workers:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{server.name} did not answer within {timeout:.0f} s")
        time.sleep(0.1)


def memory_mb(root_pid: int) -> tuple[float, float]:
    """(PSS, RSS) in MB of a process and its children, from /proc/PID/smaps_rollup: PSS shares
    each page among the processes mapping it, so pages shared after the fork count once."""
    pids = [root_pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{root_pid}/task/{root_pid}/children").read_text().split()]
    pss = rss = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
    return pss / 1024, rss / 1024


@dataclass
class Run:
    threads: int
    times: dict[str, list[float]]
    per_second: float
    wrong: list[str]
    estimates: list[float]


def run_mix(port: int, requests: list[Request], threads: int, truth: Truth) -> Run:
    """Send the requests from ``threads`` clients (keep-alive connections); time and check each."""
    queue = deque(requests)
    lock = threading.Lock()
    answers: list[tuple[Request, float, int, bytes]] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        while True:
            with lock:
                if not queue:
                    break
                request = queue.popleft()
            started = time.perf_counter()
            try:
                conn.request("GET", request.path)
                response = conn.getresponse()
                status, body = response.status, response.read()
            except (OSError, http.client.HTTPException) as exc:
                status, body = 0, str(exc).encode()
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                answers.append((request, elapsed, status, body))
        conn.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=client) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - started
    times: dict[str, list[float]] = {}
    wrong, estimates = [], []
    for request, elapsed, status, body in answers:
        times.setdefault(request.kind, []).append(elapsed)
        verdict = check(request, status, body, truth)
        if verdict.wrong:
            wrong.append(f"{request.kind} {request.path}: {verdict.wrong}")
        if verdict.estimate_error is not None:
            estimates.append(verdict.estimate_error)
    return Run(threads, times, len(answers) / wall, wrong, estimates)


# ---- one store ------------------------------------------------------------------------------------

@dataclass
class StoreResult:
    name: str
    runs: list[Run]
    start_s: float
    memory: tuple[float, float]  # the larger PSS and RSS seen, MB
    workers_rss: list[float]


def bench_server(server: Server, truth: Truth, args: argparse.Namespace, kinds: tuple[str, ...],
                 warm_path: str) -> StoreResult:
    """Start the server, time its start, warm it, run the mix from 1 and 4 threads, measure memory."""
    started = time.perf_counter()
    with serving(server, args.cache) as running:
        wait_for_workers(running, warm_path)
        start_s = time.perf_counter() - started
        pss, rss = memory_mb(running.pid)
        run_mix(running.port, plan(4, len(truth), seed=1, kinds=kinds), 2, truth)  # warm both workers
        runs = []
        for threads, seed in ((1, 42), (4, 43)):
            runs.append(run_mix(running.port, plan(args.requests, len(truth), seed, kinds), threads, truth))
            after = memory_mb(running.pid)
            pss, rss = max(pss, after[0]), max(rss, after[1])
        children = Path(f"/proc/{running.pid}/task/{running.pid}/children").read_text().split()
        workers_rss = [memory_mb(int(pid))[1] for pid in children]
    return StoreResult(server.name, runs, start_s, (pss, rss), workers_rss)


def incidentmap_server(name: str, location: str) -> Server:
    store = ["--store", location] if location.startswith("postgresql://") else []
    data = [] if store else ["--data", location]
    return Server(name, [sys.executable, "-m", "geo", *store, "serve", *data, "--port", "{port}",
                         "--workers", "2"], env={"PYTHONPATH": str(ROOT)})


def pygeoapi_server(venv: Path, cluster: CachedCluster, dbname: str, cache: Path) -> Server:
    """pygeoapi with its PostgreSQL provider over PYGEOAPI_TABLE, max_items raised, 2 gunicorn workers."""
    config = {
        "server": {"bind": {"host": "127.0.0.1", "port": 5000}, "url": "http://127.0.0.1:5000",
                   "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8", "language": "en-US",
                   "limits": {"default_items": 10, "max_items": 10000},
                   "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OSM"}},
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {"title": "scale bench", "description": "incidentmap scale bench",
                               "keywords": ["bench"], "keywords_type": "theme",
                               "terms_of_service": "https://example.org", "url": "https://example.org"},
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "bench", "url": "https://example.org"},
            "contact": {"name": "bench", "email": "bench@example.org", "url": "https://example.org",
                        "role": "pointOfContact"}},
        "resources": {"incidents": {
            "type": "collection", "title": "incidents", "description": "synthetic incidents",
            "keywords": ["incidents"],
            "extents": {"spatial": {"bbox": [-180, -90, 180, 90],
                                    "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
            "providers": [{"type": "feature", "name": "PostgreSQL",
                           "data": {"host": "127.0.0.1", "port": cluster.port, "dbname": dbname,
                                    "user": "postgres", "password": "", "search_path": ["public"]},
                           "id_field": "fid", "table": PYGEOAPI_TABLE, "geom_field": "geom",
                           "time_field": "date"}]}},
    }
    folder = cache / "pygeoapi"
    folder.mkdir(exist_ok=True)
    (folder / "config.yml").write_text(json.dumps(config, indent=1))  # JSON is YAML
    env = {"PYGEOAPI_CONFIG": str(folder / "config.yml"), "PYGEOAPI_OPENAPI": str(folder / "openapi.yml")}
    subprocess.run([str(venv / "bin" / "pygeoapi"), "openapi", "generate", str(folder / "config.yml"),
                    "--output-file", str(folder / "openapi.yml")], check=True, capture_output=True,
                   env={**os.environ, **env})
    return Server("pygeoapi", [str(venv / "bin" / "gunicorn"), "--workers", "2", "--timeout", "300",
                               "--bind", "127.0.0.1:{port}", "pygeoapi.flask_app:APP"], env=env)


# ---- report ---------------------------------------------------------------------------------------

def p50(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None


def fmt_ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def table_row(label: str, medians: list[float | None], per_second: float | None, extra: str = "") -> str:
    cells = "".join(f"{fmt_ms(m):>15}" for m in medians)
    return f"{label:<44}{cells}{(f'{per_second:.1f}' if per_second else '-'):>10}  {extra}"


def report(results: list[StoreResult], raw: dict[str, list[float]] | None, loads: list[str],
           pygeoapi_note: str | None, n: int) -> None:
    print(f"\n==== {n:,} incidents, gunicorn 2 workers, p50 ms per kind ====")
    for line in loads:
        print(line)
    header = f"{'':<44}" + "".join(f"{LABELS[k]:>15}" for k in KINDS) + f"{'req/s':>10}  wrong answers"
    print("\n" + header)
    for result in results:
        for run in result.runs:
            print(table_row(f"{result.name}, {run.threads} thread{'s' if run.threads > 1 else ''}",
                            [p50(run.times.get(k)) for k in KINDS], run.per_second, str(len(run.wrong))))
    if raw:
        print(table_row("raw SQL, psycopg, no HTTP (count included)", [p50(raw.get(k)) for k in KINDS], None))
    for label, (medians, per_second) in REFERENCE.items():
        print(table_row(label, list(medians), per_second))
    if pygeoapi_note:
        print(f"pygeoapi: {pygeoapi_note}")
    print("(requests/s of incidentmap's mix include the aggregate kind; pygeoapi's mix has none)")

    wrong = [line for result in results for run in result.runs for line in run.wrong]
    print(f"\nwrong answers: {len(wrong)}")
    for line in wrong[:10]:
        print("  " + line)
    for result in results:
        estimates = [e for run in result.runs for e in run.estimates]
        if estimates:
            errors = sorted(abs(e) for e in estimates)
            print(f"{result.name}: {len(estimates)} answers gave numberMatched as an estimate; error "
                  f"median {100 * statistics.median(errors):.1f}%, max {100 * errors[-1]:.1f}% "
                  "(their pages and features were checked instead)")

    print("\nmemory and start (master + 2 workers; PSS counts shared pages once):")
    for result in results:
        pss, rss = result.memory
        print(f"  {result.name}: start {result.start_s:.1f} s until both workers answered, "
              f"PSS {pss:.0f} MB, RSS {rss:.0f} MB (workers' RSS {', '.join(f'{w:.0f}' for w in result.workers_rss)} MB)")

    print("\ntargets:")
    by_name = {r.name: r for r in results}
    measured_pygeoapi = by_name.get("pygeoapi")
    for result in results:
        if result.name == "pygeoapi":
            continue
        one, four = result.runs
        if raw:
            for kind in KINDS:
                ours, base = p50(one.times.get(kind)), p50(raw.get(kind))
                if ours is None or base is None:
                    continue
                limit = max(2 * base, base + 5)
                print(f"  {verdict(ours <= limit)} {result.name}, 1 thread, {LABELS[kind]}: p50 {ours:.1f} ms "
                      f"<= max(2 x raw, raw + 5 ms) with this run's raw SQL = {limit:.1f} ms")
        issue_raw = REFERENCE["raw SQL (issue)"][0]
        for kind, base in zip(KINDS, issue_raw, strict=True):
            ours = p50(one.times.get(kind))
            if ours is None or base is None:
                continue
            limit = max(2 * base, base + 5)
            print(f"  {verdict(ours <= limit)} {result.name}, 1 thread, {LABELS[kind]}: p50 {ours:.1f} ms "
                  f"<= max(2 x raw, raw + 5 ms) with the issue's raw SQL {base} ms = {limit:.1f} ms")
        reference = REFERENCE["pygeoapi PostgreSQL, 4 threads (issue)"][1]
        print(f"  {verdict(four.per_second >= 5 * reference)} {result.name}, 4 threads: "
              f"{four.per_second:.1f} req/s >= 5 x pygeoapi's {reference} (issue) = {5 * reference:.1f}")
        if measured_pygeoapi is not None:
            theirs = measured_pygeoapi.runs[1].per_second
            print(f"  {verdict(four.per_second >= 5 * theirs)} {result.name}, 4 threads: "
                  f"{four.per_second:.1f} req/s >= 5 x pygeoapi's {theirs:.1f} (this run) = {5 * theirs:.1f}")
    embedded, postgis = by_name.get("geojson"), by_name.get("postgis")
    if embedded is not None:
        print(f"  {verdict(embedded.start_s < 30)} geojson starts in under 30 s: {embedded.start_s:.1f} s")
        print(f"  {verdict(embedded.memory[0] < 3072)} geojson under 3 GB (PSS): {embedded.memory[0]:.0f} MB "
              f"(RSS {embedded.memory[1]:.0f} MB)")
        if postgis is not None:
            for run_e, run_p in zip(embedded.runs, postgis.runs, strict=True):
                slower = [LABELS[k] for k in KINDS
                          if (p50(run_e.times.get(k)) or 0) > (p50(run_p.times.get(k)) or 0)]
                print(f"  {verdict(not slower and run_e.per_second >= run_p.per_second)} geojson at least as "
                      f"fast as postgis, {run_e.threads} thread(s): {run_e.per_second:.1f} vs "
                      f"{run_p.per_second:.1f} req/s" + (f"; slower p50: {', '.join(slower)}" if slower else ""))
    print(f"  {verdict(not wrong)} every answer agrees with the data ({len(wrong)} wrong)")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# ---- main -----------------------------------------------------------------------------------------

def generated_file(args: argparse.Namespace, loads: list[str]) -> Path:
    if args.source:
        loads.append(f"generate: reused {args.source}")
        return args.source
    source = args.cache / f"incidents-{args.n}.geojson"
    if source.exists():
        loads.append(f"generate: cached {source}")
        return source
    started = time.perf_counter()
    partial = source.with_suffix(".partial")
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(args.n), str(partial)], check=True,
                   stdout=subprocess.DEVNULL)
    partial.rename(source)
    loads.append(f"generate: {time.perf_counter() - started:.0f} s")
    return source


def geojson_folder(args: argparse.Namespace, source: Path, loads: list[str]) -> Path:
    """The data folder of the embedded store, imported with ``incidentmap import`` (timed) once."""
    if args.data:
        loads.append(f"load geojson: reused {args.data} (import not timed in this run)")
        return args.data
    data = args.cache / f"geojson-{args.n}"
    marker = args.cache / f"geojson-{args.n}.loaded"
    if marker.exists():
        loads.append(f"load geojson (incidentmap import): {marker.read_text().strip()} (cached from an earlier run)")
        return data
    shutil.rmtree(data, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "geo", "init", "--data", str(data), "--empty"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "geo", "import", str(source), "--data", str(data)], check=True,
                   stdout=subprocess.DEVNULL)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest child so far
    took = f"{time.perf_counter() - started:.0f} s, peak RSS {peak_mb:.0f} MB"
    marker.write_text(took + "\n")
    loads.append(f"load geojson (incidentmap import): {took} (this run)")
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/incidentmap-scale"))
    parser.add_argument("--requests", type=int, default=100, help="requests per kind in each run")
    parser.add_argument("--stores", default="geojson,postgis")
    parser.add_argument("--skip-pygeoapi", action="store_true")
    parser.add_argument("--pygeoapi-venv", type=Path, default=Path("/tmp/pygeoapi-venv"))
    parser.add_argument("--source", type=Path, help="an N-incident file from bench/generate.py to reuse")
    parser.add_argument("--data", type=Path, help="a GeoJSON data folder holding --source, to reuse")
    args = parser.parse_args()
    args.cache = args.cache.resolve() / f"scale-bench-{args.n}"
    args.cache.mkdir(parents=True, exist_ok=True)
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    if not set(stores) <= {"geojson", "postgis"}:
        parser.error("--stores takes geojson, postgis or both")

    loads: list[str] = []
    source = generated_file(args, loads)
    truth = load_truth(source, args.cache)
    if len(truth) != args.n:
        parser.error(f"{source} holds {len(truth)} incidents, not --n {args.n}")
    data = geojson_folder(args, source, loads)

    pygeoapi_note: str | None = None
    wants_pg = "postgis" in stores or not args.skip_pygeoapi
    if wants_pg and unavailable():
        sys.exit(f"PostgreSQL cannot run here: {unavailable()}")
    if args.skip_pygeoapi:
        pygeoapi_note = "skipped (--skip-pygeoapi); the issue's reference figures are shown"
    elif not (args.pygeoapi_venv / "bin" / "pygeoapi").exists():
        pygeoapi_note = (f"not installed in {args.pygeoapi_venv} (python3 -m venv {args.pygeoapi_venv} && "
                         f"{args.pygeoapi_venv}/bin/pip install pygeoapi gunicorn psycopg2-binary "
                         "SQLAlchemy GeoAlchemy2); the issue's reference figures are shown")

    results: list[StoreResult] = []
    raw: dict[str, list[float]] | None = None
    cluster = CachedCluster(args.cache / "pg") if wants_pg else None
    try:
        if "geojson" in stores:
            print("benchmarking the GeoJSON store ...", flush=True)
            results.append(bench_server(incidentmap_server("geojson", str(data)), truth, args, KINDS,
                                        f"/collections/incidents/items?bbox={','.join(map(str, BAGHDAD))}&limit=1"))
        if cluster is not None:
            cluster.start()
            print("loading PostGIS (incidentmap migrate) ...", flush=True)
            url, took = load_postgis(cluster, data, args.n)
            loads.append(f"load postgis (incidentmap migrate from the data folder): {took}")
            if "postgis" in stores:
                print("benchmarking the PostGIS store ...", flush=True)
                results.append(bench_server(incidentmap_server("postgis", url), truth, args, KINDS,
                                            "/collections/incidents/items?limit=1"))
            print("timing the raw SQL ...", flush=True)
            raw = raw_sql_times(url, plan(args.requests, args.n, 42))
            if pygeoapi_note is None:
                print("benchmarking pygeoapi ...", flush=True)
                try:
                    pygeoapi_table(url)
                    server = pygeoapi_server(args.pygeoapi_venv, cluster, f"incidents_{args.n}", args.cache)
                    results.append(bench_server(server, truth, args, ITEM_KINDS,
                                                "/collections/incidents/items?limit=1&f=json"))
                    pygeoapi_note = "measured in this run (rows 'pygeoapi, N threads')"
                except (RuntimeError, subprocess.CalledProcessError) as exc:
                    pygeoapi_note = f"could not be run ({exc}); the issue's reference figures are shown"
    finally:
        if cluster is not None and cluster.port:
            cluster.stop()
    report(results, raw, loads, pygeoapi_note, args.n)


if __name__ == "__main__":
    main()
