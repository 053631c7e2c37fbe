"""`make bench-import`: how fast `manage.py import_csv` loads incidents and claims, in how much
memory.

    python -m benchmarks.import_rate --db postgres --sizes 2000 20000 100000 [--runs 1]
        [--generated 1000000 [--reuse] [--keep]] [--no-claims] [--out benchmarks/results]
        [--workdir DIR]

Files. For each size N, synthetic CSV files in the exports' own columns (the imported columns of
exchange.catalogue's exports), made from fixed random seeds, so the same N gives the same files:

- `groups.csv` and `locations.csv`: 5 armed groups `synthetic-group-<n>` and a state
  `synthetic-state`, 20 sites `synthetic-site-<n>` in the countries and admin areas of
  kb/synthetic/vocabulary.py; all published, described as "Synthetic benchmark record". Imported
  before the timed runs (a setup step, so that the files name records any database can hold).
- `incidents-<N>.csv`: N incidents with codes `synthetic-import-<n>`, titles "Synthetic benchmark
  record <n>: ..." and summaries starting "[synthetic] Synthetic benchmark record" (the mark
  generate_data uses, then ours), dates 1997-2026 (day, week, month and year precision, some with
  an end date or a time of day), places from the same vocabulary (60 % at one of the synthetic
  sites, the rest an admin area or a country), weapons, targets, confirmation and casualty figures
  (unknown, zero, ranges) drawn like generate_data's. 90 % are published and cite 1-3 sources of
  the database (`--source-ids`, default the seed's: fixtures/seed.json), 10 % are drafts (half of
  them without a source).
- `incidents-<N>-update.csv`: the same incidents, every row changed (title, summary, injured
  figures; every tenth published row cites other sources).
- `claims-<first id>.csv` and its update file, unless --no-claims: one claim per incident
  (responsibility 70 %, denial 15 %, attribution by the synthetic state 15 %, all current; those
  about a published incident cite 1-2 sources), with explicit claim ids from one above the
  database's largest (written once the database is ready), notes "[synthetic] Synthetic benchmark
  record <n>.".

Bytecode. The project's modules are compiled first (`compileall`), as an installed copy has them:
a process started with PYTHONDONTWRITEBYTECODE (set in some environments) would otherwise
compile them again in every timed import.

Runs. For each size, RUNS times: a fresh database (PostgreSQL: `kb_import_<N>` on PG_URL, dropped
at the end; SQLite: a file in the work directory), `migrate`, `load_seed`, import the groups and
locations, then the timed imports, each `manage.py import_csv TABLE FILE --reason ...` in its own
process:

1. `empty`: an incidents file with the header only: the fixed cost (interpreter, Django, the
   command), included in every other figure.
2. `create`: the N-row incidents file into the seeded database: every row is created.
3. `unchanged`: the same file again: every row is unchanged.
4. `update`: the update file: every row is updated.
5. `claims_create`, `claims_unchanged`, `claims_update`: the same three for the claims files.

Each is timed from starting the process to its exit (wall seconds; rows/s = N / seconds), with
the process's CPU seconds and its peak resident memory, the child's own ru_maxrss (os.wait4). The
database server's memory is not in it (on SQLite the database is in the process). After each run,
plain SQL checks what the database holds (N synthetic incidents or claims; after the update, N
revised ones); a mismatch or a failed command is a failure (exit status 1). The command's own
summary line ("N created, M updated, K unchanged") is kept too.

With `--generated M` (PostgreSQL), the same files go, after the seeded runs, into a database
holding M incidents made by `generate_data --seed 1`: `kb_bench_<M>`, the database `make bench`
makes (`--reuse`: use it if it exists and holds exactly M generated incidents; otherwise it is
generated, and kept with `--keep`). Each run imports into a copy of it (`CREATE DATABASE ...
TEMPLATE`), dropped afterwards, so the kept database never holds benchmark rows.

Results go to <out>/import-<db>.json (every number, with the commit, date, machine, load and
command) and <out>/import-<db>.md (printed at the end); entries measured earlier and not run again
are kept. Runs on the same database in one invocation are side by side: compare them within one
file, not across machines.
"""

