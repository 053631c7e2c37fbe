"""The editorial roles through HTTP: who may view, add, change, publish and delete in the admin
(a matrix of anonymous, viewer, editor and publisher), deletion with a reason that reaches the
history and the changes feed, no bulk deletion, the add_to_role command, and drafts for viewers."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from changes.models import Change
from claims.models import Claim, ClaimCitation, Incident, IncidentCitation, PublicationStatus
from kb.roles import EDITORS, PUBLISHERS, ROLES, VIEWERS, curated_models
from tests.helpers import export_rows
from tests.test_admin import form_errors, resubmit

pytestmark = pytest.mark.django_db

WHO = ["anonymous", "viewer", "editor", "publisher"]

# What each role may do in the admin; anonymous visitors may do nothing.
ALLOWED = {
    "view": {"viewer", "editor", "publisher"},
    "add": {"editor", "publisher"},
    "change": {"editor", "publisher"},
    "publish": {"publisher"},
    "delete": {"publisher"},
}

TOWER_22 = "2024-01-28-tower-22-drone"  # published, two claims, several citations
NUJABA = "2024-01-04-baghdad-us-strike-nujaba"  # published, two claims, neither a correction
HARIR = "2023-10-18-harir-drone"  # published; one of its claims corrects the other

NEW_INCIDENT = {
    "code": "2024-05-05-permission-matrix-rocket",
    "title": "Rocket attack added by the permission matrix",
    "date": "2024-05-05",
    "date_precision": "day",
    "country": "IQ",
    "geo_precision": "town",
    "weapon": "rocket",
    "target": "foreign_forces",
    "confirmation": "unknown",
}


def signed_in(who, username=None):
    """A client for `who`: anonymous, or a staff member in that role's group."""
    client = Client()
    if who == "anonymous":
        return client, None
    user = get_user_model().objects.create_user(username or who, is_staff=True)
    user.groups.add(AuthGroup.objects.get(name=ROLES[who]))
    client.force_login(user)
    return client, user


def assert_sent_to_login(response, path):
    assert response.status_code == 302
    assert response.url == f"/admin/login/?next={path}"


def assert_refused(who, response, path):
    """Anonymous visitors are sent to sign in; signed-in staff without the permission get 403."""
    if who == "anonymous":
        assert_sent_to_login(response, path)
    else:
        assert response.status_code == 403


def incident_row(incident):
    fields = [f.attname for f in Incident._meta.concrete_fields]
    return Incident.objects.values(*fields).get(pk=incident.pk)


def as_rendered_for(role, path, **changes):
    """The POST data of the admin form at `path` as a member of `role` sees it, with `changes`.
    Roles that may not open a form still post what it holds, as a forged request would."""
    client, _ = signed_in(role, username=f"another {role}")
    page = client.get(path)
    assert page.status_code == 200
    return resubmit(page, **changes)


# The permission matrix ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_only_staff_in_a_role_see_the_incident_list_and_pages(who):
    client, _ = signed_in(who)
    incident = Incident.objects.get(code=TOWER_22)
    list_path = "/admin/claims/incident/"
    change_path = f"/admin/claims/incident/{incident.pk}/change/"
    listing, page = client.get(list_path), client.get(change_path)
    if who == "anonymous":
        assert_sent_to_login(listing, list_path)
        assert_sent_to_login(page, change_path)
        return
    assert listing.status_code == 200
    assert incident in listing.context["cl"].result_list
    assert page.status_code == 200
    assert incident.title in page.text
    can_save = who in ALLOWED["change"]
    assert page.context["has_change_permission"] is can_save
    assert ('name="_save"' in page.text) is can_save


@pytest.mark.parametrize("who", WHO)
def test_only_editors_and_publishers_add_incidents_and_new_ones_are_drafts(who):
    client, user = signed_in(who)
    path = "/admin/claims/incident/add/"
    # The status is not in the form: a forged one is ignored, and a new incident is a draft.
    data = as_rendered_for("editor", path, **NEW_INCIDENT, status="published")
    page = client.get(path)
    response = client.post(path, data)

    created = Incident.objects.filter(code=NEW_INCIDENT["code"]).first()
    if who not in ALLOWED["add"]:
        assert_refused(who, page, path)
        assert_refused(who, response, path)
        assert created is None
        return
    assert page.status_code == 200
    assert response.status_code == 302, form_errors(response)
    assert created is not None
    assert created.status == PublicationStatus.DRAFT
    assert created.title == NEW_INCIDENT["title"]
    assert created.history.latest().history_user == user


