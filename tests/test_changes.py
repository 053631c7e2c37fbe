"""Publishing and the change log, through HTTP: drafts are published only once every fact is
sourced; changes to drafts stay private while publication, unpublishing and later changes are
public on /changes/, its feed, its CSV export and each incident's history page; the log can be
rebuilt from the history tables."""

import csv
import datetime
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from changes.models import Change
from claims.models import Claim, ClaimStatus, Incident, PublicationStatus
from exchange.formats import SEPARATOR
from groups.models import Group
from sources.models import Source
from tests.conftest import PUBLISHER
from tests.test_admin import form_errors, resubmit

pytestmark = pytest.mark.django_db

NAME = PUBLISHER
TOWER_22 = "2024-01-28-tower-22-drone"
ATOM = "{http://www.w3.org/2005/Atom}"


# --- Helpers --------------------------------------------------------------------------------------


def incident_url(incident, view="change"):
    return f"/admin/claims/incident/{incident.pk}/{view}/"


def claim_url(claim, view="change"):
    return f"/admin/claims/claim/{claim.pk}/{view}/"


def save(client, url, **changes):
    """Submit an admin add or change form as rendered, with `changes`; it must be saved."""
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, resubmit(page, **changes))
    assert response.status_code == 302, form_errors(response)
    return response


def add_draft(client, code, *, source=None, claims=1):
    """An incident added through the admin, citing `source` if given, with `claims` claims of
    responsibility (added in the incident's claim inline, so citing nothing)."""
    kh = Group.objects.get(slug="kataib-hezbollah")
    data = {
        "code": code,
        "title": f"Rocket strike {code}",
        "date": "2024-05-01",
        "country": "IQ",
        "claims-TOTAL_FORMS": str(claims),
    }
    if source is not None:
        data |= {
            "citations-TOTAL_FORMS": "1",
            "citations-0-source": source.pk,
            "citations-0-credibility": "2",
        }
    for i in range(claims):
        data |= {
            f"claims-{i}-kind": "responsibility",
            f"claims-{i}-group": kh.pk,
            f"claims-{i}-medium": "statement",
        }
    save(client, "/admin/claims/incident/add/", **data)
    return Incident.objects.get(code=code)