import argparse
import csv
import datetime
import json
import os
import random
import re
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from benchmarks.bench import PG_URL, ROOT, admin_sql, clean_env, git, holds, say

SEED_FILE = ROOT / "fixtures" / "seed.json"
MARK = "[synthetic] Synthetic benchmark record"  # generate_data's "[synthetic]", then ours
PREFIX = "synthetic-import-"
SITES = 20
REASON = "Synthetic benchmark import"
STEPS = ("empty", "create", "unchanged", "update")  # incidents
CLAIM_STEPS = ("claims_create", "claims_unchanged", "claims_update")
TABLES = {"incidents": STEPS, "claims": ("empty", *CLAIM_STEPS)}  # the empty file: fixed cost
GROUPS = 5  # synthetic claimant groups, and one synthetic state that makes attributions
TARGET_RATE = 2_000  # incident rows per second into the seeded database (issue 12)
TIMEOUT = 6 * 3600  # seconds one import may take (the slowest importer: ~10 rows/s)


# --- The files ------------------------------------------------------------------------------------


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-files-only")
    import django

    django.setup()


def imported_columns(name: str) -> list[str]:
    """The columns of an export that the importer reads, in the export's order."""
    django_setup()
    from exchange.catalogue import exports

    return [column.name for column in exports(None)[name].columns if column.imported]


def seed_source_ids() -> list[int]:
    records = json.loads(SEED_FILE.read_text())
    return sorted(
        r["pk"]
        for r in records
        if r["model"] == "sources.source" and r["fields"]["status"] == "published"
    )


def vocabulary():
    django_setup()
    from kb.synthetic import vocabulary

    return vocabulary


def weighted(rnd: random.Random, table: dict):
    """One key of a vocabulary table whose values are weights or (weight, ...) tuples."""
    weights = [v if isinstance(v, int | float) else v[0] for v in table.values()]
    return rnd.choices(list(table), weights=weights)[0]


def sites() -> list[dict]:
    """The synthetic sites incidents may name: fixed, whatever the size."""
    vocab = vocabulary()
    rnd = random.Random(20)
    rows = []
    for n in range(1, SITES + 1):
        country = weighted(rnd, {c: v[0] for c, v in vocab.COUNTRIES.items()})
        admin1, latitude, longitude = rnd.choice(vocab.COUNTRIES[country][3])
        rows.append(
            {
                "slug": f"synthetic-site-{n}",
                "name": f"Synthetic site {n}",
                "kind": "other",
                "country": country,
                "admin1": admin1,
                "latitude": f"{latitude + rnd.uniform(-0.2, 0.2):.4f}",
                "longitude": f"{longitude + rnd.uniform(-0.2, 0.2):.4f}",
                "notes": f"{MARK}: a made-up site for the import benchmark.",
                "status": "published",
            }
        )
    return rows


def write_csv(path: Path, columns: list[str], rows) -> int:
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, columns, restval="", lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def casualties(rnd: random.Random) -> tuple:
    r = rnd.random()
    if r < 0.35:
        return "", ""
    low = 0 if r < 0.6 else min(int(rnd.paretovariate(1.2)), 900)
    return (low, low) if rnd.random() < 0.85 else (low, low + rnd.randint(1, 20))


