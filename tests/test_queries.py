"""Every page runs a fixed number of SQL queries, whatever the page size and however much data
there is: no query per row, per claim or per citation. The recorded baselines (measured on the
seed data, the same on SQLite and PostgreSQL) make a regression show; lower one when a change
saves queries. Each list page counts its rows with exactly one COUNT(*)."""

import datetime
from contextlib import nullcontext

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from claims.models import (
    Claim,
    ClaimCitation,
    ClaimKind,
    ClaimStatus,
    Incident,
    IncidentCitation,
    Location,
    LocationCitation,
    PublicationStatus,
)
from groups.models import (
    Affiliation,
    AffiliationCitation,
    Alias,
    Brand,
    BrandCitation,
    Channel,
    ChannelCitation,
    Group,
    GroupCitation,
    Relation,
    RelationCitation,
)
from sources.models import Source

pytestmark = pytest.mark.django_db

KH, IRI, PLACE = "kataib-hezbollah", "islamic-resistance-in-iraq", "ain-al-asad-air-base"

# Queries per request, measured on the seed data. A list page: its COUNT(*), its rows, the
# claims of its incident rows (one prefetch), and the countries its form offers with their counts
# (one grouped query; groups, brands and places are typed, with suggestions fetched from
# /groups/, /brands/ and /locations/suggest.json). A profile page adds its record and one query
# per related list it shows.
# Incident tables add two for the timeline's plain table: the selected incidents and their claims.
TIMELINE = 2
# Each list page computing everything: the data's version (kb.cache), its rows, their count...
BASELINE = {
    "/incidents/": 5 + TIMELINE,
    "/claims/": 4,
    "/groups/": 4,
    "/brands/": 3,
    "/locations/": 3,
    "/sources/": 3,
    f"/groups/{KH}/": 14 + TIMELINE,
    f"/brands/{IRI}/": 15 + TIMELINE,
    f"/locations/{PLACE}/": 8 + TIMELINE,
}
# Kata'ib Hezbollah's seed profile lists no relation: once it does, the relations' citations
# (with their sources) take two more queries, however many relations there are.
BASELINE_FILLED = {**BASELINE, f"/groups/{KH}/": 16 + TIMELINE}
# The incident page: the incident and its location, its claims (with claimants, channel,
# attributor and lineage), their citations and sources, the incident's citations and sources.
INCIDENT_PAGE = 6
SOURCE_PAGE = 9  # the source, then one query per kind of citing record
HOME_PAGE = 8  # the data's version, five counts, the latest incidents and their claims
# The search page computing everything: the data's version, the best incidents' ids and their
# count (kept until the data changes), those incidents and their claims, groups, brands, places,
# sources and the names the query may give.
SEARCH_PAGE = 13


def captured(client, url, params=None):
    """The queries of a request computing everything (nothing kept from an earlier one)."""
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return context.captured_queries


def count_of(client, url, params=None):
    return len(captured(client, url, params))


def count_star(client, url, params=None):
    return [q["sql"] for q in captured(client, url, params) if "COUNT(*)" in q["sql"].upper()]


def shown(client, url, params):
    return len(client.get(url, params).context["table"].page.object_list)


def cite(model, record, sources):
    owner = next(f.name for f in model._meta.fields if f.is_relation and f.name != "source")
    for source in sources:
        model.objects.create(source=source, quote=f"Quote from {source.title}", **{owner: record})


def more_data(tag="extra", n=60, actors=30, change_log=False):
    """n more published incidents, claimed by new groups under the brand or new brands on their
    channels, attributed to Kata'ib Hezbollah by the United States and denied by Iran, half at
    Ain al-Asad and half at new sites, each incident and claim citing two new sources; `actors`
    more groups, brands, sites and sources, the first three with citations; more aliases,
    affiliations, relations and channels for the profile pages. Call it again with another tag
    to add as much again. Without history rows (and so without change-log entries), which none of
    the pages measured here reads and which took most of the time, unless `change_log` asks.
    """
    with nullcontext() if change_log else override_settings(SIMPLE_HISTORY_ENABLED=False):
        _more_data(tag, n, actors)
    if not change_log:
        cache.clear()  # answers kept until the next change-log entry (kb.cache) are stale now


