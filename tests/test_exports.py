"""The exports: every list as a file holding exactly the rows (and the order) of all the pages of
that list for the same filters, with the columns the codebook documents, safe to open in a
spreadsheet, readable as RFC 4180 CSV, JSON and GeoJSON, never leaking drafts, and produced by a
fixed number of SQL queries whatever the number of rows.

Pages are read through their table's rows (`response.context["table"]`), exports through their
streamed bytes; the expected values come from the seed (fixtures/data) and the database.
"""

import csv
import datetime
import decimal
import html
import io
import json
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.models import (
    Claim,
    ClaimCitation,
    ClaimKind,
    ClaimStatus,
    Incident,
    IncidentCitation,
    Location,
    PublicationStatus,
)
from groups.models import Brand, Group
from kb.countries import COUNTRIES
from kb.dates import DatePrecision
from sources.models import Source

pytestmark = pytest.mark.django_db

TOWER_22 = "2024-01-28-tower-22-drone"
AL_TANF = "2023-10-19-al-tanf-drones"  # casualties unknown
HARIR = "2023-10-18-harir-drone"  # a source said nobody was hurt; a superseded claim
KH, IRI, HAAA = "kataib-hezbollah", "islamic-resistance-in-iraq", "harakat-ansar-allah-al-awfiya"
BOM = b"\xef\xbb\xbf"

# Every export file: URL, content type, file name prefix and extension.
EXPORT_FILES = [
    ("/incidents/export.csv", "text/csv", "incidents", "csv"),
    ("/incidents/export.json", "application/json", "incidents", "json"),
    ("/incidents/export.geojson", "application/geo+json", "incidents", "geojson"),
    ("/claims/export.csv", "text/csv", "claims", "csv"),
    ("/groups/export.csv", "text/csv", "groups", "csv"),
    ("/brands/export.csv", "text/csv", "brands", "csv"),
    ("/locations/export.csv", "text/csv", "locations", "csv"),
    ("/sources/export.csv", "text/csv", "sources", "csv"),
    ("/affiliations/export.csv", "text/csv", "affiliations", "csv"),
]
CSV_EXPORTS = [
    "incidents",
    "claims",
    "groups",
    "brands",
    "locations",
    "sources",
    "aliases",
    "channels",
    "affiliations",
    "relations",
    "incident_citations",
    "claim_citations",
    "group_citations",
    "brand_citations",
    "location_citations",
    "affiliation_citations",
    "relation_citations",
    "channel_citations",
    "changes",
]


# --- Reading responses ----------------------------------------------------------------------------


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def fetch(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, content(response)[:500])
    return content(response)


def parse_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def export_rows(client, url) -> list[dict[str, str]]:
    data = fetch(client, url)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def export_header(client, url) -> list[str]:
    return parse_csv(fetch(client, url))[0]


def by_key(rows, key):
    return {row[key]: row for row in rows}


def with_query(path, query, **extra):
    params = parse_qsl(query, keep_blank_values=True) + [(k, str(v)) for k, v in extra.items()]
    return f"{path}?{urlencode(params)}" if params else path


def export_links(page_html: str) -> list[str]:
    """The hrefs of the list page's download links (the paragraph of class "exports")."""
    found = re.search(r'<p class="exports">(.*?)</p>', page_html, re.S)
    assert found, "the list page shows no export links"
    return [html.unescape(href) for href in re.findall(r'href="([^"]+)"', found.group(1))]


def walk_pages(client, path, query, key, per_page=25):
    """The keys of the rows of every page of the list, in order, and the page's CSV export link
    (taken from the first page's HTML)."""
    keys, page, link = [], 1, None
    while True:
        response = client.get(with_query(path, query, page=page, per_page=per_page))
        assert response.status_code == 200, (path, query, page)
        table = response.context["table"]
        keys += [key(row.record) for row in table.page.object_list]
        if page == 1:
            link = next(href for href in export_links(response.text) if "export.csv" in href)
        if page >= table.paginator.num_pages:
            return keys, link
        page += 1


def query_pairs(url):
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


# --- Every export answers with a dated attachment ----------------------------------------------


@pytest.mark.parametrize(("url", "content_type", "name", "extension"), EXPORT_FILES)
def test_every_export_is_a_dated_attachment_of_its_content_type(
    client, url, content_type, name, extension
):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == f"{content_type}; charset=utf-8"
    today = timezone.now().date().isoformat()
    assert response["Content-Disposition"] == (f'attachment; filename="{name}-{today}.{extension}"')
    assert len(content(response)) > 100


# --- Exactly the page's rows, in the page's order ----------------------------------------------

