"""`make bench`'s parts: the query statistics middleware counts what Django runs."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

ROOT = settings.BASE_DIR
QUERY_STATS = "kb.querystats.QueryStatsMiddleware"


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
