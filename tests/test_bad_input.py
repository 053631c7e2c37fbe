"""Bad query-string values never break a page: every list page answers 400 with the parameter
named in its errors box and no rows (never a 500, never a silently different table), text filters
take any ordinary text, and detail pages answer 404 to odd codes, slugs and ids."""

import re
from urllib.parse import quote, urlencode

import django_filters
import pytest

from claims.views import ClaimList, IncidentList, LocationDetail, LocationList
from groups.views import BrandDetail, BrandList, GroupDetail, GroupList
from kb.views import PER_PAGE
from sources.views import SourceList

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
NUL = "\x00"

# Each list page (and the incident tables of the group, brand and location pages) and its view.
LIST_PAGES = {
    "/incidents/": IncidentList,
    "/claims/": ClaimList,
    "/groups/": GroupList,
    "/brands/": BrandList,
    "/locations/": LocationList,
    "/sources/": SourceList,
    "/groups/kataib-hezbollah/": GroupDetail,
    "/brands/islamic-resistance-in-iraq/": BrandDetail,
    "/locations/ain-al-asad-air-base/": LocationDetail,
}
PAGING = ["page", "per_page", "sort"]

BAD_VALUES = [
    "2023-13-40",
    "yesterday",
    "0000-00-00",
    "laser",
    "-1",
    "99999999999999999999",
    "abc",
    "x" * 5000,
    "no-such-slug",
    "' OR 1=1 --",
    SCRIPT,
    NUL,
]

# A value each parameter accepts; a new filter without one here fails
# test_every_parameter_accepts_a_valid_value until one is added.
VALID = {
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
    "q": "drone",
    "kind": None,  # differs per list: the first choice of its filter
    "reliability": "F",
    "language": "en",
    "publisher": "Washington",
    "sort": None,  # differs per list: the first sort field of its filter
    "page": "1",
    "per_page": "50",
}


def parameters(view):
    return sorted(set(view.filterset_class.base_filters) | set(PAGING))


CASES = [(url, name) for url, view in LIST_PAGES.items() for name in parameters(view)]
# The parameter a profile page fixes (its own group, brand or location): it does not take it.
FIXED = {
    "/groups/kataib-hezbollah/": "group",
    "/brands/islamic-resistance-in-iraq/": "brand",
    "/locations/ain-al-asad-air-base/": "location",
}
TAKEN = [(url, name) for url, name in CASES if FIXED.get(url) != name]


def is_text(view, name):
    """The filter takes free text: any string up to its length without a NUL character."""
    return isinstance(view.filterset_class.base_filters.get(name), django_filters.CharFilter)


def accepts(view, name, value):
    """Whether the bad value is in fact fine for this parameter (only free-text filters take
    any of them: ordinary text up to their maximum length)."""
    if not is_text(view, name):
        return False
    max_length = view.filterset_class.base_filters[name].extra.get("max_length")
    return NUL not in value and (max_length is None or len(value) <= max_length)


def valid_value(view, name):
    value = VALID[name]
    if value is None:
        choices = view.filterset_class.base_filters[name].extra["choices"]
        value = str(next(iter(choices))[0])
    return value


def query(name, value):
    """The query string, with a NUL byte sent as %00 as a browser or a scanner would."""
    if value == NUL:
        return f"{name}=%00"
    return urlencode({name: value})