def _more_data(tag, n, actors):
    kh, iri = Group.objects.get(slug=KH), Brand.objects.get(slug=IRI)
    us, iran = Group.objects.get(slug="united-states"), Group.objects.get(slug="iran")
    ain = Location.objects.get(slug=PLACE)
    sources = [
        Source.objects.create(
            status="published",
            title=f"{tag} report {i}",
            url=f"https://example.org/{tag}/{i}",
            publisher="Example",
        )
        for i in range(max(8, actors))
    ]
    groups = [
        Group.objects.create(
            status="published", name=f"{tag} group {i}", slug=f"{tag}-{i}", description=tag
        )
        for i in range(actors)
    ]
    brands = [
        Brand.objects.create(
            status="published", name=f"{tag} brand {i}", slug=f"{tag}-{i}", description=tag
        )
        for i in range(actors)
    ]
    channels = [
        Channel.objects.create(name=f"{tag} channel {i}", platform="telegram", operated_by_brand=b)
        for i, b in enumerate(brands)
    ]
    sites = [
        Location.objects.create(
            status="published",
            name=f"{tag} site {i}",
            slug=f"{tag}-site-{i}",
            kind="town",
            country="IQ",
        )
        for i in range(actors)
    ]
    citation_model = {
        Group: GroupCitation,
        Brand: BrandCitation,
        Location: LocationCitation,
        Channel: ChannelCitation,
    }
    for i, record in enumerate([*groups, *brands, *sites, *channels]):
        cite(citation_model[type(record)], record, sources[i % 7 : i % 7 + 2])
    # Claims under the brand on its own channel, or under a new brand on the new brand's channel.
    claim_brands = [iri, *brands[:2]]
    claim_channels = [Channel.objects.get(name__startswith="Elam al-Harbi"), *channels[:2]]
    for i in range(n):
        site = ain if i % 2 == 0 else sites[i % actors]
        date = datetime.date(2024, 2, 10) + datetime.timedelta(days=i % 20)
        incident = Incident.objects.create(
            code=f"{date}-{tag}-{i}",
            title=f"{tag} drone attack {i}",
            date=date,
            location=site,
            country=site.country,
            weapon="one_way_drone",
            killed_low=i % 3,
            killed_high=i % 3 + 1,
            status=PublicationStatus.PUBLISHED,
        )
        cite(IncidentCitation, incident, sources[i % 7 : i % 7 + 2])
        claims = [
            Claim.objects.create(
                incident=incident,
                group=groups[i % min(6, actors)],
                brand=claim_brands[i % 3],
                channel=claim_channels[i % 3],
                date=date,
                date_precision="day",
            ),
            Claim.objects.create(
                incident=incident,
                kind=ClaimKind.ATTRIBUTION,
                group=kh,
                attributed_by=us,
                attributed_by_detail="Pentagon",
                confidence="likely",
            ),
            Claim.objects.create(incident=incident, kind=ClaimKind.DENIAL, group=iran),
        ]
        for claim in claims:
            cite(ClaimCitation, claim, sources[(i + 1) % 7 : (i + 1) % 7 + 2])
    for i, group in enumerate(groups):
        Alias.objects.create(group=kh, name=f"{tag} KH alias {i}")
        Alias.objects.create(group=group, name=f"{tag} alias {i}")
        affiliation = Affiliation.objects.create(
            group=group, brand=iri, status="suspected", assessed_by=f"{tag} analyst {i}"
        )
        cite(AffiliationCitation, affiliation, sources[i % 7 : i % 7 + 2])
        for kind, target in [("allied_with", {"object_group": kh}), ("coordinates", {})]:
            relation = Relation.objects.create(
                subject=group, kind=kind, **(target or {"object_brand": iri})
            )
            cite(RelationCitation, relation, sources[i % 7 : i % 7 + 2])
    for i, brand in enumerate(brands):
        Alias.objects.create(brand=iri, name=f"{tag} IRI alias {i}")
        affiliation = Affiliation.objects.create(
            group=kh, brand=brand, status="assessed", assessed_by=tag, confidence="likely"
        )
        cite(AffiliationCitation, affiliation, sources[:3])
        relation = Relation.objects.create(subject=kh, kind="sponsors", object_brand=brand)
        cite(RelationCitation, relation, sources[:3])
    for i in range(3):
        channel = Channel.objects.create(
            name=f"{tag} IRI channel {i}", platform="x", operated_by_brand=iri
        )
        cite(ChannelCitation, channel, sources[i : i + 2])
        Channel.objects.create(name=f"{tag} KH channel {i}", platform="x", operated_by_group=kh)


