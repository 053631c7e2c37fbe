"""What each public page shows an anonymous visitor: every URL answers, the incident pages give
dates with their precision, casualty ranges, the claim timeline with its corrections and graded
sources; the group, brand, location and source pages hold what the seed records; lists show dates
with their precision and active filters as removable chips."""

import datetime
import html
import re
from urllib.parse import parse_qs

import pytest

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
from groups.models import (
    AffiliationCitation,
    Brand,
    BrandCitation,
    Group,
    RelationCitation,
)
from kb.dates import DatePrecision
from sources.models import Source

pytestmark = pytest.mark.django_db

ARTICLE = "Islamic resistance in Iraq, the new anti-US brand"
HARIR = "2023-10-18-harir-drone"
TOWER_22 = "2024-01-28-tower-22-drone"
IRI = "islamic-resistance-in-iraq"
NAV = ["/incidents/", "/claims/", "/groups/", "/brands/", "/locations/", "/sources/", "/changes/"]


def article():
    return Source.objects.get(title__startswith=ARTICLE)


def text(page):
    """The visible text of a page or fragment: tags dropped, entities decoded, spaces collapsed."""
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page)).strip()


def between(page, start, end):
    """The part of the page from the first `start` to the next `end` after it."""
    first = page.index(start)
    return page[first : page.index(end, first + len(start))]


def claim_item(page, claim):
    """The <li> of a claim on an incident page (up to the next claim or the end of its list)."""
    start = page.index(f'<li id="claim-{claim.pk}"')
    ends = [page.find(mark, start + 1) for mark in ('<li id="claim-', "</ol>", "</section>")]
    return page[start : min([e for e in ends if e != -1], default=len(page))]


def table_row(page, href):
    """The <tr> of a list table that links to `href`."""
    link = page.index(f'<a href="{href}"')
    return page[page.rindex("<tr", 0, link) : page.index("</tr>", link)]


def rows(response):
    """The records of the list table on the page, in the order shown."""
    return [row.record for row in response.context["table"].page.object_list]


def published():
    return Incident.objects.filter(status=PublicationStatus.PUBLISHED)


# Every URL of the site ------------------------------------------------------------------------


PAGES = [
    "/",
    "/incidents/",
    f"/incidents/{HARIR}/",
    "/claims/",
    "/groups/",
    "/groups/kataib-hezbollah/",
    "/brands/",
    "/brands/islamic-resistance-in-iraq/",
    "/locations/",
    "/locations/harir-air-base/",
    "/sources/",
    "/sources/{article}/",
    "/search/?q=harir",
]


def resolve(url):
    return url.format(article=article().pk)


@pytest.mark.parametrize("url", PAGES)
def test_every_page_answers_200(client, url):
    assert client.get(resolve(url)).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/incidents/2099-01-01-no-such-incident/",
        "/groups/no-such-group/",
        "/brands/no-such-brand/",
        "/locations/no-such-place/",
        "/sources/999999/",
        "/no-such-page/",
    ],
)
def test_unknown_codes_slugs_and_ids_answer_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_the_main_nav_and_the_search_box(client, url):
    page = client.get(resolve(url)).text
    nav = between(page, '<nav aria-label="Main">', "</nav>")
    assert re.findall(r'href="([^"]+)"', nav) == NAV
    search = between(page, '<form class="site-search"', "</form>")
    assert 'action="/search/"' in search
    assert 'method="get"' in search
    assert 'name="q"' in search


def test_every_incident_group_brand_location_and_source_page_answers_200(client):
    urls = [i.get_absolute_url() for i in published()]
    urls += [g.get_absolute_url() for g in Group.objects.all()]
    urls += [b.get_absolute_url() for b in Brand.objects.all()]
    urls += [loc.get_absolute_url() for loc in Location.objects.all()]
    urls += [s.get_absolute_url() for s in Source.objects.all()]
    assert len(urls) > 200
    assert [u for u in urls if client.get(u).status_code != 200] == []