def cite(client, url, source, reason="cited the source"):
    """Add a citation of `source` on an incident's or a claim's change page."""
    page = client.get(url)
    citations = page.context["inline_admin_formsets"][0].formset
    assert citations.prefix == "citations"
    n = int(citations.management_form["TOTAL_FORMS"].value())
    data = resubmit(
        page,
        change_reason=reason,
        **{
            "citations-TOTAL_FORMS": str(n + 1),
            f"citations-{n}-source": source.pk,
            f"citations-{n}-credibility": "2",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)


def cite_everything(client, incident, source):
    if not incident.citations.exists():
        cite(client, incident_url(incident), source)
    for claim in incident.claims.all():
        cite(client, claim_url(claim), source)


def status_action(client, incident, verb, reason=""):
    """POST the publish or unpublish page as a publisher would, with the version it shows."""
    url = incident_url(incident, verb)
    page = client.get(url)
    assert page.status_code == 200
    version = page.context["form"]["version"].value()
    return client.post(url, {"reason": reason, "version": version})


def delete_claim(client, claim, reason):
    response = client.post(claim_url(claim, "delete"), {"post": "yes", "deletion_reason": reason})
    assert response.status_code == 302
    assert not Claim.objects.filter(pk=claim.pk).exists()


def deletable_claim(*exclude_codes):
    """A sourced claim of a published incident that no correction links to."""
    return (
        Claim.objects.filter(
            incident__status=PublicationStatus.PUBLISHED,
            supersedes__isnull=True,
            superseded_by__isnull=True,
            citations__isnull=False,
        )
        .exclude(incident__code__in=exclude_codes)
        .order_by("pk")
        .first()
    )


def listed(client, **params):
    """The /changes/ response and every row it selects (all pages)."""
    response = client.get("/changes/", params)
    return response, list(response.context["table"].data)


def export(client, **params):
    response = client.get("/changes/export.csv", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return b"".join(response.streaming_content).decode("utf-8-sig")


def export_rows(client, **params):
    return list(csv.DictReader(io.StringIO(export(client, **params))))


def feed(client):
    response = client.get("/changes/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return response.content.decode(), ET.fromstring(response.content)


def history_changes(response):
    """The changes an incident's history page lists, newest first (additions saved together
    form one entry)."""
    return [change for entry in response.context["entries"] for change in entry.changes]


def change_id(entry_id):
    """The change an Atom entry id (tag:incident-claims-kb,<year>:change:<model>:<history id>)
    stands for: the id names the history row, so that it survives a rebuild of the log."""
    prefix, _, key = entry_id.rpartition(":change:")
    assert prefix.startswith("tag:incident-claims-kb,")
    model, _, history_id = key.rpartition(":")
    return Change.objects.get(model=model, history_id=int(history_id)).pk


def today():
    return timezone.now().date()


def with_citations(n):
    return (
        Incident.objects.published()
        .annotate(n=Count("citations"))
        .filter(n=n)
        .order_by("code")
        .first()
    )


# --- Publishing rules -----------------------------------------------------------------------------


def test_an_incident_added_in_the_admin_is_a_draft_seen_only_by_staff(pub, client):
    draft = add_draft(pub, "2024-05-01-draft-rule", source=Source.objects.first())
    assert draft.status == PublicationStatus.DRAFT
    assert client.get(f"/incidents/{draft.code}/").status_code == 404
    assert pub.get(f"/incidents/{draft.code}/").status_code == 200


def test_publishing_is_refused_until_the_incident_and_each_of_its_claims_cite_a_source(pub):
    draft = add_draft(pub, "2024-05-01-unsourced", claims=2)
    first, second = draft.claims.order_by("pk")
    source = Source.objects.first()

    def refused(*expected):
        response = status_action(pub, draft, "publish")
        assert response.status_code == 200
        assert response.context["problems"] == list(expected)
        for problem in expected:
            assert escape(problem) in response.text
        draft.refresh_from_db()
        assert draft.status == PublicationStatus.DRAFT
        assert not Change.objects.filter(incident_code=draft.code, action="published").exists()

    incident_problem = "The incident cites no source."
    refused(
        incident_problem,
        f"Claim #{first.pk} ({first}) cites no source.",
        f"Claim #{second.pk} ({second}) cites no source.",
    )
    cite(pub, incident_url(draft), source)
    refused(
        f"Claim #{first.pk} ({first}) cites no source.",
        f"Claim #{second.pk} ({second}) cites no source.",
    )
    cite(pub, claim_url(first), source)
    refused(f"Claim #{second.pk} ({second}) cites no source.")
    cite(pub, claim_url(second), source)

    response = status_action(pub, draft, "publish")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == PublicationStatus.PUBLISHED
    published = Change.objects.get(incident_code=draft.code, action="published")
    assert published.public
    assert published.reason == "published"
    assert published.user.username == NAME


def test_the_bulk_action_publishes_the_sourced_drafts_and_reports_the_others(pub):
    source = Source.objects.first()
    sourced = add_draft(pub, "2024-05-02-sourced", source=source)
    cite_everything(pub, sourced, source)
    unsourced = add_draft(pub, "2024-05-03-unsourced", claims=0)
    half = add_draft(pub, "2024-05-04-half-sourced", source=source)
    claim = half.claims.get()

    response = pub.post(
        "/admin/claims/incident/",
        {
            "action": "publish_selected",
            "index": "0",
            "_selected_action": [sourced.pk, unsourced.pk, half.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert f"Published 1: {sourced.code}." in messages
    assert f"Not published, {unsourced.code}: The incident cites no source." in messages
    assert f"Not published, {half.code}: Claim #{claim.pk} ({claim}) cites no source." in messages
    statuses = dict(
        Incident.objects.filter(pk__in=[sourced.pk, unsourced.pk, half.pk]).values_list(
            "code", "status"
        )
    )
    assert statuses == {
        sourced.code: "published",
        unsourced.code: "draft",
        half.code: "draft",
    }
    published = Change.objects.filter(action="published")
    assert [(c.incident_code, c.public) for c in published] == [(sourced.code, True)]


def test_a_published_incident_keeps_its_last_cited_source(pub):
    incident = with_citations(2)
    url = incident_url(incident)
    # Removing one of two sources is fine...
    save(pub, url, **{"citations-0-DELETE": "on", "change_reason": "duplicate citation"})
    assert incident.citations.count() == 1

    # ...removing the last one is not.
    page = pub.get(url)
    data = resubmit(page, **{"citations-0-DELETE": "on", "change_reason": "no source left"})
    response = pub.post(url, data)
    assert response.status_code == 200
    citations = response.context["inline_admin_formsets"][0].formset
    message = "This incident is published: cite at least one source for it."
    assert any(message in error for error in citations.non_form_errors())
    assert message in response.text
    assert incident.citations.count() == 1
    assert not Change.objects.filter(reason="no source left").exists()


def test_a_claim_citing_no_source_cannot_be_added_to_a_published_incident(pub):
    kh = Group.objects.get(slug="kataib-hezbollah")
    published = Incident.objects.get(code=TOWER_22)
    draft = add_draft(pub, "2024-05-05-claims-later", claims=0)
    url = "/admin/claims/claim/add/"
    before = published.claims.count()

    response = pub.post(url, resubmit(pub.get(url), incident=published.pk, group=kh.pk))
    assert response.status_code == 200
    citations = response.context["inline_admin_formsets"][0].formset
    message = "This claim belongs to a published incident: cite at least one source for it."
    assert message in citations.non_form_errors()
    assert published.claims.count() == before

    # The same claim about a draft is saved: it only has to be sourced before publication.
    response = pub.post(url, resubmit(pub.get(url), incident=draft.pk, group=kh.pk))
    assert response.status_code == 302, form_errors(response)
    assert draft.claims.count() == 1


def test_the_incident_form_offers_a_new_claim_on_a_draft_only(pub):
    published = Incident.objects.get(code=TOWER_22)
    draft = add_draft(pub, "2024-05-06-inline", claims=0)

    def claims_inline(response):
        return next(
            f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "claims"
        )

    draft_page = pub.get(incident_url(draft))
    assert claims_inline(draft_page).has_add_permission
    assert "claims-__prefix__" in draft_page.text  # the empty form "Add another" copies

    page = pub.get(incident_url(published))
    assert not claims_inline(page).has_add_permission
    assert "claims-__prefix__" not in page.text

    # Nor does a hand-made submission add one.
    before = published.claims.count()
    n = int(claims_inline(page).formset.management_form["TOTAL_FORMS"].value())
    kh = Group.objects.get(slug="kataib-hezbollah")
    data = resubmit(
        page,
        change_reason="adding a claim",
        **{
            "claims-TOTAL_FORMS": str(n + 1),
            f"claims-{n}-kind": "responsibility",
            f"claims-{n}-group": kh.pk,
            f"claims-{n}-medium": "statement",
        },
    )
    response = pub.post(incident_url(published), data)
    assert response.status_code == 302, form_errors(response)
    assert published.claims.count() == before


# --- Visibility -----------------------------------------------------------------------------------


def test_changes_to_a_draft_are_hidden_from_the_public_and_marked_for_staff(pub, client):
    source = Source.objects.first()
    draft = add_draft(pub, "2024-05-07-hidden", source=source)
    cite(pub, claim_url(draft.claims.get()), source)
    save(pub, incident_url(draft), title="Hidden rocket strike", change_reason="retitled")
    mine = Change.objects.filter(incident_code=draft.code)
    assert {c.action for c in mine} == {"added", "changed"}
    assert mine.count() == 5  # incident, its citation, its claim, the claim's citation, the edit
    assert not mine.filter(public=True).exists()

    # The public sees none of it.
    response, rows = listed(client, incident=draft.code)
    assert response.status_code == 200
    assert rows == []
    assert not {c.pk for c in mine} & {c.pk for c in listed(client)[1]}
    text, _ = feed(client)
    assert draft.code not in text
    assert "Hidden rocket strike" not in text
    assert export_rows(client, incident=draft.code) == []
    assert client.get(f"/incidents/{draft.code}/history/").status_code == 404

    # Staff see every change, marked as a draft, with the editor's name.
    response, rows = listed(pub, incident=draft.code)
    assert {r.pk for r in rows} == {c.pk for c in mine}
    assert response.text.count('<span class="draft">draft</span>') == mine.count()
    assert NAME in response.text
    assert {r["change_id"] for r in export_rows(pub, incident=draft.code)} == {
        str(c.pk) for c in mine
    }
    history = pub.get(f"/incidents/{draft.code}/history/")
    assert history.status_code == 200
    assert [c.pk for c in history_changes(history)] == [c.pk for c in mine]
    assert "draft (visible to staff only)" in history.text
    assert history.text.count("not public") == len(history.context["entries"])


def test_publishing_is_public_but_what_was_done_to_the_draft_stays_private(pub, client):
    source = Source.objects.first()
    draft = add_draft(pub, "2024-05-08-going-public", source=source)
    cite_everything(pub, draft, source)
    drafting = set(Change.objects.filter(incident_code=draft.code).values_list("pk", flat=True))
    assert status_action(pub, draft, "publish", "checked twice").status_code == 302
    save(pub, incident_url(draft), killed_low="1", killed_high="1", change_reason="one dead")

    published = Change.objects.get(incident_code=draft.code, action="published")
    assert published.public
    assert published.reason == "published: checked twice"
    assert published.fields == [
        {"field": "status", "label": "publication status", "old": "draft", "new": "published"}
    ]
    history = client.get(f"/incidents/{draft.code}/history/")
    assert history.status_code == 200
    assert [c.action for c in history_changes(history)] == ["changed", "published"]
    _, rows = listed(client, incident=draft.code)
    assert [r.action for r in rows] == ["changed", "published"]
    staff_history = pub.get(f"/incidents/{draft.code}/history/")
    assert {c.pk for c in history_changes(staff_history)} > drafting


def test_unpublishing_is_announced_and_takes_the_incident_off_the_public_site(pub, client):
    incident = Incident.objects.get(code=TOWER_22)
    assert client.get(f"/incidents/{TOWER_22}/").status_code == 200
    response = status_action(pub, incident, "unpublish", "the only report was withdrawn")
    assert response.status_code == 302

    change = Change.objects.filter(incident_code=TOWER_22).first()
    assert change.action == "unpublished"
    assert change.public
    assert change.reason == "unpublished: the only report was withdrawn"
    assert client.get(f"/incidents/{TOWER_22}/").status_code == 404
    assert client.get(f"/incidents/{TOWER_22}/history/").status_code == 404
    _, rows = listed(client, action="unpublished")
    assert [r.pk for r in rows] == [change.pk]
    _, root = feed(client)
    ids = [entry.findtext(f"{ATOM}id") for entry in root.iter(f"{ATOM}entry")]
    assert change_id(ids[0]) == change.pk

    # Once it is a draft again, its changes are private again.
    save(pub, incident_url(incident), title="Tower 22, under review", change_reason="review")
    later = Change.objects.filter(incident_code=TOWER_22).first()
    assert later.action == "changed"
    assert not later.public


def test_the_history_page_shows_old_and_new_values_and_reasons_and_editors_only_to_staff(
    pub, client
):
    incident = Incident.objects.get(code=TOWER_22)
    old = incident.title
    save(pub, incident_url(incident), title="Tower 22 drone attack", change_reason="per CENTCOM")
    url = f"/incidents/{TOWER_22}/history/"

    public = client.get(url)
    assert public.status_code == 200
    newest = history_changes(public)[0]
    assert (newest.action, newest.reason) == ("changed", "per CENTCOM")
    assert f'<del dir="auto">{escape(old)}</del> → <ins dir="auto">Tower 22 drone attack</ins>' in (
        public.text
    )
    assert "Reason: per CENTCOM" in public.text
    assert NAME not in public.text

    staff = pub.get(url)
    assert f"by <bdi>{NAME}</bdi>" in staff.text
    assert "Reason: per CENTCOM" in staff.text


# --- The /changes/ page and its feed --------------------------------------------------------------


def test_the_change_list_is_newest_first(pub, client):
    source = Source.objects.order_by("pk").first()
    save(pub, f"/admin/sources/source/{source.pk}/change/", notes="re-read", change_reason="notes")
    response, rows = listed(client)
    assert response.status_code == 200
    assert rows[0] == Change.objects.get(model="sources.source", reason="notes")
    stamps = [(r.at, r.pk) for r in rows]
    assert stamps == sorted(stamps, reverse=True)
    shown = [row.record for row in response.context["table"].page.object_list]
    assert shown == rows[:25]


@pytest.mark.parametrize("time_zone", ["UTC", "Asia/Baghdad", "America/New_York"])
def test_since_and_until_are_whole_utc_days_both_included(client, settings, time_zone):
    settings.TIME_ZONE = time_zone
    utc = datetime.UTC
    moments = {
        "before": datetime.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=utc),
        "first": datetime.datetime(2024, 3, 1, 0, 0, tzinfo=utc),
        "last": datetime.datetime(2024, 3, 1, 23, 59, 59, 999999, tzinfo=utc),
        "after": datetime.datetime(2024, 3, 2, 0, 0, tzinfo=utc),
    }
    pks = {}
    for (name, moment), change in zip(moments.items(), Change.objects.public(), strict=False):
        Change.objects.filter(pk=change.pk).update(at=moment)
        pks[name] = change.pk

    def selected(**params):
        response, rows = listed(client, **params)
        assert response.status_code == 200
        return {name for name, pk in pks.items() if pk in {r.pk for r in rows}}

    assert selected(since="2024-03-01", until="2024-03-01") == {"first", "last"}
    assert selected(until="2024-03-01") == {"before", "first", "last"}
    assert selected(since="2024-03-02") == {"after"}
    assert selected(since="2024-02-29", until="2024-03-02") == set(pks)
    _, rows = listed(client, since="2024-03-02")
    assert len(rows) == Change.objects.public().count() - 3


def test_the_action_filter_takes_several_actions(pub, client):
    source = Source.objects.first()
    draft = add_draft(pub, "2024-05-09-filtered", source=source)
    cite_everything(pub, draft, source)
    status_action(pub, draft, "publish")
    status_action(pub, Incident.objects.get(code=TOWER_22), "unpublish", "withdrawn")
    _, rows = listed(client, action=["published", "unpublished"])
    assert [(r.action, r.incident_code) for r in rows] == [
        ("unpublished", TOWER_22),
        ("published", draft.code),
    ]
    _, rows = listed(client, action="published")
    assert [r.incident_code for r in rows] == [draft.code]


@pytest.mark.parametrize(
    ("record", "model"),
    [("claim", "claims.claim"), ("incident", "claims.incident"), ("source", "sources.source")],
)
def test_the_record_filter_selects_one_kind_of_record(client, record, model):
    response, rows = listed(client, record=record)
    assert response.status_code == 200
    assert rows
    assert {r.model for r in rows} == {model}
    assert len(rows) == Change.objects.public().filter(model=model).count()


def test_the_incident_filter_selects_the_changes_to_an_incident_its_claims_and_citations(client):
    response, rows = listed(client, incident=TOWER_22)
    assert response.status_code == 200
    expected = Change.objects.public().filter(incident_code=TOWER_22)
    assert {r.pk for r in rows} == set(expected.values_list("pk", flat=True))
    assert {r.model for r in rows} == {
        "claims.incident",
        "claims.incidentcitation",
        "claims.claim",
        "claims.claimcitation",
    }


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"since": "2024-13-01"}, "since"),
        ({"until": "01/03/2024"}, "until"),
        ({"action": "renamed"}, "action"),
        ({"action": ["changed", "renamed"]}, "action"),
        ({"record": "spaceship"}, "record"),
    ],
)
def test_an_invalid_filter_is_refused_with_its_error_and_no_rows(client, params, name):
    response = client.get("/changes/", params)
    assert response.status_code == 400
    assert name in response.context["filterset"].errors
    assert "Some parameters are not valid, so no rows are shown" in response.text
    assert f"<code>{name}</code>" in response.text
    assert response.context["table"].paginator.count == 0


def test_the_change_list_is_paginated(client):
    total = Change.objects.public().count()
    first = client.get("/changes/")
    second = client.get("/changes/", {"page": 2})
    assert first.status_code == second.status_code == 200
    page_one = list(first.context["table"].page.object_list)
    page_two = list(second.context["table"].page.object_list)
    assert len(page_one) == len(page_two) == 25
    everything = list(Change.objects.public().order_by("-at", "-pk")[:50])
    assert [r.record for r in page_one + page_two] == everything
    assert first.context["table"].paginator.num_pages == -(-total // 25)
    assert f"page 1 of {-(-total // 25)}" in first.text
    bigger = client.get("/changes/", {"per_page": 100, "page": 2})
    assert [r.record for r in bigger.context["table"].page.object_list] == list(
        Change.objects.public().order_by("-at", "-pk")[100:200]
    )
    beyond = client.get("/changes/", {"page": 10_000})
    assert beyond.status_code == 400
    assert "There is no page 10000" in beyond.text


def test_the_feed_is_atom_with_unique_ids_and_neither_drafts_nor_editors(pub, client):
    source = Source.objects.first()
    draft = add_draft(pub, "2024-05-10-not-in-feed", source=source)
    incident = Incident.objects.get(code=TOWER_22)
    save(pub, incident_url(incident), title="Tower 22 drone strike", change_reason="per DoD")

    text, root = feed(client)
    assert root.tag == f"{ATOM}feed"
    entries = list(root.iter(f"{ATOM}entry"))
    assert 0 < len(entries) <= 50
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == len(ids)
    for entry in entries:
        assert entry.findtext(f"{ATOM}title")
        assert entry.findtext(f"{ATOM}updated")
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/")
    newest = Change.objects.filter(incident_code=TOWER_22).first()
    assert change_id(ids[0]) == newest.pk
    summary = entries[0].findtext(f"{ATOM}summary")
    assert "Reason: per DoD" in summary
    assert "Tower 22 drone strike" in summary
    private = Change.objects.filter(public=False).values_list("pk", flat=True)
    assert private
    assert not set(private) & {change_id(i) for i in ids}
    assert draft.code not in text
    assert NAME not in text


def test_a_reason_with_a_control_character_does_not_break_the_feed(pub):
    # Pasted text can carry control characters; XML 1.0 cannot hold them.
    incident = Incident.objects.get(code=TOWER_22)
    save(pub, incident_url(incident), title="Tower 22", change_reason="per CENTCOM\x08 briefing")
    response = Client(raise_request_exception=False).get("/changes/feed/")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert "per CENTCOM" in root.find(f"{ATOM}entry").findtext(f"{ATOM}summary")


def test_the_feed_gives_editors_text_as_text_not_as_html(pub, client):
    incident = Incident.objects.get(code=TOWER_22)
    save(pub, incident_url(incident), title="Tower 22 <i>drone</i>", change_reason="per <b>x</b>")
    content, root = feed(client)
    summaries = list(root.iter(f"{ATOM}summary"))
    assert summaries
    assert {summary.get("type") for summary in summaries} == {"text"}
    newest = summaries[0].text
    # Literal characters once the XML is parsed: no markup, no entity a reader would decode again.
    assert "Reason: per <b>x</b>" in newest
    assert "→ Tower 22 <i>drone</i>" in newest
    assert "&lt;" not in newest
    assert 'type="html"' not in content


def test_moving_a_claim_out_of_a_draft_does_not_reveal_the_draft_to_the_public(pub, client):
    source = Source.objects.first()
    draft = add_draft(pub, "2024-05-11-secret-draft", source=source)
    claim = draft.claims.get()
    cite(pub, claim_url(claim), source)
    published = Incident.objects.get(code=TOWER_22)
    save(pub, claim_url(claim), incident=published.pk, change_reason="belongs to Tower 22")

    moved = Change.objects.filter(model="claims.claim", record_id=claim.pk).first()
    assert moved.public  # the claim is now part of a published incident: the move is news
    _, rows = listed(client, incident=TOWER_22)
    assert moved in rows
    for text in (client.get("/changes/").text, feed(client)[0], export(client, since=today())):
        assert draft.title not in text
        assert draft.code not in text


# --- The CSV export -------------------------------------------------------------------------------


def test_the_export_has_the_codebooks_columns(client):
    codebook = client.get("/codebook.csv")
    assert codebook.status_code == 200
    documented = [
        row["column"]
        for row in csv.DictReader(io.StringIO(codebook.content.decode()))
        if row["export"] == "changes"
    ]
    header = next(csv.reader(io.StringIO(export(client, since=today()))))
    assert documented
    assert header == documented


def test_the_export_since_today_gives_todays_public_changes_oldest_first(pub, client):
    day = today()
    last_before = Change.objects.latest("pk").pk
    changed = Incident.objects.get(code=TOWER_22)
    old_title, old_summary = changed.title, changed.summary
    save(
        pub,
        incident_url(changed),
        title="Tower 22 drone attack",
        summary="A drone struck Tower 22.",
        change_reason="per CENTCOM",
    )
    withdrawn = Incident.objects.published().exclude(code=TOWER_22).order_by("code").first()
    assert status_action(pub, withdrawn, "unpublish", "report withdrawn").status_code == 302
    claim = deletable_claim(TOWER_22, withdrawn.code)
    citations = claim.citations.count()
    delete_claim(pub, claim, "duplicate of another claim")

    rows = export_rows(client, since=day.isoformat())
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
    todays = Change.objects.public().filter(at__gte=start).order_by("at", "pk")
    assert [int(r["change_id"]) for r in rows] == [c.pk for c in todays]
    assert all(r["changed_at"].startswith(day.isoformat()) for r in rows)

    mine = [r for r in rows if int(r["change_id"]) > last_before]
    assert [r["action"] for r in mine] == ["changed", "unpublished"] + ["deleted"] * (citations + 1)
    ids = [int(r["change_id"]) for r in mine]
    assert ids == sorted(ids)
    assert [r["changed_at"] for r in mine] == sorted(r["changed_at"] for r in mine)

    edit, unpublished, *deletions = mine
    assert (edit["record_type"], edit["record_id"]) == ("incident", str(changed.pk))
    assert edit["incident_code"] == TOWER_22
    assert edit["fields"] == SEPARATOR.join(["summary", "title"])
    assert sorted(json.loads(edit["details"]), key=lambda d: d["field"]) == [
        {"field": "summary", "old": old_summary, "new": "A drone struck Tower 22."},
        {"field": "title", "old": old_title, "new": "Tower 22 drone attack"},
    ]
    assert edit["reason"] == "per CENTCOM"
    assert edit["permalink"] == f"http://testserver/incidents/{TOWER_22}/"
    assert client.get(edit["permalink"].removeprefix("http://testserver")).status_code == 200

    assert unpublished["incident_code"] == withdrawn.code
    assert json.loads(unpublished["details"]) == [
        {"field": "status", "old": "published", "new": "draft"}
    ]
    assert unpublished["reason"] == "unpublished: report withdrawn"

    *cascade, deleted = deletions
    assert (deleted["record_type"], deleted["record_id"]) == ("claim", str(claim.pk))
    assert deleted["incident_code"] == claim.incident.code
    assert deleted["reason"] == "duplicate of another claim"
    assert deleted["fields"] == deleted["details"] == ""
    assert {r["record_type"] for r in cascade} == {"claim citation"}
    assert {r["reason"] for r in cascade} == {f"deleted with {claim}: duplicate of another claim"}
    assert NAME not in export(client, since=day.isoformat())


def test_the_export_since_a_future_day_is_empty(client):
    tomorrow = today() + datetime.timedelta(days=1)
    text = export(client, since=tomorrow.isoformat())
    assert list(csv.reader(io.StringIO(text)))[1:] == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2024-02-30"}, "since:"),
        ({"since": "yesterday"}, "since:"),
        ({"until": "2024/03/01"}, "until:"),
        ({"action": "renamed"}, "action:"),
        ({"from": "2024-03-01"}, "from: Unknown parameter."),
    ],
)
def test_the_export_refuses_bad_parameters_in_plain_text(client, params, message):
    response = client.get("/changes/export.csv", params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert message in response.content.decode()


# --- Rebuilding the log ---------------------------------------------------------------------------


def make_history(client):
    """A few edits, a publication, an unpublishing and a deletion, through the admin."""
    source = Source.objects.first()
    save(client, incident_url(Incident.objects.get(code=TOWER_22)), title="T22", change_reason="a")
    claim = Claim.objects.filter(incident__code=TOWER_22, status=ClaimStatus.CURRENT).first()
    save(client, claim_url(claim), note="checked", change_reason="b")
    save(client, f"/admin/sources/source/{source.pk}/change/", notes="re-read", change_reason="c")
    draft = add_draft(client, "2024-05-12-rebuilt", source=source)
    cite_everything(client, draft, source)
    assert status_action(client, draft, "publish").status_code == 302
    withdrawn = Incident.objects.published().exclude(code=TOWER_22).order_by("code").first()
    assert status_action(client, withdrawn, "unpublish", "withdrawn").status_code == 302
    save(client, incident_url(withdrawn), title="Under review", change_reason="d")
    delete_claim(client, deletable_claim(TOWER_22, withdrawn.code), "duplicate")


def log():
    return {
        (
            c.model,
            c.history_id,
            c.action,
            c.public,
            json.dumps(c.fields),
            c.reason,
            c.at,
            c.record_id,
            c.incident_code,
            c.user_id,
            c.page,
            c.label,
        )
        for c in Change.objects.all()
    }


def test_rebuilding_regenerates_the_same_log(pub):
    make_history(pub)
    before = log()
    assert {action for _, _, action, *_ in before} >= {
        "added",
        "changed",
        "published",
        "unpublished",
        "deleted",
    }
    assert any(not public for _, _, _, public, *_ in before)
    call_command("rebuild_changes", stdout=io.StringIO())
    assert log() == before


def test_rebuilding_keeps_later_changes_with_larger_change_ids(pub):
    # The codebook: "change_id: Stable identifier of the change; later changes have larger ones."
    started = timezone.now()
    make_history(pub)
    mine = Change.objects.filter(at__gte=started)
    in_time_order = list(mine.order_by("at", "pk").values_list("model", "reason"))
    assert list(mine.order_by("pk").values_list("model", "reason")) == in_time_order
    call_command("rebuild_changes", stdout=io.StringIO())
    assert list(mine.order_by("pk").values_list("model", "reason")) == in_time_order


def test_rebuilding_keeps_each_changes_id(pub):
    # Feed readers and copies kept up to date by change_id recognise changes by their id.
    make_history(pub)
    ids = {(c.model, c.history_id): c.pk for c in Change.objects.all()}
    call_command("rebuild_changes", stdout=io.StringIO())
    assert {(c.model, c.history_id): c.pk for c in Change.objects.all()} == ids


def test_rebuilding_keeps_a_moved_claims_draft_citations_private(pub):
    source = Source.objects.first()
    draft = add_draft(pub, "2024-05-13-moved-out", source=source)
    claim = draft.claims.get()
    cite(pub, claim_url(claim), source, reason="cited while a draft")
    published = Incident.objects.get(code=TOWER_22)
    save(pub, claim_url(claim), incident=published.pk, change_reason="belongs to Tower 22")
    drafted = Change.objects.get(model="claims.claimcitation", reason="cited while a draft")
    assert (drafted.public, drafted.incident_code) == (False, draft.code)

    call_command("rebuild_changes", stdout=io.StringIO())
    rebuilt = Change.objects.get(model="claims.claimcitation", reason="cited while a draft")
    assert (rebuilt.public, rebuilt.incident_code) == (False, draft.code)
