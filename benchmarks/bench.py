"""`make bench`: how the site answers as the data grows, measured the way it is served.

    python -m benchmarks.bench --db postgres --sizes 10000 100000 [--runs 5] [--clients 50]
        [--seconds 60] [--out benchmarks/results] [--keep] [--workdir DIR]

For each size N, in turn:

1. A fresh database: on PostgreSQL `kb_bench_<N>` (dropped first if it exists, dropped again at
   the end unless --keep), on SQLite a file in the work directory. `manage.py migrate`, then
   `manage.py generate_data --incidents N --seed 1` (timed), then `VACUUM ANALYZE` on PostgreSQL.
2. The production server: `collectstatic` into the work directory, then
   `gunicorn --config gunicorn.conf.py kb.wsgi` with DEBUG=0, WEB_CONCURRENCY=2 and the other
   values gunicorn.conf.py reads left at their defaults, KB_QUERY_STATS=1 (kb/querystats.py: each
   response reports its SQL queries and their time) and SECURE_PROXY_SSL_HEADER=1, as behind the
   TLS proxy the README asks for: every request says `X-Forwarded-Proto: https`, as that proxy
   would, so the app answers instead of redirecting to HTTPS.
3. Pages and JSON: concrete parameters are read from the database (benchmarks/probe.py). Each URL
   is requested once cold (the first request: the app computes row counts, timelines and the like
   once per state of the data, kb/cache.py) and then RUNS times, one after the other; the median
   and minimum wall time (connection to last byte), the body's size and the median of the
   X-Query-Count / X-Query-Time-Ms headers are kept. The cache is each worker's own: the cold
   request warms one of the two workers, so a timed request that reaches the other one is cold
   too (every run is kept in the JSON; the median hides one such run when RUNS >= 3).
4. Exports: every CSV export (exchange/catalogue.py), streamed to the end in 64 KiB reads and parsed
   with the csv module (fields may hold line breaks), counting records; the gunicorn workers' RSS
   (/proc/<pid>/status) before, after and every 0.2 s during the download. On PostgreSQL the same
   SELECT the export reads its rows from is run as `COPY (...) TO STDOUT` (see probe.py): the
   ratio of the two rates is what Django, the row objects, the CSV formatting and HTTP cost on top
   of the database producing the same rows and columns as text.
5. Concurrency: CLIENTS threads, each sending one request at a time on a new connection (no
   keep-alive) for SECONDS, on a weighted mix of the pages readers use most (MIX).

The client runs on the same machine as the server and the database, and takes some of its CPU
(most while parsing exports and with many concurrent clients): the figures are for this machine,
client included. Results go to <out>/<db>.json (every raw number) and <out>/<db>.md (tables,
targets); sizes already in those files and not run again are kept. The markdown is printed at the
end. The exit status is 1 if any request answered other than 200 or an export's rows differ from
the database's count.
"""

import argparse
import csv
import datetime
import http.client
import io
import json
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432"
HEADERS = {"X-Forwarded-Proto": "https", "Connection": "close"}
WORKERS = 2
READ = 1 << 16
TIMEOUT = 600  # seconds a request may take before it counts as failed

# Limits the targets section checks (PostgreSQL).
PAGE_MS, SLOW_PAGE_MS, GROWTH, LIST_KB, EXPORT_RATIO, THROUGHPUT_KEPT = 300, 500, 2, 100, 0.5, 0.8
RATE_ROWS = 1_000  # an export's rate is judged from this many rows (fixed costs swamp fewer)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- The URLs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    key: str  # the URL with its parameters named: the same row at every size
    path: str  # the URL requested at this size
    limit_ms: int = PAGE_MS  # the target for its median (text search, sorts over all rows: 500)
    list25: bool = False  # a page with a table of 25 rows (its HTML should stay small)