def sizes(client, url, params=None):
    """Queries for the first page of 25 and of 200 rows, and for the second page of 25."""
    params = params or {}
    pages = client.get(url, {**params, "per_page": 25}).context["table"].paginator.num_pages
    return {
        f"per_page={n}, page {p}": count_of(client, url, {**params, "per_page": n, "page": p})
        for n, p in [(25, 1), (200, 1), (25, 2)]
        if p <= pages
    }


@pytest.mark.parametrize("url", BASELINE)
def test_list_page_runs_its_baseline_queries_whatever_the_page_size(client, url):
    found = sizes(client, url)
    assert found == dict.fromkeys(found, BASELINE[url])


@pytest.mark.parametrize("url", BASELINE)
def test_list_page_runs_the_same_queries_with_much_more_data(client, url):
    more_data("alpha", n=5, actors=3)
    rows_before = shown(client, url, {"per_page": 200})
    found = {"a little more data": count_of(client, url, {"per_page": 25})}
    more_data("bravo")
    assert shown(client, url, {"per_page": 200}) > max(rows_before, 25)
    found.update(sizes(client, url))
    assert len(found) == 4
    assert found == dict.fromkeys(found, BASELINE_FILLED[url])


FILTERS = {
    "/incidents/": {"country": "IQ", "group": KH, "group_via_brand": "1", "sort": "-killed"},
    "/claims/": {"group": KH, "claim_kind": "attribution", "sort": "-incident_date"},
    "/groups/": {"brand": IRI, "sort": "-incident_count"},
    "/brands/": {"q": "brand", "sort": "-member_count"},
    "/locations/": {"country": "IQ", "sort": "-incident_count"},
    "/sources/": {"publisher": "example", "sort": "-published"},
    f"/groups/{KH}/": {"group_via_brand": "1", "weapon": "one_way_drone", "sort": "date"},
    f"/brands/{IRI}/": {"country": "IQ", "weapon": "one_way_drone", "sort": "-date"},
    f"/locations/{PLACE}/": {"q": "drone", "sort": "killed"},
}
# With those filters: a filter naming a record adds a query to check it (its chip names the
# record the form loaded); a text search adds three (the names and aliases of groups and brands
# it may name).
FILTERED_BASELINE = {
    "/incidents/": 6 + TIMELINE,
    "/claims/": 5,
    "/groups/": 5,
    "/brands/": 6,
    "/locations/": 3,
    "/sources/": 3,
    f"/groups/{KH}/": 16 + TIMELINE,
    f"/brands/{IRI}/": 15 + TIMELINE,
    f"/locations/{PLACE}/": 11 + TIMELINE,
}


@pytest.mark.parametrize("url", BASELINE)
def test_filtered_sorted_list_page_runs_its_baseline_queries_whatever_the_page_size(client, url):
    params = FILTERS[url]
    more_data("alpha", n=5, actors=3)
    found = {"a little more data": count_of(client, url, {**params, "per_page": 25})}
    more_data("bravo")
    assert shown(client, url, {**params, "per_page": 200}) > 25
    found.update(sizes(client, url, params))
    assert len(found) == 4
    assert found == dict.fromkeys(found, FILTERED_BASELINE[url])


