"""The production path, run as the README documents it: `make serve` (DEBUG off, static files
collected into the manifest storage, gunicorn with gunicorn.conf.py) answers 200 on every page
type, with every static file a page refers to; and the server configuration lets a long streamed
response finish.

These tests start real processes on free ports, against their own SQLite file, whatever database
the rest of the suite uses.
"""

import concurrent.futures
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR
SECRET = "production-test-" + "q8W!z2Lp#9Xv$4Rt^7Yb&1Nc*5Hd(3Jf)6Kg" * 2

# One URL of each kind of page, JSON endpoint, export and file the site serves.
PAGES = [
    "/",
    "/incidents/",
    "/incidents/?country=IQ&sort=-killed",
    "/incidents/2024-01-28-tower-22-drone/",
    "/incidents/2024-01-28-tower-22-drone/history/",
    "/incidents/timeline.json",
    "/incidents/map.json",
    "/claims/",
    "/groups/",
    "/groups/kataib-hezbollah/",
    "/brands/",
    "/brands/islamic-resistance-in-iraq/",
    "/locations/",
    "/locations/tower-22/",
    "/sources/",
    "/sources/1/",
    "/search/?q=drone",
    "/changes/",
    "/changes/feed/",
    "/codebook/",
    "/codebook.md",
    "/codebook.csv",
    "/incidents/export.csv",
    "/incidents/export.json",
    "/incidents/export.geojson",
    "/claims/export.csv",
    "/groups/export.csv",
    "/brands/export.csv",
    "/locations/export.csv",
    "/sources/export.csv",
    "/affiliations/export.csv",
    "/changes/export.csv",
    "/admin/login/",
]
STATIC = re.compile(r"""(?:src|href|data-countries)="(/static/[^"?#]+)""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to check, not to follow


OPENER = urllib.request.build_opener(NoRedirect)


def get(url: str, timeout: float = 60) -> tuple[int, dict, bytes]:
    # Behind the TLS proxy the README describes: it says the request came over HTTPS.
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with OPENER.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_until_serving(base: str, process: subprocess.Popen, log, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"the server stopped (exit {process.returncode}):\n{log.read()}")
        try:
            get(base + "/", timeout=5)
            return
        except OSError:
            time.sleep(0.5)
    log.seek(0)
    pytest.fail(f"the server did not answer within {seconds} s:\n{log.read()}")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`make serve` with the production settings the README gives, behind a (simulated) proxy."""
    folder = tmp_path_factory.mktemp("production")
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_", "SECURE_", "DEBUG"))
    }
    env.update(
        SECRET_KEY=SECRET,
        DATABASE_URL=f"sqlite:///{folder / 'kb.sqlite3'}",
        STATIC_ROOT=str(folder / "static"),
        PORT=str(port),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_PROXY_SSL_HEADER="1",
        WEB_CONCURRENCY="1",
        MAKEFLAGS="",
    )
    log = open(folder / "serve.log", "w+")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        ["make", "--no-print-directory", "serve"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", process, log)
        yield f"http://127.0.0.1:{port}", folder
    finally:
        stop(process)
        log.close()


def test_make_serve_answers_200_on_every_page_type_with_debug_off(served):
    base, folder = served
    failures = []
    for path in PAGES:
        status, _, body = get(base + path)
        if status != 200:
            failures.append(f"{path}: {status} {body[:300]!r}")
    assert not failures, "\n".join(failures) + "\n" + (folder / "serve.log").read_text()[-3000:]


def test_pages_refer_to_hashed_static_files_that_are_served(served):
    base, _ = served
    referred = set()
    for path in ("/", "/incidents/", "/admin/login/"):
        _, _, body = get(base + path)
        referred |= set(STATIC.findall(body.decode()))
    # The manifest storage names files by their content's hash: css/kb.<hash>.css.
    assert any(re.fullmatch(r"/static/css/kb\.[0-9a-f]{12}\.css", url) for url in referred)
    assert any("leaflet" in url for url in referred)
    for url in sorted(referred):
        status, headers, _ = get(base + url)
        assert status == 200, url
        assert "max-age" in headers.get("Cache-Control", ""), url


def test_debug_is_off_an_unknown_page_is_a_plain_404(served):
    base, _ = served
    status, _, body = get(base + "/incidents/no-such-incident/")
    assert status == 404
    assert b"Traceback" not in body and b"DEBUG = True" not in body


def test_a_plain_http_request_is_sent_to_https(served):
    base, _ = served
    request = urllib.request.Request(base + "/incidents/", headers={"X-Forwarded-Proto": "http"})
    with pytest.raises(urllib.error.HTTPError) as answer:
        OPENER.open(request, timeout=30)
    assert answer.value.code == 301
    assert answer.value.headers["Location"].startswith("https://")


GUNICORN = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")]
SLOW_APP = """
import time

def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    if environ["PATH_INFO"] != "/stream":
        return [b"ready\\n"]
    return stream()


def stream():
    for n in range(8):
        time.sleep(0.5)
        yield b"chunk %d\\n" % n
"""


def test_a_long_streamed_response_finishes_and_other_requests_are_served_meanwhile(tmp_path):
    """A long export streams for minutes on a large database: the configured server must neither
    cut it at its worker timeout nor make every other reader wait until it ends (one sync worker
    would serve nothing else meanwhile)."""
    (tmp_path / "slow_app.py").write_text(SLOW_APP)
    port = free_port()
    env = {**os.environ, "PORT": str(port), "GUNICORN_TIMEOUT": "1", "WEB_CONCURRENCY": "1"}
    log = open(tmp_path / "gunicorn.log", "w+")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [*GUNICORN, "--chdir", str(tmp_path), "slow_app:application"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, process, log)
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            download = pool.submit(get, base + "/stream", 30)
            time.sleep(0.3)  # the download has started
            status, _, body = get(base + "/", timeout=30)
            assert (status, body) == (200, b"ready\n")
            assert not download.done(), "the other request waited for the download to end"
            status, _, body = download.result()
    finally:
        stop(process)
        log.close()
    assert status == 200
    assert body.decode().splitlines() == [f"chunk {n}" for n in range(8)]
