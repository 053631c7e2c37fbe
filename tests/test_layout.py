"""The layout, measured in a real browser (Chromium through Playwright, as tests/test_browser.py):
at 390 px no public page is wider than the screen; at 1280 x 800 every column of every public
table is in view beside the open filter panel and titles take at most three lines; the filter
panel collapses and remembers it (open without JavaScript, closed at first on a phone so the data
comes first); on a phone a table scrolls in its own box with its naming column kept in view; a
refused (400) page asks for no chart; the timeline's axis counts in round numbers. Screenshots at
1280 and 390 px of the incident list, an incident and a brand page are saved in
test-artifacts/screenshots/."""

# ruff: noqa: F811

import re

import pytest

from sources.models import Source

# test_browser.py's Chromium and live server, used here as fixtures (hence the names as arguments).
from tests.test_browser import (  # noqa: F401 (fixtures)
    IRI,
    SCREENSHOTS,
    TOWER_22,
    browser,
    live_url,
)
from tests.test_browser import opened as opened_page

pytestmark = pytest.mark.django_db

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
HARIR = "2023-10-18-harir-drone"

# Every list page with all its rows on one page (the longest titles included).
LISTS = [
    "/incidents/?per_page=100",
    "/claims/?per_page=200",
    "/groups/?per_page=200",
    "/brands/?per_page=200",
    "/locations/?per_page=200",
    "/sources/?per_page=200",
    "/groups/kataib-hezbollah/?per_page=100",
    f"/brands/{IRI}/?per_page=100",
    "/locations/tower-22/",
]
# The change log's first column names a record, not a title: it is measured for width only.
TABLE_PAGES = [*LISTS, "/changes/?per_page=200", "/", "/search/?q=hezbollah", "/codebook/"]


def public_pages():
    long_address = Source.objects.filter(url__contains="elmawqif.com").order_by("pk")[0]
    return [
        "/",
        "/incidents/",
        "/claims/",
        "/groups/",
        "/brands/",
        "/locations/",
        "/sources/",
        "/changes/",
        "/codebook/",
        "/search/?q=hezbollah",
        f"/incidents/{TOWER_22}/",
        f"/incidents/{HARIR}/",
        f"/incidents/{TOWER_22}/history/",
        "/groups/kataib-hezbollah/",
        f"/brands/{IRI}/",
        "/locations/tower-22/",
        long_address.get_absolute_url(),
        "/incidents/?country=ZZ",  # a 400 page
    ]


def opened(browser, live_url, viewport, javascript=True):
    """test_browser's guarded page; the pages here include a 400 page, whose load the console
    reports."""
    return opened_page(browser, live_url, viewport, javascript, refused_pages_expected=True)


def settle(page, url):
    page.goto(url)
    page.wait_for_load_state("load")
    if page.locator("section.visuals").count():
        page.wait_for_selector("section.visuals[data-ready]", state="attached")


def test_no_public_page_is_wider_than_a_phone(browser, live_url):
    too_wide = {}
    with opened(browser, live_url, PHONE) as page:
        for url in public_pages():
            settle(page, url)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[url] = width
    assert too_wide == {}


# The columns of every visible data table: each header's right edge, the table's, and whether the
# box around it scrolls sideways. Timeline tables are opened first: they are public tables too.
COLUMNS = """() => {
  document.querySelectorAll("details.timeline-table").forEach(d => { d.open = true; });
  return [...document.querySelectorAll("table.data")].filter(t => t.offsetParent !== null)
    .map(t => {
      const box = t.parentElement;
      return {
        table: t.className,
        headers: [...t.querySelectorAll("thead th")].map(th => th.getBoundingClientRect().right),
        right: t.getBoundingClientRect().right,
        scrolls: box.scrollWidth > box.clientWidth + 1,
      };
    });
}"""


def test_every_column_of_every_public_table_is_in_view_at_1280(browser, live_url):
    hidden = []
    with opened(browser, live_url, LAPTOP) as page:
        for url in TABLE_PAGES:
            settle(page, url)
            # Measured beside the open filter panel, where a list has one.
            assert page.locator("details#filter-panel:not([open])").count() == 0
            viewport = page.evaluate("document.documentElement.clientWidth")
            tables = page.evaluate(COLUMNS)
            assert tables, url
            for table in tables:
                if table["scrolls"] or max([table["right"], *table["headers"]]) > viewport:
                    hidden.append((url, table["table"], round(table["right"])))
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport, url
    assert hidden == []


# The lines a table's naming link takes, the most of any row.
TITLE_LINES = """() => Math.max(0, ...[...document.querySelectorAll("table.data td.key > a")]
  .map(a => new Set([...a.getClientRects()].map(r => Math.round(r.top))).size))"""


def test_titles_read_on_at_most_three_lines_at_1280(browser, live_url):
    lines = {}
    with opened(browser, live_url, LAPTOP) as page:
        for url in LISTS:
            settle(page, url)
            lines[url] = page.evaluate(TITLE_LINES)
    assert all(0 < n <= 3 for n in lines.values()), lines
    assert lines["/incidents/?per_page=100"] >= 2  # the longest titles do wrap: measured