def pages(p: dict) -> list[Page]:
    def incidents(key: str, slow: bool = False, **query) -> Page:
        return Page(
            f"/incidents/?{key}",
            f"/incidents/?{urlencode(query)}",
            SLOW_PAGE_MS if slow else PAGE_MS,
            True,
        )

    return [
        Page("/", "/"),
        Page("/incidents/", "/incidents/", list25=True),
        incidents("q=<word>", True, q=p["word"]),
        incidents("sort=-killed", True, sort="-killed"),
        incidents("sort=title", True, sort="title"),
        incidents("competing=1", True, competing=1),
        incidents("unclaimed=1", unclaimed=1),
        incidents("country=<country>", country=p["country"]),
        incidents("group=<group>", group=p["group"]),
        incidents("group=<group>&group_via_brand=1", group=p["group"], group_via_brand=1),
        incidents("brand=<brand>", brand=p["brand"]),
        incidents("location=<location>", location=p["location"]),
        incidents("killed_min=<n>", killed_min=p["killed_min"]),
        incidents("weapon=<weapon>", weapon=p["weapon"]),
        incidents(
            "date_from=<month start>&date_to=<month end>",
            date_from=p["month_from"],
            date_to=p["month_to"],
        ),
        incidents(
            "date_from=<year start>&date_to=<year end>",
            date_from=p["year_from"],
            date_to=p["year_to"],
        ),
        incidents("page=<last page>", page=p["last_page"]),
        Page("/incidents/?per_page=200", "/incidents/?per_page=200"),
        Page("/incidents/<incident>/", f"/incidents/{p['incident']}/"),
        Page("/incidents/<incident>/history/", f"/incidents/{p['incident']}/history/"),
        Page("/incidents/timeline.json", "/incidents/timeline.json"),
        Page("/incidents/map.json", "/incidents/map.json"),
        Page("/claims/", "/claims/", list25=True),
        Page("/groups/", "/groups/", list25=True),
        Page("/groups/<group>/", f"/groups/{p['group']}/", list25=True),
        Page("/brands/", "/brands/", list25=True),
        Page("/brands/<brand>/", f"/brands/{p['brand']}/", list25=True),
        Page("/locations/", "/locations/", list25=True),
        Page("/locations/<location>/", f"/locations/{p['location']}/", list25=True),
        Page(
            "/locations/suggest.json?q=<3 letters>",
            f"/locations/suggest.json?q={quote(p['location'][:3])}",
        ),
        Page("/sources/", "/sources/", list25=True),
        Page("/sources/<source>/", f"/sources/{p['source']}/"),
        Page("/changes/", "/changes/", list25=True),
        Page("/changes/feed/", "/changes/feed/"),
        Page("/search/?q=<alias>", f"/search/?q={quote(p['alias'])}", SLOW_PAGE_MS),
        Page("/search/?q=<word>", f"/search/?q={quote(p['word'])}", SLOW_PAGE_MS),
        Page("/codebook/", "/codebook/"),
    ]


# The concurrent clients' mix: (what, weight, URL chosen with a random.Random and the probe).
MIX = [
    ("incident list", 20, lambda r, p, s: "/incidents/"),
    ("filtered list", 20, lambda r, p, s: r.choice(s["filtered"])),
    ("incident page", 25, lambda r, p, s: f"/incidents/{r.choice(s['incidents'])}/"),
    ("group page", 6, lambda r, p, s: f"/groups/{r.choice(s['groups'])}/"),
    ("brand page", 4, lambda r, p, s: f"/brands/{r.choice(s['brands'])}/"),
    ("location page", 5, lambda r, p, s: f"/locations/{r.choice(s['locations'])}/"),
    ("timeline.json", 5, lambda r, p, s: "/incidents/timeline.json"),
    ("map.json", 5, lambda r, p, s: "/incidents/map.json"),
    ("search", 5, lambda r, p, s: "/search/?q=" + quote(r.choice([p["alias"], p["word"]]))),
    ("claims", 5, lambda r, p, s: "/claims/"),
]


def filtered(p: dict) -> list[str]:
    keys = ("country=", "group=", "brand=", "location=", "date_from=", "sort=-killed", "weapon=")
    found = [
        page.path
        for page in pages(p)
        if page.key.startswith(tuple("/incidents/?" + k for k in keys))
    ]
    return found + [f"/incidents/?page={n}" for n in range(2, min(p["last_page"], 10) + 1)]


# --- HTTP -----------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    seconds: float
    size: int
    queries: int | None
    sql_ms: float | None
    body: bytes = b""


def header_number(response, name, kind):
    value = response.getheader(name)
    return kind(value) if value is not None else None


