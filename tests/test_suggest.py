"""The place fields offer places by name as one types (/locations/suggest.json), so that no page
lists thousands of places in a dropdown; without JavaScript a place is given by its slug."""

import re

import pytest

from claims.models import Location

pytestmark = pytest.mark.django_db


def test_places_are_suggested_by_any_of_their_names_with_their_slug(client):
    answer = client.get("/locations/suggest.json", {"q": "asad"}).json()["suggestions"]
    assert {"value": "ain-al-asad-air-base", "label": "Ain al-Asad Air Base (IQ)"} in answer
    assert all("asad" in (s["label"] + s["value"]).lower() for s in answer)


def test_at_most_twenty_places_are_suggested(client):
    for n in range(25):
        Location.objects.create(
            status="published", name=f"Zone {n}", slug=f"zone-{n}", kind="town", country="IQ"
        )
    assert len(client.get("/locations/suggest.json", {"q": "zone"}).json()["suggestions"]) == 20


def test_the_incident_list_offers_a_place_field_not_a_list_of_every_place(client):
    page = client.get("/incidents/", {"location": "ain-al-asad-air-base"}).text
    field = re.search(r'<input[^>]*name="location"[^>]*>', page)[0]
    assert (
        'value="ain-al-asad-air-base"' in field
        and 'data-suggest="/locations/suggest.json"' in field
    )
    assert '<select name="location"' not in page
    assert Location.objects.count() > 20  # a dropdown would have listed them all


def test_a_long_text_is_refused(client):
    assert client.get("/locations/suggest.json", {"q": "x" * 201}).status_code == 400


@pytest.mark.parametrize("url", ["/incidents/", "/claims/"])
def test_a_place_typed_by_name_filters_as_its_slug_does(client, url):
    by_slug = client.get(url, {"location": "ain-al-asad-air-base"})
    by_name = client.get(url, {"location": "  ain al-asad AIR BASE "})
    assert by_name.status_code == 200
    rows = [row.record.pk for row in by_name.context["table"].rows]
    assert rows and rows == [row.record.pk for row in by_slug.context["table"].rows]


def test_an_unknown_or_ambiguous_place_name_says_what_to_give(client):
    unknown = client.get("/incidents/", {"location": "Atlantis"})
    assert unknown.status_code == 400
    assert "No such place: give its name or slug" in unknown.content.decode()
    base = Location.objects.get(slug="ain-al-asad-air-base")
    Location.objects.create(
        status="published", name=base.name, slug="ain-al-asad-2", kind=base.kind, country="IQ"
    )
    ambiguous = client.get("/incidents/", {"location": "Ain al-Asad Air Base"})
    assert ambiguous.status_code == 400
    assert "give the slug of one: ain-al-asad-2, ain-al-asad-air-base." in (
        ambiguous.content.decode()
    )
