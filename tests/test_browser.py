"""In a real browser (Debian's Chromium, headless, driven by Playwright): the incident list's
table, timeline and map agree after a filter is applied through the form; clicking a circle or a
bar narrows the list through its URL; the page works without JavaScript and makes no request
beyond this site. Screenshots of the list, an incident and a brand page are saved in
test-artifacts/screenshots/ for people to look at."""

import os
import re
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import WSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from django.test.utils import override_settings

# The seed data is read by the live server; the mark also has the test database created when
# these tests run on their own.
pytestmark = pytest.mark.django_db

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
IRI = "islamic-resistance-in-iraq"
TOWER_22 = "2024-01-28-tower-22-drone"
DESKTOP = {"width": 1280, "height": 900}


class LiveServer(LiveServerThread):
    """Django's live server, answering one request at a time when it shares the test's in-memory
    SQLite connection: its threads would otherwise use that one connection at once (a page asks
    for its timeline and its map together) and get each other's rows, and the page a 400 or a
    500 now and then."""

    def _create_server(self, connections_override=None):
        if not connections_override:
            return super()._create_server(connections_override)
        address = (self.host, self.port)
        return WSGIServer(address, QuietWSGIRequestHandler, allow_reuse_address=False)


@pytest.fixture(scope="module")
def live_url(django_db_setup, django_db_blocker):
    """This site, with the seed data, served on a free port for the module's tests."""
    # The middleware reads these when the server starts, before any test's own settings.
    plain_http = override_settings(
        ALLOWED_HOSTS=["localhost"],
        SECURE_SSL_REDIRECT=False,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    )
    with django_db_blocker.unblock(), plain_http:
        shared = {
            conn.alias: conn
            for conn in connections.all()
            if conn.vendor == "sqlite" and conn.is_in_memory_db()
        }
        for conn in shared.values():
            conn.inc_thread_sharing()
        server = LiveServer("localhost", StaticFilesHandler, connections_override=shared)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        try:
            yield f"http://localhost:{server.port}"
        finally:
            server.terminate()
            for conn in shared.values():
                conn.dec_thread_sharing()
            # The connections the module's tests used: on PostgreSQL one of them stayed open to
            # the end of the run, and the test database could not be dropped ("being accessed
            # by other users").
            connections.close_all()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's database transaction
    # (not the browser) runs here, synchronously, which is what Django's guard is about.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}: "
            "apt-get install -y chromium (or set CHROMIUM to its path)."
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@contextmanager
def opened(browser, live_url, viewport=DESKTOP, javascript=True, refused_pages_expected=False):
    """A page in a fresh browser context (its own localStorage) that fails the test on a script
    error and refuses any request to another host (the site must work offline). With
    `refused_pages_expected`, the console's report of a page answered 400 is not an error."""
    context = browser.new_context(
        viewport=viewport, base_url=live_url, java_script_enabled=javascript
    )
    outside, errors = [], []

    def only_this_site(route):
        if route.request.url.startswith(live_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def console(message):
        if message.type != "error":
            return
        if refused_pages_expected and "status of 400" in message.text:
            return
        errors.append(message.text)

    context.route("**/*", only_this_site)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", console)
    try:
        yield page
    finally:
        context.close()
    assert outside == [], "requests beyond this site"
    assert errors == [], "script errors"


@pytest.fixture
def page(browser, live_url):
    with opened(browser, live_url) as page:
        yield page


def drawn(page, url):
    page.goto(url)
    page.wait_for_selector("section.visuals[data-ready]", state="attached")
    return read(page)


def read(page):
    """What the table, the chart and the map each say the page selects."""
    bars = page.locator(".timeline-svg .bar")
    circles = page.locator("path.incident-marker")
    return {
        "table": int(page.locator("p.count").get_attribute("data-count")),
        "timeline": sum(int(bars.nth(i).get_attribute("data-total")) for i in range(bars.count())),
        "chart_total": int(page.locator(".timeline-svg").get_attribute("data-total") or 0),
        "map": sum(int(circles.nth(i).get_attribute("data-count")) for i in range(circles.count()))
        + int(page.locator(".unlocated").get_attribute("data-unlocated")),
        "circles": circles.count(),
        "bars": bars.count(),
    }


def query(page):
    return parse_qs(urlsplit(page.url).query)


def test_a_filter_applied_through_the_form_moves_the_table_the_timeline_and_the_map_together(page):
    everything = drawn(page, "/incidents/")
    assert everything["table"] == everything["timeline"] == everything["map"] > 0

    page.check("#id_country input[value=SY]")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"country=SY"))
    page.wait_for_selector("section.visuals[data-ready]", state="attached")
    syria = read(page)

    assert syria["table"] == syria["timeline"] == syria["chart_total"] == syria["map"]
    assert 0 < syria["table"] < everything["table"]
    assert 0 < syria["circles"] < everything["circles"]
    countries = page.locator("table.data:not(.timeline-data) tbody td.country").all_inner_texts()
    assert countries and set(countries) == {"SY"}
    # The plain table under the chart holds the same numbers.
    rows = page.locator("table.timeline-data tbody tr")
    totals = [int(rows.nth(i).get_attribute("data-total")) for i in range(rows.count())]
    assert sum(totals) == syria["table"]