@pytest.mark.parametrize("who", WHO)
def test_only_editors_and_publishers_change_an_incident(who):
    client, user = signed_in(who)
    incident = Incident.objects.get(code=TOWER_22)
    path = f"/admin/claims/incident/{incident.pk}/change/"
    reason = f"retitled by the {who}"
    data = as_rendered_for("editor", path, title="Tower 22 attack, retitled", change_reason=reason)
    before = incident_row(incident)

    response = client.post(path, data)

    if who not in ALLOWED["change"]:
        assert_refused(who, response, path)
        assert incident_row(incident) == before
        assert not incident.history.filter(history_change_reason=reason).exists()
        return
    assert response.status_code == 302, form_errors(response)
    incident.refresh_from_db()
    assert incident.title == "Tower 22 attack, retitled"
    record = incident.history.latest()
    assert (record.history_user, record.history_change_reason) == (user, reason)


@pytest.mark.parametrize("action", ["publish", "unpublish"])
@pytest.mark.parametrize("who", WHO)
def test_only_publishers_publish_and_unpublish_incidents(who, action):
    client, user = signed_in(who)
    incident = Incident.objects.get(code=TOWER_22)
    if action == "publish":
        incident.status = PublicationStatus.DRAFT
        incident.save()
        before, after = PublicationStatus.DRAFT, PublicationStatus.PUBLISHED
    else:
        before, after = PublicationStatus.PUBLISHED, PublicationStatus.DRAFT
    path = f"/admin/claims/incident/{incident.pk}/{action}/"
    publisher_client, _ = signed_in("publisher", username="another publisher")
    form = publisher_client.get(path).context["form"]
    data = {"reason": f"{action}ed by the {who}", "version": form["version"].value()}

    page = client.get(path)
    response = client.post(path, data)

    incident.refresh_from_db()
    if who not in ALLOWED["publish"]:
        assert_refused(who, page, path)
        assert_refused(who, response, path)
        assert incident.status == before
        return
    assert page.status_code == 200
    assert response.status_code == 302
    assert response.url == f"/admin/claims/incident/{incident.pk}/change/"
    assert incident.status == after
    record = incident.history.latest()
    assert record.history_user == user
    assert data["reason"] in record.history_change_reason


@pytest.mark.parametrize("model", [Incident, Claim], ids=["incident", "claim"])
@pytest.mark.parametrize("who", WHO)
def test_only_publishers_delete(who, model):
    client, _ = signed_in(who)
    incident = Incident.objects.get(code=NUJABA)
    record = incident if model is Incident else incident.claims.order_by("pk").first()
    path = f"/admin/claims/{model._meta.model_name}/{record.pk}/delete/"
    reason = f"deleted by the {who}"

    page = client.get(path)
    response = client.post(path, {"post": "yes", "deletion_reason": reason})

    still_there = model.objects.filter(pk=record.pk).exists()
    if who not in ALLOWED["delete"]:
        assert_refused(who, page, path)
        assert_refused(who, response, path)
        assert still_there
        assert not Change.objects.filter(reason=reason).exists()
        return
    assert page.status_code == 200
    assert response.status_code == 302
    assert not still_there
    assert Change.objects.filter(
        action="deleted", model=model._meta.label_lower, record_id=record.pk, reason=reason
    ).exists()


ROLE_ACTIONS = {
    VIEWERS: ["view"],
    EDITORS: ["view", "add", "change"],
    PUBLISHERS: ["view", "add", "change", "delete"],
}


def expected_permissions(role):
    expected = {
        (model._meta.app_label, f"{action}_{model._meta.model_name}")
        for model in curated_models()
        for action in ROLE_ACTIONS[role]
    }
    if role == PUBLISHERS:
        expected.add(("claims", "publish_incident"))
    return expected


def held_permissions(role):
    group = AuthGroup.objects.get(name=role)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


@pytest.mark.parametrize("role", list(ROLE_ACTIONS))
def test_each_role_holds_exactly_its_permissions(role):
    assert held_permissions(role) == expected_permissions(role)


def test_migrate_puts_tampered_roles_back_in_order():
    viewers = AuthGroup.objects.get(name=VIEWERS)
    viewers.permissions.add(Permission.objects.get(codename="delete_incident"))
    AuthGroup.objects.get(name=PUBLISHERS).permissions.clear()

    call_command("migrate", verbosity=0)

    assert held_permissions(VIEWERS) == expected_permissions(VIEWERS)
    assert held_permissions(PUBLISHERS) == expected_permissions(PUBLISHERS)