# The Harir incident: an uncertain date, a superseded claim, graded sources ----------------------


def test_incident_page_shows_the_date_range_with_its_precision_and_note(client):
    page = client.get(f"/incidents/{HARIR}/").text
    date = text(between(page, "<dt>Date</dt>", "</dd>"))
    assert date.startswith("Date 17 Oct 2023 – 18 Oct 2023 (day precision)")
    assert "WINEP and the seed article date the attack 17 October 2023" in date
    assert "FDD, Sputnik and Xinhua give Wednesday 18 October" in date


def test_incident_page_links_its_location_and_gives_the_weapon_detail(client):
    page = client.get(f"/incidents/{HARIR}/").text
    place = between(page, "<dt>Place</dt>", "</dd>")
    assert '<a href="/locations/harir-air-base/" dir="auto">Harir Air Base</a>' in place
    weapon = text(between(page, "<dt>Weapon</dt>", "</dd>"))
    assert weapon.startswith("Weapon one-way attack drone — ")
    assert "WINEP: one Qasef-2K" in weapon
    assert "'some Qasef-2K drones'" in weapon


def harir_claims():
    claims = Claim.objects.filter(incident__code=HARIR)
    return claims.get(group__slug="tashkil-al-waritheen"), claims.get(brand__slug=IRI)


def test_incident_claims_form_a_timeline_first_claim_first(client):
    waritheen, brand = harir_claims()
    page = client.get(f"/incidents/{HARIR}/").text
    timeline = between(page, '<ol class="timeline">', "</ol>")
    assert re.findall(r'<li id="claim-(\d+)"', timeline) == [str(waritheen.pk), str(brand.pk)]
    assert "Tashkil al-Waritheen" in text(claim_item(page, waritheen))
    assert "Islamic Resistance in Iraq" in text(claim_item(page, brand))


def test_a_superseded_claim_is_marked_and_links_to_the_claim_that_replaced_it(client):
    waritheen, brand = harir_claims()
    assert (waritheen.status, brand.supersedes_id) == (ClaimStatus.SUPERSEDED, waritheen.pk)
    page = client.get(f"/incidents/{HARIR}/").text
    old = claim_item(page, waritheen)
    assert 'class="claim status-superseded"' in old
    assert "superseded by a later claim" in text(old)
    assert f'Superseded by <a href="#claim-{brand.pk}">claim #{brand.pk}</a>' in old
    assert "taken down in deference to the superseding IRI-brand claim" in text(old)
    new = claim_item(page, brand)
    assert 'class="claim status-current"' in new
    assert f'Replaces <a href="#claim-{waritheen.pk}">claim #{waritheen.pk}</a>' in new
    assert "Superseded" not in new


def test_incident_sources_show_reliability_letter_and_credibility_digit(client):
    source = article()
    source.reliability = "B"
    source.save()
    IncidentCitation.objects.filter(incident__code=HARIR, source=source).update(credibility=2)
    page = client.get(f"/incidents/{HARIR}/").text
    sources = between(page, "<h2>Sources for the incident</h2>", "</section>")
    citations = IncidentCitation.objects.filter(incident__code=HARIR).select_related("source")
    assert len(citations) == 7
    grades = re.findall(r'<abbr class="grade" title="([^"]+)">(\w+)</abbr>', sources)
    assert sorted(g for _, g in grades) == sorted(
        f"{c.source.reliability}{c.credibility}" for c in citations
    )
    assert "B2" in [g for _, g in grades]
    titles = [html.unescape(t) for t, g in grades if g == "B2"]
    assert titles == [
        "Source reliability: B – usually reliable; information credibility: 2 – probably true"
    ]