def get(port: int, path: str, timeout: float = TIMEOUT) -> Answer:
    """One request on a new connection; the time is from connecting to the last byte."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=HEADERS)
        response = connection.getresponse()
        body = response.read()
        seconds = time.perf_counter() - started
        return Answer(
            response.status,
            seconds,
            len(body),
            header_number(response, "X-Query-Count", int),
            header_number(response, "X-Query-Time-Ms", float),
            body if response.status != 200 else b"",
        )
    finally:
        connection.close()


class Counting(io.RawIOBase):
    """A raw stream over an HTTP response that counts the bytes read through it."""

    def __init__(self, response):
        self.response, self.size = response, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = self.response.readinto(buffer)
        self.size += n
        return n


# --- The server and its workers -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (the gunicorn workers of its master), from /proc."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def rss_mib(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class RssSampler(threading.Thread):
    """Each worker's highest RSS, sampled every 0.2 s until stopped."""

    def __init__(self, master: int):
        super().__init__(daemon=True)
        self.master, self.peak, self.done = master, {}, threading.Event()
        self.before = self.snapshot()

    def snapshot(self) -> dict[int, float]:
        return {pid: rss for pid in children(self.master) if (rss := rss_mib(pid)) is not None}

    def sample(self):
        for pid, rss in self.snapshot().items():
            self.peak[pid] = max(rss, self.peak.get(pid, rss))

    def run(self):
        while not self.done.is_set():
            self.sample()
            self.done.wait(0.2)

    def finish(self) -> dict:
        self.done.set()
        self.join()
        self.sample()
        after = self.snapshot()
        # A worker replaced meanwhile (gunicorn's max_requests) has no "before": it is left out.
        growth = [self.peak.get(pid, rss) - rss for pid, rss in self.before.items()]
        kept = [after[pid] - rss for pid, rss in self.before.items() if pid in after]
        return {
            "before_mib": {str(k): round(v, 1) for k, v in self.before.items()},
            "peak_mib": {str(k): round(v, 1) for k, v in self.peak.items()},
            "after_mib": {str(k): round(v, 1) for k, v in after.items()},
            "peak_growth_mib": round(max(growth, default=0.0), 1),
            "retained_growth_mib": round(max(kept, default=0.0), 1),
        }


