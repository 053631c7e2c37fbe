"""Nothing an editor enters is public before a publisher publishes it.

An editor adds, through the admin, a group (with an alias, a channel, an affiliation and a
citation), a location and a source for a draft incident. None of them appears on any public
endpoint (lists, counts, search, filter choices, profile pages, exports, JSON, the change log and
its feed) until a publisher publishes the incident that uses them (or them directly); staff see
them all along. Editors' changes to published incidents cannot bring a draft along; a
publisher's do, publishing it.
"""

import csv
import io
import re
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from changes.models import Change
from claims.models import Claim, Incident, Location
from exchange.importer import import_rows
from groups.models import Brand, Group
from groups.search import match_actors
from kb.visibility import PublicationStatus
from sources.models import Source
from tests.helpers import signed_in
from tests.test_admin import form_errors, resubmit
from tests.test_changes import claim_url, incident_url, status_action
from tests.test_strict_query import ENDPOINTS

pytestmark = pytest.mark.django_db

GROUP, ALIAS, CHANNEL = "Zarvoth Brigade", "Zarvothiyun", "Zarvoth Media"
PLACE, SOURCE, CODE = "Qelmora Outpost", "Vantrel dispatch", "2024-05-02-qelmora-rocket"
TOKENS = ["Zarvoth", "Qelmora", "Vantrel", "zarvoth-brigade", "qelmora-outpost", "vantrel"]
IRI = "islamic-resistance-in-iraq"


def add(client, address, **fields):
    """Submit an admin add form as rendered, with the fields; it must be saved."""
    page = client.get(address)
    response = client.post(address, resubmit(page, **fields))
    assert response.status_code == 302, form_errors(response)


@pytest.fixture
def editor_entries(db):
    """What an editor enters for a new incident, all through the admin."""
    _, editor = signed_in("zed")
    add(editor, "/admin/sources/source/add/", title=SOURCE, url="https://example.org/vantrel")
    source = Source.objects.get(title=SOURCE)
    add(
        editor,
        "/admin/groups/group/add/",
        name=GROUP,
        slug="zarvoth-brigade",
        **{
            "aliases-TOTAL_FORMS": "1",
            "aliases-0-name": ALIAS,
            "aliases-0-kind": "transliteration",
            "citations-TOTAL_FORMS": "1",
            "citations-0-source": source.pk,
            "citations-0-credibility": "2",
            "affiliations-TOTAL_FORMS": "1",
            "affiliations-0-brand": Brand.objects.get(slug=IRI).pk,
            "affiliations-0-status": "suspected",
        },
    )
    group = Group.objects.get(slug="zarvoth-brigade")
    add(
        editor,
        "/admin/groups/channel/add/",
        name=CHANNEL,
        platform="telegram",
        operated_by_group=group.pk,
    )
    add(
        editor,
        "/admin/claims/location/add/",
        name=PLACE,
        slug="qelmora-outpost",
        kind="military_base",
        country="IQ",
        latitude="33.1",
        longitude="43.2",
        **{
            "citations-TOTAL_FORMS": "1",
            "citations-0-source": source.pk,
            "citations-0-credibility": "2",
        },
    )
    location = Location.objects.get(slug="qelmora-outpost")
    add(
        editor,
        "/admin/claims/incident/add/",
        code=CODE,
        title="Rocket strike on an outpost",
        date="2024-05-02",
        country="IQ",
        location=location.pk,
        **{
            "citations-TOTAL_FORMS": "1",
            "citations-0-source": source.pk,
            "citations-0-credibility": "2",
            "claims-TOTAL_FORMS": "1",
            "claims-0-kind": "responsibility",
            "claims-0-group": group.pk,
            "claims-0-medium": "statement",
        },
    )
    incident = Incident.objects.get(code=CODE)
    claim = incident.claims.get()
    page = editor.get(claim_url(claim))
    editor.post(
        claim_url(claim),
        resubmit(
            page,
            change_reason="source",
            **{
                "citations-TOTAL_FORMS": "1",
                "citations-0-source": source.pk,
                "citations-0-credibility": "2",
            },
        ),
    )
    assert claim.citations.exists()
    return {"group": group, "location": location, "source": source, "incident": incident}