INCIDENT_QUERIES = [
    "",
    "country=SY",
    "country=IQ&country=JO",
    "date_from=2023-11-01&date_to=2023-12-31",
    "date_from=2024-01-01",
    f"brand={IRI}",
    f"group={KH}",
    f"group={KH}&group_via_brand=1",
    "location=ain-al-asad-air-base",
    "weapon=one_way_drone&weapon=rocket",
    "killed_min=1",
    "q=drone",
    "q=Kataib Hezbollah",
    "claim_kind=attribution",
    "claim_kind=denial&claim_kind=attribution",
    "unclaimed=1",
    "unclaimed=0",
    "sort=-killed",
    "sort=title",
    "country=SY&sort=-killed",
    "q=harir&sort=date",
]


def is_filtered(query):
    return any(name != "sort" for name, _ in parse_qsl(query)) and "unclaimed=0" not in query


@pytest.mark.parametrize("query", INCIDENT_QUERIES)
def test_incident_export_holds_the_rows_of_all_pages_in_page_order(client, query):
    codes, link = walk_pages(client, "/incidents/", query, lambda incident: incident.code)
    rows = export_rows(client, link)
    assert [row["code"] for row in rows] == codes
    assert codes, "choose a query that selects rows"
    if is_filtered(query):
        assert len(codes) < Incident.objects.count(), "choose a query that filters"


CLAIM_QUERIES = [
    "",
    "country=SY",
    f"group={KH}",
    f"brand={IRI}",
    "claim_kind=attribution",
    "claim_status=superseded",
    "location=harir-air-base",
    "q=harir",
    "date_from=2024-01-01&date_to=2024-01-31",
    "sort=kind",
    "sort=-incident_date",
    "sort=date",
    "sort=-status",
]


@pytest.mark.parametrize("query", CLAIM_QUERIES)
def test_claim_export_holds_the_rows_of_all_pages_in_page_order(client, query):
    ids, link = walk_pages(client, "/claims/", query, lambda claim: str(claim.pk))
    assert [row["claim_id"] for row in export_rows(client, link)] == ids
    assert ids


GROUP_QUERIES = [
    "",
    "q=hezbollah",
    "kind=state",
    "country=IQ",
    f"brand={IRI}",
    "sort=kind",
    "sort=-founded",
    "sort=-incident_count",
]


@pytest.mark.parametrize("query", GROUP_QUERIES)
def test_group_export_holds_the_rows_of_all_pages_in_page_order(client, query):
    slugs, link = walk_pages(client, "/groups/", query, lambda group: group.slug)
    assert [row["slug"] for row in export_rows(client, link)] == slugs
    assert slugs


LOCATION_QUERIES = [
    "",
    "country=SY",
    "kind=air_base",
    "q=asad",
    "sort=-incident_count",
    "sort=country",
]


@pytest.mark.parametrize("query", LOCATION_QUERIES)
def test_location_export_holds_the_rows_of_all_pages_in_page_order(client, query):
    slugs, link = walk_pages(client, "/locations/", query, lambda location: location.slug)
    assert [row["slug"] for row in export_rows(client, link)] == slugs
    assert slugs


SOURCE_QUERIES = [
    "",
    "kind=think_tank",
    "q=drone",
    "publisher=reuters",
    "language=en",
    "sort=title",
    "sort=-published",
    "sort=publisher",
]


@pytest.mark.parametrize("query", SOURCE_QUERIES)
def test_source_export_holds_the_rows_of_all_pages_in_page_order(client, query):
    ids, link = walk_pages(client, "/sources/", query, lambda source: str(source.pk))
    assert [row["source_id"] for row in export_rows(client, link)] == ids
    assert ids


ALL_FORMATS = ("csv", "json", "geojson")
LINK_CASES = [
    ("/incidents/", "incidents", ALL_FORMATS, [("country", "IQ"), ("weapon", "rocket")]),
    ("/incidents/", "incidents", ALL_FORMATS, [("q", "Tower 22 & co"), ("sort", "-killed")]),
    ("/incidents/", "incidents", ALL_FORMATS, [("country", "IQ"), ("country", "SY")]),
    ("/claims/", "claims", ("csv",), [("group", KH), ("sort", "-date")]),
    ("/groups/", "groups", ("csv",), [("country", "IQ"), ("sort", "-founded")]),
    ("/brands/", "brands", ("csv",), [("q", "resistance")]),
    ("/locations/", "locations", ("csv",), [("country", "SY"), ("sort", "country")]),
    ("/sources/", "sources", ("csv",), [("kind", "news"), ("sort", "title")]),
    (f"/groups/{KH}/", "incidents", ALL_FORMATS, [("sort", "title")]),
]