class Server:
    """gunicorn with the production configuration, in its own process group."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        self.env = {
            **env,
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(WORKERS),
            "KB_QUERY_STATS": "1",
        }
        self.log_path = log

    def __enter__(self):
        gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
        self.log = open(self.log_path, "w+")
        self.process = subprocess.Popen(
            [*command, "--config", "gunicorn.conf.py", "kb.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while True:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"gunicorn stopped (exit {self.process.returncode}):\n{self.tail()}"
                )
            try:
                get(self.port, "/bench-ready/", timeout=10)  # a 404: no page's cache is warmed
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.__exit__()
                    raise SystemExit(f"gunicorn did not answer in 120 s:\n{self.tail()}") from None
                time.sleep(0.3)
        while len(children(self.process.pid)) < WORKERS and time.monotonic() < deadline:
            time.sleep(0.2)
        for _ in range(2 * WORKERS):  # most likely reaches both workers: their imports are done
            get(self.port, "/bench-ready/", timeout=60)
        return self

    def tail(self, size: int = 4000) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-size:]

    def __exit__(self, *exc):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass
        self.log.close()


# --- Databases ------------------------------------------------------------------------------------


def admin_sql(server_url: str, *statements: str) -> None:
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def clean_env() -> dict:
    """This environment without anything that would change the app's or gunicorn's settings."""
    drop = (
        "DJANGO_",
        "PYTEST_",
        "SECURE_",
        "DEBUG",
        "GUNICORN_",
        "KB_",
        "DATABASE_URL",
        "STATIC_ROOT",
        "PORT",
        "WEB_CONCURRENCY",
        "HOST",
        "ALLOWED_HOSTS",
        "CSRF_",
        "SESSION_",
        "CONN_",
        "CACHE_",
        "LOG_LEVEL",
        "MAKE",
        "MFLAGS",
    )
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


def manage(env: dict, *args: str) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return time.perf_counter() - started


def git(*args: str) -> str:
    try:
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


# --- One size -------------------------------------------------------------------------------------


def run_size(size: int, args) -> dict:
    temporary = args.workdir is None
    base = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="kb-bench-"))
    work = base / f"{args.db}-{size}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    postgres = args.db == "postgres"
    name = f"kb_bench_{size}"
    url = f"{args.pg_url}/{name}" if postgres else f"sqlite:///{work / (name + '.sqlite3')}"
    env = {
        **clean_env(),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": url,
        "STATIC_ROOT": str(work / "static"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_PROXY_SSL_HEADER": "1",
    }
    entry = {"size": size, "run": run_info(args), "database": url}
    say(f"== {size:,} incidents on {args.db} ({url})")
    reuse = postgres and args.reuse and holds(args.pg_url, name, size)
    if postgres and not reuse:
        admin_sql(
            args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"
        )
    try:
        entry["migrate_s"] = round(manage(env, "migrate", "--no-input", "-v0"), 2)
        if reuse:
            entry["generate_s"] = None
            entry["reused"] = True
            say(f"   reusing {name}: it holds {size:,} generated incidents")
        else:
            say(f"   migrated in {entry['migrate_s']} s; generating...")
            entry["generate_s"] = round(
                manage(env, "generate_data", "--incidents", str(size), "--seed", str(args.seed)), 2
            )
            say(f"   generated in {entry['generate_s']} s")
        if postgres:
            started = time.perf_counter()
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute("VACUUM ANALYZE")
                entry["database_mb"] = round(
                    connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
                    / 2**20
                )
            entry["vacuum_s"] = round(time.perf_counter() - started, 2)
        else:
            entry["database_mb"] = round((work / f"{name}.sqlite3").stat().st_size / 2**20)
        manage(env, "collectstatic", "--no-input", "-v0")
        probe = run_probe(env)
        entry["params"] = probe["params"]
        with Server(env, work / "gunicorn.log") as server:
            entry["server"] = {"workers": WORKERS, "threads": 4, "pid": server.process.pid}
            entry["pages"] = measure_pages(server, pages(probe["params"]), args.runs)
            entry["exports"] = measure_exports(server, probe["exports"], url if postgres else None)
            samples = {**probe["samples"], "filtered": filtered(probe["params"])}
            entry["concurrency"] = measure_concurrency(
                server, probe["params"], samples, args.clients, args.seconds
            )
            entry["server_log_tail"] = server.tail(2000) if failed(entry) else ""
    finally:
        if postgres and not args.keep:
            admin_sql(args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if temporary and not args.keep:
            shutil.rmtree(base, ignore_errors=True)
        elif args.keep:
            say(f"   kept: {url} and {work}")
    return entry


def holds(server: str, name: str, size: int) -> bool:
    """Whether the database `name` exists and holds exactly `size` incidents, all generated."""
    try:
        with psycopg.connect(f"{server}/{name}", connect_timeout=5) as connection:
            total, synthetic = connection.execute(
                "SELECT count(*), count(*) FILTER (WHERE summary LIKE %s) FROM claims_incident",
                ["[synthetic]%"],
            ).fetchone()
    except psycopg.Error:
        return False
    return total == synthetic == size


def run_probe(env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"benchmarks.probe failed:\n{result.stdout}{result.stderr}")
    return json.loads(result.stdout)


def run_info(args) -> dict:
    return {
        "commit": git("rev-parse", "HEAD") or "unknown",
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "machine": platform.machine(),
        "python": platform.python_version(),
        "database": database_version(args),
        "runs": args.runs,
        "clients": args.clients,
        "seconds": args.seconds,
    }


def database_version(args) -> str:
    if args.db == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with psycopg.connect(f"{args.pg_url}/postgres") as connection:
        return "PostgreSQL " + connection.execute("SHOW server_version").fetchone()[0]


def failed(entry: dict) -> bool:
    return bool(problems_of_size(entry))


# --- Measurements ---------------------------------------------------------------------------------


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def measure_pages(server: Server, urls: list[Page], runs: int) -> list[dict]:
    found = []
    for page in urls:
        cold = get(server.port, page.path)
        timed = [get(server.port, page.path) for _ in range(runs)]
        statuses = [cold.status] + [a.status for a in timed]
        record = {
            "key": page.key,
            "url": page.path,
            "limit_ms": page.limit_ms,
            "list25": page.list25,
            "status": statuses,
            "cold_ms": round(cold.seconds * 1000, 1),
            "cold_queries": cold.queries,
            "cold_sql_ms": cold.sql_ms,
            "runs_ms": [round(a.seconds * 1000, 1) for a in timed],
            "runs_queries": [a.queries for a in timed],
            "median_ms": round(median([a.seconds for a in timed]) * 1000, 1),
            "min_ms": round(min(a.seconds for a in timed) * 1000, 1),
            "bytes": timed[-1].size,
            "queries": median([a.queries for a in timed]),
            "sql_ms": median([a.sql_ms for a in timed]),
        }
        bad = [a for a in [cold, *timed] if a.status != 200]
        if bad:
            record["error_body"] = bad[0].body[:500].decode(errors="replace")
            say(f"!! {page.path} answered {statuses}: {record['error_body'][:200]!r}")
        say(
            f"   {record['median_ms']:8.1f} ms (cold {record['cold_ms']:8.1f}) "
            f"{record['queries']} q  {page.path}"
        )
        found.append(record)
    return found


def measure_exports(server: Server, exports: dict, copy_url: str | None) -> list[dict]:
    found = []
    for name, spec in exports.items():
        record = stream_csv(server, f"/{name}/export.csv")
        record.update(name=name, expected_rows=spec["rows"], copy=None, copy_note=spec["note"])
        if record["status"] != 200:
            say(f"!! /{name}/export.csv answered {record['status']}")
        elif record["rows"] != spec["rows"]:
            say(f"!! /{name}/export.csv: {record['rows']} rows, the database has {spec['rows']}")
        if copy_url and spec["sql"]:
            record["copy"] = copy_rate(copy_url, spec["sql"])
            if record["copy"]["rows"] != record["rows"]:
                record["copy_note"] = f"COPY gave {record['copy']['rows']} rows"
            if record["copy"]["rows_per_s"] and record["rows_per_s"]:
                record["ratio"] = round(record["rows_per_s"] / record["copy"]["rows_per_s"], 3)
        elif copy_url:
            say(f"   {name}: {spec['note']}")
        say(
            f"   {record['rows']:>9,} rows {record['seconds']:7.2f} s "
            f"{record['rows_per_s']:>9,.0f} rows/s  COPY "
            f"{(record['copy'] or {}).get('rows_per_s') or 0:>10,.0f} rows/s  RSS "
            f"+{record['rss']['peak_growth_mib']} MiB  /{name}/export.csv"
        )
        found.append(record)
    return found


def stream_csv(server: Server, path: str) -> dict:
    sampler = RssSampler(server.process.pid)
    sampler.start()
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        connection.request("GET", path, headers=HEADERS)
        response = connection.getresponse()
        first_byte = time.perf_counter() - started
        counting = Counting(response)
        records = body = 0
        if response.status == 200:
            text = io.TextIOWrapper(io.BufferedReader(counting, READ), encoding="utf-8", newline="")
            records = sum(1 for _ in csv.reader(text))
        else:
            body = response.read()
        seconds = time.perf_counter() - started
    finally:
        connection.close()
        rss = sampler.finish()
    rows = max(records - 1, 0)  # the header is the first record
    return {
        "url": path,
        "status": response.status,
        "rows": rows,
        "bytes": counting.size if response.status == 200 else len(body),
        "seconds": round(seconds, 3),
        "first_byte_ms": round(first_byte * 1000, 1),
        "rows_per_s": round(rows / seconds) if seconds else None,
        "queries_before_body": header_number(response, "X-Query-Count", int),
        "rss": rss,
    }


def copy_rate(url: str, sql: str) -> dict:
    """The export's own SELECT as COPY ... TO STDOUT (text format: one line per row)."""
    with psycopg.connect(url) as connection:
        connection.execute("SET TimeZone TO 'UTC'")  # as Django's connections
        with connection.cursor() as cursor:
            started = time.perf_counter()
            rows = size = 0
            with cursor.copy(f"COPY ({sql}) TO STDOUT") as copy:
                for block in copy:
                    block = bytes(block)
                    size += len(block)
                    rows += block.count(b"\n")
            seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "bytes": size,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds) if seconds else None,
    }


