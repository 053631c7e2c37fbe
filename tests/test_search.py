"""Site-wide search (/search/?q=) and the transliteration-proof name matching behind it (kb.names).

Arabic names reach English text in many spellings; an analyst who types any of them, in any case,
with or without apostrophes, diacritics or hamza marks, must land on the same group or brand."""

import datetime
from urllib.parse import urlencode

import pytest

from claims.models import Incident, PublicationStatus
from groups.models import Alias, Brand, Group
from groups.search import match_actors
from kb.names import fold, matches, skeleton

KH = "Kata'ib Hezbollah"
AAH = "Asa'ib Ahl al-Haq"
KSS = "Kata'ib Sayyid al-Shuhada"
IRI = "Islamic Resistance in Iraq"
TOWER_22 = "2024-01-28-tower-22-drone"
ERBIL_CHRISTMAS = "2023-12-25-erbil-air-base-drone"

FATHA, DAMMA, KASRA, SUKUN, SHADDA = "\u064e", "\u064f", "\u0650", "\u0652", "\u0651"


def search(client, q, status=200):
    response = client.get(f"/search/?{urlencode({'q': q})}")
    assert response.status_code == status
    return response


def found_groups(response):
    return {group.name for group in response.context["groups"]}


def found_brands(response):
    return {brand.name for brand in response.context["brands"]}


def found_incidents(response):
    return {row.record.code for row in response.context["incidents"].rows}


def found_locations(response):
    return {location.name for location in response.context["locations"]}


# --- The search page: groups and brands by any name --------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "Kataib Hezbollah",
        "Kata'ib Hizballah",
        "kataib hizbullah",
        "KATA’IB HIZBALLAH",  # typographic apostrophe
        "Kataeb Hezbollah",
        "Kata`ib Hezbollah",  # backtick for the hamza
        "Ketaeb Hizbollah",  # a spelling that is no stored alias
        "Kata'ib-Hezbollah",  # a hyphen between the words
        "كتائب حزب الله",
        f"كَ{FATHA}تَائِبُ حِ{KASRA}زْ{SUKUN}بُ الل{SHADDA}ه",  # with vowel marks
        "كتـائب حزب الله",  # tatweel (kashida) stretching a letter
    ],
)
def test_every_spelling_of_kataib_hezbollah_finds_the_group(client, query):
    response = search(client, query)
    assert found_groups(response) == {KH}
    assert found_brands(response) == set()


@pytest.mark.django_db
def test_the_unlisted_spelling_under_test_is_not_a_stored_alias():
    stored = {fold(a.name) for a in Alias.objects.filter(group__name=KH)}
    assert fold("Ketaeb Hizbollah") not in stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "IRI",
        "iri",
        "al-Muqawama al-Islamiyah fi al-Iraq",
        "المقاومة الإسلامية في العراق",
        "المُقَاوَمَة الإِسْلَامِيَّة فِي العِرَاق",  # with vowel marks
        "المقاومة الاسلامية في العراق",  # bare alef for hamza-under alef (إ)
        "المقاومه الاسلاميه في العراق",  # ha for ta marbuta
    ],
)
def test_every_name_of_the_brand_finds_it(client, query):
    response = search(client, query)
    assert found_brands(response) == {IRI}
    assert found_groups(response) == set()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["al-Muqawama al-Islamiya fi al-Iraq", "Al-Muqawamah al-Islamiyah fi al-Iraq"],
)
def test_ta_marbuta_spelt_a_or_ah_finds_the_brand(client, query):
    """A final ta marbuta is written -a or -ah (Islamiya, Islamiyah; Muqawama, Muqawamah)."""
    assert found_brands(search(client, query)) == {IRI}


@pytest.mark.django_db
def test_hamza_seat_variants_find_the_same_group(client):
    assert found_groups(search(client, "عصائب أهل الحق")) == {AAH}  # as stored
    assert found_groups(search(client, "عصائب اهل الحق")) == {AAH}  # bare alef
    assert found_groups(search(client, "عصائب إهل الحق")) == {AAH}  # alef with hamza below


