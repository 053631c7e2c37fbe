"""One search for every spelling (issue 13, item 4): what a text search finds on the incident,
claim, location and source lists and on the site search does not depend on the transliteration,
diacritics, article, apostrophes or script of an actor's or a place's name; and a spelling of
another name finds none of it."""

import datetime
from urllib.parse import urlencode

import pytest

from claims import derived
from claims.models import Incident, PublicationStatus

pytestmark = pytest.mark.django_db

KH_ARABIC = "كتائب حزب الله"  # Kata'ib Hezbollah's Arabic name in the seed (its group record)
FAMILIES = {
    "Hezbollah": ["hizballah", "hezbollah", "Hizbullah"],
    "Kata'ib Hezbollah": ["kataib hezbollah", "Kata'ib Hizballah", KH_ARABIC],
    "Harir": ["harir", "al-Harir", "Harir"],
}
LISTS = {
    "/incidents/": lambda row: row.code,
    "/claims/": lambda row: row.pk,
    "/locations/": lambda row: row.slug,
    "/sources/": lambda row: row.pk,
}


def listed(client, url, query):
    response = client.get(f"{url}?{urlencode({'q': query, 'per_page': 200})}")
    assert response.status_code == 200
    table = response.context["table"]
    assert table.paginator.count <= 200  # every row is on the page
    return {LISTS[url](row.record) for row in table.page.object_list}


def searched(client, query):
    response = client.get(f"/search/?{urlencode({'q': query})}")
    assert response.status_code == 200
    context = response.context
    return {
        "groups": {group.pk for group in context["groups"]},
        "brands": {brand.pk for brand in context["brands"]},
        "incidents": {row.record.code for row in context["incidents"].rows},
        "incident_count": context["incident_count"],
        "locations": {location.pk for location in context["locations"]},
        "sources": {source.pk for source in context["sources"]},
    }


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("family", FAMILIES)
def test_every_spelling_of_a_name_lists_the_same_rows(client, family, url):
    first, *others = FAMILIES[family]
    expected = listed(client, url, first)
    for spelling in others:
        assert listed(client, url, spelling) == expected, spelling


@pytest.mark.parametrize("family", FAMILIES)
def test_every_spelling_of_a_name_finds_the_same_on_the_site_search(client, family):
    first, *others = FAMILIES[family]
    expected = searched(client, first)
    assert expected["incidents"]  # so that the comparison means something
    for spelling in others:
        assert searched(client, spelling) == expected, spelling


def test_the_families_find_incidents_their_text_names_in_another_spelling(client):
    # The US strikes on Kata'ib Hezbollah: no claim names it, their text spells it "Kataib
    # Hezbollah"; the Harir air base incidents whose text says "al-Harir" or "Harir".
    for spelling in FAMILIES["Kata'ib Hezbollah"]:
        assert "2024-01-24-us-strikes-kh-three-facilities" in listed(
            client, "/incidents/", spelling
        )
    harir = listed(client, "/incidents/", "al-Harir")
    assert {"2023-10-18-harir-drone", "2023-11-17-tell-beydar-drone"} <= harir


# (No source's words name Harir: PostgreSQL reads a URL as one token, not as its words.)
@pytest.mark.parametrize("url", ["/incidents/", "/claims/", "/locations/"])
@pytest.mark.parametrize("other", ["Hariri", "Harar"])
def test_another_name_that_looks_alike_finds_none_of_it(client, url, other):
    harir = listed(client, url, "Harir")
    assert harir  # so that the comparison means something
    assert not listed(client, url, other) & harir


def test_a_name_of_one_group_does_not_find_text_that_only_mentions_another(client):
    # The Nujaba commander's killing: its text names Harakat Hezbollah al-Nujaba and "Iraqi"
    # things, not Kata'ib Hezbollah (whose alias "Iraqi Hezbollah" is a phrase, not two words).
    nujaba = "2024-01-04-baghdad-us-strike-nujaba"
    assert nujaba in listed(client, "/incidents/", "Harakat Hezbollah al-Nujaba")
    for spelling in FAMILIES["Kata'ib Hezbollah"]:
        assert nujaba not in listed(client, "/incidents/", spelling)


def test_the_stored_search_texts_are_folded_and_up_to_date():
    assert derived.verify() == []


def new_incident(code, summary):
    return Incident.objects.create(
        code=code,
        title="Synthetic test incident",
        summary=summary,
        date=datetime.date(2024, 3, 1),
        country="IQ",
        status=PublicationStatus.PUBLISHED,
    )


def test_a_spelling_no_alias_holds_is_found_by_every_other_one(client):
    new_incident("2024-03-01-unlisted-spelling", "Hizbollah fighters were seen near the road.")
    for spelling in ["Hezbollah", "hizballah", "Hizbullah", "Hizbollah"]:
        assert "2024-03-01-unlisted-spelling" in listed(client, "/incidents/", spelling), spelling


def test_a_word_the_names_spell_one_way_is_not_matched_by_its_consonants(client):
    # "Quds" (Quds Force) and "kids" share the consonants k-d-s; only transliterated words (that
    # the names spell in several ways) are matched by their consonants.
    new_incident("2024-03-01-kids", "Two kids were wounded by the blast.")
    assert "2024-03-01-kids" in listed(client, "/incidents/", "kids")
    assert "2024-03-01-kids" not in listed(client, "/incidents/", "Quds")