# Deleting, with a reason -------------------------------------------------------------------------


def test_deleting_without_a_reason_shows_the_confirmation_again_and_deletes_nothing():
    client, _ = signed_in("publisher")
    incident = Incident.objects.get(code=NUJABA)
    claim = incident.claims.order_by("pk").first()
    changes_before = Change.objects.count()

    for path in [
        f"/admin/claims/incident/{incident.pk}/delete/",
        f"/admin/claims/claim/{claim.pk}/delete/",
    ]:
        response = client.post(path, {"post": "yes"})
        assert response.status_code == 200, path
        assert response.context["reason_form"].errors["deletion_reason"]
        assert "This field is required." in response.text
        assert 'name="deletion_reason"' in response.text

    assert Incident.objects.filter(pk=incident.pk).exists()
    assert Claim.objects.filter(pk=claim.pk).exists()
    assert Change.objects.count() == changes_before


def test_deleting_a_published_incident_keeps_the_reason_in_its_history_and_the_changes_feed():
    client, publisher = signed_in("publisher", username="pat.publisher")
    incident = Incident.objects.get(code=TOWER_22)
    claim_ids = set(incident.claims.values_list("pk", flat=True))
    incident_citation_ids = set(incident.citations.values_list("pk", flat=True))
    claim_citation_ids = set(
        ClaimCitation.objects.filter(claim__incident=incident).values_list("pk", flat=True)
    )
    assert claim_ids and incident_citation_ids and claim_citation_ids
    reason = "A duplicate of another incident, merged there"

    response = client.post(
        f"/admin/claims/incident/{incident.pk}/delete/",
        {"post": "yes", "deletion_reason": reason},
    )

    assert response.status_code == 302
    assert not Incident.objects.filter(pk=incident.pk).exists()
    assert not Claim.objects.filter(pk__in=claim_ids).exists()
    assert not IncidentCitation.objects.filter(pk__in=incident_citation_ids).exists()
    assert not ClaimCitation.objects.filter(pk__in=claim_citation_ids).exists()

    record = Incident.history.filter(id=incident.pk).latest()
    assert record.history_type == "-"
    assert record.history_change_reason == reason
    assert record.history_user == publisher

    change = Change.objects.get(action="deleted", model="claims.incident", record_id=incident.pk)
    assert change.reason == reason
    assert change.user == publisher
    assert change.public
    assert change.incident_code == TOWER_22

    # The claims and citations deleted with it say why.
    cascaded = [
        ("claims.claim", claim_ids),
        ("claims.incidentcitation", incident_citation_ids),
        ("claims.claimcitation", claim_citation_ids),
    ]
    for model, ids in cascaded:
        rows = Change.objects.filter(action="deleted", model=model, record_id__in=ids)
        assert {row.record_id for row in rows} == ids, model
        assert all(reason in row.reason for row in rows), [row.reason for row in rows]
    for claim_id in claim_ids:
        claim_record = Claim.history.filter(id=claim_id).latest()
        assert claim_record.history_type == "-"
        assert reason in claim_record.history_change_reason

    # Researchers see the deletion and its reason, without the publisher's name.
    public = Client()
    changes_page = public.get("/changes/")
    assert changes_page.status_code == 200
    assert reason in changes_page.text
    assert "pat.publisher" not in changes_page.text
    feed = public.get("/changes/feed/").content.decode()
    assert reason in feed
    assert "pat.publisher" not in feed
    today = timezone.now().date().isoformat()
    rows = export_rows(public, since=today)
    deleted = [r for r in rows if r["action"] == "deleted" and r["record_type"] == "incident"]
    assert [(r["record_id"], r["incident_code"], r["reason"]) for r in deleted] == [
        (str(incident.pk), TOWER_22, reason)
    ]


def test_a_publisher_deletes_an_incident_whose_claim_was_corrected():
    # Harir's first claim was superseded by a correction; deleting the incident takes both.
    client, _ = signed_in("publisher")
    incident = Incident.objects.get(code=HARIR)
    claim_ids = set(incident.claims.values_list("pk", flat=True))
    assert Claim.objects.filter(incident=incident, supersedes__isnull=False).exists()
    path = f"/admin/claims/incident/{incident.pk}/delete/"

    response = client.post(path, {"post": "yes", "deletion_reason": "entered twice"})

    assert response.status_code == 302, response.context["protected"]
    assert not Incident.objects.filter(pk=incident.pk).exists()
    assert not Claim.objects.filter(pk__in=claim_ids).exists()