def test_incident_page_quotes_the_seed_article(client):
    source = article()
    page = text(client.get(f"/incidents/{HARIR}/").text)
    incident_quote = IncidentCitation.objects.get(incident__code=HARIR, source=source).quote
    assert "some Qasef-2K drones hit the Harir air base" in incident_quote
    assert incident_quote in page
    claim_quote = ClaimCitation.objects.filter(claim__incident__code=HARIR, source=source)[0].quote
    assert "initially claimed by Tashkil al-Waritheen" in claim_quote
    assert claim_quote in page


# Tower 22: casualty ranges, attributions and a denial -------------------------------------------


def test_incident_page_shows_casualty_figures_ranges_and_the_note(client):
    page = client.get(f"/incidents/{TOWER_22}/").text
    assert text(between(page, "<dt>Killed</dt>", "</dd>")) == "Killed 3"
    injured = text(between(page, "<dt>Injured</dt>", "</dd>"))
    assert injured.startswith("Injured 34–47 ")
    assert "the seed article 'dozens'" in injured


def test_incident_attributions_say_who_made_them_and_that_confidence_is_not_stated(client):
    page = client.get(f"/incidents/{TOWER_22}/").text
    section = between(page, "<h2>Attributions by third parties</h2>", "</section>")
    attributions = Claim.objects.filter(incident__code=TOWER_22, kind=ClaimKind.ATTRIBUTION)
    assert len(attributions) == 3
    for claim in attributions:
        item = text(claim_item(section, claim))
        who = f"{claim.claimant_display} blamed by United States — {claim.attributed_by_detail}"
        assert who in item
        assert "(confidence not stated)" in item
    kh = claim_item(section, attributions.get(group__slug="kataib-hezbollah"))
    assert '<a href="/groups/united-states/" dir="auto">United States</a>' in kh
    assert "Pentagon (Deputy Press Secretary Sabrina Singh)" in kh
    assert section.count("(confidence not stated)") == 3


def test_incident_page_lists_a_denial_in_the_claims_timeline(client):
    denial = Claim.objects.get(incident__code=TOWER_22, kind=ClaimKind.DENIAL)
    page = client.get(f"/incidents/{TOWER_22}/").text
    timeline = between(page, '<ol class="timeline">', "</ol>")
    item = claim_item(timeline, denial)
    head = f"#{denial.pk} date unknown Denial of responsibility by Iran current"
    assert text(item).startswith(head)
    assert '<a href="/groups/iran/" dir="auto">Iran</a>' in item
    assert "Iran denied involvement" in text(item)


# Date precision --------------------------------------------------------------------------------


def test_a_month_precision_date_shows_the_month_only_on_the_page_and_in_the_list(client):
    Incident.objects.create(
        code="2023-10-xqz-month-rocket",
        title="Xqzv rocket attack known to the month",
        date=datetime.date(2023, 10, 1),
        date_precision=DatePrecision.MONTH,
        country="IQ",
        weapon="rocket",
        status=PublicationStatus.PUBLISHED,
    )
    page = client.get("/incidents/2023-10-xqz-month-rocket/").text
    assert text(between(page, "<dt>Date</dt>", "</dd>")) == "Date Oct 2023 (month precision)"
    response = client.get("/incidents/", {"q": "Xqzv"})
    assert [i.code for i in rows(response)] == ["2023-10-xqz-month-rocket"]
    row = table_row(response.text, "/incidents/2023-10-xqz-month-rocket/")
    assert '<td ><span class="nowrap">Oct 2023</span></td>' in row
    assert "1 Oct 2023" not in response.text
    response = client.get("/incidents/", {"per_page": 100})
    row = table_row(response.text, "/incidents/2023-10-xqz-month-rocket/")
    assert '<td ><span class="nowrap">Oct 2023</span></td>' in row
    # The month overlaps any range touching it, e.g. a single late-October day.
    response = client.get("/incidents/", {"q": "Xqzv", "date_from": "2023-10-30"})
    assert [i.code for i in rows(response)] == ["2023-10-xqz-month-rocket"]


