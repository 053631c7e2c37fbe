"""The admin in a real browser (Chromium, as in test_browser.py), signed in as a publisher: at
1280 px the claim and incident lists show their columns beside the filters without sideways
scrolling, and the incident form's citation rows show their locator and credibility; every
autocomplete box has a name. Screenshots of the two lists and the incident form at 1280 and
390 px are saved in test-artifacts/screenshots/ (admin-*.png) for people to look at."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.sessions.models import Session
from django.test import Client

from claims.models import Incident
from kb.roles import PUBLISHERS
from tests.test_browser import SCREENSHOTS, TOWER_22, browser, live_url  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

WIDTHS = [1280, 390]


@pytest.fixture(scope="module")
def publisher_session(django_db_setup, django_db_blocker):
    """A publisher's session cookie, committed outside the tests' transactions: the live server
    reads the database on a connection of its own on PostgreSQL."""
    with django_db_blocker.unblock():
        user = get_user_model().objects.create_user("browsing-publisher", is_staff=True)
        user.groups.add(AuthGroup.objects.get(name=PUBLISHERS))
        client = Client()
        client.force_login(user)
        session = client.cookies["sessionid"].value
    yield session
    with django_db_blocker.unblock():
        Session.objects.filter(session_key=session).delete()
        user.delete()


@pytest.fixture
def staff_page(browser, live_url, publisher_session):  # noqa: F811 (the fixtures imported above)
    """A page at 1280 x 800 signed in as a publisher, failing the test on a script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_url)
    context.add_cookies([{"name": "sessionid", "value": publisher_session, "url": live_url}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert errors == [], "script errors"


def tower_22_form():
    return f"/admin/claims/incident/{Incident.objects.get(code=TOWER_22).pk}/change/"


def right_edges(page, selector):
    return page.eval_on_selector_all(
        selector, "cells => cells.map(c => c.getBoundingClientRect().right)"
    )


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize(
    ("url", "columns"),
    [
        ("/admin/claims/claim/", ["number", "kind", "claimant", "date_display", "status"]),
        ("/admin/claims/incident/", ["incident", "date_display", "where", "weapon", "status"]),
    ],
)
def test_at_1280_the_admin_lists_show_every_column_beside_the_filters(staff_page, url, columns):
    staff_page.goto(url)
    assert page_width(staff_page) <= 1280
    for column in columns:
        edges = right_edges(staff_page, f"#result_list th.column-{column}")
        assert edges and max(edges) <= 1280, column
    filters = staff_page.locator("#changelist-filter").bounding_box()
    table = staff_page.locator("#result_list").bounding_box()
    assert table["x"] + table["width"] <= filters["x"], "the table runs under the filters"


def test_at_1280_the_citation_rows_show_locator_and_credibility(staff_page):
    staff_page.goto(tower_22_form())
    for name in ["source", "quote", "locator", "credibility"]:
        edges = right_edges(staff_page, f"#citations-group td.field-{name}")
        assert edges and max(edges) <= 1280, name
    assert page_width(staff_page) <= 1280


def test_every_autocomplete_box_is_named_by_its_field(staff_page):
    staff_page.goto(tower_22_form())
    boxes = staff_page.locator(".select2-selection[role=combobox]")
    assert boxes.count() > 5
    names = staff_page.eval_on_selector_all(
        ".select2-selection[role=combobox]",
        """boxes => boxes.map(box => (box.getAttribute('aria-labelledby') || '').split(' ')
            .map(id => (document.getElementById(id) || {textContent: ''}).textContent.trim())
            .join(' '))""",
    )
    assert all(name for name in names), names
    assert "Source" in names[0] or any(name.startswith("Source") for name in names)
    assert staff_page.locator(".select2-selection__rendered[role=textbox]").count() == 0


def test_a_new_citation_rows_autocomplete_is_named_too(staff_page):
    staff_page.goto(tower_22_form())
    before = staff_page.locator("#citations-group .select2-selection[role=combobox]").count()
    staff_page.locator("#citations-group .add-row a").click()
    boxes = staff_page.locator("#citations-group .select2-selection[role=combobox]")
    assert boxes.count() == before + 1
    labelled_by = boxes.nth(before).get_attribute("aria-labelledby")
    assert labelled_by and "box-name" in labelled_by


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("admin-claim-list", "/admin/claims/claim/"),
        ("admin-incident-list", "/admin/claims/incident/"),
        ("admin-incident-form", None),
    ],
)
def test_screenshots_of_the_admin_lists_and_the_incident_form(staff_page, name, url, width):
    staff_page.set_viewport_size({"width": width, "height": 800})
    staff_page.goto(url or tower_22_form())
    staff_page.wait_for_selector("#content-main", state="attached")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{width}.png"
    staff_page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
