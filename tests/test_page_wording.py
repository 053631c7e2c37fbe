"""How the public pages read (issue 13, items 7, 10 and 12): a claim lineage in order with claim
numbers on its links, no detail repeating its category, an attribution's party apart from who
spoke for it, places in alphabetical order whatever their case, and a refused list page that is an
error page (no chart, no map) rather than an empty selection."""

import datetime
import html
import re

import pytest

from claims.models import Claim, ClaimStatus
from kb.dates import DatePrecision
from kb.ordering import fold

pytestmark = pytest.mark.django_db

HARIR = "2023-10-18-harir-drone"  # claim by Tashkil al-Waritheen, superseded by an IRI-brand claim
TOWER_22 = "2024-01-28-tower-22-drone"
IRI = "islamic-resistance-in-iraq"


def text(fragment):
    """Visible text: tags dropped, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def between(page, start, end):
    first = page.index(start)
    return page[first : page.index(end, first + len(start))]


def timeline_ids(page):
    return [int(pk) for pk in re.findall(r'<li id="claim-(\d+)"', page.split("<h2>Attrib")[0])]


def test_a_claim_lineage_reads_first_claim_then_each_correction_with_claim_numbers(client):
    # The order of issue 13: the first claim dated, its correction undated, and a second
    # correction dated after the first claim. By date alone the undated one came last.
    first = Claim.objects.get(incident__code=HARIR, group__slug="tashkil-al-waritheen")
    correction = Claim.objects.get(incident__code=HARIR, brand__slug=IRI, supersedes=first)
    assert correction.date is None
    second = Claim.objects.get(pk=correction.pk)
    second.pk = None
    second.supersedes = correction
    second.date, second.date_precision = datetime.date(2023, 10, 19), DatePrecision.DAY
    second.save()
    Claim.objects.filter(pk=correction.pk).update(
        status=ClaimStatus.SUPERSEDED, status_note="Test: corrected again."
    )

    page = client.get(f"/incidents/{HARIR}/").text

    assert timeline_ids(page) == [first.pk, correction.pk, second.pk]
    links = re.findall(r'(Replaces|Superseded by) <a href="#claim-(\d+)">claim #(\d+)</a>', page)
    assert links == [
        ("Superseded by", str(correction.pk), str(correction.pk)),
        ("Replaces", str(first.pk), str(first.pk)),
        ("Superseded by", str(second.pk), str(second.pk)),
        ("Replaces", str(correction.pk), str(correction.pk)),
    ]
    for claim in (first, correction, second):
        item = between(page, f'<li id="claim-{claim.pk}"', "</p>")
        assert f'<span class="claim-number">#{claim.pk}</span>' in item
    assert "the earlier claim" not in page and "a later claim</a>" not in page


def test_lineages_keep_their_place_among_the_other_claims_by_their_first_claims_date(client):
    page = client.get(f"/incidents/{TOWER_22}/").text
    claims = Claim.objects.filter(incident__code=TOWER_22).exclude(kind="attribution")
    dated = sorted((c for c in claims if c.date), key=lambda c: (c.date, c.pk))
    undated = sorted(c.pk for c in claims if not c.date)
    assert timeline_ids(page) == [c.pk for c in dated] + undated


def test_a_weapon_detail_that_repeats_the_weapon_is_shown_once(client):
    page = client.get(f"/incidents/{TOWER_22}/").text
    # The seed records "one-way attack drone" as both the weapon and its detail.
    assert text(between(page, "<dt>Weapon</dt>", "</dd>")) == "Weapon one-way attack drone"
    # A detail that says more is kept.
    target = text(between(page, "<dt>Target</dt>", "</dd>"))
    assert target == (
        "Target US or coalition forces — US troops' living quarters at Tower 22 logistics outpost"
    )


def test_an_attribution_names_the_party_then_who_spoke_for_it(client):
    page = client.get(f"/incidents/{TOWER_22}/").text
    section = text(between(page, "<h2>Attributions by third parties</h2>", "</section>"))
    assert "blamed by United States — US State Department (spokesman Matthew Miller)" in section
    assert "United States US State Department" not in section


def test_locations_sort_by_name_whatever_the_case(client):
    def names(params):
        page = client.get("/locations/", params).text
        return [
            html.unescape(n)
            for n in re.findall(
                r'<td class="key"><a href="/locations/[^"]+" dir="auto">([^<]+)', page
            )
        ]

    ascending = names({"per_page": 200})
    assert len(ascending) > 10
    assert ascending.index("al-Malikiyah") < ascending.index("Tower 22")
    assert ascending == sorted(ascending, key=fold)
    assert names({"per_page": 200, "sort": "-name"}) == ascending[::-1]


@pytest.mark.parametrize("path", ["/incidents/", f"/brands/{IRI}/", "/locations/tower-22/"])
def test_a_refused_list_page_draws_no_chart_and_names_no_chart_endpoint(client, path):
    response = client.get(path, {"country": "ZZ"})
    assert response.status_code == 400
    page = response.text
    assert 'role="alert"' in page and "<code>country</code>" in page
    assert '<section class="visuals"' not in page
    assert "timeline.json" not in page and "map.json" not in page
    assert "No incident matches these filters" not in page
