"""In Chromium: names that look like HTML are shown as text, never parsed, wherever the pages and
the timeline and map's JavaScript put them (tables, legend, map tooltips, map credits).

A location, a group and a brand named with HTML tags (an <img> with an onerror handler among
them) are created for the module, committed, so that the live server sees them on SQLite and on
PostgreSQL alike, and deleted afterwards without leaving history or change-log rows. Before any
script of a page runs, a MutationObserver records every element added to the document, so that
an element those names would create fails the test even if something removed it again."""

import json

import pytest
from django.test.utils import override_settings

from claims.models import Claim, Incident, IncidentCitation, Location
from groups.models import Brand, Group
from sources.models import Source
from tests import test_browser

pytestmark = pytest.mark.django_db

# The browser tests' fixtures: this site on a live server, Chromium, and a page that fails the
# test on a script error (a CSP violation is one) or on a request to another host.
live_url, browser, page = test_browser.live_url, test_browser.browser, test_browser.page

LOCATION = '<img id="xss-location" src=x onerror="window.__ran=1">'
GROUP = '<b id="xss-group">Bold group</b>'
BRAND = '<i id="xss-brand">Italic brand</i>'
ATTRIBUTION = '<img id="xss-attribution" src=x onerror="window.__ran=1">© Tiles'
INJECTED = ["xss-location", "xss-group", "xss-brand", "xss-attribution"]

# Runs in every page before its own scripts: remembers any element with one of those ids, added
# by the parser or by a script, even if it is removed at once, and any CSP violation.
WATCH = """
window.__injected = [];
window.__violations = [];
const ids = IDS;
const check = (node) => {
  if (node.nodeType !== Node.ELEMENT_NODE) return;
  for (const id of ids) {
    if (node.id === id || node.querySelector("#" + id)) window.__injected.push(id);
  }
};
new MutationObserver((mutations) => {
  for (const mutation of mutations) mutation.addedNodes.forEach(check);
}).observe(document, { childList: true, subtree: true });
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
""".replace("IDS", json.dumps(INJECTED))


@pytest.fixture(scope="module")
def named(django_db_setup, django_db_blocker):
    """A published incident at a location, claimed by a group under a brand, all three named
    with HTML. Committed (outside any test's transaction) and removed after the module; the
    history is off meanwhile, so that no history or change-log row outlives it."""
    without_history = override_settings(SIMPLE_HISTORY_ENABLED=False)
    with django_db_blocker.unblock(), without_history:
        location = Location.objects.create(
            status="published",
            name=LOCATION,
            slug="xss-site",
            kind="town",
            country="IQ",
            latitude=30.51,
            longitude=47.78,
        )
        group = Group.objects.create(status="published", name=GROUP, slug="xss-group")
        brand = Brand.objects.create(status="published", name=BRAND, slug="xss-brand")
        source = Source.objects.create(
            status="published", title="A source for the HTML names", url=""
        )
        incident = Incident.objects.create(
            code="xss-incident",
            title="An incident at a place named in HTML",
            date=Incident.objects.order_by("-date").first().date,
            location=location,
            country="IQ",
            status="published",
        )
        IncidentCitation.objects.create(incident=incident, source=source)
        claim = Claim.objects.create(incident=incident, group=group, brand=brand)
        claim.citations.create(source=source)
    try:
        yield {"location": location, "group": group, "brand": brand}
    finally:
        with django_db_blocker.unblock(), without_history:
            incident.delete()  # with its claim and citations
            for record in (source, location, group, brand):
                record.delete()


@pytest.fixture
def watched(page):
    page.add_init_script(WATCH)
    return page


def injected(page):
    return page.evaluate("window.__injected"), page.evaluate("window.__violations")


def hover_circle(page, slug):
    """Hover the location's circle on the map; the text of the tooltip it opens."""
    circle = page.locator(f'path.incident-marker[data-slug="{slug}"]')
    circle.hover()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    return tooltip.inner_text()


@pytest.mark.parametrize("which", ["list", "location", "group", "brand"])
def test_html_in_names_is_shown_as_text_in_the_tables_timeline_and_map(watched, named, which):
    page = watched
    url = "/incidents/" if which == "list" else named[which].get_absolute_url()
    page.goto(url)
    page.wait_for_selector("section.visuals[data-ready]", state="attached")

    assert '<img id="xss-location"' in hover_circle(page, "xss-site")
    assert injected(page) == ([], [])
    for element_id in INJECTED:
        assert page.locator(f"#{element_id}").count() == 0
    # The names are on the page as the characters typed.
    table = page.locator("table.data:not(.timeline-data)").inner_text()
    assert LOCATION in table
    assert GROUP in table
    assert BRAND in table
    if which != "list":  # on the list, one incident's brand may be drawn among "others"
        legend = page.locator("#timeline-chart ul.legend").inner_text()
        assert BRAND in legend
    assert page.evaluate("window.__ran") is None


def test_the_tile_attribution_setting_is_shown_as_text(watched, named, live_url, settings):
    page = watched
    settings.MAP_TILE_URL = f"{live_url}/tiles/{{z}}/{{x}}/{{y}}.png"
    settings.MAP_TILE_ATTRIBUTION = ATTRIBUTION
    # A blank tile for every request the tile layer makes (the page's route refuses other hosts).
    blank = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x03\x00\x08\xfc\x02\xfe\xa7"
        b"\x9a\xa0\xa0\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    page.route("**/tiles/**", lambda route: route.fulfill(body=blank, content_type="image/png"))
    page.goto(named["location"].get_absolute_url())
    page.wait_for_selector("section.visuals[data-ready]", state="attached")

    credits = page.locator(".leaflet-control-attribution").inner_text()
    assert ATTRIBUTION in credits
    assert injected(page) == ([], [])
    assert page.locator("#xss-attribution").count() == 0