@pytest.mark.parametrize("url", BASELINE)
def test_list_page_counts_its_rows_with_exactly_one_count_query(client, url):
    more_data()
    cases = {
        "plain": {},
        "per_page": {"per_page": 200},
        "filtered": FILTERS[url],
        "page 2": {"per_page": 25, "page": 2},
    }
    found = {case: count_star(client, url, params) for case, params in cases.items()}
    assert {case: len(q) for case, q in found.items()} == dict.fromkeys(cases, 1), found


def test_seed_list_pages_count_their_rows_with_exactly_one_count_query(client):
    found = {url: len(count_star(client, url)) for url in BASELINE}
    assert found == dict.fromkeys(BASELINE, 1)


# The incident page -----------------------------------------------------------------------------


def incident_with(code, n_claims, n_citations):
    """A published incident at Ain al-Asad with n claims, each citing n_citations sources: claims
    of responsibility under the brand on its channel, each correcting the one before, and an
    attribution and a denial when there is room."""
    iri, kh = Brand.objects.get(slug=IRI), Group.objects.get(slug=KH)
    us, iran = Group.objects.get(slug="united-states"), Group.objects.get(slug="iran")
    channel = Channel.objects.get(name__startswith="Elam al-Harbi")
    sources = list(Source.objects.order_by("pk")[:n_citations])
    incident = Incident.objects.create(
        code=code,
        title=f"Incident {code}",
        date=datetime.date(2024, 2, 1),
        location=Location.objects.get(slug=PLACE),
        country="IQ",
        status=PublicationStatus.PUBLISHED,
    )
    cite(IncidentCitation, incident, sources)
    previous = None
    for i in range(n_claims):
        if i >= 2 and i == n_claims - 1:
            fields = {"kind": ClaimKind.DENIAL, "group": iran}
        elif i >= 2 and i == n_claims - 2:
            fields = {"kind": ClaimKind.ATTRIBUTION, "group": kh, "attributed_by": us}
        else:
            fields = {"group": kh, "brand": iri, "channel": channel, "supersedes": previous}
        claim = Claim.objects.create(
            incident=incident, date=datetime.date(2024, 2, 1 + i), date_precision="day", **fields
        )
        if fields.get("channel"):
            if previous:
                Claim.objects.filter(pk=previous.pk).update(status=ClaimStatus.SUPERSEDED)
            previous = claim
        cite(ClaimCitation, claim, sources)
    return incident


def test_incident_page_runs_the_same_queries_for_one_claim_as_for_ten(client):
    one = incident_with("2024-02-01-one-claim", n_claims=1, n_citations=1)
    ten = incident_with("2024-02-01-ten-claims", n_claims=10, n_citations=4)
    assert ten.claims.count() == 10
    assert ClaimCitation.objects.filter(claim__incident=ten).count() == 40
    response = client.get(ten.get_absolute_url())
    assert response.text.count('<li id="claim-') == 10
    found = {
        "1 claim, 1 citation": count_of(client, one.get_absolute_url()),
        "10 claims, 4 citations each": count_of(client, ten.get_absolute_url()),
    }
    assert found == dict.fromkeys(found, INCIDENT_PAGE)


def test_incident_page_without_channels_runs_its_baseline_queries(client):
    incident = incident_with("2024-02-01-no-channel", n_claims=1, n_citations=3)
    Claim.objects.filter(incident=incident).update(channel=None)
    assert count_of(client, incident.get_absolute_url()) == INCIDENT_PAGE


# Other pages -----------------------------------------------------------------------------------