def errors_box(html):
    match = re.search(r'<div class="errors" role="alert">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


def shown_rows(response):
    """The table rows the page renders: its context's current page and the <tbody> rows."""
    table = response.context["table"]
    results = response.text.split('<section class="results"', 1)[1]
    # The list's own table, after the timeline and map (whose plain table has rows of its own).
    listed = results.split('class="visuals"', 1)[-1]
    tbody = re.search(r'<table class="data">.*?<tbody[^>]*>(.*?)</tbody>', listed, re.S).group(1)
    return len(table.page.object_list), tbody.count("<tr")


def problems_with(response, view, name, value):
    """What is wrong with the answer to ?name=value (an empty list when nothing is)."""
    shown = repr(value if len(value) < 30 else value[:10] + "…")
    if response.status_code >= 500:
        return [f"{name}={shown}: HTTP {response.status_code}"]
    problems = []
    expected = 200 if accepts(view, name, value) else 400
    if response.status_code != expected:
        problems.append(f"{name}={shown}: HTTP {response.status_code}, expected {expected}")
    if SCRIPT in response.text:
        problems.append(f"{name}={shown}: markup not escaped")
    if response.status_code == 400:
        if f"<code>{name}</code>" not in errors_box(response.text):
            problems.append(f"{name}={shown}: 400 without {name} in the errors box")
        rows = shown_rows(response)
        if rows != (0, 0):
            problems.append(f"{name}={shown}: 400 page lists rows (context, <tbody>): {rows}")
    return problems


@pytest.fixture
def client(client):
    client.raise_request_exception = False  # a crash is a 500 answer to report, not an error
    return client


def offered(client, url):
    """The parameters the page takes: its form's fields, and paging. (A profile page may fix its
    own group, brand or location: its table is then the list's table for that value.)"""
    return {*client.get(url).context["filterset"].form.fields, "page", "per_page"}


def refused(client, url, name):
    """Problems with a parameter the page fixes (a group page's group): the page does not take
    it, so any value, even a valid one, is refused with 400 naming it."""
    problems = []
    for value in [*BAD_VALUES, VALID.get(name) or "x"]:
        response = client.get(f"{url}?{query(name, value)}")
        shown = repr(value if len(value) < 30 else value[:10] + "…")
        if response.status_code != 400:
            problems.append(f"{name}={shown}: HTTP {response.status_code}, expected 400")
        elif f"<code>{name}</code>" not in errors_box(response.text):
            problems.append(f"{name}={shown}: 400 without {name} in the errors box")
        elif shown_rows(response) != (0, 0):
            problems.append(f"{name}={shown}: 400 page lists rows")
    return problems


@pytest.mark.parametrize(("url", "name"), CASES, ids=[f"{u}?{n}" for u, n in CASES])
def test_bad_values_give_400_with_the_parameter_named_and_no_rows(client, url, name):
    view = LIST_PAGES[url]
    if name not in offered(client, url):
        problems = refused(client, url, name)
    else:
        problems = []
        for value in BAD_VALUES:
            response = client.get(f"{url}?{query(name, value)}")
            problems += problems_with(response, view, name, value)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("url", "name"), TAKEN, ids=[f"{u}?{n}" for u, n in TAKEN])
def test_every_parameter_accepts_a_valid_value(client, url, name):
    response = client.get(url, {name: valid_value(LIST_PAGES[url], name)})
    assert response.status_code == 200
    assert not errors_box(response.text)


@pytest.mark.parametrize("url", LIST_PAGES)
def test_a_bad_value_among_valid_ones_is_not_silently_dropped(client, url):
    view = LIST_PAGES[url]
    names = offered(client, url) - {"page", "q"}
    good = {n: valid_value(view, n) for n in names}
    assert client.get(url, good).status_code == 200
    bad_name = next(n for n in sorted(good) if not is_text(view, n) and n not in PAGING[:2])
    response = client.get(url, {**good, bad_name: "laser"})
    assert response.status_code == 400
    assert f"<code>{bad_name}</code>" in errors_box(response.text)
    assert shown_rows(response) == (0, 0)


@pytest.mark.parametrize("url", LIST_PAGES)
def test_a_page_beyond_the_last_answers_400_with_a_message(client, url):
    last = client.get(url, {"per_page": 25}).context["table"].paginator.num_pages
    assert client.get(url, {"per_page": 25, "page": last}).status_code == 200
    response = client.get(url, {"per_page": 25, "page": last + 1})
    assert response.status_code == 400
    assert f"There is no page {last + 1}" in errors_box(response.text)
    assert "<code>page</code>" in errors_box(response.text)


def test_a_page_beyond_the_last_lists_no_rows(client):
    problems = []
    for url in LIST_PAGES:
        last = client.get(url, {"per_page": 25}).context["table"].paginator.num_pages
        response = client.get(url, {"per_page": 25, "page": last + 1})
        if response.status_code != 400 or shown_rows(response) != (0, 0):
            problems.append(
                f"{url}?page={last + 1}: {response.status_code}, rows {shown_rows(response)}"
            )
    assert not problems, "\n".join(problems)


