"""`make bench`'s parts: the query statistics middleware counts what Django runs, and the benchmark
runs end to end (on SQLite, at a tiny size: every URL answers 200, every export streams the rows
the database holds, the results hold every URL and export, and a later run keeps earlier sizes)."""

import copy
import json
import math
import os
import sqlite3
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings

from benchmarks import bench
from exchange.catalogue import exports

ROOT = settings.BASE_DIR
QUERY_STATS = "kb.querystats.QueryStatsMiddleware"
SIZE = 300


def with_query_stats():
    return override_settings(MIDDLEWARE=[QUERY_STATS, *settings.MIDDLEWARE])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/incidents/?country=IQ&sort=-killed",
        "/groups/kataib-hezbollah/",
        "/search/?q=drone",
        "/incidents/timeline.json",
    ],
)
def test_query_stats_headers_count_what_django_runs(client, url):
    with with_query_stats(), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed_ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200
    assert len(queries) > 0
    assert int(response["X-Query-Count"]) == len(queries)
    assert 0 <= float(response["X-Query-Time-Ms"]) <= elapsed_ms


@pytest.mark.django_db
def test_a_streamed_export_reports_the_queries_before_its_body(client):
    with with_query_stats(), CaptureQueriesContext(connection) as queries:
        response = client.get("/incidents/export.csv")
        before_body = len(queries)
        body = b"".join(response.streaming_content)
    assert int(response["X-Query-Count"]) == before_body
    assert len(queries) > before_body  # the rows' query runs as the body is read
    assert body.count(b"\r\n") > 1


@pytest.mark.parametrize("value, added", [("1", True), ("0", False), ("", False)])
def test_query_stats_are_on_only_when_asked_for(value, added):
    code = "from django.conf import settings; print(settings.MIDDLEWARE[0])"
    env = {**os.environ, "DEBUG": "1", "KB_QUERY_STATS": value}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (result.stdout.strip() == QUERY_STATS) is added


# --- End to end -----------------------------------------------------------------------------------

# The URLs the benchmark must time, whatever else it adds.
REQUIRED = [
    "/",
    "/incidents/",
    "/incidents/?q=<word>",
    "/incidents/?sort=-killed",
    "/incidents/?sort=title",
    "/incidents/?competing=1",
    "/incidents/?unclaimed=1",
    "/incidents/?country=<country>",
    "/incidents/?group=<group>",
    "/incidents/?group=<group>&group_via_brand=1",
    "/incidents/?brand=<brand>",
    "/incidents/?location=<location>",
    "/incidents/?killed_min=<n>",
    "/incidents/?weapon=<weapon>",
    "/incidents/?date_from=<month start>&date_to=<month end>",
    "/incidents/?date_from=<year start>&date_to=<year end>",
    "/incidents/?page=<last page>",
    "/incidents/?per_page=200",
    "/incidents/<incident>/",
    "/groups/",
    "/groups/<group>/",
    "/brands/",
    "/brands/<brand>/",
    "/locations/",
    "/locations/<location>/",
    "/sources/",
    "/sources/<source>/",
    "/claims/",
    "/changes/",
    "/search/?q=<alias>",
    "/incidents/timeline.json",
    "/incidents/map.json",
]

# What the database holds for an anonymous reader, counted in plain SQL.
PUBLISHED = "status = 'published'"
COUNTS = {
    "incidents": f"SELECT count(*) FROM claims_incident WHERE {PUBLISHED}",
    "claims": "SELECT count(*) FROM claims_claim c JOIN claims_incident i "
    "ON i.id = c.incident_id WHERE i.status = 'published'",
    "groups": f"SELECT count(*) FROM groups_group WHERE {PUBLISHED}",
    "brands": f"SELECT count(*) FROM groups_brand WHERE {PUBLISHED}",
    "locations": f"SELECT count(*) FROM claims_location WHERE {PUBLISHED}",
    "sources": f"SELECT count(*) FROM sources_source WHERE {PUBLISHED}",
    "affiliations": "SELECT count(*) FROM groups_affiliation a "
    "JOIN groups_group g ON g.id = a.group_id JOIN groups_brand b ON b.id = a.brand_id "
    "WHERE g.status = 'published' AND b.status = 'published'",
    "changes": "SELECT count(*) FROM changes_change WHERE public",
}
# The tables shown inside others: public with what they hang on (kb.visibility).
G, B = "groups_group", "groups_brand"
CHANNEL_PUBLIC = (
    f"(c.operated_by_group_id IS NULL OR c.operated_by_group_id IN (SELECT id FROM {G} "
    f"WHERE {PUBLISHED})) AND (c.operated_by_brand_id IS NULL OR c.operated_by_brand_id IN "
    f"(SELECT id FROM {B} WHERE {PUBLISHED}))"
)
RELATION_PUBLIC = (
    f"r.subject_id IN (SELECT id FROM {G} WHERE {PUBLISHED}) AND (r.object_group_id IN "
    f"(SELECT id FROM {G} WHERE {PUBLISHED}) OR r.object_brand_id IN (SELECT id FROM {B} "
    f"WHERE {PUBLISHED}))"
)
AFFILIATION_PUBLIC = (
    f"a.group_id IN (SELECT id FROM {G} WHERE {PUBLISHED}) AND a.brand_id IN "
    f"(SELECT id FROM {B} WHERE {PUBLISHED})"
)
SOURCE_PUBLIC = f"x.source_id IN (SELECT id FROM sources_source WHERE {PUBLISHED})"


