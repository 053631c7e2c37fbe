"""Corrections in the editors' admin: correcting and retracting claims, a reason for every edit, no
lost updates (stale forms refused, input kept, a deliberate re-save allowed), dates typed with their
precision, likely duplicates flagged, and Arabic text entered and shown right to left."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.db.models import Count
from django.test import Client
from django.utils.html import escape

from claims.models import (
    Claim,
    ClaimCitation,
    ClaimStatus,
    Incident,
    IncidentCitation,
    Location,
    PublicationStatus,
)
from groups.models import Group
from kb.admin import version_of
from kb.roles import PUBLISHERS
from sources.models import Source
from tests.helpers import signed_in
from tests.test_admin import form_errors, resubmit

pytestmark = pytest.mark.django_db

HARIR = "2023-10-18-harir-drone"  # published; its first claim is superseded by a correction
CONFLICT = "after you opened it"


# Helpers -----------------------------------------------------------------------------------------


def change_url(obj):
    opts = obj._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/"


def correct_url(claim):
    return f"/admin/claims/claim/{claim.pk}/correct/"


def retract_url(claim):
    return f"/admin/claims/claim/{claim.pk}/retract/"


def main_form(response):
    return response.context["adminform"].form


def non_field_errors(form):
    return " ".join(form.non_field_errors())


def citations_formset(response):
    (formset,) = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "citations"
    ]
    return formset


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def well_cited_claim():
    """A current, dated claim on a published incident, citing several sources, correcting none."""
    return (
        Claim.objects.filter(
            status=ClaimStatus.CURRENT,
            incident__status=PublicationStatus.PUBLISHED,
            date__isnull=False,
            supersedes__isnull=True,
        )
        .annotate(n_citations=Count("citations"))
        .filter(n_citations__gte=3)
        .order_by("pk")
        .first()
    )


def citation_rows(claim):
    return list(
        claim.citations.order_by("pk").values_list("source", "quote", "locator", "credibility")
    )


def claim_item(html, claim):
    """The public incident page's list item for one claim, up to its first closing </li>."""
    match = re.search(rf'<li id="claim-{claim.pk}"(.*?)</li>', html, re.S)
    assert match, f"claim #{claim.pk} is not on the page"
    return match.group(0)


def save_meanwhile(obj, reason="changed meanwhile", **values):
    """Someone else saves the record (the model's save writes a history row: a new version)."""
    for name, value in values.items():
        setattr(obj, name, value)
    obj._change_reason = reason
    obj.save()


# Correcting a claim ------------------------------------------------------------------------------


def test_the_correction_form_is_the_add_form_filled_with_the_claim_and_its_citations(
    editor_client,
):
    claim = well_cited_claim()
    response = editor_client.get(correct_url(claim))

    assert response.status_code == 200
    form = main_form(response)
    assert form.instance.pk is None
    assert response.context["add"] is True
    for name in ["kind", "group", "brand", "claimant_as_named", "medium", "english_text"]:
        assert form[name].value() == getattr(claim, Claim._meta.get_field(name).attname), name
    assert form["date"].value() == claim.date.isoformat()
    assert form["version"].value() == version_of(claim)
    # What the correction itself decides is not offered.
    assert not {"incident", "status", "status_note", "supersedes"} & set(form.fields)
    formset = citations_formset(response)
    assert formset.initial_form_count() == 0
    offered = [
        (f["source"].value(), f["quote"].value(), f["locator"].value(), f["credibility"].value())
        for f in formset.forms
    ]
    assert offered == citation_rows(claim)
    assert "You are correcting" in response.text
    assert f"Correct claim #{claim.pk}" in response.text


def test_saving_a_correction_adds_a_current_claim_that_supersedes_the_old_one(editor_client):
    claim = well_cited_claim()
    before = Claim.objects.count()
    cited = citation_rows(claim)
    page = editor_client.get(correct_url(claim))
    reason = "the brand re-issued the claim with a new signature"

    response = editor_client.post(
        correct_url(claim),
        resubmit(page, claimant_as_named="Re-issued signature", change_reason=reason),
    )

    assert response.status_code == 302, form_errors(response)
    assert Claim.objects.count() == before + 1
    new = Claim.objects.get(supersedes=claim)
    assert response.url == change_url(new)
    assert (new.status, new.incident_id, new.kind) == (
        ClaimStatus.CURRENT,
        claim.incident_id,
        claim.kind,
    )
    assert (new.group_id, new.brand_id, new.date) == (claim.group_id, claim.brand_id, claim.date)
    assert new.claimant_as_named == "Re-issued signature"
    assert citation_rows(new) == cited
    assert (
        new.history.latest().history_change_reason == f"correction of claim #{claim.pk}: {reason}"
    )
    claim.refresh_from_db()
    assert (claim.status, claim.status_note) == (ClaimStatus.SUPERSEDED, reason)
    assert claim.claimant_as_named != "Re-issued signature"
    assert claim.history.latest().history_change_reason == (
        f"superseded by claim #{new.pk}: {reason}"
    )
    assert citation_rows(claim) == cited
    assert any(f"#{new.pk} now supersedes claim #{claim.pk}" in m for m in messages_of(response))