def measure_concurrency(server, params, samples, clients: int, seconds: float) -> dict:
    kinds = [kind for kind, _, _ in MIX]
    weights = [weight for _, weight, _ in MIX]
    makers = {kind: make for kind, _, make in MIX}
    lock = threading.Lock()
    done: list[tuple[str, float, int]] = []  # (kind, seconds, status; 0 for an exception)
    errors: Counter = Counter()
    deadline = time.monotonic() + seconds

    def client(number: int):
        rng = random.Random(number)
        while time.monotonic() < deadline:
            kind = rng.choices(kinds, weights)[0]
            path = makers[kind](rng, params, samples)
            started = time.perf_counter()
            try:
                status = get(server.port, path, timeout=120).status
            except Exception as error:
                status, message = 0, f"{type(error).__name__}: {error}"
            else:
                message = f"{status} {path}" if status != 200 else ""
            elapsed = time.perf_counter() - started
            with lock:
                done.append((kind, elapsed, status))
                if message:
                    errors[message] += 1

    say(f"   {clients} clients for {seconds} s...")
    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    result = {"clients": clients, "seconds": round(wall, 2), **latency([d[1] for d in done])}
    result["errors"] = sum(1 for d in done if d[2] != 200)
    result["requests"] = len(done)
    result["per_s"] = round(len(done) / wall, 1) if wall else None
    result["error_samples"] = dict(errors.most_common(10))
    result["by_kind"] = {
        kind: {"weight": weight, **latency([d[1] for d in done if d[0] == kind])}
        for kind, weight, _ in MIX
    }
    say(
        f"   {result['requests']} requests, {result['errors']} errors, {result['per_s']} req/s, "
        f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms"
    )
    if result["errors"]:
        say(f"!! concurrency errors: {result['error_samples']}")
    return result