def public_urls(entries):
    """Every public endpoint, and the ones a reader would try to reach the entries by."""
    group, location, source = entries["group"], entries["location"], entries["source"]
    return [
        *ENDPOINTS,
        "/groups/?per_page=200",
        "/locations/?per_page=200",
        "/sources/?per_page=200",
        "/changes/?per_page=200",
        "/changes/export.csv",
        "/incidents/?per_page=200",
        f"/brands/{IRI}/",
        "/brands/export.csv",
        "/affiliations/export.csv",
        *[f"/search/?q={token}" for token in ("Zarvoth", ALIAS, "Qelmora", "Vantrel")],
        *[f"/groups/?q={token}" for token in ("Zarvoth", ALIAS)],
        "/locations/?q=Qelmora",
        "/locations/suggest.json?q=Qelmora",
        "/sources/?q=Vantrel",
        "/incidents/?q=Zarvoth",
        "/claims/?q=Zarvoth",
        group.get_absolute_url(),
        location.get_absolute_url(),
        source.get_absolute_url(),
        f"/incidents/?group={group.slug}",
        f"/incidents/?location={location.slug}",
        f"/incidents/export.csv?group={group.slug}",
        f"/incidents/map.json?location={location.slug}",
    ]


def body(response) -> str:
    data = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if response["Content-Type"].startswith("application/zip"):
        # The dataset package: every file in it.
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return "\n".join(package.read(name).decode() for name in package.namelist())
    return data.decode()


def leaks(client, urls):
    """The tokens each answer shows, besides the query's own words echoed back."""
    found = []
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        text = body(response)
        for values in parse_qs(urlsplit(url).query).values():
            for value in values:
                text = re.sub(re.escape(value), "", text, flags=re.I)
        found += [f"{url}: {token}" for token in TOKENS if token.lower() in text.lower()]
    return found


def test_a_draft_only_group_location_and_source_appear_on_no_public_endpoint(editor_entries):
    urls = public_urls(editor_entries)
    assert leaks(Client(), urls) == []
    # Staff see them, so the check above would see a leak.
    _, staff = signed_in("viewer-on-duty")
    assert {token for line in leaks(staff, urls) for token in TOKENS if token in line} == set(
        TOKENS
    )


def test_their_own_pages_and_filters_answer_as_if_they_did_not_exist(editor_entries, client):
    group, location = editor_entries["group"], editor_entries["location"]
    assert client.get(group.get_absolute_url()).status_code == 404
    assert client.get(location.get_absolute_url()).status_code == 404
    assert client.get(editor_entries["source"].get_absolute_url()).status_code == 404
    unknown = client.get("/incidents/", {"group": "no-such-group"})
    for params in ({"group": group.slug}, {"location": location.slug}):
        refused = client.get("/incidents/", params)
        assert refused.status_code == unknown.status_code == 400
        assert refused.context["filterset"].errors.keys() == params.keys()


def test_counts_do_not_count_them(editor_entries, client):
    counts = client.get("/").context["counts"]
    assert counts["groups"] == Group.objects.published().count() == 10
    assert counts["brands"] == 1
    assert counts["sources"] == Source.objects.exclude(title=SOURCE).count()
    _, staff = signed_in("counter")

    def members(viewer):
        return viewer.get("/brands/").context["table"].page.object_list[0].record.member_count

    assert members(client) == members(staff) - 1  # the draft group's affiliation


def test_their_change_log_entries_stay_private_until_published(editor_entries, pub, client):
    added = (
        Change.objects.filter(label__icontains="Zarvoth", action="added")
        | Change.objects.filter(label__icontains="Vantrel")
        | Change.objects.filter(label__icontains="Qelmora")
    )
    assert added.exists() and not added.filter(public=True).exists()
    assert status_action(pub, editor_entries["incident"], "publish").status_code == 302
    published = Change.objects.filter(action="published", public=True)
    assert {c.model for c in published} >= {
        "claims.incident",
        "claims.location",
        "groups.group",
        "sources.source",
    }
    feed = client.get("/changes/feed/").content.decode()
    assert "Zarvoth Brigade" in feed and "Qelmora" in feed
    # What was done while they were drafts stays private.
    assert not Change.objects.filter(model="groups.alias", public=True, label=ALIAS).exists()