@pytest.mark.django_db
def test_a_name_shared_by_two_groups_finds_both(client):
    # "Hezbollah" is in Kata'ib Hezbollah and Harakat Hezbollah al-Nujaba, not in Asa'ib Ahl al-Haq.
    assert found_groups(search(client, "Hezbollah")) == {KH, "Harakat Hezbollah al-Nujaba"}


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["zebra", "Pyongyang", "قطار"])
def test_an_unrelated_word_finds_nothing(client, query):
    response = search(client, query)
    context = response.context
    assert found_groups(response) == set()
    assert found_brands(response) == set()
    assert context["incident_count"] == 0
    assert list(context["locations"]) == []
    assert list(context["sources"]) == []
    assert "Nothing matches" in response.content.decode()


@pytest.mark.django_db
def test_al_asad_finds_the_air_base_and_no_group(client):
    """'Al Asad' names Ain al-Asad Air Base. It must not bring up Kata'ib Sayyid al-Shuhada: asad
    (lion) and sayyid (master) only look alike once 'y' is dropped as if it were a vowel."""
    response = search(client, "Al Asad")
    assert "Ain al-Asad Air Base" in found_locations(response)
    assert found_groups(response) == set()


# --- The search page: incidents, locations, sources -------------------------------------------


@pytest.mark.django_db
def test_incidents_are_found_by_their_text(client):
    response = search(client, "Tower 22")
    assert found_incidents(response) == {TOWER_22}
    assert response.context["incident_count"] == 1
    assert found_locations(response) == {"Tower 22"}


@pytest.mark.django_db
def test_incidents_are_found_through_the_group_a_name_designates(client):
    # No incident text spells it "Hizballah": the incidents claimed by or blamed on KH, and those
    # whose text names it in another spelling ("Kataib Hezbollah", "KH").
    response = search(client, "Kata'ib Hizballah")
    assert found_incidents(response) == {
        ERBIL_CHRISTMAS,
        TOWER_22,
        "2023-11-22-jurf-al-sakhar-us-strikes",  # "US air strikes on Kataib Hezbollah ..."
        "2023-12-26-shaddadi-missiles",  # "... after the US strikes on KH"
        "2024-01-24-us-strikes-kh-three-facilities",
        "2024-02-07-baghdad-mashtal-us-strike",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Tower 22", "Kata'ib Hizballah", "Bashur", "IRI"])
def test_search_counts_the_same_incidents_as_the_incident_list(client, query):
    listed = client.get(f"/incidents/?{urlencode({'q': query})}")
    assert listed.status_code == 200
    assert search(client, query).context["incident_count"] == (
        listed.context["table"].paginator.count
    )


@pytest.mark.django_db
def test_search_shows_at_most_twenty_incidents_but_counts_them_all(client):
    response = search(client, "IRI")
    assert response.context["incident_count"] > 20
    assert len(found_incidents(response)) == 20
    assert f"All {response.context['incident_count']} incidents" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "location"),
    [
        ("Bashur Airfield", "Harir Air Base"),
        ("Al Asad", "Ain al-Asad Air Base"),
        ("Hewler", "Erbil Air Base / Erbil International Airport"),
        ("Rmelan", "Rumailan / Rmelan (Rumalyn Landing Zone)"),
    ],
)
def test_locations_are_found_by_alternate_names(client, query, location):
    assert found_locations(search(client, query)) == {location}


@pytest.mark.django_db
def test_locations_are_found_by_their_admin_area(client):
    found = found_locations(search(client, "Mafraq"))
    assert found == {"Tower 22"}


@pytest.mark.django_db
def test_sources_are_found_by_title(client):
    response = search(client, "Facade Group Linked to Iran")
    titles = [source.title for source in response.context["sources"]]
    assert titles == [
        "Facade Group Linked to Iran Claims Five Attacks on Americans in Iraq and Syria"
    ]