@pytest.mark.parametrize(("path", "name", "formats", "params"), LINK_CASES)
def test_the_pages_export_links_keep_filters_and_sort_and_drop_paging(
    client, path, name, formats, params
):
    response = client.get(f"{path}?{urlencode([('page', 1), *params, ('per_page', 50)])}")
    assert response.status_code == 200
    links = export_links(response.text)
    expected = list(params)
    if path == f"/groups/{KH}/":
        expected = [*expected, ("group", KH)]  # the profile's own filter
    links = [link for link in links if "/export." in link]  # not the codebook link
    by_format = {urlsplit(link).path: link for link in links if "bom=1" not in link}
    assert set(by_format) == {f"/{name}/export.{ext}" for ext in formats}
    for link in by_format.values():
        assert sorted(query_pairs(link)) == sorted(expected)
    excel = [link for link in links if "bom=1" in link]
    assert len(excel) == 1
    assert urlsplit(excel[0]).path == f"/{name}/export.csv"
    assert sorted(query_pairs(excel[0])) == sorted([*expected, ("bom", "1")])


# --- Paging ignored, bad parameters refused -------------------------------------------------------


@pytest.mark.parametrize("paging", ["page=2&per_page=25", "page=999&per_page=13", "per_page=25"])
def test_paging_parameters_in_an_export_url_are_ignored(client, paging):
    everything = export_rows(client, "/incidents/export.csv")
    assert len(everything) == Incident.objects.count()
    assert export_rows(client, f"/incidents/export.csv?{paging}") == everything
    sources = export_rows(client, f"/sources/export.csv?{paging}")
    assert len(sources) == Source.objects.count()


BAD_EXPORT_PARAMETERS = [
    ("/incidents/export.csv", "contry=IQ", "contry"),
    ("/incidents/export.json", "contry=IQ", "contry"),
    ("/claims/export.csv", "killed_min=1", "killed_min"),
    ("/incidents/export.csv", "date_from=2023-13-01", "date_from"),
    ("/incidents/export.csv", "weapon=laser", "weapon"),
    ("/incidents/export.geojson", "weapon=laser", "weapon"),
    ("/incidents/export.csv", "killed_min=-1", "killed_min"),
    ("/incidents/export.csv", "location=nowhere", "location"),
    ("/incidents/export.csv", "sort=bogus", "sort"),
    ("/incidents/export.csv", "bom=maybe", "bom"),
    ("/claims/export.csv", "sort=bogus", "sort"),
    ("/groups/export.csv", "kind=militia", "kind"),
    ("/locations/export.csv", "country=XX", "country"),
    ("/sources/export.csv", "reliability=Z", "reliability"),
    ("/affiliations/export.csv", "status=rumoured", "status"),
]


@pytest.mark.parametrize(("url", "query", "name"), BAD_EXPORT_PARAMETERS)
def test_a_bad_or_unknown_export_parameter_answers_400_naming_it(client, url, query, name):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Content-Disposition" not in response
    assert re.search(rf"\b{name}\b", response.content.decode())


@pytest.mark.parametrize(
    "name", ["incidents", "claims", "groups", "brands", "locations", "sources"]
)
def test_every_sort_a_list_offers_works_in_its_export(client, name):
    """The page's sort links are carried over to its export: each must give the same rows."""
    sorts = client.get(f"/{name}/").context["filterset"].form.fields["sort"].choices
    values = [value for value, _ in sorts if value]
    assert values
    for value in values:
        keys, link = walk_pages(client, f"/{name}/", f"sort={value}", lambda r: r.pk, 200)
        response = client.get(link)
        assert response.status_code == 200, (link, content(response)[:300])
        rows = parse_csv(content(response))
        assert len(rows) - 1 == len(keys), link


# --- Headers match the codebook -------------------------------------------------------------------


def codebook_columns(client) -> dict[str, list[str]]:
    rows = list(csv.DictReader(io.StringIO(fetch(client, "/codebook.csv").decode(), newline="")))
    columns: dict[str, list[str]] = {}
    for row in rows:
        columns.setdefault(row["export"], []).append(row["column"])
    return columns


def test_each_export_header_is_the_codebooks_column_list(client):
    columns = codebook_columns(client)
    assert set(columns) == set(CSV_EXPORTS)
    for name in CSV_EXPORTS:
        assert export_header(client, f"/{name}/export.csv") == columns[name], name


def test_the_codebook_page_shows_every_column_of_every_export_in_order(client):
    page = client.get("/codebook/")
    assert page.status_code == 200
    shown = re.findall(r'<tr id="([a-z_]+)-([a-z0-9_]+)">', page.text)
    for name in CSV_EXPORTS:
        header = export_header(client, f"/{name}/export.csv")
        assert [column for export, column in shown if export == name] == header, name