def test_a_page_size_outside_the_allowed_set_answers_400_naming_per_page(client):
    for per_page in ["0", "7", "24", "26", "201", "1000", "25.0", "2e1"]:
        response = client.get("/incidents/", {"per_page": per_page})
        assert response.status_code == 400, per_page
        assert "<code>per_page</code>" in errors_box(response.text), per_page


def test_a_page_size_outside_the_allowed_set_lists_no_rows(client):
    response = client.get("/incidents/", {"per_page": 7})
    assert response.status_code == 400
    assert shown_rows(response) == (0, 0)


@pytest.mark.parametrize("per_page", PER_PAGE)
def test_every_allowed_page_size_is_honoured(client, per_page):
    response = client.get("/incidents/", {"per_page": per_page})
    assert response.status_code == 200
    table = response.context["table"]
    assert shown_rows(response) == (min(per_page, table.paginator.count),) * 2


def test_valid_combined_filters_answer_200(client):
    response = client.get(
        "/incidents/",
        {
            "country": ["IQ", "SY"],
            "weapon": "rocket",
            "date_from": "2023-10-01",
            "date_to": "2024-02-29",
            "sort": "-killed",
            "per_page": 50,
            "page": 1,
        },
    )
    assert response.status_code == 200
    assert not errors_box(response.text)
    assert response.context["table"].paginator.count > 0


@pytest.mark.parametrize("url", ["/incidents/", "/claims/", *list(LIST_PAGES)[6:]])
@pytest.mark.parametrize("name", ["date_from", "date_to"])
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_dates_at_the_ends_of_the_calendar_never_crash(client, url, name, value):
    # Well-formed dates: the list may refuse them (400, named) but must never answer 500.
    response = client.get(url, {name: value})
    assert response.status_code in {200, 400}, response.status_code
    if response.status_code == 400:
        assert f"<code>{name}</code>" in errors_box(response.text)
        assert shown_rows(response) == (0, 0)


def test_an_inverted_date_range_answers_400_naming_date_to(client):
    response = client.get("/incidents/", {"date_from": "2024-01-31", "date_to": "2023-10-01"})
    assert response.status_code == 400
    assert "<code>date_to</code>" in errors_box(response.text)
    assert shown_rows(response) == (0, 0)


@pytest.mark.parametrize(
    "value", ["x" * 201, "x" * 5000, "' OR 1=1 --", SCRIPT, "%", "_", "\\", "-", '"unclosed']
)
def test_search_page_never_crashes_and_escapes_what_it_echoes(client, value):
    response = client.get(f"/search/?{urlencode({'q': value})}")
    assert response.status_code == (400 if len(value) > 200 else 200)
    assert SCRIPT not in response.text


def test_search_page_refuses_a_nul_byte(client):
    response = client.get("/search/?q=harir%00")
    assert response.status_code == 400


def test_markup_in_a_filter_value_is_escaped_in_chips_errors_and_form(client):
    response = client.get("/incidents/", {"q": SCRIPT, "weapon": SCRIPT})
    assert response.status_code == 400  # the weapon is not a choice
    assert SCRIPT not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


ODD = ["%E2%80%AE", "%E2%80%AEabc", "a" * 5000, quote("كتائب"), "%00", "..%2F..%2Fetc"]


@pytest.mark.parametrize("prefix", ["/incidents/", "/groups/", "/brands/", "/locations/"])
@pytest.mark.parametrize("slug", ODD, ids=["rlo", "rlo-abc", "long", "arabic", "nul", "dots"])
def test_detail_pages_answer_404_to_odd_codes_and_slugs(client, prefix, slug):
    response = client.get(f"{prefix}{slug}/")
    assert response.status_code == 404


@pytest.mark.parametrize("pk", ["0", "-1", "999999", "99999999999999999999", "abc", "1.5", "%00"])
def test_source_pages_answer_404_to_odd_ids(client, pk):
    assert client.get(f"/sources/{pk}/").status_code == 404


def test_markup_in_a_detail_url_is_not_echoed(client):
    response = client.get(f"/incidents/{quote(SCRIPT)}/")
    assert response.status_code == 404
    assert SCRIPT not in response.text
