"""Every curated record keeps its history: who changed what, when, and why."""

import pytest
from django.apps import apps

from claims.models import Claim, Incident
from kb.roles import CURATED_APPS
from sources.models import Source

pytestmark = pytest.mark.django_db


def test_every_curated_model_keeps_history():
    untracked = [
        model.__name__
        for label in CURATED_APPS
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical") and not hasattr(model, "history")
    ]
    assert untracked == []


def test_seed_rows_start_their_history_with_the_seed_reason():
    first = Incident.objects.get(code="2024-01-28-tower-22-drone").history.earliest()
    assert first.history_type == "+"
    assert first.history_change_reason == "Seed data loaded from fixtures/seed.json"


def test_an_edit_records_who_changed_what_and_why(editor):
    incident = Incident.objects.get(code="2023-11-17-harir-drone")
    incident.title = "Suicide drone attack on Harir Air Base"
    incident._change_reason = "title follows the Pentagon's wording"
    incident._history_user = editor
    incident.save()

    latest, previous = incident.history.all()[:2]
    assert latest.history_user == editor
    assert latest.history_change_reason == "title follows the Pentagon's wording"
    delta = latest.diff_against(previous)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("title", "Drone attack on Harir Air Base", "Suicide drone attack on Harir Air Base")
    ]


def test_a_deleted_claim_survives_in_history():
    claim = Claim.objects.get(incident__code="2023-11-10-al-tanf-drone")
    pk = claim.pk
    claim.citations.all().delete()
    claim.delete()
    assert not Claim.objects.filter(pk=pk).exists()
    assert Claim.history.filter(id=pk, history_type="-").exists()


def test_editing_a_source_in_the_admin_keeps_the_old_value(editor_client, editor):
    source = Source.objects.get(url__contains="3.77.176.231")
    page = editor_client.get(f"/admin/sources/source/{source.pk}/change/")
    form = page.context["adminform"].form
    data = {name: "" if value is None else value for name, value in form.initial.items()}
    data.update(
        {
            "notes": "Machine-written summary; do not cite alone.",
            "change_reason": "clarified the caveat",
        }
    )
    response = editor_client.post(f"/admin/sources/source/{source.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest, previous = source.history.all()[:2]
    assert latest.notes == "Machine-written summary; do not cite alone."
    assert previous.notes.startswith("The page describes itself")
    assert (latest.history_user, latest.history_change_reason) == (editor, "clarified the caveat")