def test_the_markdown_codebook_lists_every_column_of_every_export(client):
    markdown = fetch(client, "/codebook.md").decode()
    sections = {}
    for section in markdown.split("\n## ")[1:]:
        name = re.search(r"`/([a-z_]+)/export\.csv`", section).group(1)
        sections[name] = re.findall(r"^\| `([a-z0-9_]+)` \|", section, re.M)
    assert set(sections) == set(CSV_EXPORTS)
    for name in CSV_EXPORTS:
        assert sections[name] == export_header(client, f"/{name}/export.csv"), name


@pytest.mark.parametrize("extension", ["json", "pdf", "xlsx"])
def test_the_codebook_in_an_unknown_format_is_not_found(client, extension):
    assert client.get(f"/codebook.{extension}").status_code == 404


# --- Column values ----------------------------------------------------------------------------

DATE_PAIRS = {
    "incidents": [("date", "date_precision")],
    "claims": [("incident_date", "incident_date_precision"), ("date", "date_precision")],
    "groups": [("founded", "founded_precision")],
    "brands": [("launched", "launched_precision")],
    "sources": [("published", "published_precision")],
    "affiliations": [("start", "start_precision"), ("end", "end_precision")],
}
PLAIN_DATES = {"incidents": ["date_end"], "sources": ["accessed"]}


@pytest.mark.parametrize("name", sorted(DATE_PAIRS))
def test_dates_are_iso_with_their_precision_in_the_next_column(client, name):
    rows = export_rows(client, f"/{name}/export.csv")
    header = list(rows[0])
    precisions = {*DatePrecision.values}
    first_date = DATE_PAIRS[name][0][0]
    assert any(row[first_date] for row in rows), f"no {first_date} in the seed"
    for date, precision in DATE_PAIRS[name]:
        assert header.index(precision) == header.index(date) + 1
        for row in rows:
            assert re.fullmatch(r"(\d{4}-\d{2}-\d{2})?", row[date]), row[date]
            assert (row[precision] in precisions) == bool(row[date]), row
    for date in PLAIN_DATES.get(name, []):
        for row in rows:
            assert re.fullmatch(r"(\d{4}-\d{2}-\d{2})?", row[date]), row[date]


def test_month_and_week_dates_keep_their_precision(client):
    rows = by_key(export_rows(client, "/incidents/export.csv"), "code")
    brand = by_key(export_rows(client, "/brands/export.csv"), "slug")[IRI]
    assert (brand["launched"], brand["launched_precision"]) == ("2023-10-01", "month")
    week = rows["2023-10-21-ain-al-asad-drones"]
    assert (week["date"], week["date_precision"]) == ("2023-10-21", "week")
    jurf = rows["2023-11-22-jurf-al-sakhar-us-strikes"]
    assert (jurf["date"], jurf["date_precision"], jurf["date_end"]) == (
        "2023-11-21",
        "day",
        "2023-11-22",
    )


CASUALTIES = ["killed_low", "killed_high", "injured_low", "injured_high"]


def test_unknown_casualties_are_empty_and_none_reported_is_zero(client):
    rows = by_key(export_rows(client, "/incidents/export.csv"), "code")
    assert [rows[AL_TANF][c] for c in CASUALTIES] == ["", "", "", ""]
    assert [rows[HARIR][c] for c in CASUALTIES] == ["0", "0", "0", "0"]
    assert [rows[TOWER_22][c] for c in CASUALTIES] == ["3", "3", "34", "47"]


def test_tower_22_row_gives_its_place_claimants_and_attributions(client):
    row = by_key(export_rows(client, "/incidents/export.csv"), "code")[TOWER_22]
    assert row["country"] == "JO"
    assert row["location"] == "tower-22"
    assert row["location_name"] == "Tower 22"
    assert (row["latitude"], row["longitude"]) == ("33.31417", "38.70333")  # no trailing zeros
    assert row["claimant_brands"] == "Islamic Resistance in Iraq"
    assert row["claimant_groups"] == ""
    assert row["attributed_brands"] == "Islamic Resistance in Iraq"
    assert row["attributed_groups"] == "Harakat Ansar Allah al-Awfiya | Kata'ib Hezbollah"
    assert row["claim_count"] == "5"
    assert row["competing"] == "false"
    assert row["status"] == "published"


def test_every_country_cell_is_an_iso_code(client):
    codes = {code for code, _ in COUNTRIES}
    checked = 0
    for name, column, optional in [
        ("incidents", "country", False),
        ("claims", "incident_country", False),
        ("locations", "country", False),
        ("groups", "country", True),
    ]:
        for row in export_rows(client, f"/{name}/export.csv"):
            if optional and row[column] == "":
                continue
            assert row[column] in codes, (name, row[column])
            checked += 1
    assert checked > 100


