"""The editors' admin: every page renders, only staff get in, the Editors role holds exactly its
permissions, alias search works in autocomplete, and a change is recorded with its reason."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.db.models import Count
from django.urls import reverse

from claims.models import Claim, Incident
from groups.models import Group
from kb.roles import CURATED_APPS, EDITORS, curated_models
from sources.models import Citation, Source

pytestmark = pytest.mark.django_db

CURATED_ADMINS = [model for model in admin.site._registry if model._meta.app_label in CURATED_APPS]


def admin_url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def resubmit(response, **changes):
    """POST data that submits a rendered admin add or change view as it stands (its main form,
    each inline formset's management form and forms), with `changes` applied."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:  # what a browser leaves out
                data[form.add_prefix(name)] = value
    return {**data, **changes}


def form_errors(response):
    """The main form's and the inlines' errors, to explain an unexpected re-rendered form."""
    errors = [response.context["adminform"].form.errors]
    for inline in response.context["inline_admin_formsets"]:
        errors += [inline.formset.errors, inline.formset.non_form_errors()]
    return errors


def test_every_curated_record_type_has_an_admin():
    # Citations are edited as inlines of the record they support.
    expected = {model for model in curated_models() if not issubclass(model, Citation)}
    assert set(CURATED_ADMINS) == expected


@pytest.mark.parametrize("model", CURATED_ADMINS, ids=lambda m: m._meta.label)
def test_every_admin_page_renders_for_an_editor(editor_client, model):
    obj = model.objects.first()
    assert obj is not None, "the seed data should hold one of each"
    for view, args in [("changelist", ()), ("add", ()), ("change", [obj.pk])]:
        response = editor_client.get(admin_url(model, view, *args))
        assert response.status_code == 200, view
    response = editor_client.get(admin_url(model, "history", obj.pk))
    assert response.status_code == 200
    assert "Seed data loaded from fixtures/seed.json" in response.text


@pytest.mark.parametrize("model", CURATED_ADMINS, ids=lambda m: m._meta.label)
def test_every_records_history_versions_render_for_an_editor(editor_client, model):
    # The version page reads the admin's attributes (prepopulated_fields) without the record.
    obj = model.objects.first()
    record = obj.history.order_by("history_id").first()
    response = editor_client.get(admin_url(model, "simple_history", obj.pk, record.history_id))
    assert response.status_code == 200


@pytest.mark.parametrize("model", CURATED_ADMINS, ids=lambda m: m._meta.label)
def test_every_changelist_renders_a_search(editor_client, model):
    response = editor_client.get(admin_url(model, "changelist"), {"q": "Kata'ib Hezbollah"})
    assert response.status_code == 200
    assert response.context["cl"].query == "Kata'ib Hezbollah"


def test_incident_search_finds_by_location_name(editor_client):
    incident = Incident.objects.filter(location__isnull=False).first()
    response = editor_client.get(admin_url(Incident, "changelist"), {"q": incident.location.name})
    assert incident in response.context["cl"].result_list


@pytest.mark.parametrize("path", ["/admin/", "change page"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, path):
    if path == "change page":
        path = admin_url(Incident, "change", Incident.objects.first().pk)
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={path}"


def test_signed_in_non_staff_users_are_sent_to_the_login_page(client):
    client.force_login(get_user_model().objects.create_user("reader", password="x"))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_editors_reach_the_admin_index(editor_client):
    assert editor_client.get("/admin/").status_code == 200


@pytest.mark.parametrize("url", ["admin:auth_user_changelist", "admin:auth_group_changelist"])
def test_editors_cannot_manage_users_or_roles(editor_client, url):
    assert editor_client.get(reverse(url)).status_code == 403


def test_editors_hold_exactly_view_add_and_change_on_every_curated_record():
    expected = set()
    for model in curated_models():
        opts = model._meta
        actions = ["view", "add", "change"]
        expected |= {(opts.app_label, f"{action}_{opts.model_name}") for action in actions}
    editors = AuthGroup.objects.get(name=EDITORS)
    held = set(editors.permissions.values_list("content_type__app_label", "codename"))
    assert held == expected
    assert not any(codename.startswith("delete_") for _, codename in held)
    assert ("claims", "publish_incident") not in held
    assert not any(codename.endswith("historicalincident") for _, codename in held)


def test_editor_may_change_but_not_delete_or_publish(editor):
    assert editor.has_perm("groups.change_group")
    assert editor.has_perm("claims.add_claimcitation")
    assert not editor.has_perm("groups.delete_alias")
    assert not editor.has_perm("groups.delete_group")
    assert not editor.has_perm("sources.delete_source")
    assert not editor.has_perm("claims.publish_incident")


def test_autocomplete_finds_a_group_by_its_alias(editor_client):
    params = {"app_label": "claims", "model_name": "claim", "field_name": "group"}
    response = editor_client.get("/admin/autocomplete/", {"term": "Hizballah", **params})
    assert response.status_code == 200
    found = [result["text"] for result in response.json()["results"]]
    # Neither the group's name nor its description says "Hizballah": only its aliases do.
    assert "Kata'ib Hezbollah" in found


def test_editor_change_to_an_incident_is_recorded_with_the_reason(editor_client, editor):
    incident = (
        Incident.objects.annotate(n_claims=Count("claims", distinct=True))
        .filter(n_claims__gte=2, citations__isnull=False)
        .first()
    )
    claims_before = sorted(incident.claims.values_list("pk", "group", "brand", "kind"))
    citations_before = incident.citations.count()
    url = admin_url(Incident, "change", incident.pk)
    reason = "Corrected the title per CENTCOM"

    page = editor_client.get(url)
    data = resubmit(page, title="A corrected title", change_reason=reason)
    response = editor_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    incident.refresh_from_db()
    assert incident.title == "A corrected title"
    record = incident.history.latest()
    assert record.history_user == editor
    assert record.history_change_reason == reason
    assert record.title == "A corrected title"
    assert sorted(incident.claims.values_list("pk", "group", "brand", "kind")) == claims_before
    assert incident.citations.count() == citations_before


def test_resubmitting_an_unchanged_incident_keeps_every_field(editor_client):
    # The helper above must not lose anything the form shows, or the test above proves little.
    incident = Incident.objects.exclude(killed_low=None).first()
    fields = [f.attname for f in Incident._meta.concrete_fields if f.name != "updated"]
    before = Incident.objects.values(*fields).get(pk=incident.pk)
    url = admin_url(Incident, "change", incident.pk)
    data = resubmit(editor_client.get(url), change_reason="no change")
    response = editor_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    assert Incident.objects.values(*fields).get(pk=incident.pk) == before


def test_claim_without_group_or_brand_is_refused_by_the_add_form(editor_client):
    claims_before = Claim.objects.count()
    url = admin_url(Claim, "add")
    data = resubmit(editor_client.get(url), incident=Incident.objects.first().pk)
    response = editor_client.post(url, data)
    message = "A claim names a group, a brand, or both."
    assert response.status_code == 200
    assert message in response.context["adminform"].form.non_field_errors()
    assert message in response.text
    assert Claim.objects.count() == claims_before


def test_claim_naming_a_group_is_added_through_the_add_form(editor_client, editor):
    # The positive control for the test above: the same submission with a group is saved.
    url = admin_url(Claim, "add")
    group = Group.objects.get(slug="kataib-hezbollah")
    incident = Incident.objects.first()
    source = Source.objects.first()
    data = resubmit(
        editor_client.get(url),
        incident=incident.pk,
        group=group.pk,
        **{
            "citations-TOTAL_FORMS": "1",
            "citations-0-source": source.pk,
            "citations-0-credibility": "2",
        },
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    claim = Claim.objects.latest("pk")
    assert (claim.incident, claim.group) == (incident, group)
    assert list(claim.sources.all()) == [source]
    assert claim.history.latest().history_change_reason == "added in admin"
    assert claim.history.latest().history_user == editor


def test_incident_code_is_fixed_once_the_incident_exists(editor_client):
    incident = Incident.objects.get(code="2024-01-28-tower-22-drone")
    change = editor_client.get(f"/admin/claims/incident/{incident.pk}/change/")
    assert "code" not in change.context["adminform"].form.fields
    assert "2024-01-28-tower-22-drone" in change.content.decode()
    add = editor_client.get("/admin/claims/incident/add/")
    assert "code" in add.context["adminform"].form.fields