def test_publishing_the_incident_publishes_what_it_uses_and_lists_it_first(
    editor_entries, pub, client
):
    incident = editor_entries["incident"]
    page = pub.get(incident_url(incident, "publish"))
    listed = page.context["with_it"]
    assert {label for label, _ in listed} >= {GROUP, f"{PLACE} (IQ)", SOURCE}
    assert status_action(pub, incident, "publish").status_code == 302
    for record in ("group", "location", "source"):
        editor_entries[record].refresh_from_db()
        assert editor_entries[record].status == PublicationStatus.PUBLISHED, record
    # Now they are public, aliases, channel and affiliation with them.
    assert client.get(editor_entries["group"].get_absolute_url()).status_code == 200
    text = client.get(editor_entries["group"].get_absolute_url()).text
    assert ALIAS in text and CHANNEL in text and "Islamic Resistance in Iraq" in text
    assert client.get(editor_entries["location"].get_absolute_url()).status_code == 200
    assert SOURCE in client.get("/sources/", {"q": "Vantrel"}).text
    assert "Zarvoth" in client.get("/search/", {"q": ALIAS}).text


def test_a_publisher_publishes_a_group_directly_and_an_editor_may_not(editor_entries, client):
    group = editor_entries["group"]
    _, editor = signed_in("ed2")
    assert editor.get(f"/admin/groups/group/{group.pk}/publish/").status_code == 403
    _, publisher = signed_in("pat", role="Publishers")
    url = f"/admin/groups/group/{group.pk}/publish/"
    page = publisher.get(url)
    assert SOURCE in [label for label, _ in page.context["with_it"]]
    version = page.context["form"]["version"].value()
    assert publisher.post(url, {"reason": "", "version": version}).status_code == 302
    group.refresh_from_db()
    assert group.is_published
    assert Source.objects.get(title=SOURCE).is_published  # the source its page cites
    assert client.get(group.get_absolute_url()).status_code == 200
    assert not Incident.objects.get(code=CODE).is_published  # the incident stays a draft


def test_a_group_a_published_incident_uses_cannot_be_unpublished(pub):
    kh = Group.objects.get(slug="kataib-hezbollah")
    page = pub.get(f"/admin/groups/group/{kh.pk}/unpublish/")
    assert page.status_code == 200
    assert any("uses it" in problem for problem in page.context["problems"])
    assert b'value="Unpublish"' not in page.content  # no form is offered


def test_an_unused_group_can_be_unpublished_and_leaves_the_public_site(pub, client):
    lonely = Group.objects.exclude(claims__isnull=False).exclude(attributions_made__isnull=False)[0]
    url = f"/admin/groups/group/{lonely.pk}/unpublish/"
    version = pub.get(url).context["form"]["version"].value()
    assert pub.post(url, {"reason": "entered by mistake", "version": version}).status_code == 302
    assert client.get(lonely.get_absolute_url()).status_code == 404
    entry = Change.objects.get(model="groups.group", record_id=lonely.pk, action="unpublished")
    assert entry.public and entry.reason == "unpublished: entered by mistake"


def published_claim():
    return Claim.objects.filter(
        incident__status="published", supersedes__isnull=True, superseded_by__isnull=True
    ).first()