def test_list_tables_show_week_precision_as_the_week_to_a_date(client):
    week = published().filter(date_precision=DatePrecision.WEEK).order_by("-date", "code")[0]
    assert week.code == "2024-01-24-conoco-rockets"
    response = client.get("/incidents/", {"per_page": 100})
    row = table_row(response.text, f"/incidents/{week.code}/")
    assert '<td >week to <span class="nowrap">24 Jan 2024</span></td>' in row
    assert "Rocket attack on the US base at the Conoco gas field" in row
    day_row = table_row(response.text, f"/incidents/{TOWER_22}/")
    assert '<td ><span class="nowrap">28 Jan 2024</span></td>' in day_row


def test_incident_page_shows_week_precision_and_its_note(client):
    page = client.get("/incidents/2024-01-24-conoco-rockets/").text
    date = text(between(page, "<dt>Date</dt>", "</dd>"))
    assert date.startswith("Date week to 24 Jan 2024 (week (in the seven days ending on the date)")
    assert "the attack was on or shortly before it" in date


# Group, brand and location pages -----------------------------------------------------------


def test_group_page_shows_its_names_arabic_right_to_left_and_aliases(client):
    kh = Group.objects.get(slug="kataib-hezbollah")
    page = client.get("/groups/kataib-hezbollah/").text
    assert '<h1 dir="auto">Kata&#x27;ib Hezbollah</h1>' in page
    assert f'<span lang="ar" dir="rtl">{kh.arabic_name}</span>' in page
    assert kh.arabic_name == "كتائب حزب الله"
    aliases = text(between(page, "<dt>Also known as</dt>", "</dd>"))
    names = list(kh.aliases.values_list("name", flat=True))
    assert len(names) >= 10
    for name in names:
        assert name in aliases
    assert 'lang="ar">كتائب حزب الله</span>' in page


def test_group_page_lists_affiliations_with_status_confidence_and_sources(client):
    page = client.get("/groups/kataib-hezbollah/").text
    table = between(page, "<h2>Affiliations with brands</h2>", "</table>")
    found = re.findall(
        r'<td class="key"><a href="([^"]+)" dir="auto">([^<]+)</a></td>\s*'
        r'<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td dir="auto">([^<]*)</td>',
        table,
    )
    assert {(url, status, conf, html.unescape(who)) for url, _, status, conf, who in found} == {
        (
            "/brands/islamic-resistance-in-iraq/",
            "assessed (by analysts or a government)",
            "very likely",
            "The Washington Institute for Near East Policy",
        ),
        (
            "/brands/islamic-resistance-in-iraq/",
            "assessed (by analysts or a government)",
            "not stated",
            "US Department of State",
        ),
        (
            "/brands/islamic-resistance-in-iraq/",
            "assessed (by analysts or a government)",
            "not stated",
            "Waradana",
        ),
    }
    assert ARTICLE in text(table)
    assert "It is very likely, the think tank underlines" in text(table)
    assert "US Designates Iraq-Based, Iran-Aligned Militia Group" in text(table)
    assert "from 12 Oct 2023" in table


def naming_group(slug):
    return {
        i.code
        for i in published().filter(
            claims__group__slug=slug,
            claims__status=ClaimStatus.CURRENT,
            claims__kind__in=[ClaimKind.RESPONSIBILITY, ClaimKind.ATTRIBUTION],
        )
    }


def test_group_page_table_lists_incidents_the_group_claimed_or_was_blamed_for(client):
    response = client.get("/groups/kataib-hezbollah/")
    codes = [i.code for i in rows(response)]
    assert codes == [TOWER_22, "2023-12-25-erbil-air-base-drone"]
    assert set(codes) == naming_group("kataib-hezbollah")
    assert '<p class="count" data-count="2">2 rows.</p>' in response.text