def test_a_correction_without_a_reason_is_refused_and_nothing_is_created(editor_client):
    claim = well_cited_claim()
    before = Claim.objects.count()
    page = editor_client.get(correct_url(claim))

    response = editor_client.post(
        correct_url(claim), resubmit(page, claimant_as_named="No reason given", change_reason="")
    )

    assert response.status_code == 200
    form = main_form(response)
    assert form.errors["change_reason"] == ["This field is required."]
    assert form["claimant_as_named"].value() == "No reason given"
    assert Claim.objects.count() == before
    claim.refresh_from_db()
    assert (claim.status, claim.status_note) == (ClaimStatus.CURRENT, "")


def retracted_claim():
    claim = well_cited_claim()
    save_meanwhile(claim, status=ClaimStatus.RETRACTED, status_note="taken down")
    return claim


def superseded_claim():
    return Claim.objects.get(incident__code=HARIR, status=ClaimStatus.SUPERSEDED)


@pytest.mark.parametrize("make_claim", [superseded_claim, retracted_claim])
@pytest.mark.parametrize("action", ["correct", "retract"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_claim_that_is_no_longer_current_cannot_be_corrected_or_retracted(
    editor_client, make_claim, action, method
):
    claim = make_claim()
    before = Claim.objects.count()
    row = Claim.objects.values().get(pk=claim.pk)
    url = f"/admin/claims/claim/{claim.pk}/{action}/"
    data = {
        "kind": claim.kind,
        "claimant_as_named": "Anyway",
        "change_reason": "try anyway",
        "reason": "try anyway",
        "version": version_of(claim),
    }

    response = editor_client.get(url) if method == "get" else editor_client.post(url, data)

    assert response.status_code == 302
    assert response.url == change_url(claim)
    message = "only a current claim can be corrected or retracted"
    assert any(message in m for m in messages_of(response))
    assert Claim.objects.count() == before
    assert Claim.objects.values().get(pk=claim.pk) == row


def test_a_claim_corrected_while_a_second_correction_was_open_is_not_corrected_twice():
    claim = well_cited_claim()
    _, alice = signed_in("alice")
    _, bob = signed_in("bob")
    alice_page = alice.get(correct_url(claim))
    bob_page = bob.get(correct_url(claim))
    first = alice.post(
        correct_url(claim), resubmit(alice_page, note="Alice's", change_reason="re-issued")
    )
    assert first.status_code == 302, form_errors(first)
    before = Claim.objects.count()

    second = bob.post(correct_url(claim), resubmit(bob_page, note="Bob's", change_reason="same"))

    assert second.status_code == 302
    assert second.url == change_url(claim)
    assert any("only a current claim" in m for m in messages_of(second))
    assert Claim.objects.count() == before
    claim.refresh_from_db()
    assert claim.status_note == "re-issued"
    assert claim.superseded_by.note == "Alice's"


def test_a_correction_of_a_claim_edited_since_it_was_opened_is_refused_then_saved_on_purpose(
    editor_client,
):
    claim = well_cited_claim()
    before = Claim.objects.count()
    page = editor_client.get(correct_url(claim))
    save_meanwhile(claim, note="A note added meanwhile")

    stale = editor_client.post(
        correct_url(claim),
        resubmit(page, claimant_as_named="Corrected name", change_reason="re-issued"),
    )

    assert stale.status_code == 200
    assert CONFLICT in non_field_errors(main_form(stale))
    assert main_form(stale)["claimant_as_named"].value() == "Corrected name"
    assert Claim.objects.count() == before
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.CURRENT

    again = editor_client.post(correct_url(claim), resubmit(stale))

    assert again.status_code == 302, form_errors(again)
    new = Claim.objects.get(supersedes=claim)
    assert new.claimant_as_named == "Corrected name"
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.SUPERSEDED


@pytest.mark.parametrize(
    ("make_claim", "offered"),
    [(well_cited_claim, True), (superseded_claim, False), (retracted_claim, False)],
)
def test_the_claim_page_offers_correct_and_retract_only_for_a_current_claim(
    editor_client, make_claim, offered
):
    claim = make_claim()
    html = editor_client.get(change_url(claim)).text
    assert (f'href="{correct_url(claim)}"' in html) is offered
    assert (">Correct this claim</a>" in html) is offered
    assert (f'href="{retract_url(claim)}"' in html) is offered
    assert (">Retract</a>" in html) is offered


def test_a_correction_cites_the_sources_as_edited_not_as_prefilled(editor_client):
    claim = well_cited_claim()
    cited = citation_rows(claim)
    page = editor_client.get(correct_url(claim))
    replacement = Source.objects.exclude(pk__in=[row[0] for row in cited]).order_by("pk").first()
    total = len(cited)

    # The last prefilled citation is removed (not submitted); the first now cites another source.
    data = resubmit(
        page,
        change_reason="one source withdrawn, one replaced",
        **{
            "citations-TOTAL_FORMS": str(total - 1),
            "citations-0-source": replacement.pk,
            "citations-0-quote": "The replacement's own words",
        },
    )
    response = editor_client.post(correct_url(claim), data)

    assert response.status_code == 302, form_errors(response)
    new = Claim.objects.get(supersedes=claim)
    expected = [
        (replacement.pk, "The replacement's own words", cited[0][2], cited[0][3]),
        *cited[1:-1],
    ]
    assert citation_rows(new) == expected
    assert citation_rows(Claim.objects.get(pk=claim.pk)) == cited


def test_a_correction_citing_one_source_twice_is_refused_not_a_crash(editor_client):
    claim = well_cited_claim()
    before = Claim.objects.count()
    page = editor_client.get(correct_url(claim))
    data = resubmit(page, change_reason="re-issued")
    data["citations-1-source"] = data["citations-0-source"]

    response = editor_client.post(correct_url(claim), data)

    assert response.status_code == 200
    assert "duplicate" in " ".join(citations_formset(response).non_form_errors())
    assert Claim.objects.count() == before
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.CURRENT


def test_a_correction_on_a_published_incident_must_cite_a_source(editor_client):
    claim = well_cited_claim()
    before = Claim.objects.count()
    page = editor_client.get(correct_url(claim))

    response = editor_client.post(
        correct_url(claim),
        resubmit(page, change_reason="no sources", **{"citations-TOTAL_FORMS": "0"}),
    )

    assert response.status_code == 200
    assert "cite at least one source" in " ".join(citations_formset(response).non_form_errors())
    assert Claim.objects.count() == before


def test_a_publisher_deleting_a_correction_makes_the_corrected_claim_current_again(editor_client):
    claim = well_cited_claim()
    page = editor_client.get(correct_url(claim))
    saved = editor_client.post(correct_url(claim), resubmit(page, change_reason="re-issued"))
    assert saved.status_code == 302, form_errors(saved)
    new = Claim.objects.get(supersedes=claim)
    _, publisher = signed_in("pat", PUBLISHERS)

    response = publisher.post(
        f"/admin/claims/claim/{new.pk}/delete/",
        {"post": "yes", "deletion_reason": "the re-issue was a fake"},
    )

    assert response.status_code == 302
    assert not Claim.objects.filter(pk=new.pk).exists()
    assert not ClaimCitation.objects.filter(claim_id=new.pk).exists()
    claim.refresh_from_db()
    assert (claim.status, claim.status_note) == (ClaimStatus.CURRENT, "")
    reason = claim.history.latest().history_change_reason
    assert reason.startswith("current again")
    assert "the re-issue was a fake" in reason
    # Current again, it can be corrected again.
    assert editor_client.get(correct_url(claim)).status_code == 200


# Retracting a claim ------------------------------------------------------------------------------


def retract(client, claim, reason, version=None):
    if version is None:
        version = client.get(retract_url(claim)).context["form"]["version"].value()
    return client.post(retract_url(claim), {"reason": reason, "version": version})


def test_the_retract_page_asks_for_a_reason_and_carries_the_claims_version(editor_client):
    claim = well_cited_claim()
    response = editor_client.get(retract_url(claim))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.fields) == {"reason", "version"}
    assert form.fields["reason"].required
    assert form["version"].value() == version_of(claim)
    assert f"Retract claim #{claim.pk}" in response.text
    assert 'name="reason"' in response.text


def test_retracting_a_claim_keeps_it_marked_retracted_with_the_reason(editor_client, editor):
    claim = well_cited_claim()
    reason = "the channel deleted the post within the hour"

    response = retract(editor_client, claim, reason)

    assert response.status_code == 302
    assert response.url == change_url(claim)
    claim.refresh_from_db()
    assert (claim.status, claim.status_note) == (ClaimStatus.RETRACTED, reason)
    record = claim.history.latest()
    assert record.history_change_reason.startswith("retracted")
    assert reason in record.history_change_reason
    assert record.history_user == editor
    html = Client().get(f"/incidents/{claim.incident.code}/").text
    item = claim_item(html, claim)
    assert "retracted" in item
    assert reason in item


def test_retracting_without_a_reason_is_refused_and_the_claim_is_unchanged(editor_client):
    claim = well_cited_claim()
    versions = claim.history.count()

    response = retract(editor_client, claim, "   ")

    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["This field is required."]
    claim.refresh_from_db()
    assert (claim.status, claim.status_note) == (ClaimStatus.CURRENT, "")
    assert claim.history.count() == versions


def test_a_second_retraction_from_a_page_opened_before_the_first_is_refused():
    claim = well_cited_claim()
    _, alice = signed_in("alice")
    _, bob = signed_in("bob")
    alice_version = alice.get(retract_url(claim)).context["form"]["version"].value()
    bob_version = bob.get(retract_url(claim)).context["form"]["version"].value()
    first = retract(alice, claim, "Alice: the post was deleted", alice_version)
    assert first.status_code == 302
    versions = claim.history.count()

    second = retract(bob, claim, "Bob: the post was a fake", bob_version)

    # Refused: the claim is no longer current, and Alice's reason stands.
    assert second.status_code == 302
    assert second.url == change_url(claim)
    assert any(
        f"Claim #{claim.pk} is retracted: only a current claim" in m for m in messages_of(second)
    )
    claim.refresh_from_db()
    assert (claim.status, claim.status_note) == (
        ClaimStatus.RETRACTED,
        "Alice: the post was deleted",
    )
    assert claim.history.count() == versions


def test_a_retraction_of_a_claim_edited_since_it_was_opened_is_refused_then_made_on_purpose(
    editor_client,
):
    claim = well_cited_claim()
    page = editor_client.get(retract_url(claim))
    save_meanwhile(claim, note="A note added meanwhile")

    version = page.context["form"]["version"].value()
    stale = retract(editor_client, claim, "withdrawn by its channel", version)

    assert stale.status_code == 200
    form = stale.context["form"]
    assert CONFLICT in non_field_errors(form)
    assert form["reason"].value() == "withdrawn by its channel"
    assert "withdrawn by its channel" in stale.text
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.CURRENT

    again = retract(editor_client, claim, form["reason"].value(), form["version"].value())

    assert again.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.status_note, claim.note) == (
        ClaimStatus.RETRACTED,
        "withdrawn by its channel",
        "A note added meanwhile",
    )