def test_claim_count_and_competing_follow_the_claims(client):
    tower = Incident.objects.get(code=TOWER_22)
    Claim.objects.create(
        incident=tower, kind=ClaimKind.RESPONSIBILITY, group=Group.objects.get(slug=KH)
    )
    rows = export_rows(client, "/incidents/export.csv")
    counts = {
        incident.code: incident.claims.count()
        for incident in Incident.objects.prefetch_related("claims")
    }
    assert {row["code"]: int(row["claim_count"]) for row in rows} == counts
    assert {row["code"] for row in rows if row["competing"] == "true"} == {TOWER_22}
    assert {row["competing"] for row in rows} == {"true", "false"}
    assert by_key(rows, "code")[TOWER_22]["claim_count"] == "6"
    assert by_key(rows, "code")[TOWER_22]["claimant_groups"] == "Kata'ib Hezbollah"


PERMALINK_EXPORTS = ["incidents", "claims", "groups", "brands", "locations", "sources"]


def test_every_permalink_is_an_absolute_url_that_answers(client):
    paths = set()
    for name in PERMALINK_EXPORTS:
        rows = export_rows(client, f"/{name}/export.csv")
        assert rows
        for row in rows:
            url = urlsplit(row["permalink"])
            assert (url.scheme, url.netloc) == ("http", "testserver"), row["permalink"]
            paths.add(url.path)
    assert len(paths) > 200
    for path in sorted(paths):
        assert client.get(path).status_code == 200, path


def test_claim_permalinks_point_to_the_claim_on_its_incident_page(client):
    for row in export_rows(client, "/claims/export.csv"):
        assert row["permalink"] == (
            f"http://testserver/incidents/{row['incident_code']}/#claim-{row['claim_id']}"
        )


def cited(citations, key):
    ids, urls = {}, {}
    for citation in citations.select_related("source"):
        ids.setdefault(key(citation), []).append(citation.source_id)
        if citation.source.url:
            urls.setdefault(key(citation), []).append(citation.source.url)
    return ids, urls


def test_source_columns_list_each_rows_cited_sources(client):
    for name, citations, key, row_key in [
        ("incidents", IncidentCitation.objects.all(), lambda c: c.incident.code, "code"),
        ("claims", ClaimCitation.objects.all(), lambda c: str(c.claim_id), "claim_id"),
    ]:
        ids, urls = cited(citations.select_related(name[:-1]), key)
        rows = export_rows(client, f"/{name}/export.csv")
        for row in rows:
            expected_ids = sorted(ids.get(row[row_key], []))
            assert row["source_ids"] == json.dumps(expected_ids), row[row_key]  # [12, 40], []
            assert row["source_urls"] == " | ".join(sorted(urls.get(row[row_key], []))), row[
                row_key
            ]
        assert sum(row["source_ids"] != "[]" for row in rows) > 10


def test_harirs_superseded_claim_points_to_its_successor_and_back(client):
    waritheen = Claim.objects.get(incident__code=HARIR, group__slug="tashkil-al-waritheen")
    iri = Claim.objects.get(incident__code=HARIR, brand__slug=IRI)
    rows = by_key(export_rows(client, "/claims/export.csv"), "claim_id")
    old, new = rows[str(waritheen.pk)], rows[str(iri.pk)]
    assert old["status"] == ClaimStatus.SUPERSEDED
    assert old["superseded_by_claim_id"] == str(iri.pk)
    assert old["supersedes_claim_id"] == ""
    assert new["supersedes_claim_id"] == str(waritheen.pk)
    assert new["superseded_by_claim_id"] == ""
    others = [r for r in rows.values() if r["claim_id"] not in (old["claim_id"], new["claim_id"])]
    assert all(r["supersedes_claim_id"] == r["superseded_by_claim_id"] == "" for r in others)


def test_affiliations_export_names_group_and_brand(client):
    rows = export_rows(client, "/affiliations/export.csv")
    assert len(rows) == 12
    names = {g.slug: g.name for g in Group.objects.all()}
    for row in rows:
        assert row["brand"] == IRI
        assert row["group_name"] == names[row["group"]]


# --- Spreadsheet safety and RFC 4180 --------------------------------------------------------------

SAFETY_CODE = "2024-03-02-formula-test"
QUOTING_CODE = "2024-03-03-quoting-test"
NASTY = {
    "title": '=HYPERLINK("http://evil")',
    "summary": "+1+1",
    "place": "-2",
    "facility": "@SUM(A1)",
    "date_note": "\tlooks like a cell",
    "weapon_detail": "\rcarriage return first",
}
TRICKY_SUMMARY = 'First line, with a comma and "quotes"\nsecond line; ends "quoted"'


