"""Issue 13, "One filter vocabulary": the same widget for the same kind of filter on every list
(checkboxes for several values, a long list of countries by name with their counts, a typed
group, brand or place with suggestions), the same words ("Sort by"), and a download link that
counts its rows in good English."""

import re

import pytest

from groups.models import Group

pytestmark = pytest.mark.django_db

KH, IRI = "kataib-hezbollah", "islamic-resistance-in-iraq"
LISTS = ["/incidents/", "/claims/", "/groups/", "/brands/", "/locations/", "/sources/", "/changes/"]
WITH_COUNTRY = {"/incidents/": "incidents", "/claims/": "claims", "/groups/": "groups"}
RECORD_FIELDS = {
    "/incidents/": ["location", "group", "brand"],
    "/claims/": ["location", "group", "brand"],
    "/groups/": ["brand"],
    f"/groups/{KH}/": ["location", "brand"],
    f"/brands/{IRI}/": ["location", "group"],
}


def form_of(client, url, params=None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200, url
    text = response.content.decode()
    start = text.index('<form method="get" class="filters"')
    return text[start : text.index("</form>", start)]


def countries_offered(form: str) -> list[str]:
    return re.findall(r'<label for="id_country_\d+"><input[^>]*>\s*([^<]*)</label>', form)


def row_count(client, url, params) -> int:
    return client.get(url, params).context["table"].paginator.count


@pytest.mark.parametrize("url", LISTS)
def test_no_list_asks_for_ctrl_click_and_every_sort_is_sort_by(client, url):
    form = form_of(client, url)
    assert not re.search(r"<select[^>]*multiple", form)
    assert "Ordering" not in form
    if 'name="sort"' in form:
        assert '<label for="id_sort">Sort by:</label>' in form


@pytest.mark.parametrize("url", [*WITH_COUNTRY, "/locations/"])
def test_countries_are_checkboxes_by_name_in_alphabetical_order(client, url):
    names = [
        re.sub(r" \([\d,]+\)$", "", label) for label in countries_offered(form_of(client, url))
    ]
    assert len(names) >= 3 and "Iraq" in names and "IQ" not in names
    assert names == sorted(names)


@pytest.mark.parametrize("url", WITH_COUNTRY)
def test_each_country_offered_shows_how_many_rows_the_list_has_there(client, url):
    offered = countries_offered(form_of(client, url))
    assert offered and all(re.fullmatch(r".+ \(\d+\)", label) for label in offered)
    codes = re.findall(r'name="country" value="([A-Z]{2})"', form_of(client, url))
    for code, label in zip(codes, offered, strict=True):
        shown = int(re.search(r"\((\d+)\)$", label)[1])
        assert shown == row_count(client, url, {"country": code}) > 0, label


def test_a_country_ticked_without_rows_stays_offered_and_ticked(client):
    form = form_of(client, "/incidents/", {"country": "FR"})
    assert "France (0)" in countries_offered(form)
    assert re.search(r'value="FR"[^>]*checked', form)


def test_the_locations_list_offers_every_country_without_counting_them(client):
    offered = countries_offered(form_of(client, "/locations/"))
    assert len(offered) == 249 and "Iraq" in offered


@pytest.mark.parametrize("url", RECORD_FIELDS)
def test_groups_brands_and_places_are_typed_with_suggestions_on_every_list(client, url):
    form = form_of(client, url)
    for name in RECORD_FIELDS[url]:
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', form)[0]
        suggest = {"location": "/locations/", "group": "/groups/", "brand": "/brands/"}[name]
        assert f'data-suggest="{suggest}suggest.json"' in field
        assert f'<select name="{name}"' not in form


@pytest.mark.parametrize(
    ("url", "text", "slug"),
    [
        ("/groups/suggest.json", "hizballah", KH),
        ("/groups/suggest.json", "kataib", KH),
        ("/groups/suggest.json", "KH", KH),
        ("/brands/suggest.json", "al-muqawama", IRI),
        ("/brands/suggest.json", "islamic res", IRI),
    ],
)
def test_groups_and_brands_are_suggested_by_any_spelling_of_their_names(client, url, text, slug):
    answer = client.get(url, {"q": text})
    assert answer.status_code == 200
    assert slug in [s["value"] for s in answer.json()["suggestions"]]


def test_a_draft_group_is_never_suggested_to_the_public(client):
    Group.objects.create(status="draft", name="Hidden Draft Brigade", slug="hidden-draft")
    found = client.get("/groups/suggest.json", {"q": "hidden"}).json()["suggestions"]
    assert found == []


def test_an_overlong_suggestion_text_is_refused(client):
    assert client.get("/groups/suggest.json", {"q": "x" * 201}).status_code == 400


@pytest.mark.parametrize("url", ["/incidents/", "/claims/"])
@pytest.mark.parametrize("typed", ["Kata'ib Hezbollah", "kataib hizballah", "KH"])
def test_a_group_typed_by_any_spelling_filters_as_its_slug_does(client, url, typed):
    by_slug = row_count(client, url, {"group": KH})
    response = client.get(url, {"group": typed})
    assert response.status_code == 200
    assert response.context["table"].paginator.count == by_slug > 0


def test_a_name_shared_by_several_groups_asks_for_a_slug(client):
    response = client.get("/incidents/", {"group": "Hezbollah"})
    assert response.status_code == 400
    assert "give the slug of one: harakat-hezbollah-al-nujaba, kataib-hezbollah" in (
        response.content.decode()
    )


def download_line(client, url, params) -> str:
    text = client.get(url, params).content.decode()
    return re.sub(r"\s+", " ", re.search(r'<p class="exports">(.*?):', text, re.S)[1]).strip()


def test_the_download_link_counts_its_rows_in_the_singular_and_the_plural(client):
    assert download_line(client, "/incidents/", {"country": "JO"}) == "Download this row"
    assert download_line(client, "/incidents/", {"country": "SY"}) == "Download these 20 rows"
    many = download_line(client, "/incidents/", {"per_page": 25})
    assert many == f"Download these {row_count(client, '/incidents/', {})} rows (all pages)"