# Plain edits -------------------------------------------------------------------------------------


def a_claim():
    return well_cited_claim()


def an_incident():
    return Incident.objects.get(code=HARIR)


def a_source():
    return Source.objects.order_by("pk").first()


def a_group():
    return Group.objects.get(slug="kataib-hezbollah")


EDITS = [(a_claim, "note"), (an_incident, "title"), (a_source, "title"), (a_group, "description")]


@pytest.mark.parametrize(("make", "field"), EDITS, ids=["claim", "incident", "source", "group"])
def test_an_edit_without_a_reason_is_refused_and_nothing_changes(editor_client, make, field):
    obj = make()
    model = type(obj)
    row = model.objects.values().get(pk=obj.pk)
    versions = obj.history.count()
    page = editor_client.get(change_url(obj))
    assert main_form(page).fields["change_reason"].required

    response = editor_client.post(change_url(obj), resubmit(page, **{field: "Edited, no reason"}))

    assert response.status_code == 200
    form = main_form(response)
    assert form.errors["change_reason"] == ["This field is required."]
    assert form[field].value() == "Edited, no reason"
    assert model.objects.values().get(pk=obj.pk) == row
    assert obj.history.count() == versions


@pytest.mark.parametrize(("make", "field"), EDITS, ids=["claim", "incident", "source", "group"])
def test_the_same_edit_with_a_reason_is_saved(editor_client, make, field):
    obj = make()
    page = editor_client.get(change_url(obj))
    data = resubmit(page, **{field: "Edited with a reason"}, change_reason="fix")
    response = editor_client.post(change_url(obj), data)
    assert response.status_code == 302, form_errors(response)
    obj.refresh_from_db()
    assert getattr(obj, field) == "Edited with a reason"
    assert obj.history.latest().history_change_reason == "fix"