@pytest.fixture
def southern_location(db):
    return Location.objects.create(
        status="published",
        name="Test site in Chile",
        slug="test-site-chile",
        kind="town",
        country="CL",
        latitude=decimal.Decimal("-33.5"),
        longitude=decimal.Decimal("-70.6"),
    )


@pytest.fixture
def nasty_incidents(southern_location):
    common = {
        "date_precision": "day",
        "location": southern_location,
        "country": "CL",
        "status": PublicationStatus.PUBLISHED,
    }
    Incident.objects.create(code=SAFETY_CODE, date=datetime.date(2024, 3, 2), **common, **NASTY)
    Incident.objects.create(
        code=QUOTING_CODE,
        title="Plain title",
        summary=TRICKY_SUMMARY,
        date=datetime.date(2024, 3, 3),
        **common,
    )
    return southern_location


def test_text_a_spreadsheet_would_run_is_prefixed_with_an_apostrophe(client, nasty_incidents):
    rows = by_key(export_rows(client, "/incidents/export.csv?location=test-site-chile"), "code")
    row = rows[SAFETY_CODE]
    for column, value in NASTY.items():
        assert row[column] == "'" + value, column
    assert row["code"] == SAFETY_CODE
    assert rows[QUOTING_CODE]["title"] == "Plain title"


def test_negative_numbers_stay_plain_numbers(client, nasty_incidents):
    rows = export_rows(client, "/incidents/export.csv?location=test-site-chile")
    assert {(row["latitude"], row["longitude"]) for row in rows} == {("-33.5", "-70.6")}
    location = by_key(export_rows(client, "/locations/export.csv?country=CL"), "slug")
    assert location["test-site-chile"]["latitude"] == "-33.5"
    assert location["test-site-chile"]["longitude"] == "-70.6"
    records = json.loads(fetch(client, "/incidents/export.json?location=test-site-chile"))
    assert {(r["latitude"], r["longitude"]) for r in records} == {(-33.5, -70.6)}


def test_csv_is_rfc_4180_with_crlf_and_doubled_quotes(client, nasty_incidents):
    data = fetch(client, "/incidents/export.csv?location=test-site-chile&sort=title")
    # header, the quoting row and the formula row: three records, each ended by CRLF
    assert data.endswith(b"\r\n")
    records = parse_csv(data)
    assert len(records) == 3
    assert data.count(b"\r\n") == 3
    assert b"'\rcarriage" in data  # a lone CR inside a quoted cell is kept as it is
    assert b'""quotes""' in data
    assert b'"First line, with a comma and ""quotes""\nsecond line; ends ""quoted"""' in data
    rows = by_key(csv.DictReader(io.StringIO(data.decode(), newline="")), "code")
    assert rows[QUOTING_CODE]["summary"] == TRICKY_SUMMARY
    assert rows[SAFETY_CODE]["weapon_detail"] == "'" + NASTY["weapon_detail"]


def test_every_line_of_the_seed_export_ends_with_crlf(client):
    data = fetch(client, "/incidents/export.csv")
    records = parse_csv(data)
    assert len(records) == Incident.objects.count() + 1
    embedded = sum(cell.count("\r\n") for record in records for cell in record)
    assert data.count(b"\r\n") == len(records) + embedded
    assert data.endswith(b"\r\n")