@pytest.mark.django_db
def test_sources_are_found_by_publisher(client):
    response = search(client, "Washington Institute")
    found = response.context["sources"]
    by_publisher = [
        s for s in found if s.publisher == "The Washington Institute for Near East Policy"
    ]
    assert len(by_publisher) == 3
    # The site search reads the same fields as /sources/?q=: a source whose notes name the
    # publisher (the seed article, which reports its assessments) is found too, and nothing else.
    others = [s.title for s in found if s not in by_publisher]
    assert others == ["Islamic resistance in Iraq, the new anti-US brand linked to the Pasdaran"]


@pytest.mark.django_db
def test_drafts_are_found_only_by_staff(client, editor):
    Incident.objects.create(
        code="2024-03-01-synthetic-draft",
        title="Quokka raid on a synthetic outpost",
        date=datetime.date(2024, 3, 1),
        country="IQ",
        status=PublicationStatus.DRAFT,
    )
    assert search(client, "Quokka").context["incident_count"] == 0
    client.force_login(editor)
    assert found_incidents(search(client, "Quokka")) == {"2024-03-01-synthetic-draft"}


# --- The search page: bad or empty input ------------------------------------------------------


@pytest.mark.django_db
def test_overlong_query_is_refused_with_the_form_error(client):
    response = search(client, "x" * 201, status=400)
    assert "q" in response.context["form"].errors
    assert "groups" not in response.context
    assert "at most 200 characters" in response.content.decode()


@pytest.mark.django_db
def test_a_query_of_exactly_200_characters_is_accepted(client):
    search(client, "x" * 200, status=200)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_shows_the_page_without_results(client, query):
    response = search(client, query)
    for key in ("groups", "brands", "incidents", "locations", "sources"):
        assert key not in response.context


@pytest.mark.django_db
def test_search_page_without_parameters(client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert "groups" not in response.context
    assert "Nothing matches" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["'", "’", "-", "!", "&", "a:*", "(", "\\", "%", "_", '"'])
def test_punctuation_and_query_syntax_never_break_the_search(client, query):
    response = search(client, query)
    assert response.context["incident_count"] >= 0


# --- kb.names.fold ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Kata'ib Hezbollah", "kataib hezbollah"),
        ("KATA’IB HEZBOLLAH", "kataib hezbollah"),
        ("Kata‘ib ʿHezbollah", "kataib hezbollah"),
        ("Kata`ib", "kataib"),
        ("al-Nujaba", "al nujaba"),
        ("  Harakat   al-Nujaba  ", "harakat al nujaba"),
        ("Shuhadā’", "shuhada"),
        ("Ḥizb", "hizb"),
        ("Kerkûk", "kerkuk"),
        ("Al-Asad, (Airbase)!", "al asad airbase"),
    ],
)
def test_fold_drops_case_marks_apostrophes_and_punctuation(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        (f"كَ{FATHA}تَائِب", "كتايب"),  # vowel marks and the hamza seat go
        ("إسلامية", "اسلاميه"),  # alef with hamza below, ta marbuta
        ("أهل", "اهل"),  # alef with hamza above
        ("آمن", "امن"),  # alef madda
        ("ٱلله", "الله"),  # alef wasla
        ("مصطفى", "مصطفي"),  # alef maqsura
        ("كتـــائب", "كتايب"),  # tatweel
        (f"الل{SHADDA}{FATHA}ه", "الله"),  # shadda
    ],
)
def test_fold_unifies_arabic_letter_variants_and_drops_marks(text, folded):
    assert fold(text) == folded


def test_fold_of_punctuation_alone_is_empty():
    assert fold("' - ’ !") == ""