def latency(values: list[float]) -> dict:
    if not values:
        return {"count": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}
    ordered = sorted(values)
    pick = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)  # noqa: E731
    return {
        "count": len(values),
        "p50_ms": pick(0.5),
        "p95_ms": pick(0.95),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


# --- Results --------------------------------------------------------------------------------------


def problems_of_size(entry: dict) -> list[str]:
    found = []
    for page in entry.get("pages", []):
        if any(status != 200 for status in page["status"]):
            found.append(f"{entry['size']:,}: {page['url']} answered {page['status']}")
    for export in entry.get("exports", []):
        if export["status"] != 200:
            found.append(f"{entry['size']:,}: {export['url']} answered {export['status']}")
        elif export["rows"] != export["expected_rows"]:
            found.append(
                f"{entry['size']:,}: {export['url']} gave {export['rows']} rows, the database "
                f"has {export['expected_rows']}"
            )
    errors = entry.get("concurrency", {}).get("errors")
    if errors:
        found.append(f"{entry['size']:,}: {errors} concurrent requests failed")
    return found


def load(path: Path, db: str) -> dict:
    if path.exists():
        results = json.loads(path.read_text())
        if results.get("db") == db:
            return results
    return {"db": db, "sizes": {}}


def write(results: dict, out: Path) -> str:
    results["sizes"] = dict(sorted(results["sizes"].items(), key=lambda item: int(item[0])))
    (out / f"{results['db']}.json").write_text(json.dumps(results, indent=1) + "\n")
    text = markdown(results)
    (out / f"{results['db']}.md").write_text(text)
    return text


def number(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    if digits == 0 and isinstance(value, float) and value < 10:
        return f"{value:,.1f}"
    return f"{value:,.{digits}f}"


def markdown(results: dict) -> str:
    db = results["db"]
    entries = list(results["sizes"].values())
    sizes = [e["size"] for e in entries]
    label = {e["size"]: f"{e['size']:,}" for e in entries}
    lines = [f"# Benchmark: {'PostgreSQL' if db == 'postgres' else 'SQLite'}", ""]
    lines += [
        "Written by `make bench` (benchmarks/bench.py; what is measured and how: its "
        "docstring and README.md, Benchmarks).",
        "",
    ]
    problems = [p for e in entries for p in problems_of_size(e)]
    if problems:
        lines += ["## ⚠ Failures", ""] + [f"- **{p}**" for p in problems] + [""]
    lines += ["## Runs", ""]
    lines += [
        "| incidents | published | generate s | DB MB | commit | date | load avg | machine "
        "| database | runs, clients × s |",
        "|" + " --- |" * 10,
    ]
    for e in entries:
        r = e["run"]
        commit = r["commit"][:10] + (" (dirty)" if r["dirty"] else "")
        lines.append(
            f"| {label[e['size']]} | {e['params']['published_incidents']:,} | {e['generate_s']} | "
            f"{e.get('database_mb', '–')} | {commit} | {r['date']} | "
            f"{' '.join(map(str, r['loadavg']))} | {r['nproc']} CPUs, Python {r['python']} | "
            f"{r['database']} | {r['runs']}, {r['clients']} × {r['seconds']} |"
        )
    lines += ["", "## Pages", ""]
    lines += [
        "Per size: median ms of the timed runs (the first, cold request in brackets), SQL "
        "queries and their ms (medians, from X-Query-Count and X-Query-Time-Ms), body KB. "
        "Last column: median at the largest size ÷ median at the smallest.",
        "",
    ]
    head = ["URL"]
    for size in sizes:
        head += [f"{label[size]} ms (cold)", "queries", "SQL ms", "KB"]
    head.append("ratio")
    lines += ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    keys = list(dict.fromkeys(p["key"] for e in entries for p in e["pages"]))
    for key in keys:
        row = [f"`{key}`"]
        by_size = {e["size"]: find(e["pages"], key) for e in entries}
        for size in sizes:
            p = by_size[size]
            if p is None:
                row += ["–"] * 4
                continue
            flag = "" if all(s == 200 for s in p["status"]) else f" **{p['status']}**"
            row += [
                f"{number(p['median_ms'])} ({number(p['cold_ms'])}){flag}",
                number(p["queries"]),
                number(p["sql_ms"]),
                number(p["bytes"] / 1000),
            ]
        row.append(ratio(by_size[sizes[0]], by_size[sizes[-1]], "median_ms"))
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "Parameters (from the database at each size):", ""]
    for e in entries:
        shown = ", ".join(f"{k}={v}" for k, v in e["params"].items())
        lines.append(f"- {label[e['size']]}: {shown}")
    lines += ["", "## Exports (CSV)", ""]
    lines += [
        "rows/s: CSV records streamed over HTTP per second; COPY rows/s: the same SELECT as "
        "`COPY ... TO STDOUT`; ratio: export ÷ COPY; RSS: the largest growth of a gunicorn "
        "worker's resident memory during the download (MiB).",
        "",
    ]
    lines += [
        "| export | size | rows | s | rows/s | COPY rows/s | ratio | RSS +MiB |",
        "|" + " --- |" * 8,
    ]
    names = list(dict.fromkeys(x["name"] for e in entries for x in e["exports"]))
    for name in names:
        for e in entries:
            x = find(e["exports"], name, "name")
            if x is None:
                continue
            copy = x.get("copy") or {}
            flag = "" if x["status"] == 200 else f" **{x['status']}**"
            if x["status"] == 200 and x["rows"] != x["expected_rows"]:
                flag = f" **≠ {x['expected_rows']:,} in the database**"
            lines.append(
                f"| {name} | {label[e['size']]} | {x['rows']:,}{flag} | {x['seconds']} | "
                f"{number(x['rows_per_s'])} | {number(copy.get('rows_per_s'))}"
                f"{'' if copy else ' (' + (x['copy_note'] or 'n/a') + ')'} | "
                f"{number(x.get('ratio'), 2)} | {x['rss']['peak_growth_mib']} |"
            )
    lines += ["", "## Concurrent clients", ""]
    lines += [
        "Each client sends one request at a time on a new connection; the mix: "
        + ", ".join(f"{k} {w}" for k, w, _ in MIX)
        + ".",
        "",
    ]
    lines += [
        "| size | clients | s | requests | errors | req/s | p50 ms | p95 ms | max ms |",
        "|" + " --- |" * 9,
    ]
    for e in entries:
        c = e["concurrency"]
        lines.append(
            f"| {label[e['size']]} | {c['clients']} | {c['seconds']} | {c['requests']:,} | "
            f"{c['errors']} | {c['per_s']} | {c['p50_ms']} | {c['p95_ms']} | {c['max_ms']} |"
        )
    lines += ["", *targets(results), ""]
    return "\n".join(lines)


def find(items: list[dict], value, field: str = "key") -> dict | None:
    return next((item for item in items if item[field] == value), None)


def ratio(small: dict | None, large: dict | None, field: str) -> str:
    if not small or not large or small is large or not small[field]:
        return "–"
    return f"{large[field] / small[field]:.2f}"


def targets(results: dict) -> list[str]:
    lines = ["## Targets", ""]
    if results["db"] != "postgres":
        return [*lines, "The targets are PostgreSQL's (production): see postgres.md."]
    entries = list(results["sizes"].values())
    small, large = entries[0], entries[-1]
    lines += [
        f"Pages: warm median ≤ {PAGE_MS} ms at every size ({SLOW_PAGE_MS} ms for text search, "
        f"sorts over every row and competing claims), and at the largest size ≤ {GROWTH}× its "
        f"median at the smallest (growth); a page with a 25-row table ≤ {LIST_KB} KB of HTML. "
        f"Exports of {RATE_ROWS:,} rows or more: ≥ {EXPORT_RATIO} of COPY's rows/s (smaller "
        "ones are shown, not judged: fixed costs swamp their rate). Concurrency: no errors, and "
        f"≥ {THROUGHPUT_KEPT}× the smallest size's throughput at the largest.",
        "",
    ]
    lines += [
        "| check | worst | limit | growth | result |",
        "| --- | --- | --- | --- | --- |",
    ]
    keys = list(dict.fromkeys(p["key"] for e in entries for p in e["pages"]))
    missed = 0
    for key in keys:
        found = [p for e in entries if (p := find(e["pages"], key))]
        worst = max(p["median_ms"] for p in found)
        limit = found[-1]["limit_ms"]
        a, b = find(small["pages"], key), find(large["pages"], key)
        growth = b["median_ms"] / a["median_ms"] if a and b and len(entries) > 1 else None
        ok = worst <= limit and (growth is None or growth <= GROWTH)
        ok &= all(s == 200 for p in found for s in p["status"])
        missed += not ok
        lines.append(
            f"| `{key}` | {number(worst)} ms | {limit} ms | "
            f"{'–' if growth is None else f'{growth:.2f}×'} | {verdict(ok)} |"
        )
        if found[-1]["list25"]:
            kb = max(p["bytes"] for p in found) / 1000
            missed += kb > LIST_KB
            lines.append(
                f"| `{key}` HTML | {kb:.0f} KB | {LIST_KB} KB | | {verdict(kb <= LIST_KB)} |"
            )
    for e in entries:
        for x in e["exports"]:
            value = x.get("ratio")
            ok = value is not None and value >= EXPORT_RATIO and x["status"] == 200
            judged = x["rows"] >= RATE_ROWS or x["status"] != 200
            missed += judged and not ok
            lines.append(
                f"| {x['name']} export at {e['size']:,} ({x['rows']:,} rows): rows/s ÷ COPY's | "
                f"{number(value, 2)} | ≥ {EXPORT_RATIO} | | "
                f"{verdict(ok) if judged else 'not judged'} |"
            )
    errors = sum(e["concurrency"]["errors"] for e in entries)
    missed += errors > 0
    lines.append(f"| concurrent requests failed | {errors} | 0 | | {verdict(errors == 0)} |")
    if len(entries) > 1:
        kept = large["concurrency"]["per_s"] / small["concurrency"]["per_s"]
        missed += kept < THROUGHPUT_KEPT
        alike = all(
            (e["concurrency"]["clients"], e["run"]["seconds"])
            == (small["concurrency"]["clients"], small["run"]["seconds"])
            for e in entries
        )
        lines.append(
            f"| throughput at {large['size']:,} ÷ at {small['size']:,}"
            f"{'' if alike else ' (runs with different CLIENTS or SECONDS)'} | {kept:.2f} | "
            f"≥ {THROUGHPUT_KEPT} | | {verdict(kept >= THROUGHPUT_KEPT)} |"
        )
    lines += ["", f"**{missed} target(s) missed.**" if missed else "**Every target met.**"]
    return lines


def verdict(ok: bool) -> str:
    return "ok" if ok else "**missed**"


# --- Command line ---------------------------------------------------------------------------------


def arguments(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5, help="timed requests per URL (default 5)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="of concurrency (default 60)")
    parser.add_argument("--seed", type=int, default=1, help="generate_data's seed (default 1)")
    parser.add_argument(
        "--out",
        default=str(ROOT / "benchmarks" / "results"),
        help="results directory (default benchmarks/results)",
    )
    parser.add_argument("--pg-url", default=PG_URL, help=f"PostgreSQL server (default {PG_URL})")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="PostgreSQL: measure a kb_bench_<size> kept by an earlier --keep run, if it holds "
        "that many incidents, instead of generating it again",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases (and the work directory) afterwards"
    )
    parser.add_argument(
        "--workdir",
        help="for SQLite files, static files and the server's log "
        "(default: a temporary directory, removed at the end)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.clients < 1 or args.seconds <= 0 or min(args.sizes) < 1:
        parser.error("--runs, --clients, --seconds and the sizes must be positive")
    return args


def main(argv=None) -> int:
    args = arguments(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = load(out / f"{args.db}.json", args.db)
    for size in args.sizes:
        results["sizes"][str(size)] = run_size(size, args)
        text = write(results, out)  # after each size: a long run keeps what it has measured
    print(text)
    problems = [p for size in args.sizes for p in problems_of_size(results["sizes"][str(size)])]
    say(f"Results: {out / (args.db + '.json')} and {out / (args.db + '.md')}")
    if problems:
        say("!! FAILURES:\n" + "\n".join(f"!!   {p}" for p in problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