def cited(table, record_table, link, public):
    return (
        f"SELECT count(*) FROM {table} x JOIN {record_table} ON {record_table.split()[-1]}.id "
        f"= x.{link}_id WHERE {SOURCE_PUBLIC} AND {public}"
    )


COUNTS |= {
    "aliases": f"SELECT count(*) FROM groups_alias x WHERE x.group_id IN (SELECT id FROM {G} "
    f"WHERE {PUBLISHED}) OR x.brand_id IN (SELECT id FROM {B} WHERE {PUBLISHED})",
    "channels": f"SELECT count(*) FROM groups_channel c WHERE {CHANNEL_PUBLIC}",
    "relations": f"SELECT count(*) FROM groups_relation r WHERE {RELATION_PUBLIC}",
    "incident_citations": cited(
        "claims_incidentcitation", "claims_incident i", "incident", "i.status = 'published'"
    ),
    "claim_citations": cited(
        "claims_claimcitation",
        "claims_claim c",
        "claim",
        "c.incident_id IN (SELECT id FROM claims_incident WHERE status = 'published')",
    ),
    "group_citations": cited("groups_groupcitation", f"{G} g", "group", "g.status = 'published'"),
    "brand_citations": cited("groups_brandcitation", f"{B} b", "brand", "b.status = 'published'"),
    "location_citations": cited(
        "claims_locationcitation", "claims_location l", "location", "l.status = 'published'"
    ),
    "affiliation_citations": cited(
        "groups_affiliationcitation", "groups_affiliation a", "affiliation", AFFILIATION_PUBLIC
    ),
    "relation_citations": cited(
        "groups_relationcitation", "groups_relation r", "relation", RELATION_PUBLIC
    ),
    "channel_citations": cited(
        "groups_channelcitation", "groups_channel c", "channel", CHANNEL_PUBLIC
    ),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """`make bench DB=sqlite SIZES=300 RUNS=1 CLIENTS=2 SECONDS=2`, into a temporary directory."""
    folder = tmp_path_factory.mktemp("bench")
    out, work = folder / "results", folder / "work"
    command = [sys.executable, "-m", "benchmarks.bench", "--db", "sqlite", "--sizes", str(SIZE)]
    command += ["--runs", "1", "--clients", "2", "--seconds", "2"]
    command += ["--out", str(out), "--workdir", str(work)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return {
        "json": json.loads((out / "sqlite.json").read_text()),
        "markdown": (out / "sqlite.md").read_text(),
        "stdout": result.stdout,
        "out": out,
    }


def test_every_url_answers_200_and_is_in_the_results(run):
    entry = run["json"]["sizes"][str(SIZE)]
    pages = {page["key"]: page for page in entry["pages"]}
    assert set(REQUIRED) <= set(pages)
    for key, page in pages.items():
        assert page["status"] == [200, 200], (key, page["url"], page.get("error_body"))
        assert page["median_ms"] > 0 and page["bytes"] > 0
        assert page["queries"] is not None and page["sql_ms"] is not None, key
        assert f"| `{key}` |" in run["markdown"]
    # Fewer than 10,000 rows: the deepest page is the last one (page 400 would be a 400).
    last = math.ceil(entry["params"]["published_incidents"] / 25)
    assert pages["/incidents/?page=<last page>"]["url"] == f"/incidents/?page={last}"


def test_every_export_streams_the_rows_the_database_holds(run):
    entry = run["json"]["sizes"][str(SIZE)]
    request = RequestFactory().get("/")
    assert [x["name"] for x in entry["exports"]] == list(exports(request))
    with sqlite3.connect(entry["database"].removeprefix("sqlite:///")) as db:
        for export in entry["exports"]:
            held = db.execute(COUNTS[export["name"]]).fetchone()[0]
            assert export["status"] == 200
            assert export["rows"] == export["expected_rows"] == held > 0, export["name"]
            assert f"| {export['name']} | {SIZE} | {held:,} | " in run["markdown"]
            assert export["rss"]["before_mib"], "the workers' memory was not read"


def test_concurrency_ran_without_errors_and_the_markdown_is_printed(run):
    entry = run["json"]["sizes"][str(SIZE)]
    assert entry["concurrency"]["requests"] > 0
    assert entry["concurrency"]["errors"] == 0
    assert entry["run"]["commit"] and entry["generate_s"] > 0
    assert run["markdown"].strip() in run["stdout"]
    assert "⚠" not in run["markdown"]


def test_a_later_run_keeps_the_sizes_it_does_not_rerun(run, monkeypatch):
    earlier = run["json"]["sizes"][str(SIZE)]

    def measured(size, args):
        entry = copy.deepcopy(earlier)
        entry["size"] = size
        for page in entry["pages"]:
            page["median_ms"] *= 3
        return entry

    monkeypatch.setattr(bench, "run_size", measured)
    assert bench.main(["--db", "sqlite", "--sizes", "3000", "--out", str(run["out"])]) == 0
    results = json.loads((run["out"] / "sqlite.json").read_text())
    assert list(results["sizes"]) == [str(SIZE), "3000"]
    assert results["sizes"][str(SIZE)] == earlier
    markdown = (run["out"] / "sqlite.md").read_text()
    assert "| 300 ms (cold) |" in markdown and "| 3,000 ms (cold) |" in markdown
    assert "| `/incidents/` |" in markdown and " | 3.00 |" in markdown  # ratio 3000 ÷ 300