def test_a_claims_status_and_lineage_are_not_editable_in_its_change_form(editor_client):
    claim = well_cited_claim()
    other = Claim.objects.exclude(pk=claim.pk).order_by("pk").first()
    page = editor_client.get(change_url(claim))
    form = main_form(page)
    assert not {"status", "status_note", "supersedes"} & set(form.fields)

    # Posting them anyway changes nothing but what the form offers.
    data = resubmit(
        page,
        status=ClaimStatus.RETRACTED,
        status_note="sneaked in",
        supersedes=other.pk,
        note="typo fixed",
        change_reason="typo",
    )
    response = editor_client.post(change_url(claim), data)

    assert response.status_code == 302, form_errors(response)
    claim.refresh_from_db()
    assert (claim.status, claim.status_note, claim.supersedes_id) == (ClaimStatus.CURRENT, "", None)
    assert claim.note == "typo fixed"


# No lost updates ---------------------------------------------------------------------------------


def assert_conflict_then_resave(client, url, stale_data, obj, field, mine, theirs):
    """POST a stale form: refused with the conflict, my input kept, their change kept; posting the
    re-rendered form then saves mine on purpose."""
    refused = client.post(url, stale_data)

    assert refused.status_code == 200
    form = main_form(refused)
    assert CONFLICT in non_field_errors(form)
    assert CONFLICT in refused.text
    assert form[field].value() == mine
    assert escape(mine) in refused.text
    assert getattr(type(obj).objects.get(pk=obj.pk), field) == theirs

    saved = client.post(url, resubmit(refused))

    assert saved.status_code == 302, form_errors(saved)
    assert getattr(type(obj).objects.get(pk=obj.pk), field) == mine
    return refused


