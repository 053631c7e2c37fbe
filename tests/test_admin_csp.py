"""The admin's History pages (django-simple-history's templates, overridden in
templates/simple_history/) keep to the Content Security Policy: no inline style attributes, and
no script that is neither this site's file nor carries the response's nonce."""

import re
from html.parser import HTMLParser

import pytest

from claims.models import Incident

pytestmark = pytest.mark.django_db

TOWER_22 = "2024-01-28-tower-22-drone"


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags(html):
    parser = Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def nonce(response):
    policy = response.headers["Content-Security-Policy"]
    return re.search(r"'nonce-([^']+)'", policy).group(1)


def assert_keeps_to_the_policy(response):
    assert response.status_code == 200
    html = response.text
    assert "style=" not in html.replace(" ", "").lower()
    found = tags(html)
    assert not [(tag, attrs) for tag, attrs in found if "style" in attrs]
    assert not [tag for tag, _ in found if tag == "style"], "an inline <style> element"
    # No inline event handlers either (onclick=...): script-src has no 'unsafe-inline'.
    assert not [(tag, a) for tag, attrs in found for a in attrs if a.startswith("on")]
    scripts = [attrs for tag, attrs in found if tag == "script"]
    assert scripts
    for attrs in scripts:
        src = attrs.get("src") or ""
        local = src.startswith("/") and not src.startswith("//")
        assert local or attrs.get("nonce") == nonce(response), attrs


@pytest.fixture
def incident(editor_client):
    """An incident with more than one version, so that the history shows a change."""
    incident = Incident.objects.get(code=TOWER_22)
    incident.title = "Tower 22 drone attack"
    incident._change_reason = "retitled"
    incident.save()
    return incident


def test_the_history_list_keeps_to_the_content_security_policy(editor_client, incident):
    response = editor_client.get(f"/admin/claims/incident/{incident.pk}/history/")
    assert_keeps_to_the_policy(response)
    assert "retitled" in response.text
    assert 'class="paginator' in response.text


def test_a_history_version_page_keeps_to_the_content_security_policy(editor_client, incident):
    record = incident.history.order_by("history_id").first()
    response = editor_client.get(
        f"/admin/claims/incident/{incident.pk}/history/{record.history_id}/"
    )
    assert_keeps_to_the_policy(response)


def test_the_history_pages_load_their_stylesheet(editor_client, incident):
    response = editor_client.get(f"/admin/claims/incident/{incident.pk}/history/")
    assert "css/admin-history.css" in response.text