def test_group_page_table_takes_the_incident_filters(client):
    response = client.get("/groups/kataib-hezbollah/", {"country": "JO"})
    assert response.status_code == 200
    assert [i.code for i in rows(response)] == [TOWER_22]
    assert "Jordan" in text(between(response.text, '<ul class="chips"', "</ul>"))
    response = client.get("/groups/kataib-hezbollah/", {"country": "IQ"})
    assert [i.code for i in rows(response)] == ["2023-12-25-erbil-air-base-drone"]
    response = client.get("/groups/kataib-hezbollah/", {"killed_min": 1})
    assert [i.code for i in rows(response)] == [TOWER_22]


@pytest.mark.parametrize("value", ["on", "1"])
def test_group_page_brands_checkbox_adds_incidents_claimed_under_its_brands(client, value):
    plain = {i.code for i in rows(client.get("/groups/kataib-hezbollah/", {"per_page": 200}))}
    response = client.get("/groups/kataib-hezbollah/", {"group_via_brand": value, "per_page": 200})
    assert response.status_code == 200
    wider = {i.code for i in rows(response)}
    under_brand = {
        i.code
        for i in published().filter(
            claims__brand__slug="islamic-resistance-in-iraq",
            claims__status=ClaimStatus.CURRENT,
            claims__kind__in=[ClaimKind.RESPONSIBILITY, ClaimKind.ATTRIBUTION],
        )
    }
    assert wider == plain | under_brand
    assert len(wider) > len(plain)


def member_rows(page):
    table = between(page, "<h2>Member groups, surest first</h2>", "</table>")
    found = re.findall(
        r'<td class="key"><a href="[^"]+" dir="auto">([^<]+)</a></td>\s*'
        r"<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*"
        r'<td dir="auto">([^<]*)</td>',
        table,
    )
    return [tuple(html.unescape(v) for v in row) for row in found]


def test_brand_page_lists_member_groups_surest_first(client):
    members = member_rows(client.get("/brands/islamic-resistance-in-iraq/").text)
    assert len(members) == 12
    assert members[0] == (
        "Harakat Hezbollah al-Nujaba",
        "announced (by the group or brand itself)",
        "not stated",
        "Harakat Hezbollah al-Nujaba (self-announced)",
    )
    winep = [i for i, m in enumerate(members) if m[3].startswith("The Washington Institute")]
    state = [i for i, m in enumerate(members) if m[3] == "US Department of State"]
    assert [members[i][2] for i in winep] == ["very likely"] * 3
    assert {members[i][2] for i in state} == {"not stated"}
    assert len(state) == 4
    assert max(winep) < min(state)
    assert winep == [1, 2, 3]


def test_brand_page_shows_the_quds_force_coordinating_it_and_its_channel(client):
    page = client.get("/brands/islamic-resistance-in-iraq/").text
    relations = between(page, "<h2>Relations</h2>", "<h2>Channels</h2>")
    assert (
        '<a href="/groups/irgc-quds-force/" dir="auto">IRGC Quds Force</a> '
        "<strong>coordinates</strong> <bdi>Islamic Resistance in Iraq</bdi>"
    ) in relations
    assert "plays a coordinating role among the Islamic Resistance factions" in text(relations)
    channels = text(between(page, "<h2>Channels</h2>", "</ul>"))
    assert "Elam al-Harbi (Islamic Resistance in Iraq War Media) (Telegram)" in channels


def test_brand_page_table_lists_incidents_claimed_under_the_brand(client):
    response = client.get("/brands/islamic-resistance-in-iraq/", {"per_page": 200})
    codes = [i.code for i in rows(response)]
    expected = {
        i.code
        for i in published().filter(
            claims__brand__slug="islamic-resistance-in-iraq",
            claims__status=ClaimStatus.CURRENT,
            claims__kind__in=[ClaimKind.RESPONSIBILITY, ClaimKind.ATTRIBUTION],
        )
    }
    assert len(codes) == len(set(codes)) == len(expected) > 30
    assert set(codes) == expected
    assert {HARIR, TOWER_22} <= set(codes)
    assert (
        f'<p class="count" data-count="{len(expected)}">{len(expected)} rows.</p>' in response.text
    )