def test_arabic_names_round_trip_through_utf8_csv(client):
    data = fetch(client, "/groups/export.csv")
    rows = by_key(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")), "slug")
    arabic = {g.slug: g.arabic_name for g in Group.objects.all()}
    assert {slug: row["arabic_name"] for slug, row in rows.items()} == arabic
    assert rows[KH]["arabic_name"] == "كتائب حزب الله"
    assert "كتائب حزب الله".encode() in data
    assert "عصائب أهل الحق" in rows["asaib-ahl-al-haq"]["aliases"].split(" | ")


@pytest.mark.parametrize("name", CSV_EXPORTS)
def test_bom_only_when_asked_for(client, name):
    plain = fetch(client, f"/{name}/export.csv")
    with_bom = fetch(client, f"/{name}/export.csv?bom=1")
    assert not plain.startswith(BOM)
    assert plain.startswith(f'"{export_header(client, f"/{name}/export.csv")[0]}",'.encode())
    assert with_bom.startswith(BOM)
    assert with_bom[len(BOM) :] == plain
    assert fetch(client, f"/{name}/export.csv?bom=0") == plain


# --- JSON and GeoJSON -----------------------------------------------------------------------------

INTEGER_COLUMNS = {"killed_low", "killed_high", "injured_low", "injured_high", "claim_count"}
FLOAT_COLUMNS = {"latitude", "longitude"}
LIST_COLUMNS = {
    "claimant_brands",
    "claimant_groups",
    "attributed_brands",
    "attributed_groups",
    "source_ids",
    "source_urls",
}


def test_json_has_one_object_per_csv_row_with_the_csv_columns(client):
    csv_rows = export_rows(client, "/incidents/export.csv")
    records = json.loads(fetch(client, "/incidents/export.json"))
    assert isinstance(records, list)
    assert len(records) == len(csv_rows)
    header = list(csv_rows[0])
    for record, row in zip(records, csv_rows, strict=True):
        assert list(record) == header
        for column, value in record.items():
            cell = row[column]
            if value is None:
                assert cell == "", column
            elif column == "source_ids":
                assert json.dumps(value) == cell, column  # a JSON list in both
            elif column in LIST_COLUMNS:
                assert " | ".join(str(v) for v in value) == cell, column
            elif isinstance(value, bool):
                assert cell == str(value).lower(), column
            elif isinstance(value, int | float):
                assert decimal.Decimal(cell) == decimal.Decimal(str(value)), column
            else:
                assert cell in (value, "'" + value), column


def test_json_numbers_are_numbers_and_unknowns_are_null(client):
    records = {r["code"]: r for r in json.loads(fetch(client, "/incidents/export.json"))}
    tower, tanf, harir = records[TOWER_22], records[AL_TANF], records[HARIR]
    assert [tower[c] for c in CASUALTIES] == [3, 3, 34, 47]
    assert [tanf[c] for c in CASUALTIES] == [None, None, None, None]
    assert [harir[c] for c in CASUALTIES] == [0, 0, 0, 0]
    assert (tower["latitude"], tower["longitude"]) == (33.31417, 38.70333)
    assert tower["claim_count"] == 5
    assert tower["competing"] is False
    assert tower["date"] == "2024-01-28"
    assert tower["date_end"] is None and tower["time_of_day"] is None
    assert harir["time_of_day"] == "12:18:00"
    assert tower["attributed_groups"] == ["Harakat Ansar Allah al-Awfiya", "Kata'ib Hezbollah"]
    for record in records.values():
        for column in INTEGER_COLUMNS:
            value = record[column]
            assert value is None or (isinstance(value, int) and not isinstance(value, bool))
        for column in FLOAT_COLUMNS:  # 30.51, or 30 for a whole degree
            value = record[column]
            assert value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def test_json_source_ids_are_numbers(client):
    """source_id is a whole number (the sources export, the codebook): in JSON a number."""
    records = json.loads(fetch(client, "/incidents/export.json"))
    tower = next(r for r in records if r["code"] == TOWER_22)
    assert tower["source_ids"]
    assert all(isinstance(i, int) for r in records for i in r["source_ids"]), tower["source_ids"]


def test_geojson_has_one_feature_per_row_with_point_or_null_geometry(client):
    csv_rows = export_rows(client, "/incidents/export.csv")
    collection = json.loads(fetch(client, "/incidents/export.geojson"))
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) == len(csv_rows)
    points = nulls = 0
    for feature, row in zip(features, csv_rows, strict=True):
        assert feature["type"] == "Feature"
        assert feature["id"] == row["code"]  # RFC 7946's feature identifier
        assert list(feature["properties"]) == list(row)
        assert feature["properties"]["code"] == row["code"]
        if row["latitude"]:
            assert feature["geometry"] == {
                "type": "Point",
                "coordinates": [float(row["longitude"]), float(row["latitude"])],
            }
            points += 1
        else:
            assert feature["geometry"] is None
            nulls += 1
    assert points and nulls, "the seed has incidents with and without coordinates"
    tower = next(f for f in features if f["properties"]["code"] == TOWER_22)
    assert tower["geometry"]["coordinates"] == [38.70333, 33.31417]


def test_geojson_properties_equal_the_json_records(client):
    records = json.loads(fetch(client, "/incidents/export.json?country=SY"))
    features = json.loads(fetch(client, "/incidents/export.geojson?country=SY"))["features"]
    assert [f["properties"] for f in features] == records
    assert records


# --- Drafts -----------------------------------------------------------------------------------

DRAFT_CODE = "2024-03-05-draft-export-test"