@pytest.mark.parametrize(
    ("make", "field"),
    [(an_incident, "title"), (a_claim, "note"), (a_source, "title")],
    ids=["incident", "claim", "source"],
)
def test_saving_over_a_record_changed_since_it_was_opened_is_refused_then_allowed_on_purpose(
    editor_client, make, field
):
    obj = make()
    url = change_url(obj)
    page = editor_client.get(url)
    stale = resubmit(page, **{field: "Mine, typed first"}, change_reason="my fix")
    save_meanwhile(obj, "their fix", **{field: "Theirs, saved first"})

    assert_conflict_then_resave(
        editor_client, url, stale, obj, field, "Mine, typed first", "Theirs, saved first"
    )


def test_the_conflict_says_who_changed_what_when_another_editor_saved_first():
    incident = an_incident()
    url = change_url(incident)
    _, alice = signed_in("alice")
    _, bob = signed_in("bob")
    old_title = incident.title
    bob_page = bob.get(url)
    alice_page = alice.get(url)
    alice_saved = alice.post(
        url, resubmit(alice_page, title="Alice's title", change_reason="per CENTCOM")
    )
    assert alice_saved.status_code == 302, form_errors(alice_saved)

    refused = assert_conflict_then_resave(
        bob,
        url,
        resubmit(bob_page, title="Bob's title", change_reason="per the Pentagon"),
        incident,
        "title",
        "Bob's title",
        "Alice's title",
    )

    message = non_field_errors(main_form(refused))
    assert "changed by alice" in message
    assert "per CENTCOM" in message
    now, was = escape("Alice's title"), escape(old_title)
    assert f"title: now “{now}” (was “{was}”)" in message
    assert incident.history.latest().history_user.username == "bob"


def test_saving_over_a_citation_row_changed_since_the_incident_was_opened_is_refused(
    editor_client,
):
    incident = an_incident()
    citation = incident.citations.order_by("pk").first()
    url = change_url(incident)
    page = editor_client.get(url)
    (index,) = [
        i for i, f in enumerate(citations_formset(page).forms) if f.instance.pk == citation.pk
    ]
    quote = f"citations-{index}-quote"
    stale = resubmit(page, **{quote: "My quote"}, change_reason="quote fixed")
    save_meanwhile(citation, "their quote", quote="Their quote")

    refused = editor_client.post(url, stale)

    assert refused.status_code == 200
    row = citations_formset(refused).forms[index]
    assert CONFLICT in non_field_errors(row)
    assert CONFLICT in refused.text
    assert row["quote"].value() == "My quote"
    assert "My quote" in refused.text
    assert IncidentCitation.objects.get(pk=citation.pk).quote == "Their quote"

    saved = editor_client.post(url, resubmit(refused))

    assert saved.status_code == 302, form_errors(saved)
    assert IncidentCitation.objects.get(pk=citation.pk).quote == "My quote"


