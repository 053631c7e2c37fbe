"""One strictness for every public endpoint: pages, profile pages, detail pages, exports, JSON
endpoints, the codebook and the feed refuse, with HTTP 400 naming the parameter (never a 500, never
a silently different answer), an unknown parameter, a one-value parameter given twice, a value
with NUL, another control character or invalid UTF-8, and a bad value among repeated good ones.
Every public endpoint answers 405 to methods it does not serve.

Each endpoint names the parameters it takes in its refusal of an unknown one ("This address takes:
…"); the sweep reads that list and attacks each parameter in turn, so a new parameter is covered
without editing this file.
"""

import html
import json
import re

import pytest
from django.test import Client
from django.urls import get_resolver, resolve

pytestmark = pytest.mark.django_db

CODE = "2024-01-28-tower-22-drone"

# Every public endpoint, one URL each (test_every_public_route_is_swept checks the list).
ENDPOINTS = [
    "/",
    "/search/",
    "/incidents/",
    "/incidents/timeline.json",
    "/incidents/map.json",
    f"/incidents/{CODE}/",
    f"/incidents/{CODE}/history/",
    "/claims/",
    "/groups/",
    "/groups/suggest.json",
    "/groups/kataib-hezbollah/",
    "/brands/",
    "/brands/suggest.json",
    "/brands/islamic-resistance-in-iraq/",
    "/locations/",
    "/locations/suggest.json",
    "/locations/ain-al-asad-air-base/",
    "/sources/",
    "/sources/1/",
    "/changes/",
    "/changes/feed/",
    "/codebook/",
    "/codebook.md",
    "/codebook.csv",
    "/codebook/templates/incidents.csv",
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
    "/dataset.zip",
]

# A value each parameter accepts, wherever it is taken (kind and sort differ per list).
GOOD = {
    "q": "drone",
    "date_from": "2023-10-01",
    "date_to": "2024-01-31",
    "date_match": "start",
    "country": "IQ",
    "admin1": "al-Anbar Governorate",
    "location": "ain-al-asad-air-base",
    "group": "kataib-hezbollah",
    "group_via_brand": "1",
    "brand": "islamic-resistance-in-iraq",
    "claim_kind": "responsibility",
    "claim_status": "current",
    "weapon": "one_way_drone",
    "target": "foreign_forces",
    "killed_min": "0",
    "injured_min": "0",
    "confirmation": "confirmed",
    "competing": "0",
    "unclaimed": "0",
    "reliability": "F",
    "language": "en",
    "publisher": "Washington",
    "status": "announced",
    "confidence": "very_likely",
    "page": "1",
    "per_page": "50",
    "interval": "week",
    "stack": "weapon",
    "bom": "1",
    "since": "2020-01-01",
    "until": "2030-01-01",
    "action": "added",
    "record": "incident",
    "incident": CODE,
}
# Where the good value depends on the list (its first path segment).
BY_LIST = {
    "sort": {"groups": "name", "brands": "name", "locations": "name", "sources": "title"}
    | {"affiliations": "group", "incidents": "-date", "claims": "date"},
    "kind": {"groups": "armed_group", "locations": "air_base", "sources": "news"},
}


def good(url, name):
    if name in BY_LIST:
        segments = url.strip("/").split("/")
        # A profile page's table is the incident list's.
        listed = "incidents" if len(segments) == 2 and "export" not in url else segments[0]
        return BY_LIST[name][listed]
    return GOOD[name]


# The parameters that may be repeated (several values: any of them), wherever they are taken.
MULTI = {"country", "claim_kind", "claim_status", "weapon", "target", "confirmation", "kind"}
MULTI |= {"reliability", "status", "confidence", "action", "record"}
# Raw query-string values no parameter accepts: NUL, invalid UTF-8 (a lone byte, an encoded
# surrogate, a truncated sequence), other control characters.
RAW_BAD = ["%00", "a%00b", "%ff", "%ed%a0%80", "%e2%82", "a%01b", "%1b[31m", "%7f", "%c2%85"]


@pytest.fixture
def client(client):
    client.raise_request_exception = False  # a crash is a 500 to report, not an error
    return client


def errors_of(response) -> dict[str, str]:
    """The refused parameters and their messages, in whatever format the endpoint answers."""
    kind = response["Content-Type"].split(";")[0]
    body = response.content.decode()
    if kind == "application/json":
        return {name: " ".join(messages) for name, messages in json.loads(body)["errors"].items()}
    if kind == "text/plain":
        return dict(re.findall(r"^(.+?): (.*)$", body, re.M))
    box = re.search(r'<div class="errors" role="alert">(.*?)</div>', body, re.S)
    assert box, f"a 400 page without its errors box: {body[:300]}"
    items = re.findall(r"<li><code>(.*?)</code>: (.*?)</li>", box[1], re.S)
    return {html.unescape(name): html.unescape(text) for name, text in items}