@pytest.fixture
def draft_claim(db):
    location = Location.objects.get(slug="ain-al-asad-air-base")
    incident = Incident.objects.create(
        code=DRAFT_CODE,
        title="Draft rocket strike",
        date=datetime.date(2024, 3, 5),
        location=location,
        country=location.country,
        status=PublicationStatus.DRAFT,
    )
    claim = Claim.objects.create(
        incident=incident, kind=ClaimKind.RESPONSIBILITY, brand=Brand.objects.get(slug=IRI)
    )
    IncidentCitation.objects.create(incident=incident, source=Source.objects.get(pk=140))
    ClaimCitation.objects.create(claim=claim, source=Source.objects.get(pk=140))
    return claim


DRAFT_URLS = [
    "/incidents/export.csv",
    "/incidents/export.json",
    "/incidents/export.geojson",
    "/claims/export.csv",
    f"/claims/export.csv?brand={IRI}",
    "/incidents/export.csv?location=ain-al-asad-air-base",
]


def test_drafts_are_exported_to_signed_in_staff_only(editor_client, draft_claim):
    public = Client()
    for url in DRAFT_URLS:
        anonymous, staff = fetch(public, url), fetch(editor_client, url)
        assert DRAFT_CODE.encode() not in anonymous, url
        assert DRAFT_CODE.encode() in staff, url
        if url.startswith("/claims/"):
            public_ids = [r["claim_id"] for r in csv.DictReader(io.StringIO(anonymous.decode()))]
            staff_ids = [r["claim_id"] for r in csv.DictReader(io.StringIO(staff.decode()))]
            assert str(draft_claim.pk) not in public_ids
            assert sorted(staff_ids) == sorted([*public_ids, str(draft_claim.pk)])

    row = by_key(export_rows(editor_client, "/incidents/export.csv"), "code")[DRAFT_CODE]
    assert (row["status"], row["claim_count"]) == ("draft", "1")
    place = "ain-al-asad-air-base"
    anonymous = by_key(export_rows(public, "/locations/export.csv"), "slug")[place]
    staff = by_key(export_rows(editor_client, "/locations/export.csv"), "slug")[place]
    assert int(staff["incident_count"]) == int(anonymous["incident_count"]) + 1


# --- A fixed number of queries --------------------------------------------------------------------

QUERY_URLS = [
    "/incidents/export.csv",
    "/incidents/export.json",
    "/incidents/export.geojson",
    "/incidents/export.csv?sort=-killed&country=IQ",
    "/claims/export.csv",
    "/groups/export.csv",
    "/brands/export.csv",
    "/locations/export.csv",
    "/sources/export.csv",
    "/affiliations/export.csv",
]


def count_queries(client, url) -> tuple[int, bytes]:
    """The queries run to answer the request and stream the whole file, and the file."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        data = content(response)
    return len(queries), data


def add_incidents(n=100):
    """n published incidents at a site, each claimed (and attributed), each citing two sources."""
    location = Location.objects.get(slug="harir-air-base")
    kh, iri, us = (
        Group.objects.get(slug=KH),
        Brand.objects.get(slug=IRI),
        Group.objects.get(slug="united-states"),
    )
    sources = list(Source.objects.order_by("pk")[:2])
    incidents = Incident.objects.bulk_create(
        Incident(
            code=f"2022-01-01-bulk-{i}",
            title=f"Bulk incident {i}",
            date=datetime.date(2022, 1, 1) + datetime.timedelta(days=i),
            location=location,
            country="IQ",
            killed_low=i,
            killed_high=i + 1,
            status=PublicationStatus.PUBLISHED,
        )
        for i in range(n)
    )
    claims = Claim.objects.bulk_create(
        [
            claim
            for incident in incidents
            for claim in (
                Claim(incident=incident, kind=ClaimKind.RESPONSIBILITY, group=kh, brand=iri),
                Claim(
                    incident=incident,
                    kind=ClaimKind.ATTRIBUTION,
                    group=kh,
                    attributed_by=us,
                ),
            )
        ]
    )
    IncidentCitation.objects.bulk_create(
        IncidentCitation(incident=incident, source=source)
        for incident in incidents
        for source in sources
    )
    ClaimCitation.objects.bulk_create(
        ClaimCitation(claim=claim, source=source) for claim in claims for source in sources
    )


def test_an_export_runs_a_fixed_number_of_queries_however_many_rows(client):
    before = {url: count_queries(client, url) for url in QUERY_URLS}
    add_incidents(100)
    after = {url: count_queries(client, url) for url in QUERY_URLS}
    assert {url: n for url, (n, _) in after.items()} == {url: n for url, (n, _) in before.items()}
    rows = {url: len(parse_csv(data)) for url, (_, data) in after.items() if ".csv" in url}
    assert rows["/incidents/export.csv"] == len(parse_csv(before["/incidents/export.csv"][1])) + 100
    assert rows["/claims/export.csv"] == len(parse_csv(before["/claims/export.csv"][1])) + 200
