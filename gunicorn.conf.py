"""Gunicorn's settings for production (`make serve`, or `gunicorn -c gunicorn.conf.py kb.wsgi`),
sized for a small machine. Every value can be changed from the environment.

Threaded workers (`gthread`): a worker's main loop keeps telling the arbiter it is alive while its
threads serve requests, so the `timeout` below kills only a worker that is really stuck, never one
streaming a long export (a `sync` worker is killed after `timeout` seconds of a single response,
which cut exports of a large database short).
"""

import os


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Behind a TLS proxy on the same host: listen on loopback unless told otherwise.
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{env_int('PORT', 8000)}"

# One process per core, each with a few threads: the pages wait on the database more than they
# compute, and each thread holds one database connection (workers × threads connections in all).
workers = env_int("WEB_CONCURRENCY", os.cpu_count() or 1)
worker_class = "gthread"
threads = env_int("GUNICORN_THREADS", 4)

timeout = env_int("GUNICORN_TIMEOUT", 30)  # a stuck worker is replaced after this
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)  # on restart, requests may finish
keepalive = 5

# Replace each worker now and then, at different times, so memory cannot creep up for ever.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# Requests too large for this site's forms and query strings are refused by gunicorn itself.
limit_request_line = 8190
limit_request_fields = 100

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