def test_an_incident_save_does_not_silently_overwrite_a_citation_changed_meanwhile(editor_client):
    # The editor only retitles the incident; the citation row still shows the old quote.
    incident = an_incident()
    citation = incident.citations.order_by("pk").first()
    url = change_url(incident)
    page = editor_client.get(url)
    save_meanwhile(citation, "their quote", quote="Their quote")

    refused = editor_client.post(url, resubmit(page, title="My title", change_reason="title"))

    assert refused.status_code == 200
    assert CONFLICT in refused.text
    assert IncidentCitation.objects.get(pk=citation.pk).quote == "Their quote"
    assert Incident.objects.get(pk=incident.pk).title != "My title"


def test_an_incident_save_is_not_refused_over_a_claim_change_its_page_does_not_show(
    editor_client,
):
    # The claim rows on the incident page do not show a claim's note: a note added to a claim
    # meanwhile conflicts with nothing the editor sees or submits.
    incident = Incident.objects.get(code="2024-01-28-tower-22-drone")
    claim = incident.claims.order_by("pk").first()
    url = change_url(incident)
    page = editor_client.get(url)
    (claims,) = [
        i.formset for i in page.context["inline_admin_formsets"] if i.formset.model is Claim
    ]
    assert all("note" not in form.fields for form in claims.forms)
    save_meanwhile(claim, "their note", note="Their note")

    response = editor_client.post(url, resubmit(page, title="My title", change_reason="title"))

    assert response.status_code == 302, form_errors(response)
    assert Incident.objects.get(pk=incident.pk).title == "My title"
    assert Claim.objects.get(pk=claim.pk).note == "Their note"


# Careful data entry ------------------------------------------------------------------------------

NEW_INCIDENT = {
    "title": "Rocket attack entered by the corrections tests",
    "country": "IQ",
    "geo_precision": "town",
    "weapon": "rocket",
    "target": "foreign_forces",
    "confirmation": "unknown",
}


def add_incident(client, code="2030-01-01-corrections-test", **values):
    page = client.get("/admin/claims/incident/add/")
    data = resubmit(page, **{**NEW_INCIDENT, "code": code, **values})
    return client.post("/admin/claims/incident/add/", data)


@pytest.mark.parametrize(
    ("typed", "precision", "stored"),
    [
        ("2023-10-18", "day", datetime.date(2023, 10, 18)),
        ("2023-10-18", "week", datetime.date(2023, 10, 18)),
        ("2023-10", "month", datetime.date(2023, 10, 1)),
        ("2023", "year", datetime.date(2023, 1, 1)),
        (" 2023-1-5 ", "day", datetime.date(2023, 1, 5)),
    ],
)
def test_a_date_typed_as_its_precision_is_saved(editor_client, typed, precision, stored):
    response = add_incident(editor_client, date=typed, date_precision=precision)
    assert response.status_code == 302, form_errors(response)
    incident = Incident.objects.get(code="2030-01-01-corrections-test")
    assert (incident.date, incident.date_precision) == (stored, precision)


@pytest.mark.parametrize(
    ("typed", "precision", "says"),
    [
        ("2023-10", "day", "needs the full date"),
        ("2023", "day", "needs the full date"),
        ("2023-10", "week", "enter it in full"),
        ("2023-10-18", "month", "enter YYYY-MM"),
        ("2023", "month", "enter YYYY-MM"),
        ("2023-10", "year", "enter YYYY"),
    ],
)
def test_a_date_not_matching_its_precision_is_refused(editor_client, typed, precision, says):
    before = Incident.objects.count()
    response = add_incident(editor_client, date=typed, date_precision=precision)
    assert response.status_code == 200
    form = main_form(response)
    assert says in " ".join(form.errors["date"])
    assert form["date"].value() == typed
    assert Incident.objects.count() == before


@pytest.mark.parametrize("typed", ["2023-02-30", "2023-13", "soon", "18/10/2023", "2023-10-18x"])
def test_an_impossible_date_is_a_form_error_not_a_crash(editor_client, typed):
    before = Incident.objects.count()
    response = add_incident(editor_client, date=typed, date_precision="day")
    assert response.status_code == 200
    form = main_form(response)
    assert form.errors["date"]
    assert form["date"].value() == typed
    assert Incident.objects.count() == before