def takes(client, url) -> list[str]:
    """The parameters the endpoint takes, as its refusal of an unknown one lists them."""
    response = client.get(url + "?zz_unknown=1")
    assert response.status_code == 400, (url, response.status_code)
    message = errors_of(response)["zz_unknown"]
    listed = re.search(r"takes: (.*)\.$", message)[1]
    return [] if listed == "no parameters" else listed.split(", ")


def separator(url):
    return "&" if "?" in url else "?"


def check(client, url, query, name, problems):
    response = client.get(f"{url}{separator(url)}{query}")
    if response.status_code != 400:
        problems.append(f"{url}?{query}: HTTP {response.status_code}, expected 400")
        return
    errors = errors_of(response)
    if name not in errors:
        problems.append(f"{url}?{query}: 400 without {name!r} named (named: {sorted(errors)})")
    if "table" in (response.context or {}) and response.context["table"].paginator.count:
        problems.append(f"{url}?{query}: 400 page lists rows")


@pytest.mark.parametrize("url", ENDPOINTS)
def test_unknown_parameters_are_refused_with_400_naming_them(client, url):
    problems = []
    for query, name in [
        ("contry=IQ", "contry"),
        ("utm_source=newsletter", "utm_source"),
        ("=1", "(no name)"),
        ("%ff=1", "\ufffd"),
    ]:
        check(client, url, query, name, problems)
    response = client.get(f"{url}?%00=1")
    if response.status_code != 400 or "\\u0000" not in errors_of(response):
        problems.append(f"{url}?%00=1: HTTP {response.status_code}, NUL name not refused")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_nul_control_characters_and_invalid_utf8_are_refused_in_every_parameter(client, url):
    """Every parameter with a bad value, and every kind of bad value in some parameter of each
    endpoint. Values are read by one parser for every endpoint and parameter (kb.query), so the
    sweep pairs them in turn rather than trying all nine on each of thirty parameters: that
    cross product was a fifth of the whole suite's time."""
    problems = []
    names = takes(client, url)
    for i in range(max(len(names), len(RAW_BAD)) if names else 0):
        name, raw = names[i % len(names)], RAW_BAD[i % len(RAW_BAD)]
        check(client, url, f"{name}={raw}", name, problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_repeated_keys_with_a_bad_value_or_a_second_value_are_refused(client, url):
    """A one-value parameter given twice is refused, whatever the values (the last one used to
    win); a parameter that takes several values refuses a bad one among good ones."""
    problems = []
    for name in takes(client, url):
        value = good(url, name)
        repeated = [f"{name}={value}&{name}=%00", f"{name}=%00&{name}={value}"]
        repeated += [f"{name}={value}&{name}=no-such-thing", f"{name}=&{name}=%ff"]
        if name in MULTI:
            twice = client.get(f"{url}{separator(url)}{name}={value}&{name}={value}")
            if twice.status_code != 200:
                problems.append(f"{url}: {name} given twice, a good value: {twice.status_code}")
        else:
            repeated += [f"{name}={value}&{name}={value}", f"{name}=&{name}="]
        for query in repeated:
            check(client, url, query, name, problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_each_parameter_the_endpoint_takes_accepts_a_good_value(client, url):
    """The sweep's good values are good: what it refuses is refused for the bad part only."""
    problems = []
    for name in takes(client, url):
        response = client.get(f"{url}{separator(url)}{name}={good(url, name)}")
        if response.status_code != 200:
            problems.append(f"{name}={good(url, name)}: HTTP {response.status_code}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_public_endpoints_answer_405_to_methods_they_do_not_serve(url, method):
    # A browser's or a scanner's request, with the CSRF check on.
    response = getattr(Client(enforce_csrf_checks=True), method)(url)
    assert response.status_code == 405, (method, url, response.status_code)
    assert set(response["Allow"].split(", ")) <= {"GET", "HEAD"}


@pytest.mark.parametrize("url", ENDPOINTS)
def test_head_is_answered_like_get(client, url):
    assert client.head(url).status_code == 200


def test_every_public_route_is_swept():
    routes = {
        str(pattern.pattern)
        for pattern in get_resolver().url_patterns
        if not str(pattern.pattern).startswith("admin/")
    }
    swept = {resolve(url.split("?")[0]).route for url in ENDPOINTS}
    assert routes <= swept, routes - swept


@pytest.mark.parametrize(
    "url",
    [
        "/incidents/?brand=%00&brand=",
        "/incidents/?location=%00&location=",
        "/claims/?group=%00&group=",
        "/groups/kataib-hezbollah/?location=%00&location=",
        "/incidents/export.csv?killed_min=abc&killed_min=0",
        "/incidents/?contry=IQ",
        "/incidents/?interval=year",
    ],
)
def test_the_reported_cases_are_refused_with_400_for_anonymous_readers(client, url):
    response = client.get(url)
    assert response.status_code == 400
    name = url.split("?")[1].split("=")[0]
    assert name in errors_of(response)