def incidents(size: int, source_ids: list[int], site_rows: list[dict]):
    """The incident rows of the create file, and of the update file (every row changed)."""
    vocab = vocabulary()
    rnd = random.Random(size)
    first, last = datetime.date(1997, 1, 1).toordinal(), datetime.date(2026, 10, 31).toordinal()
    for n in range(1, size + 1):
        day = datetime.date.fromordinal(rnd.randint(first, last))
        precision = rnd.choices(["day", "week", "month", "year"], [86, 5, 6, 3])[0]
        date_end, date_note, time_of_day = "", "", ""
        if precision == "month":
            day, date_note = day.replace(day=1), "Synthetic benchmark record: month only."
        elif precision == "year":
            day, date_note = day.replace(month=1, day=1), "Synthetic benchmark record: year only."
        elif precision == "day" and rnd.random() < 0.03:
            date_end = (day + datetime.timedelta(days=rnd.randint(1, 5))).isoformat()
            date_note = "Synthetic benchmark record: sources disagree on the day."
        elif precision == "day" and rnd.random() < 0.15:
            time_of_day = f"{rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}:00"
        if rnd.random() < 0.6:
            site = rnd.choice(site_rows)
            country, admin1, location = site["country"], site["admin1"], site["slug"]
            place, facility, geo = admin1, site["name"], "site"
        else:
            country = weighted(rnd, {c: v[0] for c, v in vocab.COUNTRIES.items()})
            admin1 = rnd.choice(vocab.COUNTRIES[country][3])[0] if rnd.random() < 0.6 else ""
            location, place, facility = "", admin1, ""
            geo = "admin1" if admin1 else "country"
        weapon = weighted(rnd, vocab.WEAPONS)
        target = weighted(rnd, vocab.TARGETS)
        event = rnd.choice(vocab.WEAPONS[weapon][1])
        killed_low, killed_high = casualties(rnd)
        injured_low, injured_high = casualties(rnd)
        published = rnd.random() < 0.9
        cited = published or rnd.random() < 0.5
        sources = sorted(rnd.sample(source_ids, rnd.randint(1, 3))) if cited else []
        row = {
            "code": f"{PREFIX}{n:07d}",
            "title": f"Synthetic benchmark record {n}: {event.lower()} in {admin1 or country}",
            "date": day.isoformat(),
            "date_precision": precision,
            "date_end": date_end,
            "date_note": date_note,
            "time_of_day": time_of_day,
            "country": country,
            "admin1": admin1,
            "location": location,
            "place": place,
            "facility": facility,
            "geo_precision": geo,
            "weapon": weapon,
            "weapon_detail": rnd.choice(vocab.WEAPONS[weapon][2] or [""]),
            "target": target,
            "target_detail": rnd.choice(vocab.TARGETS[target][2] or [""]),
            "killed_low": killed_low,
            "killed_high": killed_high,
            "injured_low": injured_low,
            "injured_high": injured_high,
            "casualty_note": "",
            "confirmation": weighted(rnd, vocab.CONFIRMATIONS),
            "summary": f"{MARK} {n}: made up for the import benchmark; no such event.",
            "status": "published" if published else "draft",
            "source_ids": " | ".join(map(str, sources)),
        }
        update = {
            **row,
            "title": row["title"] + " (revised)",
            "summary": row["summary"] + " Revised.",
            "injured_low": "",
            "injured_high": "",
            "casualty_note": "Synthetic benchmark record: injured figures withdrawn.",
        }
        if published and n % 10 == 0:
            update["source_ids"] = " | ".join(
                map(str, sorted(rnd.sample(source_ids, rnd.randint(1, 3))))
            )
        yield row, update


def groups() -> list[dict]:
    """The synthetic claimants: GROUPS armed groups and one state, fixed whatever the size."""
    rows = [
        {
            "slug": f"synthetic-group-{n}",
            "name": f"Synthetic group {n}",
            "kind": "armed_group",
            "description": f"{MARK}: a made-up group for the import benchmark.",
            "status": "published",
        }
        for n in range(1, GROUPS + 1)
    ]
    state = {"slug": "synthetic-state", "name": "Synthetic state", "kind": "state"}
    return [*rows, {**rows[0], **state}]


def claims(incidents_file: Path, first_id: int, source_ids: list[int]):
    """One claim per incident of the file (ids from first_id, in order): claims of
    responsibility, denials and attributions by the synthetic state, all current; those about a
    published incident cite 1-2 sources. With each, its changed copy for the update file."""
    vocab = vocabulary()
    rnd = random.Random(first_id)
    for n, incident in enumerate(read_rows(incidents_file)):
        kind = rnd.choices(["responsibility", "denial", "attribution"], [70, 15, 15])[0]
        group = rnd.randint(1, GROUPS)
        attribution = kind == "attribution"
        published = incident["status"] == "published"
        row = {
            "claim_id": first_id + n,
            "incident_code": incident["code"],
            "kind": kind,
            "group": f"synthetic-group-{group}",
            "claimant_as_named": f"Synthetic group {group}",
            "date": incident["date"],
            "date_precision": "day" if incident["date"] else "",
            "medium": weighted(rnd, vocab.MEDIA),
            "original_language": "en",
            "english_text": "Synthetic benchmark record: a made-up statement.",
            "attributed_by": "synthetic-state" if attribution else "",
            "confidence": weighted(rnd, vocab.CONFIDENCES) if attribution else "",
            "status": "current",
            "note": f"{MARK} {n + 1}.",
            "source_ids": " | ".join(map(str, sorted(rnd.sample(source_ids, rnd.randint(1, 2)))))
            if published
            else "",
        }
        update = {
            **row,
            "english_text": row["english_text"] + " Revised.",
            "note": row["note"] + " (revised)",
        }
        yield row, update


