"""The issue's acceptance story, end to end through HTTP: an editor corrects a claim of the Harir
air base incident; the public incident page shows both claims and their lineage; the change is on
/changes/, in its feed, on the incident's history page and in /changes/export.csv?since= for that
day; a second editor who had the claim open is refused, and keeps what they typed."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from changes.models import Change
from claims.models import Claim, ClaimStatus, Incident
from tests.helpers import export_rows, signed_in
from tests.test_admin import form_errors, resubmit

pytestmark = pytest.mark.django_db

HARIR = "2023-10-18-harir-drone"


def test_an_editor_corrects_a_harir_claim_and_everyone_sees_it():
    incident = Incident.objects.get(code=HARIR)
    claim = incident.claims.get(status=ClaimStatus.CURRENT)
    alice, alice_client = signed_in("alice")
    bob, bob_client = signed_in("bob")

    # Bob opens the claim to fix a typo; meanwhile Alice corrects it.
    bob_page = bob_client.get(f"/admin/claims/claim/{claim.pk}/change/")
    assert bob_page.status_code == 200
    bob_data = resubmit(bob_page, note="Bob's careful note", change_reason="typo")

    correct_url = f"/admin/claims/claim/{claim.pk}/correct/"
    form_page = alice_client.get(correct_url)
    assert form_page.status_code == 200
    form = form_page.context["adminform"].form
    assert form.initial["claimant_as_named"] == claim.claimant_as_named
    citations = form_page.context["inline_admin_formsets"][0].formset
    assert len(citations.forms) == claim.citations.count() > 0
    data = resubmit(
        form_page,
        claimant_as_named="Islamic Resistance in Iraq, re-issued",
        change_reason="the brand re-issued the claim",
    )
    saved = alice_client.post(correct_url, data)
    assert saved.status_code == 302, form_errors(saved)

    claim.refresh_from_db()
    new = Claim.objects.get(supersedes=claim)
    assert claim.status == ClaimStatus.SUPERSEDED
    assert claim.status_note == "the brand re-issued the claim"
    assert new.status == ClaimStatus.CURRENT
    assert new.incident == incident
    assert new.claimant_as_named == "Islamic Resistance in Iraq, re-issued"
    assert sorted(new.sources.values_list("pk", flat=True)) == sorted(
        claim.sources.values_list("pk", flat=True)
    )
    assert new.history.latest().history_user == alice

    # The analyst sees both claims, and the lineage both ways.
    page = Client().get(f"/incidents/{HARIR}/")
    html = page.content.decode()
    assert f'id="claim-{claim.pk}"' in html and f'id="claim-{new.pk}"' in html
    assert f"#claim-{new.pk}" in html and f"#claim-{claim.pk}" in html

    # The change is on /changes/, in the feed, on the history page and in the export.
    changes = Client().get("/changes/")
    assert changes.status_code == 200
    assert "the brand re-issued the claim" in changes.content.decode()
    feed = Client().get("/changes/feed/")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert "the brand re-issued the claim" in feed.content.decode()
    history = Client().get(f"/incidents/{HARIR}/history/")
    assert "the brand re-issued the claim" in history.content.decode()
    assert "alice" not in history.content.decode()

    today = timezone.now().date().isoformat()
    rows = export_rows(Client(), since=today)
    mine = {(r["action"], r["record_id"]) for r in rows}
    assert ("superseded", str(claim.pk)) in mine
    assert ("added", str(new.pk)) in mine
    assert all(r["changed_at"] >= today for r in rows)
    tomorrow = (timezone.now().date() + datetime.timedelta(days=1)).isoformat()
    assert export_rows(Client(), since=tomorrow) == []

    # Bob saves: refused, with the reason, and his input is still in the form.
    refused = bob_client.post(f"/admin/claims/claim/{claim.pk}/change/", bob_data)
    assert refused.status_code == 200
    bob_form = refused.context["adminform"].form
    message = " ".join(bob_form.non_field_errors())
    assert "changed by alice" in message
    assert "after you opened it" in message
    assert bob_form["note"].value() == "Bob's careful note"
    assert "Bob&#x27;s careful note" in refused.content.decode()
    claim.refresh_from_db()
    assert claim.note != "Bob's careful note"
    assert claim.status == ClaimStatus.SUPERSEDED
    assert not Change.objects.filter(user=bob).exists()


def test_saving_an_incident_rewrites_none_of_its_untouched_claims_or_citations(editor_client):
    # Otherwise every incident save would bump its claims' versions and make editors who have
    # a claim open see a conflict nobody caused.
    incident = Incident.objects.get(code="2024-01-28-tower-22-drone")
    claim_versions = {c.pk: c.history.count() for c in incident.claims.all()}
    citation_versions = {c.pk: c.history.count() for c in incident.citations.all()}
    url = f"/admin/claims/incident/{incident.pk}/change/"
    data = resubmit(editor_client.get(url), title="Tower 22 drone attack", change_reason="title")
    response = editor_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    assert {c.pk: c.history.count() for c in incident.claims.all()} == claim_versions
    assert {c.pk: c.history.count() for c in incident.citations.all()} == citation_versions
    assert Incident.objects.get(pk=incident.pk).title == "Tower 22 drone attack"


def test_a_superseded_claim_cannot_be_deleted_on_its_own():
    # Its successor points to it: deleting it alone would cut the lineage the public page shows.
    _, publisher = signed_in("pat", role="Publishers")
    old = Claim.objects.get(incident__code=HARIR, status=ClaimStatus.SUPERSEDED)
    url = f"/admin/claims/claim/{old.pk}/delete/"
    page = publisher.get(url)
    assert page.status_code == 200
    assert "Cannot delete claim" in page.content.decode()
    publisher.post(url, {"post": "yes", "deletion_reason": "tidying up"})
    assert Claim.objects.filter(pk=old.pk).exists()
    assert not Change.objects.filter(reason="tidying up").exists()