def test_location_page_shows_coordinates_and_every_incident_there(client):
    location = Location.objects.get(slug="ain-al-asad-air-base")
    response = client.get("/locations/ain-al-asad-air-base/", {"per_page": 200})
    coordinates = text(between(response.text, "<dt>Coordinates</dt>", "</dd>"))
    assert coordinates == f"Coordinates {location.latitude}, {location.longitude}"
    assert coordinates == "Coordinates 33.7856083, 42.4412000"
    shown = rows(response)
    there = published().filter(location=location)
    assert len(shown) == there.count() == Incident.objects.filter(location=location).count() > 5
    assert {i.code for i in shown} == {i.code for i in there}
    count = there.count()
    assert f'<p class="count" data-count="{count}">{count} rows.</p>' in response.text


def test_source_page_lists_every_record_citing_it(client):
    source = article()
    page = client.get(f"/sources/{source.pk}/").text
    cites = text(between(page, "<h2>What cites this source</h2>", "</article>"))
    incidents = IncidentCitation.objects.filter(source=source).select_related("incident")
    assert {c.incident.code for c in incidents} == {HARIR, TOWER_22}
    for c in incidents:
        assert f'href="{c.incident.get_absolute_url()}"' in page
        assert c.quote in cites
    claims = ClaimCitation.objects.filter(source=source).select_related("claim__incident")
    assert len(claims) == 3
    for c in claims:
        assert f'href="{c.claim.incident.get_absolute_url()}#claim-{c.claim.pk}"' in page
    brands = BrandCitation.objects.filter(source=source)
    assert [c.brand.slug for c in brands] == ["islamic-resistance-in-iraq"]
    assert "Brand profiles Islamic Resistance in Iraq" in cites
    affiliations = AffiliationCitation.objects.filter(source=source).select_related(
        "affiliation__group"
    )
    assert len(affiliations) == 4
    for c in affiliations:
        assert f"{c.affiliation.group.name} → Islamic Resistance in Iraq" in cites
    assert "(announced (by the group or brand itself))" in cites
    relations = RelationCitation.objects.filter(source=source).select_related("relation")
    assert len(relations) == 3
    for c in relations:
        assert str(c.relation) in cites
    assert "IRGC Quds Force coordinates Islamic Resistance in Iraq" in cites


@pytest.mark.parametrize("kind", ["groups", "brands", "locations"])
def test_list_incident_counts_match_the_table_on_each_profile_page(client, kind):
    listed = {r.slug: r.incident_count for r in rows(client.get(f"/{kind}/"))}
    assert sum(listed.values()) > 0
    on_pages = {
        slug: client.get(f"/{kind}/{slug}/").context["table"].paginator.count for slug in listed
    }
    assert listed == on_pages


def test_filtering_groups_by_brand_keeps_their_incident_counts(client):
    every = {r.slug: r.incident_count for r in rows(client.get("/groups/"))}
    members = {r.slug: r.incident_count for r in rows(client.get("/groups/", {"brand": IRI}))}
    assert set(members) == {
        "asaib-ahl-al-haq",
        "harakat-ansar-allah-al-awfiya",
        "harakat-hezbollah-al-nujaba",
        "kataib-hezbollah",
        "kataib-sayyid-al-shuhada",
    }
    assert members == {slug: every[slug] for slug in members}
    assert members["kataib-hezbollah"] == 2


SORTABLE = [url for url in NAV if url != "/changes/"]  # the change log is always newest first


@pytest.mark.parametrize("url", [*SORTABLE, "/groups/kataib-hezbollah/", "/incidents/?page=2"])
def test_every_column_sort_link_answers_200_both_ways(client, url):
    page = client.get(url).text
    # The list's own table: not a profile's tables above it, nor the timeline's table.
    listed = page.split('class="visuals"', 1)[-1]
    links = [
        html.unescape(h)
        for h in re.findall(
            r'href="(\?[^"]+)"', between(listed, '<table class="data">', "</thead>")
        )
        if "sort=" in h  # the column headers' links (the chips and exports link elsewhere)
    ]
    assert len(links) >= 4
    path = url.split("?")[0]
    for link in links:
        for target in (link, link.replace("sort=", "sort=-")):
            response = client.get(path + target)
            assert response.status_code == 200, target
            assert response.context["table"].paginator.count > 0, target


