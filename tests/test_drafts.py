"""A draft incident, with its claims and citations, never reaches the public: not in any list,
filter, count, search, profile table or source page, and its own page is a 404. Staff signed in
see it everywhere, marked as a draft. Each check is made for both, so that a check that passes
for the public would fail if the draft were published."""

import datetime

import pytest
from django.test import Client

from claims.models import (
    Claim,
    ClaimCitation,
    ClaimKind,
    Incident,
    IncidentCitation,
    Location,
    PublicationStatus,
)
from groups.models import Brand, Channel, Group
from sources.models import Source

pytestmark = pytest.mark.django_db

TOKEN = "Qorvex"  # in the draft's title only
CODE = "2024-03-01-qorvex-rocket-strike"
URL = f"/incidents/{CODE}/"
KH = "kataib-hezbollah"
IRI = "islamic-resistance-in-iraq"
PLACE = "ain-al-asad-air-base"
ARTICLE = "Islamic resistance in Iraq, the new anti-US brand"


def make_draft():
    """A draft incident at Ain al-Asad, later than every seed incident, claimed by Kata'ib
    Hezbollah under the brand on its channel, attributed to it by the United States, and citing
    the seed article."""
    location = Location.objects.get(slug=PLACE)
    kh, iri = Group.objects.get(slug=KH), Brand.objects.get(slug=IRI)
    article = Source.objects.get(title__startswith=ARTICLE)
    incident = Incident.objects.create(
        code=CODE,
        title=f"{TOKEN} rocket strike on Ain al-Asad",
        date=datetime.date(2024, 3, 1),
        location=location,
        country=location.country,
        admin1=location.admin1,
        weapon="rocket",
        target="foreign_forces",
        killed_low=2,
        killed_high=2,
        confirmation="confirmed",
        status=PublicationStatus.DRAFT,
    )
    claim = Claim.objects.create(
        incident=incident,
        kind=ClaimKind.RESPONSIBILITY,
        group=kh,
        brand=iri,
        channel=Channel.objects.get(operated_by_brand=iri),
        date=datetime.date(2024, 3, 1),
        date_precision="day",
    )
    attribution = Claim.objects.create(
        incident=incident,
        kind=ClaimKind.ATTRIBUTION,
        group=kh,
        attributed_by=Group.objects.get(slug="united-states"),
        attributed_by_detail="Pentagon press secretary",
    )
    IncidentCitation.objects.create(incident=incident, source=article, quote=f"{TOKEN} quote")
    for c in (claim, attribution):
        ClaimCitation.objects.create(claim=c, source=article)
    return incident


@pytest.fixture
def staff(editor):
    staff = Client()
    staff.force_login(editor)
    return staff


@pytest.fixture
def draft(db):
    return make_draft()


def rows(response):
    assert response.status_code == 200
    table = response.context["table"]
    assert table.paginator.num_pages == 1, "ask for a page size that shows every row"
    return [row.record for row in table.page.object_list]


def codes(response):
    return {record.code for record in rows(response)}


def count_of(response, slug):
    """The incident count a groups, brands or locations list gives the row with this slug."""
    return next(r.incident_count for r in rows(response) if r.slug == slug)


def snapshot(client):
    """Every count the draft would change if it leaked."""
    home = client.get("/").context["counts"]
    article = Source.objects.get(title__startswith=ARTICLE)
    source_page = client.get(f"/sources/{article.pk}/").context["citing"]
    search = client.get("/search/", {"q": "Ain al-Asad"}).context
    return {
        "home incidents": home["incidents"],
        "home claims": home["claims"],
        "incidents": client.get("/incidents/").context["table"].paginator.count,
        "claims": client.get("/claims/").context["table"].paginator.count,
        "group list": count_of(client.get("/groups/"), KH),
        "brand list": count_of(client.get("/brands/"), IRI),
        "location list": count_of(client.get("/locations/"), PLACE),
        "group page": client.get(f"/groups/{KH}/").context["table"].paginator.count,
        "brand page": client.get(f"/brands/{IRI}/").context["table"].paginator.count,
        "location page": client.get(f"/locations/{PLACE}/").context["table"].paginator.count,
        "search incidents": search["incident_count"],
        "search location": next(x.incident_count for x in search["locations"] if x.slug == PLACE),
        "source incidents": len(source_page["incidents"]),
        "source claims": len(source_page["claims"]),
    }


# With one incident and two claims more for staff, none for the public.
ADDED_FOR_STAFF = {
    "home incidents": 1,
    "home claims": 2,
    "incidents": 1,
    "claims": 2,
    "group list": 1,
    "brand list": 1,
    "location list": 1,
    "group page": 1,
    "brand page": 1,
    "location page": 1,
    "search incidents": 1,
    "search location": 1,
    "source incidents": 1,
    "source claims": 2,
}


def test_no_count_includes_the_draft_for_the_public_and_every_count_does_for_staff(client, staff):
    public_before, staff_before = snapshot(client), snapshot(staff)
    assert public_before == staff_before  # the seed holds no draft
    make_draft()
    assert snapshot(client) == public_before
    staff_after = snapshot(staff)
    assert {k: staff_after[k] - staff_before[k] for k in staff_after} == ADDED_FOR_STAFF