def read_rows(path: Path):
    with open(path, newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


def write_pairs(create: Path, update: Path, columns: list[str], pairs) -> None:
    """Two CSV files written side by side from (row, changed row) pairs: memory flat in size."""
    with (
        open(create, "w", newline="", encoding="utf-8") as created,
        open(update, "w", newline="", encoding="utf-8") as updated,
    ):
        writers = [
            csv.DictWriter(f, columns, restval="", lineterminator="\r\n")
            for f in (created, updated)
        ]
        for writer in writers:
            writer.writeheader()
        for row, changed in pairs:
            writers[0].writerow(row)
            writers[1].writerow(changed)


def make_claims(paths: dict, first_id: int, source_ids: list[int]) -> dict[str, Path]:
    """The claims files for the incidents file, numbered from first_id (above the database's)."""
    folder = paths["create"].parent
    found = {
        "claims_create": folder / f"claims-{first_id}.csv",
        "claims_update": folder / f"claims-{first_id}-update.csv",
    }
    pairs = claims(paths["create"], first_id, source_ids)
    write_pairs(*found.values(), imported_columns("claims"), pairs)
    return found


def make_files(size: int, folder: Path, source_ids: list[int]) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    site_rows = sites()
    paths = {
        "groups": folder / "groups.csv",
        "locations": folder / "locations.csv",
        "empty": folder / "incidents-empty.csv",
        "create": folder / f"incidents-{size}.csv",
        "update": folder / f"incidents-{size}-update.csv",
    }
    columns = imported_columns("incidents")
    write_csv(paths["locations"], imported_columns("locations"), site_rows)
    write_csv(paths["groups"], imported_columns("groups"), groups())
    write_csv(paths["empty"], columns, [])
    pairs = incidents(size, source_ids, site_rows)
    write_pairs(paths["create"], paths["update"], columns, pairs)
    return paths


# --- Running the command --------------------------------------------------------------------------


def manage(env: dict, *args: str, timeout: float = TIMEOUT) -> dict:
    """Run manage.py in a child process: its wall seconds, its own peak RSS, its output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=out, stderr=err
        )
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        return {
            "seconds": round(seconds, 3),
            "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "returncode": child.returncode,
            "stdout": out.read().decode(errors="replace")[-2000:],
            "stderr": err.read().decode(errors="replace")[-4000:],
        }


def must(result: dict, what: str) -> dict:
    if result["returncode"]:
        raise SystemExit(f"{what} failed:\n{result['stdout']}{result['stderr']}")
    return result


COUNTS = {
    "incidents": "SELECT count(*), count(CASE WHEN title LIKE '%(revised)' THEN 1 END) "
    f"FROM claims_incident WHERE code LIKE '{PREFIX}%'",
    "claims": "SELECT count(*), count(CASE WHEN note LIKE '%(revised)' THEN 1 END) "
    f"FROM claims_claim WHERE note LIKE '{MARK}%'",
}


def query(url: str, sql: str) -> tuple:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return db.execute(sql).fetchone()
    with psycopg.connect(url) as db:
        return db.execute(sql).fetchone()


def counts(url: str, table: str) -> dict:
    """What the database holds of the benchmark's incidents or claims (plain SQL): how many,
    and how many the update file revised."""
    return dict(zip((table, "revised"), query(url, COUNTS[table]), strict=True))


def summary_of(stdout: str) -> dict | None:
    """The command's own count of what it did ('N created, M updated, K unchanged', any order)."""
    found = {
        word: re.findall(rf"(\d[\d,]*) {word}\b", stdout)
        for word in ("created", "updated", "unchanged")
    }
    if not all(found.values()):
        return None
    return {word: int(values[-1].replace(",", "")) for word, values in found.items()}


# --- One database, one size -----------------------------------------------------------------------


def measure(env: dict, url: str, size: int, paths: dict, args) -> dict:
    """The timed imports into a database that holds what it should start with: incidents, then
    (unless --no-claims) one claim per incident."""
    for table in ("groups", "locations"):
        must(manage(env, "import_csv", table, str(paths[table]), "--reason", REASON), table)
    steps, problems = {}, []
    empty = tuple(counts(url, "incidents").values())
    plan = [
        ("empty", "incidents", paths["empty"], 0, empty),
        ("create", "incidents", paths["create"], size, (size, 0)),
        ("unchanged", "incidents", paths["create"], size, (size, 0)),
        ("update", "incidents", paths["update"], size, (size, size)),
    ]
    if args.claims:
        first_id = query(url, "SELECT coalesce(max(id), 0) + 1 FROM claims_claim")[0]
        files = make_claims(paths, first_id, args.source_ids)
        plan += [
            ("claims_create", "claims", files["claims_create"], size, (size, 0)),
            ("claims_unchanged", "claims", files["claims_create"], size, (size, 0)),
            ("claims_update", "claims", files["claims_update"], size, (size, size)),
        ]
    plan = [item for item in plan if item[0] == "empty" or item[0] in args.steps]
    for step, table, path, rows, expected in plan:
        say(f"   {step}: import_csv {table} {path.name}")
        result = manage(env, "import_csv", table, str(path), "--reason", REASON)
        held = counts(url, table)
        steps[step] = {
            "rows": rows,
            "seconds": result["seconds"],
            "rows_per_s": round(rows / result["seconds"], 1) if rows else None,
            "peak_rss_mib": result["peak_rss_mib"],
            "cpu_s": result["cpu_s"],
            "returncode": result["returncode"],
            "summary": summary_of(result["stdout"]),
            "held": held,
        }
        say(
            f"      {result['seconds']:.1f} s, "
            + (f"{rows / result['seconds']:,.0f} rows/s, " if rows else "")
            + f"peak RSS {result['peak_rss_mib']} MiB"
        )
        if result["returncode"]:
            problems.append(
                f"{step}: exit status {result['returncode']}: {result['stderr'][-1500:]}"
            )
            steps[step]["stderr"] = result["stderr"]
            break
        if tuple(held.values()) != expected:
            problems.append(f"{step}: the database holds {held}, expected {expected}")
    return {"steps": steps, "problems": problems}


def seeded_run(size: int, run: int, args, work: Path, paths: dict) -> dict:
    name = f"kb_import_{size}"
    postgres = args.db == "postgres"
    url = f"{args.pg_url}/{name}" if postgres else f"sqlite:///{work / f'{name}-{run}.sqlite3'}"
    env = environment(url)
    if postgres:
        admin_sql(
            args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"
        )
    try:
        must(manage(env, "migrate", "--no-input", "-v0"), "migrate")
        must(manage(env, "load_seed"), "load_seed")
        return measure(env, url, size, paths, args)
    finally:
        if postgres:
            admin_sql(args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        else:
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)


def generated_database(args) -> tuple[str, bool]:
    """`kb_bench_<M>` holding M generated incidents, as `make bench` makes it, and whether it was
    there already (reused)."""
    name = f"kb_bench_{args.generated}"
    if args.reuse and holds(args.pg_url, name, args.generated):
        say(f"== reusing {name}: it holds {args.generated:,} generated incidents")
        return name, True
    say(f"== generating {name} ({args.generated:,} incidents; minutes)")
    admin_sql(
        args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"
    )
    env = environment(f"{args.pg_url}/{name}")
    must(manage(env, "migrate", "--no-input", "-v0"), "migrate")
    result = must(
        manage(env, "generate_data", "--incidents", str(args.generated), "--seed", "1"),
        "generate_data",
    )
    say(f"   generated in {result['seconds']:.0f} s")
    with psycopg.connect(f"{args.pg_url}/{name}", autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return name, False


def generated_run(size: int, template: str, args, paths: dict) -> dict:
    name = f"kb_import_{size}_into_{args.generated}"
    url = f"{args.pg_url}/{name}"
    admin_sql(args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    started = time.perf_counter()
    admin_sql(args.pg_url, f"CREATE DATABASE {name} TEMPLATE {template}")
    say(f"   copied {template} in {time.perf_counter() - started:.0f} s")
    env = environment(url)
    try:
        must(manage(env, "migrate", "--no-input", "-v0"), "migrate")  # a database kept earlier
        return measure(env, url, size, paths, args)
    finally:
        admin_sql(args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def compile_project() -> None:
    """The project's bytecode, in __pycache__ (ignored by git), as an installed copy has it."""
    packages = [p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *packages, "manage.py"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def environment(url: str) -> dict:
    return {**clean_env(), "DEBUG": "0", "SECRET_KEY": "import-benchmark-only", "DATABASE_URL": url}


def combine(size: int, base: str, info: dict, runs: list[dict]) -> dict:
    """One entry: every run kept, and per step the median of the runs."""
    entry = {"size": size, "base": base, "run": info, "runs": runs, "median": {}}
    for step in STEPS + CLAIM_STEPS:
        measured = [r["steps"][step] for r in runs if step in r["steps"]]
        if measured:
            entry["median"][step] = {
                key: median([m[key] for m in measured])
                for key in ("seconds", "rows_per_s", "peak_rss_mib", "cpu_s")
            }
    return entry


def median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 1) if values else None


def run_info(args) -> dict:
    if args.db == "sqlite":
        database = f"SQLite {sqlite3.sqlite_version}"
    else:
        with psycopg.connect(f"{args.pg_url}/postgres") as connection:
            database = "PostgreSQL " + connection.execute("SHOW server_version").fetchone()[0]
    return {
        "commit": git("rev-parse", "HEAD") or "unknown",
        # The results files this run rewrites do not make the code it measures dirty.
        "dirty": bool(
            git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!benchmarks/results")
        ),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
        "database": database,
        "runs": args.runs,
        "command": args.command,
    }


# --- Results --------------------------------------------------------------------------------------


def load(path: Path, db: str) -> dict:
    if path.exists():
        results = json.loads(path.read_text())
        if results.get("db") == db:
            return results
    return {"db": db, "entries": {}}


def key_of(base: str, size: int) -> str:
    return f"{base}:{size}"


def write(results: dict, out: Path) -> str:
    def order(item):
        base, size = item[0].rsplit(":", 1)
        return (base != "seed", base, int(size))

    results["entries"] = dict(sorted(results["entries"].items(), key=order))
    name = f"import-{results['db']}"
    (out / f"{name}.json").write_text(json.dumps(results, indent=1) + "\n")
    text = markdown(results)
    (out / f"{name}.md").write_text(text)
    return text


def number(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def held(base: str) -> str:
    return "seed" if base == "seed" else f"{int(base):,} generated"


def markdown(results: dict) -> str:
    db = results["db"]
    entries = list(results["entries"].values())
    lines = [f"# Import benchmark: {'PostgreSQL' if db == 'postgres' else 'SQLite'}", ""]
    lines += [
        "Written by `make bench-import` (benchmarks/import_rate.py; what is measured and how: its "
        "docstring and README.md, Benchmarks). Each import is `manage.py import_csv TABLE FILE` "
        "in its own process: seconds from start to exit (the fixed cost included), rows/s, "
        "and the process's peak RSS. Medians of the runs.",
        "",
    ]
    problems = [p for e in entries for r in e["runs"] for p in r["problems"]]
    if problems:
        lines += ["## ⚠ Failures", ""] + [f"- **{p}**" for p in problems] + [""]
    lines += ["## Rates", ""]
    lines += [
        "Seconds and rows/s of each import; CPU: the import process's own CPU seconds (user + "
        "system; less sensitive than wall time to other load on the machine, but without the "
        "database server's work on PostgreSQL), and rows per CPU second. The empty file's "
        "seconds are the fixed cost in every other figure. Other processes share the machine: "
        "see each run's load average below.",
        "",
        "| database holds | table | rows | create s | create rows/s | create CPU s "
        "| create rows/CPU s | unchanged s | unchanged rows/s | unchanged rows/CPU s | update s "
        "| update rows/s | update rows/CPU s | empty file s | empty file CPU s |",
        "|" + " --- |" * 15,
    ]
    for e in entries:
        for table, steps in TABLES.items():
            if steps[1] not in e["median"]:
                continue
            m = {step: e["median"].get(step, {}) for step in steps}
            cells = [held(e["base"]), table, f"{e['size']:,}"]
            for n, step in enumerate(steps[1:]):
                cells += [number(m[step].get("seconds"), 1), number(m[step].get("rows_per_s"))]
                cpu = m[step].get("cpu_s")
                if n == 0:
                    cells.append(number(cpu, 1))
                cells.append(number(e["size"] / cpu if cpu else None))
            empty = e["median"].get("empty", {})
            cells += [number(empty.get("seconds"), 1), number(empty.get("cpu_s"), 2)]
            lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Memory", ""]
    lines += [
        "Peak RSS of the import process (MiB; the empty file: the interpreter, Django and the "
        "command alone). Growth: this file's create peak ÷ the smallest file's, into the same "
        "database (1.00: flat in file size).",
        "",
        "| database holds | table | rows | empty file | create | unchanged | update | growth |",
        "|" + " --- |" * 8,
    ]
    smallest = {}
    for e in entries:
        smallest.setdefault(e["base"], e)  # entries are sorted by size within a base
    for e in entries:
        for table, steps in TABLES.items():
            if steps[1] not in e["median"]:
                continue
            first = smallest[e["base"]]["median"].get(steps[1], {}).get("peak_rss_mib")
            peak = e["median"][steps[1]].get("peak_rss_mib")
            growth = f"{peak / first:.2f}" if first and peak else "–"
            cells = [held(e["base"]), table, f"{e['size']:,}"]
            cells += [number(e["median"].get(step, {}).get("peak_rss_mib")) for step in steps]
            lines.append("| " + " | ".join([*cells, growth]) + " |")
    lines += ["", "## Runs", ""]
    lines += ["| database holds | rows | commit | date | load avg | machine | database | command |"]
    lines += ["|" + " --- |" * 8]
    for e in entries:
        r = e["run"]
        commit = r["commit"][:10] + (" (dirty)" if r["dirty"] else "")
        lines.append(
            f"| {held(e['base'])} | {e['size']:,} | {commit} | {r['date']} | "
            f"{' '.join(map(str, r['loadavg']))} | {r['nproc']} CPUs, Python {r['python']} | "
            f"{r['database']} | `{r['command']}` |"
        )
    lines += ["", "## Target", ""]
    seeded = [e for e in entries if e["base"] == "seed" and e["size"] >= 2000]
    if seeded:
        # Judged on the rows' own rate: the seconds of the file less those of the empty file
        # (starting the interpreter, Django and the command, measured in the same run), which a
        # file of 2,000 rows would otherwise spend a third of its time on.
        rates = {}
        for e in seeded:
            nets = []
            for run in e["runs"]:
                create, empty = run["steps"].get("create"), run["steps"].get("empty")
                work = create["seconds"] - empty["seconds"] if create and empty else 0
                nets.append(e["size"] / work if work > 0 else 0)
            gross = e["median"].get("create", {}).get("rows_per_s") or 0
            rates[e["size"]] = (statistics.median(nets) if nets else 0, gross)
        rate = min(net for net, _gross in rates.values())
        ok = rate >= TARGET_RATE
        each = "; ".join(
            f"{size:,} rows: {net:,.0f} rows/s ({gross:,.0f} with the start-up)"
            for size, (net, gross) in sorted(rates.items())
        )
        lines.append(
            f"- {'✅' if ok else '❌'} at least {TARGET_RATE:,} incident rows/s into the seeded "
            f"database (files of 2,000 rows or more; seconds less the empty file's): {each}"
        )
    else:
        lines.append("- not judged: no file of 2,000 rows or more into the seeded database")
    return "\n".join(lines) + "\n"


# --- Command line ---------------------------------------------------------------------------------


def sizes(value: str) -> list[int]:
    return [int(part) for part in value.replace(",", " ").split()]


def arguments(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.import_rate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument(
        "--sizes",
        type=sizes,
        nargs="+",
        default=[[2_000, 20_000, 100_000]],
        help="rows per file, space- or comma-separated (default 2000 20000 100000)",
    )
    parser.add_argument("--runs", type=int, default=1, help="fresh databases per size (default 1)")
    parser.add_argument(
        "--generated",
        type=int,
        default=0,
        help="PostgreSQL: also import into a database holding this many generated incidents",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="use kb_bench_<generated> if it holds them"
    )
    parser.add_argument("--keep", action="store_true", help="keep kb_bench_<generated> afterwards")
    parser.add_argument(
        "--source-ids", type=sizes, help="sources incidents cite (default: the seed's)"
    )
    parser.add_argument(
        "--steps",
        nargs="+",
        choices=[*STEPS[1:], *CLAIM_STEPS],
        default=[*STEPS[1:], *CLAIM_STEPS],
        help="only these imports (the header-only file always runs); e.g. --steps create, for "
        "the memory of a large file without the time of the others",
    )
    parser.add_argument(
        "--no-seeded",
        dest="seeded",
        action="store_false",
        help="with --generated: only the generated database (the seeded entries are kept)",
    )
    parser.add_argument(
        "--no-claims", dest="claims", action="store_false", help="import incidents only"
    )
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    parser.add_argument("--pg-url", default=PG_URL, help=f"PostgreSQL server (default {PG_URL})")
    parser.add_argument("--workdir", help="for the files and SQLite databases (default: temporary)")
    args = parser.parse_args(argv)
    args.sizes = sorted({size for group in args.sizes for size in group})
    if args.runs < 1 or not args.sizes or min(args.sizes) < 1:
        parser.error("--runs and the sizes must be positive")
    if args.generated and args.db != "postgres":
        parser.error("--generated needs --db postgres")
    if not (args.seeded or args.generated):
        parser.error("--no-seeded needs --generated")
    args.command = shlex.join(["python", "-m", "benchmarks.import_rate", *(argv or sys.argv[1:])])
    return args


def main(argv=None) -> int:
    args = arguments(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = load(out / f"import-{args.db}.json", args.db)
    temporary = args.workdir is None
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="kb-import-"))
    work.mkdir(parents=True, exist_ok=True)
    args.source_ids = args.source_ids or seed_source_ids()
    done, text = [], ""
    compile_project()
    try:
        files = {}
        for size in args.sizes:
            files[size] = make_files(size, work / f"files-{size}", args.source_ids)
            if not args.seeded:
                continue
            say(f"== {size:,} incident rows into the seeded database ({args.db})")
            info = run_info(args)
            runs = [seeded_run(size, n, args, work, files[size]) for n in range(args.runs)]
            results["entries"][key_of("seed", size)] = combine(size, "seed", info, runs)
            done.append(key_of("seed", size))
            text = write(results, out)
        if args.generated:
            template, reused = generated_database(args)
            try:
                for size in args.sizes:
                    say(f"== {size:,} incident rows into {args.generated:,} generated incidents")
                    info, base = run_info(args), str(args.generated)
                    paths = files[size]
                    runs = [generated_run(size, template, args, paths) for _ in range(args.runs)]
                    results["entries"][key_of(base, size)] = combine(size, base, info, runs)
                    done.append(key_of(base, size))
                    text = write(results, out)
            finally:
                if not (args.keep or reused):
                    admin_sql(args.pg_url, f"DROP DATABASE IF EXISTS {template} WITH (FORCE)")
    finally:
        if temporary:
            shutil.rmtree(work, ignore_errors=True)
    print(text)
    problems = [p for key in done for r in results["entries"][key]["runs"] for p in r["problems"]]
    say(f"Results: {out / f'import-{args.db}.json'} and {out / f'import-{args.db}.md'}")
    if problems:
        say("!! FAILURES:\n" + "\n".join(f"!!   {p}" for p in problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