def test_an_editor_cannot_name_a_draft_group_on_a_published_incident(editor_entries):
    _, editor = signed_in("ed3")
    claim = published_claim()
    page = editor.get(claim_url(claim))
    data = resubmit(page, group=editor_entries["group"].pk, change_reason="regrouped")
    response = editor.post(claim_url(claim), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["group"]
    assert "is a draft" in errors[0] and GROUP in errors[0]
    claim.refresh_from_db()
    assert claim.group != editor_entries["group"]


def test_a_publisher_naming_a_draft_group_on_a_published_incident_publishes_it(
    editor_entries, pub, client
):
    claim = published_claim()
    page = pub.get(claim_url(claim))
    data = resubmit(page, group=editor_entries["group"].pk, change_reason="regrouped")
    assert pub.post(claim_url(claim), data).status_code == 302
    editor_entries["group"].refresh_from_db()
    assert editor_entries["group"].is_published
    assert client.get(editor_entries["group"].get_absolute_url()).status_code == 200


def test_an_editor_cannot_cite_a_draft_source_on_a_published_incident(editor_entries):
    _, editor = signed_in("ed4")
    incident = Incident.objects.published().first()
    page = editor.get(incident_url(incident))
    n = int(page.context["inline_admin_formsets"][0].formset.management_form["TOTAL_FORMS"].value())
    data = resubmit(
        page,
        change_reason="one more source",
        **{
            "citations-TOTAL_FORMS": str(n + 1),
            f"citations-{n}-source": editor_entries["source"].pk,
            f"citations-{n}-credibility": "2",
        },
    )
    response = editor.post(incident_url(incident), data)
    assert response.status_code == 200
    citations = response.context["inline_admin_formsets"][0].formset
    assert "is a draft" in str(citations.errors)
    assert not incident.citations.filter(source=editor_entries["source"]).exists()


def test_an_editor_cannot_move_a_draft_s_claim_onto_a_published_incident(editor_entries):
    _, editor = signed_in("ed5")
    claim = editor_entries["incident"].claims.get()
    target = Incident.objects.published().first()
    page = editor.get(claim_url(claim))
    data = resubmit(page, incident=target.pk, change_reason="belongs there")
    response = editor.post(claim_url(claim), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Only a publisher can move a claim" in errors["incident"][0]
    claim.refresh_from_db()
    assert claim.incident == editor_entries["incident"]


def test_an_import_of_a_published_incident_publishes_the_draft_location_it_uses(db):
    location = Location.objects.create(
        name=PLACE, slug="qelmora-outpost", kind="military_base", country="IQ"
    )
    source = Source.objects.get(pk=1)
    text = (
        "code,title,date,date_precision,country,location,status,source_ids\n"
        f"{CODE},Imported,2024-05-02,day,IQ,qelmora-outpost,published,{source.pk}\n"
    )
    result = import_rows("incidents", csv.DictReader(io.StringIO(text)), "test import")
    assert result.errors == []
    location.refresh_from_db()
    assert location.is_published


def test_alias_matching_for_the_public_ignores_draft_groups(editor_entries):
    assert not match_actors(ALIAS)
    staff, _ = signed_in("searcher")
    assert match_actors(ALIAS, user=staff).group_ids == {editor_entries["group"].pk}


def test_an_import_cannot_unpublish_a_group_a_published_incident_uses():
    text = "slug,status\nkataib-hezbollah,draft\n"
    result = import_rows("groups", csv.DictReader(io.StringIO(text)), "test import")
    assert [(row, column) for row, column, _ in result.errors] == [(2, "status")]
    assert "Cannot unpublish: the published incident" in result.errors[0][2]
    assert Group.objects.get(slug="kataib-hezbollah").is_published


def test_the_migration_keeps_what_was_public_and_hides_what_only_drafts_use(editor_entries):
    """Records that existed before publication statuses: published, unless only drafts use
    them; the change log's entries about those become private."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("claims.migrations.0007_publish_existing_records")
    for model in (Group, Brand, Location, Source):
        model.objects.update(status=PublicationStatus.DRAFT)  # as the new column starts
    about_them = Change.objects.filter(label__icontains="Zarvoth", model__startswith="groups.")
    about_them.update(public=True)
    migration.publish_existing(apps, None)
    assert not Group.objects.filter(status="draft").exclude(slug="zarvoth-brigade").exists()
    assert Brand.objects.filter(status="draft").count() == 0
    assert list(Location.objects.drafts().values_list("slug", flat=True)) == ["qelmora-outpost"]
    assert list(Source.objects.drafts().values_list("title", flat=True)) == [SOURCE]
    assert about_them.exists() and not about_them.filter(public=True).exists()