def test_clicking_a_circle_filters_the_list_by_its_location(page):
    before = drawn(page, "/incidents/?country=IQ")
    circles = page.locator("path.incident-marker")
    counts = [int(circles.nth(i).get_attribute("data-count")) for i in range(circles.count())]
    biggest = circles.nth(counts.index(max(counts)))
    slug, count = biggest.get_attribute("data-slug"), int(biggest.get_attribute("data-count"))

    biggest.click()
    page.wait_for_url(re.compile(rf"location={slug}"))
    page.wait_for_selector("section.visuals[data-ready]", state="attached")
    after = read(page)

    assert query(page)["location"] == [slug]
    assert query(page)["country"] == ["IQ"]  # the other filters stay
    assert after["table"] == after["timeline"] == after["map"] == count < before["table"]
    assert after["circles"] == 1


def test_clicking_a_bar_lists_exactly_the_incidents_it_counts(page):
    drawn(page, f"/brands/{IRI}/")
    bar = page.locator(".timeline-svg .bar").first
    start, end = bar.get_attribute("data-start"), bar.get_attribute("data-end")
    total = int(bar.get_attribute("data-total"))

    bar.click()
    page.wait_for_url(re.compile(r"date_from="))
    page.wait_for_selector("section.visuals[data-ready]", state="attached")
    after = read(page)

    assert urlsplit(page.url).path == f"/brands/{IRI}/"
    assert (query(page)["date_from"], query(page)["date_to"]) == ([start], [end])
    assert query(page)["date_match"] == ["start"]
    assert page.locator("#id_date_from").input_value() == start
    # The bar counts incidents by their first possible day, and so does the list it opens.
    assert after["table"] == total > 0
    assert after["table"] == after["timeline"] == after["map"]


def test_without_javascript_the_table_and_the_timelines_numbers_are_there(browser, live_url):
    context = browser.new_context(java_script_enabled=False, base_url=live_url)
    page = context.new_page()
    page.goto("/incidents/?country=SY")
    count = int(page.locator("p.count").get_attribute("data-count"))
    assert page.locator("table.data tbody tr").count() > 0
    assert not page.locator("figure.chart-panel").is_visible()
    page.locator("details.timeline-table summary").click()
    rows = page.locator("table.timeline-data tbody tr")
    assert rows.count() > 0
    totals = [int(rows.nth(i).get_attribute("data-total")) for i in range(rows.count())]
    assert sum(totals) == count
    context.close()


@pytest.mark.parametrize(
    ("name", "url", "ready"),
    [
        ("list", "/incidents/", "section.visuals[data-ready]"),
        ("incident", f"/incidents/{TOWER_22}/", "article.incident"),
        ("brand", f"/brands/{IRI}/", "section.visuals[data-ready]"),
    ],
)
def test_screenshots_of_the_list_an_incident_and_a_brand_page(page, name, url, ready):
    page.goto(url)
    page.wait_for_selector(ready, state="attached")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
