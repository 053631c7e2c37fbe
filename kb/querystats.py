"""SQL queries per request, for benchmarks: `X-Query-Count` and `X-Query-Time-Ms` headers.

On only with `KB_QUERY_STATS=1` (kb/settings.py adds the middleware then, first in the list, so
that it sees every other middleware's queries too); `make bench` turns it on, production never
does. It counts the statements sent through Django on every database connection of the thread
serving the request, and the time they took (`connection.execute_wrapper`).

A streamed response (the exports) sends its headers before its body: the headers then report
only what ran before the body started, not the query that the body reads its rows from, nor the
fetches of its server-side cursor.
"""

import time
from contextlib import ExitStack

from django.db import connections


class QueryStats:
    """An execute wrapper that counts statements and adds up their time."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


class QueryStatsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        stats = QueryStats()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(stats))
            response = self.get_response(request)
        response["X-Query-Count"] = str(stats.count)
        response["X-Query-Time-Ms"] = f"{stats.seconds * 1000:.1f}"
        return response