def test_source_page_runs_the_same_queries_however_much_cites_it(client):
    article = Source.objects.get(title__startswith="Islamic resistance in Iraq, the new")
    seed = count_of(client, article.get_absolute_url())
    more_data()
    busy = Source.objects.get(url="https://example.org/extra/1")
    assert ClaimCitation.objects.filter(source=busy).count() > 40
    found = {
        "seed article": seed,
        "seed article, more data": count_of(client, article.get_absolute_url()),
        "a source cited by dozens of records": count_of(client, busy.get_absolute_url()),
    }
    assert found == dict.fromkeys(found, SOURCE_PAGE)


def test_home_and_search_pages_run_the_same_queries_with_much_more_data(client):
    seed = {
        "home": count_of(client, "/"),
        "search": count_of(client, "/search/", {"q": "drone"}),
    }
    more_data()
    after = {
        "home": count_of(client, "/"),
        "search": count_of(client, "/search/", {"q": "drone"}),
    }
    assert seed == after == {"home": HOME_PAGE, "search": SEARCH_PAGE}


def test_a_repeated_search_reuses_its_ranked_incidents_until_the_data_changes(client):
    first = count_of(client, "/search/", {"q": "drone"})
    with CaptureQueriesContext(connection) as again:
        response = client.get("/search/", {"q": "drone"})
    assert len(again.captured_queries) == first - 2  # no ranking of every match, no count
    shown = [row.record.code for row in response.context["incidents"].rows]
    assert shown and response.context["incident_count"] >= len(shown)
    more_data("after", n=3, actors=3, change_log=True)  # a change: the data's version moves
    with CaptureQueriesContext(connection) as changed:
        client.get("/search/", {"q": "drone"})
    assert len(changed.captured_queries) == first


# The change log: the data's version, its COUNT(*) and its rows (with the editor, for staff).
CHANGES_PAGE = 3
# The incident's history: the incident, then its changes (with their editors, for staff).
HISTORY_PAGE = 2
SIGNED_IN = 2  # the session and the user


@pytest.mark.parametrize("staff", [False, True])
def test_the_change_log_runs_its_baseline_queries_whatever_the_page_size_and_data(
    client, editor, staff
):
    if staff:
        client.force_login(editor)
    before = {n: count_of(client, "/changes/", {"per_page": n}) for n in (25, 200)}
    more_data(change_log=True)
    after = {n: count_of(client, "/changes/", {"per_page": n}) for n in (25, 200)}
    expected = CHANGES_PAGE + (SIGNED_IN if staff else 0)
    assert before == after == {25: expected, 200: expected}


@pytest.mark.parametrize("staff", [False, True])
def test_an_incident_history_page_runs_its_baseline_queries_however_long_the_history(
    client, editor, staff
):
    if staff:
        client.force_login(editor)
    incident = Incident.objects.get(code="2024-01-28-tower-22-drone")
    url = f"/incidents/{incident.code}/history/"
    before = count_of(client, url)
    for n in range(5):
        incident.title = f"Tower 22, take {n}"
        incident._change_reason = f"retitled {n}"
        incident.history_user = editor
        incident.save()
        claim = incident.claims.first()
        claim.note = f"note {n}"
        claim.save()
    assert count_of(client, url) == before == HISTORY_PAGE + (SIGNED_IN if staff else 0)


@pytest.mark.parametrize("url", ["/incidents/", f"/groups/{KH}/", "/"])
def test_a_second_reader_gets_the_counts_and_the_timeline_without_recounting(client, url):
    first = count_of(client, url)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    again = [q["sql"].upper() for q in context.captured_queries]
    assert len(again) < first
    assert not any("COUNT(" in sql or "GROUP BY" in sql for sql in again), again


def test_a_change_makes_the_next_reader_count_again(client, pub):
    assert client.get("/").context["counts"]["incidents"] == 46
    draft = Incident.objects.filter(status="published").first()
    draft.status = "draft"
    draft._change_reason = "unpublished for the test"
    draft.save()
    assert client.get("/").context["counts"]["incidents"] == 45
