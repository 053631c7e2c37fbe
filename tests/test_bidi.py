"""Text people typed is bidi-isolated on every public page: a right-to-left override (U+202E) in
an editor's summary or a group's name reverses that text only, never the words around it.

Every user-facing text field of a new published incident, its location, claims, citations,
sources, groups, brand, aliases, affiliation, relations, channel and change log holds a marker
starting with U+202E. On every page type each text occurrence of a marker must sit inside a
`<bdi>` or an element with a `dir` attribute (dir="auto" for what people type; dir="rtl" on
Arabic names; all of them are isolated by HTML's rendering rules). The page's own `<html>`,
`<body>` and `<main>` do not count, so that a page-wide dir could not hide a missing one.

Exceptions, where bidi isolation does not apply:
- attribute values (href, title, aria-label, value, data-*): not laid out as text in the page;
- `<title>`: the browser shows it in its own UI, outside the page's layout;
- `<option>`: each option is laid out on its own line of the select list;
- `<script>`: JSON data for the timeline (json_script escapes non-ASCII characters anyway).

Fields that no public page shows as text (a channel's URL, alias and claim language codes,
shown only as `lang` attributes) hold no marker.
"""

import datetime
import re
from html.parser import HTMLParser

import pytest

from claims.models import (
    Claim,
    ClaimCitation,
    Incident,
    IncidentCitation,
    Location,
    LocationCitation,
)
from groups.models import (
    Affiliation,
    AffiliationCitation,
    Alias,
    Brand,
    BrandCitation,
    Channel,
    ChannelCitation,
    Group,
    GroupCitation,
    Relation,
    RelationCitation,
)
from sources.models import Source

pytestmark = pytest.mark.django_db

RLO = "\u202e"
WORD = "zephyrine"  # in every name, so that the search page finds them all
MARKER = re.compile(RLO + r"([a-z0-9_]+\.[a-z0-9_]+)")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
NOT_LAID_OUT = {"title", "option", "script", "textarea", "style"}
PAGE_WIDE = {"html", "body", "main"}


MARKED = set()  # every field the records below mark


def typed(field, word=True):
    """What an editor typed into `field`: the override first, then the field's name."""
    MARKED.add(field)
    return f"{RLO}{field} {WORD}" if word else f"{RLO}{field}"


def cite(model, source, **record):
    name = model.__name__.lower()
    return model.objects.create(
        source=source,
        quote=typed(f"{name}.quote"),
        locator=typed(f"{name}.locator"),
        credibility=2,
        **record,
    )


@pytest.fixture
def records():
    """A published incident with every kind of record around it, every text field marked."""
    newest = Incident.objects.order_by("-date").first().date + datetime.timedelta(days=1)
    source = Source.objects.create(
        status="published",
        title=typed("source.title"),
        url="https://example.org/" + typed("source.url", word=False),
        archive_url="https://archive.example.org/" + typed("source.archive_url", word=False),
        publisher=typed("source.publisher"),
        author=typed("source.author"),
        language=typed("source.language", word=False),
        notes=typed("source.notes"),
        published=newest,
        published_precision="day",
    )
    group = Group.objects.create(
        status="published",
        name=typed("group.name"),
        slug="zephyr-group",
        arabic_name=typed("group.arabic_name"),
        acronym=typed("group.acronym", word=False),
        description=typed("group.description"),
    )
    attributor = Group.objects.create(
        status="published", name=typed("attributor.name"), slug="zephyr-state"
    )
    brand = Brand.objects.create(
        status="published",
        name=typed("brand.name"),
        slug="zephyr-brand",
        arabic_name=typed("brand.arabic_name"),
        acronym=typed("brand.acronym", word=False),
        description=typed("brand.description"),
    )
    Alias.objects.create(group=group, name=typed("groupalias.name"), language="en")
    Alias.objects.create(brand=brand, name=typed("brandalias.name"), language="en")
    affiliation = Affiliation.objects.create(
        group=group,
        brand=brand,
        status="assessed",
        assessed_by=typed("affiliation.assessed_by"),
        note=typed("affiliation.note"),
    )
    to_group = Relation.objects.create(
        subject=attributor, kind="sponsors", object_group=group, note=typed("relation.note")
    )
    to_brand = Relation.objects.create(
        subject=group, kind="coordinates", object_brand=brand, note=typed("relation.note")
    )
    channel = Channel.objects.create(
        name=typed("channel.name"),
        platform="telegram",
        operated_by_brand=brand,
        description=typed("channel.description"),
    )
    location = Location.objects.create(
        status="published",
        name=typed("location.name"),
        slug="zephyr-site",
        arabic_name=typed("location.arabic_name"),
        alternate_names=typed("location.alternate_names"),
        kind="town",
        country="IQ",
        admin1=typed("location.admin1"),
        latitude=33.3,
        longitude=44.4,
        notes=typed("location.notes"),
    )
    incident = Incident(
        code="zephyr-incident",
        title=typed("incident.title"),
        date=newest,
        date_note=typed("incident.date_note"),
        location=location,
        country="IQ",
        admin1=typed("incident.admin1"),
        place=typed("incident.place"),
        facility=typed("incident.facility"),
        weapon="rocket",
        weapon_detail=typed("incident.weapon_detail"),
        target_detail=typed("incident.target_detail"),
        casualty_note=typed("incident.casualty_note"),
        summary="first version",
        status="published",
    )
    incident._change_reason = typed("change.reason")
    incident.save()
    claims = [
        Claim.objects.create(
            incident=incident,
            group=group,
            brand=brand,
            claimant_as_named=typed("claim.claimant_as_named"),
            channel=channel,
            channel_detail=typed("claim.channel_detail"),
            original_text=typed("claim.original_text"),
            original_language="ar",
            english_text=typed("claim.english_text"),
            note=typed("claim.note"),
        ),
        Claim.objects.create(
            incident=incident,
            kind="attribution",
            group=group,
            attributed_by=attributor,
            attributed_by_detail=typed("claim.attributed_by_detail"),
            confidence="likely",
            note=typed("claim.note"),
        ),
        Claim.objects.create(
            incident=incident,
            kind="denial",
            brand=brand,
            status="retracted",
            status_note=typed("claim.status_note"),
        ),
    ]
    cite(IncidentCitation, source, incident=incident)
    for claim in claims:
        cite(ClaimCitation, source, claim=claim)
    cite(LocationCitation, source, location=location)
    cite(GroupCitation, source, group=group)
    cite(BrandCitation, source, brand=brand)
    cite(AffiliationCitation, source, affiliation=affiliation)
    cite(RelationCitation, source, relation=to_group)
    cite(RelationCitation, source, relation=to_brand)
    cite(ChannelCitation, source, channel=channel)
    # A change with old and new values, for the change log and the history page.
    incident.summary = typed("incident.summary")
    incident._change_reason = typed("change.reason")
    incident.save()
    return {
        "incident": incident,
        "group": group,
        "brand": brand,
        "location": location,
        "source": source,
    }