# --- kb.names.skeleton --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "consonants"),
    [
        ("Kata'ib Hizballah", "ktb hzblh"),
        ("Kataeb Hezbollah", "ktb hzblh"),
        ("kataib hizbullah", "ktb hzblh"),
        ("Harakat Hezbollah al-Nujaba", "hrkt hzblh njb"),
        ("el-Nujaba", "njb"),  # the article, however spelt, is dropped
        ("Asa'ib Ahl al-Haq", "sb hl hk"),  # q and k agree
        ("Tashkil al-Waritheen", "tskl wrtn"),  # sh -> s, th -> t, doubled letters once
    ],
)
def test_skeleton_keeps_the_consonants_transliterations_agree_on(text, consonants):
    assert skeleton(text) == consonants


def test_skeleton_leaves_arabic_script_folded():
    assert skeleton("كتائب حزب الله") == fold("كتائب حزب الله") == "كتايب حزب الله"


# --- kb.names.matches ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Kataib Hezbollah", KH),
        ("Kataeb Hizbullah", KH),
        ("ketaib hizballah", KH),
        ("Hezbollah", KH),  # one word of the name
        ("Hizbal", KH),  # the start of a word, as typed
        ("kataib", "Kata'ib Hezbollah Iraq"),
        ("Asaib Ahl al Haq", AAH),
        ("Asaib Ahl al-Hak", AAH),
        ("Muqawama Islamiya", "al-Muqawama al-Islamiyah fi al-Iraq"),
        ("كتائب حزب الله", "كتائب حزب الله"),
        ("حزب الله", "كتائب حزب الله"),
        ("المقاومة الاسلامية", "المقاومة الإسلامية في العراق"),
        (f"حِ{KASRA}زْبُ الله", "كتائب حزب الله"),
    ],
)
def test_matches_finds_the_name_in_any_spelling(query, name):
    assert matches(query, name)


AAH_NAMES = [
    AAH,
    "Asaib Ahl al-Haq",
    "AAH",
    "League of the Righteous",
    "League of Righteous People",
    "Khazali Network",
    "عصائب أهل الحق",
    "شبكة الخزعلي",
    "Ahl al-Kahf",
    "Al-Sadiqun",
]


@pytest.mark.parametrize("name", AAH_NAMES)
def test_hezbollah_does_not_match_any_name_of_asaib_ahl_al_haq(name):
    assert not matches("Hezbollah", name)
    assert not matches("Hizballah", name)
    assert not matches("حزب الله", name)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("zebra", KH),
        ("Nujaba", KH),
        ("Tab", "Kata'ib"),  # a skeleton inside a word is not a match
        ("Haq", KH),
        ("Iran", IRI),
        ("حزب الله", "عصائب أهل الحق"),
        ("Asad", KSS),  # asad is not sayyid
    ],
)
def test_matches_rejects_other_names(query, name):
    assert not matches(query, name)


def test_a_one_letter_query_matches_nothing_by_skeleton():
    # 'q' and 'Ka' share the skeleton 'k', but one consonant designates nothing.
    assert skeleton("q") == skeleton("Ka") == "k"
    assert not matches("q", "Ka")
    assert not matches("c", "Ka")
    assert not matches("v", "Awa")


@pytest.mark.parametrize("query", ["", "   ", "'", "-", "’ ’"])
def test_an_empty_or_punctuation_only_query_matches_nothing(query):
    assert not matches(query, KH)
    assert not matches(query, "'")


# --- groups.search.match_actors -----------------------------------------------------------------


@pytest.mark.django_db
def test_match_actors_finds_groups_and_brands_by_any_name():
    kh = Group.objects.get(name=KH)
    iri = Brand.objects.get(name=IRI)
    assert match_actors("KH").group_ids >= {kh.pk}
    assert match_actors("Iraqi Hezbollah").group_ids == {kh.pk}  # a translation alias
    assert match_actors("Islamic Resistance of Iraq").brand_ids == {iri.pk}
    assert not match_actors("zebra")
    hezbollah = match_actors("Hezbollah")
    assert Group.objects.get(name=AAH).pk not in hezbollah.group_ids
    assert hezbollah.brand_ids == set()