def test_an_impossible_claim_date_is_a_form_error_not_a_crash(editor_client):
    claim = well_cited_claim()
    page = editor_client.get(change_url(claim))
    response = editor_client.post(
        change_url(claim), resubmit(page, date="2024-02-30", change_reason="date")
    )
    assert response.status_code == 200
    assert "2024-02-30 is not a real date." in main_form(response).errors["date"]
    assert Claim.objects.get(pk=claim.pk).date == claim.date


@pytest.mark.parametrize(
    ("date", "precision", "shown"),
    [
        (datetime.date(2023, 10, 1), "month", "2023-10"),
        (datetime.date(2023, 1, 1), "year", "2023"),
    ],
)
def test_an_incident_known_to_the_month_or_year_is_shown_and_resaved_as_typed(
    editor_client, date, precision, shown
):
    incident = Incident.objects.get(code="2023-10-27-abu-kamal-us-strikes")
    save_meanwhile(incident, date=date, date_precision=precision, date_end=None)

    page = editor_client.get(change_url(incident))

    assert main_form(page)["date"].value() == shown
    assert f'name="date" value="{shown}"' in page.text
    assert date.isoformat() not in re.findall(r'name="date" value="([^"]*)"', page.text)
    # Saved again as shown, it stays what it was.
    saved = editor_client.post(change_url(incident), resubmit(page, change_reason="no change"))
    assert saved.status_code == 302, form_errors(saved)
    incident.refresh_from_db()
    assert (incident.date, incident.date_precision) == (date, precision)


@pytest.mark.parametrize(
    ("typed", "precision", "date"),
    [
        ("2024-01", "month", datetime.date(2024, 1, 1)),
        ("2024", "year", datetime.date(2024, 1, 1)),
        ("2024-01-29", "day", datetime.date(2024, 1, 29)),
    ],
)
def test_a_claim_date_without_a_precision_takes_the_precision_it_was_typed_with(
    editor_client, typed, precision, date
):
    claim = Claim.objects.filter(date__isnull=True).order_by("pk").first()
    page = editor_client.get(change_url(claim))
    data = resubmit(page, date=typed, date_precision="", change_reason="dated")
    response = editor_client.post(change_url(claim), data)
    assert response.status_code == 302, form_errors(response)
    claim.refresh_from_db()
    assert (claim.date, claim.date_precision) == (date, precision)


# Likely duplicates


def existing_day_incident():
    """An incident at a location, known to the day, with no end date."""
    incident = Incident.objects.get(code="2023-11-09-harir-drone-fire")
    assert (incident.date_precision, incident.date_end) == ("day", None)
    return incident


def site_without_incidents_before(date):
    location = (
        Location.objects.exclude(incidents__date__lte=date + datetime.timedelta(days=30))
        .order_by("pk")
        .first()
    )
    assert location is not None
    return location


def test_an_incident_at_the_same_place_on_the_same_day_is_flagged_as_a_likely_duplicate(
    editor_client,
):
    existing = existing_day_incident()
    before = Incident.objects.count()

    response = add_incident(
        editor_client,
        date=existing.date.isoformat(),
        date_precision="day",
        location=existing.location_id,
        country=existing.country,
    )

    assert response.status_code == 200
    form = main_form(response)
    assert "Likely duplicate" in non_field_errors(form)
    assert f'href="{change_url(existing)}"' in non_field_errors(form)
    assert f'href="{change_url(existing)}"' in response.text
    assert existing.code in response.text
    assert form["title"].value() == NEW_INCIDENT["title"]
    assert form["date"].value() == existing.date.isoformat()
    assert form["location"].value() == str(existing.location_id)
    assert 'type="checkbox" name="not_a_duplicate"' in response.text
    assert Incident.objects.count() == before

    confirmed = editor_client.post(
        "/admin/claims/incident/add/", resubmit(response, not_a_duplicate="on")
    )

    assert confirmed.status_code == 302, form_errors(confirmed)
    new = Incident.objects.get(code="2030-01-01-corrections-test")
    assert (new.location_id, new.date, new.title) == (
        existing.location_id,
        existing.date,
        NEW_INCIDENT["title"],
    )
    assert new.status == PublicationStatus.DRAFT
    assert Incident.objects.get(pk=existing.pk).date == existing.date


