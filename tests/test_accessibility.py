"""In Chromium, axe-core (tests/vendor/axe-core/, see static/vendor/README.md) checks every public
page (tests/public_pages.py) and the incident and claim admin forms, add and change, signed in as
an editor, at 1280 and 390 px wide: no serious or critical violation. A failure names each rule,
its impact, the elements (CSS selectors) and the page.

One browser and one live server for the module (tests/test_browser.py's fixtures); each width has
one tab for a visitor and one for the editor, and visits each page once. axe runs in the page
after its timeline and map are drawn (it checks what a person meets), injected through the
browser's debugging protocol, which the site's Content Security Policy does not apply to."""

import functools
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axes.models import AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.sessions.models import Session
from django.test import Client

from claims.models import Claim, Incident
from kb.roles import EDITORS
from tests import public_pages, test_browser

pytestmark = pytest.mark.django_db

live_url, browser = test_browser.live_url, test_browser.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = [1280, 390]
FAILING = ("serious", "critical")
# Also enforced whatever their impact: two search forms with one name (issue 13) was one.
ALSO_FAILING = ("landmark-unique",)
EDITOR = "axe-editor"  # a username that appears nowhere in the seed data

# axe.run on the whole document: every rule axe-core runs by default (WCAG 2.0-2.2 A and AA and
# its best practices); what comes back is each failing node with its own impact.
RUN_AXE = """async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.flatMap((rule) => rule.nodes.map((node) => ({
    rule: rule.id,
    impact: node.impact,
    help: rule.help,
    target: node.target.join(" "),
  })));
}"""


@pytest.fixture(scope="module", params=WIDTHS, ids=lambda width: f"{width}px")
def width(request):
    return request.param


@pytest.fixture(scope="module")
def visitor(browser, live_url, width):
    """A tab of this width, not signed in."""
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=live_url)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def signed_in_editor(django_db_setup, django_db_blocker, live_url):
    """The session cookie of an editor (a staff user in the Editors group), committed so that the
    live server sees it on PostgreSQL too, and removed after the module with its sign-in record."""
    with django_db_blocker.unblock():
        user = get_user_model().objects.create_user(EDITOR, is_staff=True)
        user.groups.add(AuthGroup.objects.get(name=EDITORS))
        client = Client()
        client.force_login(user)
        cookie = client.cookies["sessionid"].value
        try:
            yield {"name": "sessionid", "value": cookie, "url": live_url}
        finally:
            Session.objects.filter(session_key=cookie).delete()
            AccessLog.objects.filter(username=EDITOR).delete()  # django-axes' sign-in record
            user.delete()


@pytest.fixture(scope="module")
def editor_tab(browser, live_url, width, signed_in_editor):
    """A tab of this width, signed in as an editor."""
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=live_url)
    context.add_cookies([signed_in_editor])
    yield context.new_page()
    context.close()


@functools.cache
def axe_source():
    return AXE.read_text(encoding="utf-8")


def serious_violations(page, address, status=200):
    """Opens the address and returns axe's serious and critical findings there, once sure that
    the page itself answered (with `status`; not a redirect, say to the sign-in page)."""
    response = page.goto(address)
    assert (response.status, urlsplit(response.url).path) == (status, urlsplit(address).path)
    # Pages with a timeline and a map: check them drawn (an error page draws none).
    if response.ok and page.locator("section.visuals").count():
        page.wait_for_selector("section.visuals[data-ready]", state="attached")
    page.evaluate(axe_source())
    return [
        found
        for found in page.evaluate(RUN_AXE)
        if found["impact"] in FAILING or found["rule"] in ALSO_FAILING
    ]


def report(found, address, width):
    """One line per rule: its impact and help, then every element it failed on."""
    rules = {}
    for f in found:
        rules.setdefault((f["rule"], f["impact"], f["help"]), []).append(f["target"])
    lines = [f"axe-core on {address} at {width} px, {len(found)} violations:"]
    lines += [
        f"  {rule} ({impact}: {help}) x{len(targets)} at: " + ", ".join(targets)
        for (rule, impact, help), targets in rules.items()
    ]
    return "\n".join(lines)


@pytest.mark.parametrize("name", list(public_pages.PAGES))
def test_every_public_page_has_no_serious_accessibility_violation(visitor, width, name):
    address = public_pages.address(name)
    found = serious_violations(visitor, address, status=public_pages.PAGES[name][2])
    assert not found, report(found, address, width)


def admin_forms():
    """The incident and claim admin forms, add and change (Tower 22 and its first claim: records
    with citations, claims and dates of every kind)."""
    incident = Incident.objects.get(code=public_pages.TOWER_22)
    claim = Claim.objects.filter(incident=incident).order_by("pk").first()
    return {
        "incident add": "/admin/claims/incident/add/",
        "incident change": f"/admin/claims/incident/{incident.pk}/change/",
        "claim add": "/admin/claims/claim/add/",
        "claim change": f"/admin/claims/claim/{claim.pk}/change/",
    }


@pytest.mark.parametrize("form", ["incident add", "incident change", "claim add", "claim change"])
def test_the_incident_and_claim_admin_forms_have_no_serious_accessibility_violation(
    editor_tab, width, form
):
    address = admin_forms()[form]
    found = serious_violations(editor_tab, address)
    assert not found, report(found, address, width)