# Home page, lists and chips -----------------------------------------------------------------


def test_home_page_counts_published_incidents_claims_groups_brands_and_sources(client):
    page = client.get("/").text
    found = re.findall(r"<strong>(\d+)</strong> ([a-z ]+?)</a>", page)
    counts = {label: int(n) for n, label in found}
    assert counts == {
        "incidents": published().count(),
        "claims and attributions": Claim.objects.filter(incident__in=published()).count(),
        "groups": Group.objects.count(),
        "brand": Brand.objects.count(),
        "sources": Source.objects.count(),
    }
    assert counts["incidents"] == 46
    assert counts["claims and attributions"] == 50


def test_home_page_lists_the_ten_latest_incidents(client):
    page = client.get("/").text
    latest = between(page, "<h2>Latest incidents</h2>", "</table>")
    expected = [i.get_absolute_url() for i in published().order_by("-date", "code")[:10]]
    assert re.findall(r'href="(/incidents/[^"]+)"', latest) == expected
    assert expected[0] == "/incidents/2024-02-07-baghdad-mashtal-us-strike/"


def chips(page):
    box = between(page, '<ul class="chips"', "</ul>")
    return re.findall(r'<a href="([^"]*)" aria-label="Remove filter ([^"]+)">', box)


def test_active_filters_are_chips_each_removing_only_its_own_filter(client):
    response = client.get("/incidents/?country=IQ&weapon=rocket&per_page=50")
    assert response.status_code == 200
    found = {html.unescape(label): html.unescape(href) for href, label in chips(response.text)}
    assert set(found) == {"Country: Iraq", "Weapon: rocket"}
    assert parse_qs(found["Country: Iraq"][1:]) == {"weapon": ["rocket"], "per_page": ["50"]}
    assert parse_qs(found["Weapon: rocket"][1:]) == {"country": ["IQ"], "per_page": ["50"]}
    left = client.get("/incidents/" + found["Country: Iraq"])
    assert [html.unescape(label) for _, label in chips(left.text)] == ["Weapon: rocket"]
    rockets = published().filter(weapon="rocket")
    assert [i.code for i in rows(left)] == [i.code for i in rockets.order_by("-date", "code")]
    assert rockets.count() > 0
    assert not rockets.filter(country="IQ").exists()  # hence no row with both filters
    assert rows(response) == []


def test_each_value_of_a_repeated_filter_gets_its_own_chip(client):
    response = client.get("/incidents/?country=IQ&country=JO&page=1")
    found = {html.unescape(label): html.unescape(href) for href, label in chips(response.text)}
    assert set(found) == {"Country: Iraq", "Country: Jordan"}
    assert parse_qs(found["Country: Iraq"][1:]) == {"country": ["JO"]}
    assert parse_qs(found["Country: Jordan"][1:]) == {"country": ["IQ"]}
    assert {i.country for i in rows(response)} == {"IQ", "JO"}


def test_a_list_without_filters_shows_no_chips(client):
    assert '<ul class="chips"' not in client.get("/incidents/").text


def test_search_finds_places_and_incidents_by_text(client):
    response = client.get("/search/", {"q": "harir"})
    found = text(response.text)
    assert '<a href="/locations/harir-air-base/" dir="auto">Harir Air Base</a>' in response.text
    harir = {i.code for i in published().filter(title__icontains="harir")}
    assert len(harir) > 3
    for code in harir:
        assert f'href="/incidents/{code}/"' in response.text
    assert f"Incidents ({response.context['incident_count']})" in found