def test_deleting_a_correction_makes_the_claim_it_superseded_current_again():
    client, _ = signed_in("publisher")
    correction = Claim.objects.get(incident__code=HARIR, supersedes__isnull=False)
    original = correction.supersedes
    reason = "the correction was a mistake"

    response = client.post(
        f"/admin/claims/claim/{correction.pk}/delete/", {"post": "yes", "deletion_reason": reason}
    )

    assert response.status_code == 302
    assert not Claim.objects.filter(pk=correction.pk).exists()
    original.refresh_from_db()
    assert original.status == "current"
    assert reason in original.history.latest().history_change_reason
    record = Claim.history.filter(id=correction.pk).latest()
    assert (record.history_type, record.history_change_reason) == ("-", reason)


# No bulk deletion --------------------------------------------------------------------------------


def offered_actions(response):
    action_form = response.context["action_form"]
    if action_form is None:
        return []
    return [value for value, _ in action_form.fields["action"].choices if value]


@pytest.mark.parametrize("who", ["viewer", "editor", "publisher"])
def test_no_changelist_offers_deletion_in_bulk(who):
    client, _ = signed_in(who)
    for path in ["/admin/claims/claim/", "/admin/claims/incident/", "/admin/sources/source/"]:
        response = client.get(path)
        assert response.status_code == 200
        assert "delete_selected" not in offered_actions(response), path
        assert 'value="delete_selected"' not in response.text, path


@pytest.mark.parametrize("who", ["viewer", "editor", "publisher"])
def test_the_incident_changelist_offers_publishing_in_bulk_to_publishers_only(who):
    # The control for the test above: the changelist does show the actions a role may take.
    client, _ = signed_in(who)
    response = client.get("/admin/claims/incident/")
    can_publish = who in ALLOWED["publish"]
    assert ("publish_selected" in offered_actions(response)) is can_publish
    assert ('value="publish_selected"' in response.text) is can_publish


# The add_to_role command -------------------------------------------------------------------------


def add_to_role(*args):
    out = io.StringIO()
    call_command("add_to_role", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("role", sorted(ROLES))
def test_add_to_role_puts_an_existing_user_in_the_role_and_makes_them_staff(role):
    user = get_user_model().objects.create_user("dana")
    assert not user.is_staff

    output = add_to_role("dana", role)

    user.refresh_from_db()
    assert user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == [ROLES[role]]
    assert f"dana is now in {ROLES[role]}" in output
    client = Client()
    client.force_login(user)
    assert client.get("/admin/claims/incident/").status_code == 200


def test_add_to_role_creates_a_missing_user_with_create():
    output = add_to_role("newcomer", "editor", "--create")

    user = get_user_model().objects.get(username="newcomer")
    assert user.is_staff
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [EDITORS]
    assert "changepassword newcomer" in output


def test_add_to_role_refuses_an_unknown_user_without_create():
    with pytest.raises(CommandError, match="add --create"):
        add_to_role("nobody", "publisher")
    assert not get_user_model().objects.filter(username="nobody").exists()


def test_add_to_role_refuses_an_unknown_role():
    get_user_model().objects.create_user("dana")
    with pytest.raises(CommandError):
        add_to_role("dana", "admin")
    assert not get_user_model().objects.get(username="dana").groups.exists()


def test_add_to_role_with_remove_takes_the_user_out_of_that_role_only():
    user = get_user_model().objects.create_user("dana")
    add_to_role("dana", "viewer")
    add_to_role("dana", "publisher")

    output = add_to_role("dana", "publisher", "--remove")

    assert list(user.groups.values_list("name", flat=True)) == [VIEWERS]
    assert f"dana is no longer in {PUBLISHERS}" in output
    assert not user.has_perm("claims.delete_incident")
    client = Client()
    client.force_login(user)
    incident = Incident.objects.get(code=NUJABA)
    assert client.get(f"/admin/claims/incident/{incident.pk}/delete/").status_code == 403


# Drafts ------------------------------------------------------------------------------------------


def test_a_signed_in_viewer_sees_a_draft_incident_that_the_public_cannot():
    incident = Incident.objects.get(code=NUJABA)
    path = f"/incidents/{NUJABA}/"
    assert Client().get(path).status_code == 200  # published: everyone sees it
    incident.status = PublicationStatus.DRAFT
    incident.save()

    viewer_client, _ = signed_in("viewer")
    response = viewer_client.get(path)

    assert response.status_code == 200
    assert incident.title in response.text
    assert Client().get(path).status_code == 404
