"""The admin as editors use it: list columns that tell records apart, filters that offer only the
values in use, one way of typing dates, a breadcrumb that says where the editor is, a favicon;
and, on the public pages, Edit / Correct / Publish links for the staff allowed to use them, while
anonymous readers get none and pages they can still cache."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from claims.models import Claim, ClaimStatus, Incident, Location
from groups.models import Brand, Group
from kb.roles import PUBLISHERS, VIEWERS
from kb.visibility import PublicationStatus
from sources.models import Source
from tests.helpers import signed_in
from tests.test_admin import admin_url, form_errors, resubmit

pytestmark = pytest.mark.django_db

TOWER_22 = "2024-01-28-tower-22-drone"


def filter_choices(response, title):
    """The options a change list's filter offers (without "All"), by the filter's title."""
    for spec in response.context["cl"].filter_specs:
        if str(spec.title) == title:
            choices = list(spec.choices(response.context["cl"]))
            return [str(choice["display"]) for choice in choices[1:]]
    raise AssertionError(f"no filter titled {title!r}")


def column_headers(response):
    return [str(header["text"]).capitalize() for header in response.context["result_headers"]]


# --- Change lists ---------------------------------------------------------------------------------


def test_claim_list_shows_number_kind_claimant_date_status_and_incident(editor_client):
    response = editor_client.get(admin_url(Claim, "changelist"))
    headers = column_headers(response)
    for column in ["Claim", "Kind", "Claimant", "Date", "Status", "Incident"]:
        assert column in headers, headers


def test_the_tower_22_claims_read_differently_in_the_claim_list(editor_client):
    incident = Incident.objects.get(code=TOWER_22)
    response = editor_client.get(
        admin_url(Claim, "changelist"), {"incident__id__exact": incident.pk}
    )
    rows = response.context["results"]
    assert len(rows) == incident.claims.count() >= 5
    texts = ["".join(str(cell) for cell in row) for row in rows]
    assert len(set(texts)) == len(texts), "two claims of one incident look alike"
    for claim in incident.claims.all():
        assert f"#{claim.pk}<" in response.text


def test_claim_list_orders_an_incidents_claims_by_date_then_number(editor_client):
    response = editor_client.get(admin_url(Claim, "changelist"))
    listed = list(response.context["cl"].result_list)
    tower = [c for c in listed if c.incident.code == TOWER_22]
    dated = [c for c in tower if c.date is not None]
    undated = [c for c in tower if c.date is None]
    assert dated and undated
    assert tower == sorted(dated, key=lambda c: (c.date, c.pk)) + sorted(
        undated, key=lambda c: c.pk
    )


def test_incident_list_shows_date_place_weapon_confirmation_and_publication(editor_client):
    response = editor_client.get(admin_url(Incident, "changelist"))
    headers = column_headers(response)
    for column in ["Incident", "Date", "Place", "Weapon", "Official confirmation"]:
        assert column in headers, headers
    assert "Publication status" in headers
    tower = Incident.objects.get(code=TOWER_22)
    assert "Tower 22, Jordan" in response.text
    assert tower.code in response.text


def test_country_filter_lists_only_the_countries_in_use_by_name(editor_client):
    response = editor_client.get(admin_url(Incident, "changelist"))
    offered = filter_choices(response, "country")
    in_use = set(Incident.objects.values_list("country", flat=True))
    names = dict(Incident._meta.get_field("country").flatchoices)
    assert offered == sorted((names[code] for code in in_use), key=str.casefold)
    assert "Andorra" not in offered
    assert "Iraq" in offered


def test_filters_offer_no_value_that_no_record_holds(editor_client):
    response = editor_client.get(admin_url(Incident, "changelist"))
    weapons = dict(Incident._meta.get_field("weapon").flatchoices)
    used = {weapons[w] for w in Incident.objects.values_list("weapon", flat=True)}
    assert set(filter_choices(response, "weapon")) == used
    assert len(used) < len(weapons)  # the seed leaves some weapons unused
    brands = filter_choices(response, "brand")
    claimed_under = {str(b) for b in Brand.objects.filter(claims__isnull=False).distinct()}
    assert set(brands) - {"-"} == claimed_under  # "-": claims (or incidents) with no brand


def test_a_filter_with_counts_counts_each_value_in_use(editor_client):
    response = editor_client.get(admin_url(Incident, "changelist"), {"_facets": "True"})
    offered = filter_choices(response, "country")
    iraq = Incident.objects.filter(country="IQ").count()
    assert f"Iraq ({iraq})" in offered


def test_every_curated_change_list_renders_its_filters(editor_client):
    for model in [Claim, Incident, Location, Group, Brand, Source]:
        response = editor_client.get(admin_url(model, "changelist"), {"_facets": "True"})
        assert response.status_code == 200, model
        assert response.context["cl"].has_filters or not response.context["cl"].filter_specs


# --- Forms ----------------------------------------------------------------------------------------


def test_date_and_end_date_are_typed_in_the_same_kind_of_box(editor_client):
    incident = Incident.objects.get(code=TOWER_22)
    response = editor_client.get(admin_url(Incident, "change", incident.pk))
    form = response.context["adminform"].form
    date, end = form["date"], form["date_end"]
    assert 'class="precision-date"' in str(date) and 'class="precision-date"' in str(end)
    assert 'type="text"' in str(end)
    assert "vDateField" not in response.text  # no calendar widget with another format
    assert date.field.widget.attrs["size"] == end.field.widget.attrs["size"]


def test_an_end_date_typed_wrong_is_refused_and_kept_as_typed(editor_client):
    incident = Incident.objects.get(code=TOWER_22)
    url = admin_url(Incident, "change", incident.pk)
    data = resubmit(editor_client.get(url), date_end="18/10/2023", change_reason="end date")
    response = editor_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "YYYY-MM-DD" in str(errors["date_end"])
    assert 'value="18/10/2023"' in response.text
    incident.refresh_from_db()
    assert incident.date_end is None


def test_an_end_date_typed_as_a_day_is_saved(editor_client):
    incident = Incident.objects.get(code=TOWER_22)
    url = admin_url(Incident, "change", incident.pk)
    data = resubmit(editor_client.get(url), date_end="2024-01-29", change_reason="end date")
    response = editor_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    incident.refresh_from_db()
    assert incident.date_end.isoformat() == "2024-01-29"


def test_a_date_typed_against_its_precision_is_kept_as_typed(editor_client):
    incident = Incident.objects.get(code=TOWER_22)
    url = admin_url(Incident, "change", incident.pk)
    data = resubmit(editor_client.get(url), date="2024-01", change_reason="date")
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert 'value="2024-01"' in response.text


def test_the_claim_date_box_is_as_wide_as_its_hint(editor_client):
    claim = Claim.objects.first()
    response = editor_client.get(admin_url(Claim, "change", claim.pk))
    widget = response.context["adminform"].form.fields["date"].widget
    assert widget.attrs["size"] > len(widget.attrs["placeholder"])


def test_the_correction_forms_breadcrumb_names_the_claim_corrected(editor_client):
    claim = Claim.objects.filter(status=ClaimStatus.CURRENT).first()
    response = editor_client.get(reverse("admin:claims_claim_correct", args=[claim.pk]))
    assert response.status_code == 200
    crumbs = response.text.split('<ol class="breadcrumbs">')[1].split("</ol>")[0]
    assert f'<li aria-current="page">Correct claim #{claim.pk}</li>' in crumbs
    assert reverse("admin:claims_claim_change", args=[claim.pk]) in crumbs
    assert "Add claim" not in crumbs


def test_an_ordinary_claim_add_form_keeps_its_breadcrumb(editor_client):
    response = editor_client.get(admin_url(Claim, "add"))
    crumbs = response.text.split('<ol class="breadcrumbs">')[1].split("</ol>")[0]
    assert "Add claim" in crumbs


@pytest.mark.parametrize("url", ["/", f"/incidents/{TOWER_22}/", "/admin/", "/admin/login/"])
def test_every_page_links_the_favicon(editor_client, url):
    response = (Client() if url in ("/", "/admin/login/") else editor_client).get(url)
    assert response.status_code == 200
    favicon = f'<link rel="icon" href="{settings.STATIC_URL}favicon.svg" type="image/svg+xml">'
    assert favicon in response.text
    assert (Path(settings.BASE_DIR) / "static" / "favicon.svg").read_text().startswith("<svg")


# --- Staff links on the public pages -------------------------------------------------------------


def public_pages():
    incident = Incident.objects.get(code=TOWER_22)
    return {
        "incident": (incident.get_absolute_url(), incident),
        "group": (Group.objects.get(slug="kataib-hezbollah").get_absolute_url(), None),
        "brand": (Brand.objects.first().get_absolute_url(), None),
        "location": (incident.location.get_absolute_url(), None),
        "source": (incident.citations.first().source.get_absolute_url(), None),
    }


@pytest.mark.parametrize(
    ("page", "model"),
    [
        ("incident", Incident),
        ("group", Group),
        ("brand", Brand),
        ("location", Location),
        ("source", Source),
    ],
)
def test_an_editor_reading_a_public_page_gets_an_edit_link(editor_client, page, model):
    url, _ = public_pages()[page]
    response = editor_client.get(url)
    assert response.status_code == 200
    record = response.context[model._meta.model_name]
    edit = admin_url(model, "change", record.pk)
    assert f'<a href="{edit}">Edit {model._meta.verbose_name}</a>' in response.text


def test_an_editor_gets_edit_and_correct_links_on_each_current_claim(editor_client):
    incident = Incident.objects.get(code=TOWER_22)
    response = editor_client.get(incident.get_absolute_url())
    for claim in incident.claims.all():
        assert f'href="{admin_url(Claim, "change", claim.pk)}"' in response.text
        correct = reverse("admin:claims_claim_correct", args=[claim.pk])
        assert (f'href="{correct}"' in response.text) == (claim.status == ClaimStatus.CURRENT)


def test_a_superseded_claim_has_no_correct_link(editor_client):
    claim = Claim.objects.filter(status=ClaimStatus.SUPERSEDED).first()
    response = editor_client.get(claim.incident.get_absolute_url())
    assert f'href="{admin_url(Claim, "change", claim.pk)}"' in response.text
    assert reverse("admin:claims_claim_correct", args=[claim.pk]) not in response.text


def test_only_a_publisher_gets_a_publish_link_on_a_draft(editor_client):
    incident = Incident.objects.get(code=TOWER_22)
    Incident.objects.filter(pk=incident.pk).update(status=PublicationStatus.DRAFT)
    publish = reverse("admin:claims_incident_publish", args=[incident.pk])
    assert publish not in editor_client.get(incident.get_absolute_url()).text
    _, publisher = signed_in("pub-links", PUBLISHERS)
    assert (
        f'<a href="{publish}">Publish incident</a>'
        in publisher.get(incident.get_absolute_url()).text
    )


def test_a_published_record_offers_no_publish_link(client):
    _, publisher = signed_in("pub-links", PUBLISHERS)
    response = publisher.get(f"/incidents/{TOWER_22}/")
    assert "/publish/" not in response.text
    assert "Edit incident" in response.text


@pytest.mark.parametrize("page", ["incident", "group", "brand", "location", "source"])
def test_a_viewer_reading_a_public_page_gets_no_admin_links(page):
    _, viewer = signed_in("reader-only", VIEWERS)
    url, _ = public_pages()[page]
    response = viewer.get(url)
    assert response.status_code == 200
    assert 'class="staff-links"' not in response.text
    assert "/admin/claims/" not in response.text and "/admin/groups/" not in response.text


@pytest.mark.parametrize("page", ["incident", "group", "brand", "location", "source"])
def test_anonymous_readers_get_no_admin_links_and_a_cacheable_page(client, page):
    url, _ = public_pages()[page]
    response = client.get(url)
    assert response.status_code == 200
    assert 'class="staff-links"' not in response.text
    assert "/admin/" not in response.text
    cache_control = response.headers.get("Cache-Control", "")
    assert "private" not in cache_control and "no-store" not in cache_control
    assert "Set-Cookie" not in response.headers
    assert "Cookie" in response.headers.get("Vary", "")  # a cache keeps staff copies apart


@pytest.mark.parametrize("page", ["incident", "group", "brand", "location", "source"])
def test_a_page_read_by_staff_is_never_kept_by_a_shared_cache(editor_client, page):
    url, _ = public_pages()[page]
    response = editor_client.get(url)
    assert "private" in response.headers.get("Cache-Control", "")


# --- Accessibility and valid HTML of the forms ---------------------------------------------------


@pytest.mark.parametrize("form", ["incident", "claim", "correction", "incident-add", "claim-add"])
def test_the_forms_give_no_label_to_a_hidden_input_and_no_empty_option(editor_client, form):
    incident = Incident.objects.get(code=TOWER_22)
    claim = incident.claims.filter(status=ClaimStatus.CURRENT).first()
    url = {
        "incident": admin_url(Incident, "change", incident.pk),
        "claim": admin_url(Claim, "change", claim.pk),
        "correction": reverse("admin:claims_claim_correct", args=[claim.pk]),
        "incident-add": admin_url(Incident, "add"),
        "claim-add": admin_url(Claim, "add"),
    }[form]
    html = editor_client.get(url).text
    hidden = set(re.findall(r'<input type="hidden"[^>]*\bid="([^"]+)"', html))
    assert hidden, "the forms carry hidden inputs (versions)"
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    assert not hidden & labelled
    assert not re.search(r"<option[^>]*></option>", html)
    # A required select (the claim's incident) starts with an empty-valued placeholder option.
    required = re.findall(r"<select[^>]*\brequired\b[^>]*>\s*<option[^>]*>", html)
    assert required or form != "claim-add"
    for select in required:
        assert re.search(r'<option value=""', select), select


def test_every_control_in_a_citation_row_is_named_by_its_column(editor_client):
    incident = Incident.objects.get(code=TOWER_22)
    html = editor_client.get(admin_url(Incident, "change", incident.pk)).text
    for column in ["Source", "Quote", "Locator", "Credibility"]:
        control = re.search(
            rf'<(?:input|select|textarea)[^>]*name="citations-0-{column.lower()}"[^>]*>', html
        )
        assert control and f'aria-label="{column}"' in control.group(0), column
    header_cells = re.findall(r"<th[^>]*>(.*?)</th>", html, flags=re.S)
    assert all(cell.strip() for cell in header_cells)
