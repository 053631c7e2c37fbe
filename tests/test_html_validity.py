"""The HTML of every public page (tests/public_pages.py) passes the Nu Html Checker (vnu.jar, the
W3C's checker) with no error; and that list of pages keeps up with the URLconf.

The pages are fetched with Django's test client as a visitor gets them and checked in one run of
vnu.jar (Java starts once). vnu.jar comes from the npm package vnu-jar, pinned in
package-lock.json and installed into node_modules/ by bin/ensure-vnu, which `make test` and .ci/run
call; Java is Debian's (JAVA, default /usr/bin/java)."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from kb.urls import urlpatterns
from tests import public_pages

pytestmark = pytest.mark.django_db

JAVA = os.environ.get("JAVA", "/usr/bin/java")
VNU = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CANARY = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A known error</title></head>
<body><p><time datetime="2024-01-28T10:00:00.123456+00:00">28 January 2024</time></p></body>
</html>
"""


def test_the_checks_visit_a_page_of_every_route_of_the_urlconf_that_serves_html():
    routes = {str(pattern.pattern) for pattern in urlpatterns}
    checked = {route for route, _, _ in public_pages.PAGES.values() if route is not None}
    assert routes >= public_pages.NOT_PAGES, "a route listed as not a page no longer exists"
    assert checked == routes - public_pages.NOT_PAGES


def nu_html_checker(files):
    """vnu.jar's messages for the files, as dicts (type, message, file: the file's name,
    lastLine, extract)."""
    if not (Path(JAVA).exists() and VNU.exists()):
        pytest.fail(
            f"The HTML checks need Java ({JAVA}) and vnu.jar ({VNU}): run bin/ensure-vnu "
            "(make test does)."
        )
    run = subprocess.run(
        [JAVA, "-jar", str(VNU), "--format", "json", "--stdout", "--exit-zero-always"]
        + [str(file) for file in files],
        capture_output=True,
        text=True,
        check=True,
    )
    messages = json.loads(run.stdout)["messages"]
    for message in messages:  # "url": "file:/tmp/.../incident.html"
        message["file"] = message.get("url", "").rpartition("/")[2]
    return messages


def test_every_public_page_is_valid_html(client, tmp_path):
    addresses = {}
    for name, (_, _, status) in public_pages.PAGES.items():
        address = public_pages.address(name)
        response = client.get(address)
        assert (response.status_code, response["Content-Type"]) == (
            status,
            "text/html; charset=utf-8",
        ), address
        file = tmp_path / f"{name.replace(' ', '-')}.html"
        file.write_bytes(response.content)
        addresses[file.name] = address
    # A known error beside them, which the run must report: the checker reads the files and
    # knows the rule issue 13 found broken (at most three digits of a second in `datetime`).
    (tmp_path / "canary.html").write_text(CANARY, encoding="utf-8")

    messages = nu_html_checker(sorted(tmp_path.glob("*.html")))

    # Errors, fatal ones among them, and any file the checker could not read; warnings pass.
    errors = [m for m in messages if m["type"] in ("error", "non-document-error")]
    assert [m["file"] for m in errors if m["file"] == "canary.html"] == ["canary.html"]
    errors = [m for m in errors if m["file"] != "canary.html"]
    assert not errors, f"{len(errors)} Nu Html Checker errors:\n" + "\n".join(
        f"  {addresses.get(m['file'], m['file'])} line {m.get('lastLine')}: {m['message']}"
        f" [{m.get('extract', '').strip()}]"
        for m in errors
    )