@pytest.mark.parametrize(("typed", "precision"), [("2023-11", "month"), ("2023", "year")])
def test_a_vaguer_date_covering_an_incident_at_the_same_place_is_flagged(
    editor_client, typed, precision
):
    existing = existing_day_incident()
    response = add_incident(
        editor_client,
        date=typed,
        date_precision=precision,
        location=existing.location_id,
        country=existing.country,
    )
    assert response.status_code == 200
    assert "Likely duplicate" in non_field_errors(main_form(response))
    assert f'href="{change_url(existing)}"' in response.text


def test_an_incident_at_the_same_place_on_the_next_day_is_saved_without_the_flag(editor_client):
    existing = existing_day_incident()
    next_day = existing.date + datetime.timedelta(days=1)
    assert not Incident.objects.filter(location=existing.location, date=next_day).exists()
    response = add_incident(
        editor_client,
        date=next_day.isoformat(),
        date_precision="day",
        location=existing.location_id,
        country=existing.country,
    )
    assert response.status_code == 302, form_errors(response)
    new = Incident.objects.get(code="2030-01-01-corrections-test")
    assert (new.location_id, new.date) == (existing.location_id, next_day)


def test_an_incident_at_another_place_on_the_same_day_is_saved_without_the_flag(editor_client):
    existing = existing_day_incident()
    location = site_without_incidents_before(existing.date)
    response = add_incident(
        editor_client,
        date=existing.date.isoformat(),
        date_precision="day",
        location=location.pk,
        country=location.country,
    )
    assert response.status_code == 302, form_errors(response)
    new = Incident.objects.get(code="2030-01-01-corrections-test")
    assert (new.location_id, new.date) == (location.pk, existing.date)


# Arabic


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class DirAudit(HTMLParser):
    """Collects a page's text inputs and textareas, and for each piece of text the `dir`
    attributes of the elements around it, innermost last."""

    def __init__(self):
        super().__init__()
        self.fields = []
        self.stack = []
        self.text_dirs = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "textarea" or (tag == "input" and attrs.get("type") == "text"):
            self.fields.append(attrs)
        if tag not in VOID:
            self.stack.append((tag, attrs.get("dir")))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag not in VOID:
            assert self.stack and self.stack[-1][0] == tag, f"unbalanced </{tag}>"
            self.stack.pop()

    def handle_data(self, data):
        if data.strip():
            self.text_dirs.append((data, [d for _, d in self.stack if d]))


def audit(html):
    parser = DirAudit()
    parser.feed(html)
    return parser


@pytest.mark.parametrize(
    "page", ["incident change", "incident add", "claim change", "claim add", "correct", "retract"]
)
def test_every_text_input_and_textarea_is_typed_in_either_direction(editor_client, page):
    claim = well_cited_claim()
    url = {
        "incident change": change_url(claim.incident),
        "claim change": change_url(claim),
        "incident add": "/admin/claims/incident/add/",
        "claim add": "/admin/claims/claim/add/",
        "correct": correct_url(claim),
        "retract": retract_url(claim),
    }[page]
    response = editor_client.get(url)
    assert response.status_code == 200
    fields = audit(response.text).fields
    assert fields, "the page should have text inputs"
    undirected = [f.get("name") for f in fields if f.get("dir") != "auto"]
    assert undirected == []
    names = {f.get("name") for f in fields}
    if page in {"claim change", "claim add", "correct"}:
        assert {"claimant_as_named", "original_text", "english_text", "change_reason"} <= names
    if page == "incident change":
        assert {"title", "place", "summary", "change_reason", "citations-0-quote"} <= names


def test_arabic_text_saved_in_the_admin_reaches_the_incident_page_intact(editor_client):
    claim = well_cited_claim()
    arabic = "بسم الله الرحمن الرحيم، تعلن المقاومة الإسلامية في العراق استهداف قاعدة «حرير»"
    signed = "المقاومة الإسلامية في العراق"
    page = editor_client.get(change_url(claim))
    data = resubmit(
        page,
        original_text=arabic,
        original_language="ar",
        claimant_as_named=signed,
        change_reason="the statement's text",
    )
    response = editor_client.post(change_url(claim), data)
    assert response.status_code == 302, form_errors(response)
    assert Claim.objects.get(pk=claim.pk).original_text == arabic

    html = Client().get(f"/incidents/{claim.incident.code}/").text
    item = claim_item(html, claim)
    assert arabic in item
    assert re.search(r'<blockquote dir="auto"\s+lang="ar">' + re.escape(arabic), item)
    found = [dirs for text, dirs in audit(html).text_dirs if arabic in text or signed in text]
    assert len(found) == 2
    # Each piece sits in an element whose direction follows its text.
    assert all(dirs and dirs[-1] == "auto" for dirs in found), found
