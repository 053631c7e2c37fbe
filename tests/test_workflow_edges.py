"""Edge cases of the editors' workflow found in review: nothing about a draft reaches the public
through the change log (a claim moved off a published incident, a log rebuilt after a draft was
retitled); leaving a role ends draft access; imports obey the publishing rules; a claim's lineage
stays on one incident; odd input never gives a 500."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from changes import recorder
from changes.models import Change
from claims.models import Claim, ClaimStatus, Incident, PublicationStatus
from exchange.importer import import_rows
from sources.models import Source
from tests.test_admin import form_errors, resubmit
from tests.test_changes import (
    TOWER_22,
    add_draft,
    claim_url,
    export,
    feed,
    save,
    today,
)

pytestmark = pytest.mark.django_db

HARIR = "2023-10-18-harir-drone"


def public_texts(client, history_of):
    return {
        "changes": client.get("/changes/").text,
        "feed": feed(client)[0],
        "export": export(client, since=today()),
        "history": client.get(f"/incidents/{history_of}/history/").text,
    }


def test_a_claim_moved_into_a_draft_is_a_public_change_that_never_names_the_draft(pub, client):
    draft = add_draft(pub, "2024-05-11-secret-draft", source=Source.objects.first(), claims=0)
    published = Incident.objects.get(code=TOWER_22)
    claim = published.claims.filter(supersedes__isnull=True, superseded_by__isnull=True).first()
    save(pub, claim_url(claim), incident=draft.pk, change_reason="belongs elsewhere")

    # For the public the claim is gone: the log says so, as for an unpublished incident.
    moved = Change.objects.get(model="claims.claim", record_id=claim.pk, action="unpublished")
    assert moved.public
    assert moved.incident_code == TOWER_22
    incident_field = next(f for f in moved.fields if f["field"] == "incident")
    assert incident_field == {
        "field": "incident",
        "label": "incident",
        "old": f"incident {TOWER_22}",
        "new": "an unpublished incident",
    }
    for where, text in public_texts(client, TOWER_22).items():
        assert "secret-draft" not in text, where
        assert "Rocket strike" not in text, where


def test_a_rebuilt_log_shows_no_title_an_incident_was_given_as_a_draft(pub, client):
    first = Incident.objects.get(code=TOWER_22)
    second = Incident.objects.published().exclude(pk=first.pk).first()
    claim = first.claims.filter(supersedes__isnull=True, superseded_by__isnull=True).first()
    save(pub, claim_url(claim), incident=second.pk, change_reason="belongs to the other one")
    second.refresh_from_db()
    second.status = PublicationStatus.DRAFT
    second._change_reason = "unpublished: checking"
    second.save()
    second.title = "SECRET DRAFT TITLE"
    second._change_reason = "retitled while a draft"
    second.save()

    recorder.rebuild()

    moved = Change.objects.get(model="claims.claim", record_id=claim.pk, action="changed")
    assert moved.public
    assert {"old": f"incident {TOWER_22}", "new": f"incident {second.code}"}.items() <= next(
        f for f in moved.fields if f["field"] == "incident"
    ).items()
    assert not any("SECRET DRAFT TITLE" in text for text in public_texts(client, TOWER_22).values())


def test_leaving_the_last_role_ends_staff_access_to_drafts():
    call_command("add_to_role", "dana", "viewer", "--create", stdout=io.StringIO())
    draft = Incident.objects.published().first()
    draft.status = PublicationStatus.DRAFT
    draft.save()
    dana = get_user_model().objects.get(username="dana")
    client = Client()
    client.force_login(dana)
    assert client.get(f"/incidents/{draft.code}/").status_code == 200

    call_command("add_to_role", "dana", "viewer", "--remove", stdout=io.StringIO())
    dana.refresh_from_db()
    assert not dana.is_staff
    client.force_login(dana)
    assert client.get(f"/incidents/{draft.code}/").status_code == 404


def test_leaving_one_of_two_roles_keeps_staff_access():
    call_command("add_to_role", "eli", "viewer", "--create", stdout=io.StringIO())
    call_command("add_to_role", "eli", "editor", stdout=io.StringIO())
    call_command("add_to_role", "eli", "viewer", "--remove", stdout=io.StringIO())
    assert get_user_model().objects.get(username="eli").is_staff


def imported(kind, text):
    return import_rows(kind, __import__("csv").DictReader(io.StringIO(text)), "test import")


def test_an_import_cannot_publish_an_incident_citing_no_source():
    result = imported(
        "incidents",
        "code,title,date,date_precision,country,status,source_ids\n"
        "2024-06-01-imported,Imported,2024-06-01,day,IQ,published,\n",
    )
    # Either column can mend it: cite a source, or keep the incident a draft.
    assert result.errors == [
        (2, "source_ids, status", "a published incident cites at least one source")
    ]
    assert not Incident.objects.filter(code="2024-06-01-imported").exists()


def test_an_import_can_add_an_unsourced_draft():
    result = imported(
        "incidents",
        "code,title,date,date_precision,country,status,source_ids\n"
        "2024-06-01-imported,Imported,2024-06-01,day,IQ,draft,\n",
    )
    assert result.errors == []
    assert Incident.objects.get(code="2024-06-01-imported").status == PublicationStatus.DRAFT


def test_an_import_cannot_strip_a_published_incidents_sources():
    before = Incident.objects.get(code=TOWER_22).citations.count()
    result = imported("incidents", f"code,source_ids\n{TOWER_22},\n")
    assert [(row, column) for row, column, _ in result.errors] == [(2, "source_ids, status")]
    assert Incident.objects.get(code=TOWER_22).citations.count() == before > 0


def test_an_import_cannot_strip_the_sources_of_a_published_incidents_claim():
    claim = Incident.objects.get(code=TOWER_22).claims.first()
    result = imported("claims", f"claim_id,source_ids\n{claim.pk},\n")
    assert [(row, column) for row, column, _ in result.errors] == [(2, "source_ids")]
    assert claim.citations.exists()


@pytest.mark.parametrize("until", ["9999-12-31", "0001-01-01"])
def test_the_change_log_takes_the_first_and_last_possible_days(client, until):
    assert client.get("/changes/", {"until": until}).status_code == 200
    assert client.get("/changes/export.csv", {"until": until}).status_code == 200


@pytest.mark.parametrize("status", [ClaimStatus.SUPERSEDED, ClaimStatus.CURRENT])
def test_a_claim_in_a_lineage_stays_on_its_incident(editor_client, status):
    claim = (
        Claim.objects.get(incident__code=HARIR, status=status, supersedes__isnull=False)
        if (status == ClaimStatus.CURRENT)
        else Claim.objects.get(incident__code=HARIR, status=status)
    )
    url = claim_url(claim)
    page = editor_client.get(url)
    assert "incident" not in page.context["adminform"].form.fields
    other = Incident.objects.published().exclude(code=HARIR).first()
    response = editor_client.post(url, resubmit(page, incident=other.pk, change_reason="move"))
    assert response.status_code == 302, form_errors(response)
    claim.refresh_from_db()
    assert claim.incident.code == HARIR


def test_claims_are_not_deleted_from_the_incident_page(pub):
    incident = Incident.objects.get(code=HARIR)
    page = pub.get(f"/admin/claims/incident/{incident.pk}/change/")
    claims = next(
        inline
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.prefix == "claims"
    )
    assert not claims.formset.can_delete


@pytest.mark.parametrize("version", ["²", "٣", "1" * 40, "-1", "abc"])
def test_a_garbled_version_is_a_conflict_not_a_server_error(editor_client, version):
    incident = Incident.objects.get(code=TOWER_22)
    url = f"/admin/claims/incident/{incident.pk}/change/"
    data = resubmit(editor_client.get(url), title="Garbled", change_reason="x", version=version)
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "after you opened it" in " ".join(response.context["adminform"].form.non_field_errors())
    assert Incident.objects.get(pk=incident.pk).title != "Garbled"


@pytest.mark.parametrize(
    ("date", "precision"), [("0001-01-01", "day"), ("0001-01", "month"), ("0001", "year")]
)
def test_the_earliest_dates_of_the_calendar_are_refused_with_the_window_not_a_crash(
    editor_client, date, precision
):
    location = Incident.objects.exclude(location=None).first().location
    url = "/admin/claims/incident/add/"
    data = resubmit(
        editor_client.get(url),
        code=f"early-{precision}",
        title="Early",
        date=date,
        date_precision=precision,
        country=location.country,
        location=location.pk,
    )
    response = editor_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["date"]
    assert errors == [
        "0001-01-01 is outside the dates this knowledge base holds (1900-01-01 to 2099-12-31)."
    ]
    assert not Incident.objects.filter(code=f"early-{precision}").exists()