class Isolation(HTMLParser):
    """Each text occurrence of a marker, and whether it is bidi-isolated where it stands."""

    def __init__(self):
        super().__init__()
        self.open = []  # (tag, isolates) for each element the parser is in
        self.found = []  # (field, isolated, where), for text laid out in the page

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        isolates = tag not in PAGE_WIDE and (tag == "bdi" or "dir" in dict(attrs))
        self.open.append((tag, isolates))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                return

    def handle_data(self, data):
        if any(tag in NOT_LAID_OUT for tag, _ in self.open):
            return
        isolated = any(isolates for _, isolates in self.open)
        where = " > ".join(tag for tag, _ in self.open[-4:])
        for match in MARKER.finditer(data):
            self.found.append((match.group(1), isolated, where))


def markers(html):
    parser = Isolation()
    parser.feed(html)
    parser.close()
    return parser.found


def test_every_piece_of_typed_text_is_bidi_isolated_on_every_public_page(client, records):
    incident, group, brand = records["incident"], records["group"], records["brand"]
    location, source = records["location"], records["source"]
    pages = [
        "/",
        "/incidents/",
        f"/incidents/?group={group.slug}&location={location.slug}",
        incident.get_absolute_url(),
        f"/incidents/{incident.code}/history/",
        "/claims/?per_page=200",
        "/groups/",
        group.get_absolute_url(),
        "/groups/zephyr-state/",
        "/brands/",
        brand.get_absolute_url(),
        "/locations/",
        location.get_absolute_url(),
        "/sources/?per_page=200",
        source.get_absolute_url(),
        f"/search/?q={WORD}",
        "/changes/",
        f"/changes/?incident={incident.code}",
    ]
    shown, leaks = set(), []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        found = markers(response.text)
        assert found, f"{url} shows none of the records"
        shown |= {field for field, _, _ in found}
        leaks += [(url, field, where) for field, isolated, where in found if not isolated]
    assert not leaks, "typed text not isolated:\n" + "\n".join(map(str, leaks))
    # Every marked field is shown somewhere as text (not only in an attribute or a <title>).
    assert MARKED - shown == set()


def test_the_admins_own_templates_isolate_the_records_name(pub, records):
    incident = records["incident"]
    name = str(incident)
    deleting = pub.get(f"/admin/claims/incident/{incident.pk}/delete/")
    assert deleting.status_code == 200
    assert f"“<bdi>{name}</bdi>”" in deleting.text
    unpublishing = pub.get(f"/admin/claims/incident/{incident.pk}/unpublish/")
    assert unpublishing.status_code == 200
    crumbs = re.search(r'<ol class="breadcrumbs">(.*?)</ol>', unpublishing.text, re.S)[1]
    assert f'dir="auto">{name}</a>' in crumbs