INCIDENT_FILTERS = [
    {},
    {"q": TOKEN},
    {"q": "rocket strike Ain al-Asad"},
    {"country": "IQ"},
    {"admin1": "al-Anbar Governorate"},
    {"location": PLACE},
    {"group": KH},
    {"group": KH, "claim_kind": "attribution"},
    {"brand": IRI},
    {"claim_kind": "responsibility", "claim_status": "current"},
    {"weapon": "rocket"},
    {"target": "foreign_forces"},
    {"date_from": "2024-02-15"},
    {"date_from": "2024-03-01", "date_to": "2024-03-01"},
    {"killed_min": 2},
    {"confirmation": "confirmed"},
    {"competing": 0},
    {"unclaimed": 0},
    {"sort": "-date"},
    {"sort": "title"},
]


@pytest.mark.parametrize("params", INCIDENT_FILTERS, ids=lambda p: str(p) or "no filter")
def test_the_incident_list_never_shows_the_draft_to_the_public(client, staff, draft, params):
    query = {**params, "per_page": 200}
    assert CODE not in codes(client.get("/incidents/", query))
    assert CODE in codes(staff.get("/incidents/", query))


def test_the_draft_is_not_on_the_public_incident_list_page_at_all(client, draft):
    response = client.get("/incidents/", {"per_page": 200, "sort": "-date"})
    assert TOKEN not in response.text
    assert URL not in response.text


def test_the_draft_page_is_404_for_the_public(client, draft):
    response = client.get(URL)
    assert response.status_code == 404
    assert TOKEN not in response.text


def test_staff_see_the_draft_page_marked_as_a_draft(staff, draft):
    response = staff.get(URL)
    assert response.status_code == 200
    assert f'<h1 dir="auto">{TOKEN} rocket strike on Ain al-Asad</h1>' in response.text
    assert '<span class="draft">draft (visible to staff only)</span>' in response.text


def test_staff_see_the_draft_marked_as_a_draft_in_the_incident_list(staff, draft):
    page = staff.get("/incidents/", {"q": TOKEN}).text
    link = page.index(f'<a href="{URL}"')
    row = page[page.rindex("<tr", 0, link) : page.index("</tr>", link)]
    assert "draft" in row.replace(CODE, "")


def test_published_incidents_are_not_marked_as_drafts_for_staff(staff):
    response = staff.get("/incidents/2024-01-28-tower-22-drone/")
    assert 'class="draft"' not in response.text


@pytest.mark.parametrize(
    "params", [{}, {"q": TOKEN}, {"group": KH}, {"brand": IRI}, {"location": PLACE}]
)
def test_the_claims_list_never_shows_the_drafts_claims_to_the_public(client, staff, draft, params):
    query = {**params, "per_page": 200}
    public = {c.pk for c in rows(client.get("/claims/", query))}
    staff_rows = {c.pk for c in rows(staff.get("/claims/", query))}
    drafts = set(draft.claims.values_list("pk", flat=True))
    assert not public & drafts
    assert staff_rows & drafts


@pytest.mark.parametrize("url", [f"/groups/{KH}/", f"/brands/{IRI}/", f"/locations/{PLACE}/"])
def test_profile_tables_never_show_the_draft_to_the_public(client, staff, draft, url):
    for params in [{}, {"weapon": "rocket"}, {"sort": "-date"}, {"q": TOKEN}]:
        query = {**params, "per_page": 200}
        assert CODE not in codes(client.get(url, query)), params
        assert CODE in codes(staff.get(url, query)), params
    assert TOKEN not in client.get(url, {"per_page": 200}).text


def test_the_home_page_hides_the_draft_from_the_public(client, staff, draft):
    latest = [row.record.code for row in client.get("/").context["latest"].rows]
    assert CODE not in latest
    assert TOKEN not in client.get("/").text
    staff_latest = [row.record.code for row in staff.get("/").context["latest"].rows]
    assert staff_latest[0] == CODE
    assert staff_latest[1:] == latest[:9]


def test_search_never_finds_the_draft_for_the_public(client, staff, draft):
    response = client.get("/search/", {"q": TOKEN})
    assert response.status_code == 200
    assert response.context["incident_count"] == 0
    assert URL not in response.text
    assert "Nothing matches" in response.text
    response = staff.get("/search/", {"q": TOKEN})
    assert response.context["incident_count"] == 1
    assert URL in response.text


def test_the_source_page_does_not_list_the_draft_among_what_cites_it(client, staff, draft):
    article = Source.objects.get(title__startswith=ARTICLE)
    page = client.get(f"/sources/{article.pk}/").text
    assert URL not in page
    assert TOKEN not in page
    staff_page = staff.get(f"/sources/{article.pk}/").text
    assert f'href="{URL}"' in staff_page
    for claim in draft.claims.all():
        assert f'href="{URL}#claim-{claim.pk}"' in staff_page


def test_publishing_the_draft_shows_it_to_the_public(client, draft):
    draft.status = PublicationStatus.PUBLISHED
    draft.save()
    assert client.get(URL).status_code == 200
    assert CODE in codes(client.get("/incidents/", {"q": TOKEN}))