def table_box(page):
    return page.locator(".table-container").first.bounding_box()


def test_the_filter_panel_collapses_gives_the_table_the_room_and_remembers(
    browser,
    live_url,
):
    with opened(browser, live_url, LAPTOP) as page:
        settle(page, "/incidents/")
        panel, form = page.locator("details#filter-panel"), page.locator("form.filters")
        assert panel.get_attribute("open") is not None and form.is_visible()
        beside = table_box(page)

        page.locator("#filter-panel > summary").click()
        assert not form.is_visible()
        alone = table_box(page)
        assert alone["x"] < beside["x"] and alone["width"] > beside["width"] + 150

        page.reload()
        page.wait_for_load_state("load")
        assert panel.get_attribute("open") is None and not form.is_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "list-1280-filters-closed.png"))

        page.locator("#filter-panel > summary").click()
        assert form.is_visible()
        page.goto("/claims/")  # one choice for every list
        assert page.locator("form.filters").is_visible()


def test_without_javascript_the_filter_panel_is_open(browser, live_url):
    with opened(browser, live_url, LAPTOP, javascript=False) as page:
        page.goto("/incidents/")
        assert page.locator("form.filters").is_visible()
        assert page.locator("#id_country").is_visible()


def test_on_a_phone_the_data_comes_first_and_the_filters_open_from_their_button(
    browser,
    live_url,
):
    with opened(browser, live_url, PHONE) as page:
        settle(page, "/incidents/")
        form, button = page.locator("form.filters"), page.locator("#filter-panel > summary")
        assert not form.is_visible()
        assert button.is_visible()
        # Nothing but the button stands between the list's introduction and its results.
        results = page.locator("section.results").bounding_box()
        assert results["y"] - button.bounding_box()["y"] < 80

        button.click()
        assert form.is_visible()
        assert form.bounding_box()["y"] < page.locator("section.results").bounding_box()["y"]
        page.locator("input[name=weapon][value=rocket]").check()
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url(re.compile(r"weapon=rocket"))
        # The next page starts with its data again, the filter named on the button.
        assert not page.locator("form.filters").is_visible()
        assert page.locator("#filter-panel > summary").inner_text() == "Filters (1 active)"


# Where the table's box and its naming column are, once the box is scrolled to its far end.
SCROLLED = """() => {
  const box = document.querySelector(".table-container");
  box.scrollLeft = box.scrollWidth;
  const key = box.querySelector("tbody td.key").getBoundingClientRect();
  const edge = box.getBoundingClientRect();
  return {scrolls: box.scrollWidth > box.clientWidth, scrolled: box.scrollLeft,
          box: [edge.left, edge.right], key: [key.left, key.right],
          page: document.documentElement.scrollWidth};
}"""


@pytest.mark.parametrize(
    "url", ["/incidents/", "/claims/", "/sources/", f"/brands/{IRI}/", "/changes/"]
)
def test_on_a_phone_a_table_scrolls_in_its_own_box_keeping_its_naming_column(
    browser,
    live_url,
    url,
):
    with opened(browser, live_url, PHONE) as page:
        settle(page, url)
        seen = page.evaluate(SCROLLED)
    assert seen["scrolls"] and seen["scrolled"] > 0
    assert seen["page"] <= PHONE["width"]
    (box_left, box_right), (key_left, key_right) = seen["box"], seen["key"]
    assert box_left - 1 <= key_left < key_right <= box_right + 1
    assert key_right - key_left < PHONE["width"] / 2  # the other columns still have room


def test_a_refused_page_draws_no_chart_and_fetches_nothing_with_the_bad_value(
    browser,
    live_url,
):
    with opened(browser, live_url, LAPTOP) as page:
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        response = page.goto("/incidents/?country=ZZ")
        page.wait_for_load_state("load")
        assert response.status == 400
        assert page.get_by_role("alert").is_visible()
        assert page.locator("section.visuals, .timeline-svg, .incident-map").count() == 0
        assert [url for url in requested if ".json" in url or "ZZ" in url] == [
            f"{live_url}/incidents/?country=ZZ"
        ]


def test_the_timeline_counts_in_round_numbers(browser, live_url):
    with opened(browser, live_url, LAPTOP) as page:
        settle(page, "/incidents/")
        ticks = [
            int(t)
            for t in page.locator(".timeline-svg text.tick[text-anchor=end]").all_text_contents()
        ]
        bars = page.locator(".timeline-svg .bar")
        highest = max(int(bars.nth(i).get_attribute("data-total")) for i in range(bars.count()))
    step = ticks[1]
    assert ticks == [step * i for i in range(len(ticks))]
    assert 2 <= len(ticks) <= 5 and ticks[-1] >= highest > ticks[-2]
    assert re.fullmatch(r"[125]0*", str(step)), ticks


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("list", "/incidents/"),
        ("incident", f"/incidents/{TOWER_22}/"),
        ("brand", f"/brands/{IRI}/"),
    ],
)
def test_screenshots_at_1280_and_390(browser, live_url, viewport, name, url):
    with opened(browser, live_url, viewport) as page:
        settle(page, url)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}-{viewport['width']}.png"
        page.screenshot(path=str(path), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert path.stat().st_size > 10_000
