"""Every column the codebook marks as imported is read: for each table and each such column, a
row of the table's own export with that one cell changed is imported, and the export shows the
change and nothing else changed. (Split from tests/test_import.py, so that the two files' tests
run on both test processes.)"""

import datetime

import pytest

from claims.models import (
    Claim,
    ClaimCitation,
    Incident,
    IncidentCitation,
    Location,
    LocationCitation,
)
from exchange.catalogue import exports
from exchange.importer import TABLES, import_file
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
from tests.test_import import (
    KEYS,
    ORDER,
    TOWER_22,
    export,
    history_counts,
    rows_of,
    run_command,
    to_csv,
    write,
)

pytestmark = pytest.mark.django_db

# --- Every imported column is read ---------------------------------------------------------------

# For each kind: the row to change (a function giving its key), and for each imported column the
# row to change instead (if another one), the new value and the value the export then shows.


def claim_of(code, **lookup):
    return lambda: str(Claim.objects.get(incident__code=code, **lookup).pk)


SHADDADI_CLAIM = claim_of("2024-01-28-shaddadi-drone-claim")
KH_CLAIM = claim_of("2023-12-25-erbil-air-base-drone", kind="responsibility")
US_ON_KH = claim_of(TOWER_22, kind="attribution", group__slug="kataib-hezbollah")
US_ON_IRI = claim_of(TOWER_22, kind="attribution", brand__slug="islamic-resistance-in-iraq")


def synthetic(model, slug: str) -> str:
    """A clearly made-up group or brand (the changes below must not state real-world facts)."""
    return model.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ")})[0].slug


SYNTHETIC_ASSESSOR = "A synthetic assessor"


def synthetic_world():
    """Synthetic groups, brands, affiliations, relations and channels: the first affiliation,
    the first two relations and the first channel cite source 87; for each key column another
    record differs from them only there, citing nothing (a citation's row may name it instead)."""
    g1, g2, g3, _g4 = (synthetic(Group, f"synthetic-group-{n}") for n in (1, 2, 3, 4))
    b1, b2 = (synthetic(Brand, f"synthetic-brand-{n}") for n in (1, 2))
    source = Source.objects.get(pk=87)
    group, brand = Group.objects.get, Brand.objects.get
    for n, (g, b, status, by) in enumerate(
        [
            (g1, b1, "assessed", SYNTHETIC_ASSESSOR),
            (g2, b1, "assessed", SYNTHETIC_ASSESSOR),
            (g1, b2, "assessed", SYNTHETIC_ASSESSOR),
            (g1, b1, "announced", SYNTHETIC_ASSESSOR),
            (g1, b1, "assessed", "Another synthetic assessor"),
        ]
    ):
        affiliation, made = Affiliation.objects.get_or_create(
            group=group(slug=g), brand=brand(slug=b), status=status, assessed_by=by,
            defaults={"start": datetime.date(2023, 10, 12), "start_precision": "day",
                      "end": datetime.date(2024, 1, 15), "end_precision": "day"},
        )  # fmt: skip
        if made and n == 0:
            AffiliationCitation.objects.create(affiliation=affiliation, source=source, quote="Q")
    for n, (subject, kind, og, ob) in enumerate(
        [
            (g1, "coordinates", None, b1),
            (g2, "coordinates", None, b1),
            (g1, "sponsors", None, b1),
            (g1, "coordinates", None, b2),
            (g1, "splinter_of", g2, None),
            (g1, "splinter_of", g3, None),
        ]
    ):
        relation, made = Relation.objects.get_or_create(
            subject=group(slug=subject), kind=kind,
            object_group=group(slug=og) if og else None,
            object_brand=brand(slug=ob) if ob else None,
            defaults={"start": datetime.date(2023, 10, 12), "start_precision": "day",
                      "end": datetime.date(2024, 1, 15), "end_precision": "day"},
        )  # fmt: skip
        if made and n in (0, 4):
            RelationCitation.objects.create(relation=relation, source=source, quote="Q")
    channels = [
        ("x", "A synthetic channel"),
        ("telegram", "A synthetic channel"),
        ("x", "Another synthetic channel"),
    ]
    for n, (platform, name) in enumerate(channels):
        channel, made = Channel.objects.get_or_create(
            platform=platform, name=name, defaults={"operated_by_brand": brand(slug=b1)}
        )
        if made and n == 0:
            ChannelCitation.objects.create(channel=channel, source=source, quote="Q")
    return g1, g2, g3, b1, b2


def same_name_on(platform: str) -> str:
    """A made-up channel with the seed channel's name on another platform."""
    seed = Channel.objects.order_by("pk").first()
    Channel.objects.get_or_create(
        platform=platform, name=seed.name, defaults={"operated_by_brand": seed.operated_by_brand}
    )
    return platform


def world(index):
    return lambda: synthetic_world()[index]


AFFILIATION = lambda: (world(0)(), "synthetic-brand-1", "assessed", SYNTHETIC_ASSESSOR)  # noqa: E731
RELATION = lambda: (world(0)(), "coordinates", "", "synthetic-brand-1")  # noqa: E731
SPLINTER = lambda: (world(0)(), "splinter_of", "synthetic-group-2", "")  # noqa: E731
CHANNEL = lambda: ("x", (synthetic_world(), "A synthetic channel")[1])  # noqa: E731
IRI = "islamic-resistance-in-iraq"


def iri_alias():
    return ("", IRI, Alias.objects.filter(brand__slug=IRI).order_by("pk").first().name)


def cited(model, record: str, key):
    """The row key of the first citation of a seed record (by its key function), and sources or
    records it does not cite."""
    citation = model.objects.order_by("pk").first()
    return (*key(getattr(citation, record)), str(citation.source_id))


def uncited_source(model, record: str):
    def find():
        citation = model.objects.order_by("pk").first()
        cited_ = model.objects.filter(**{record: getattr(citation, record)}).values("source_id")
        return str(Source.objects.exclude(pk__in=cited_).order_by("pk").first().pk)

    return find


def uncited_record(model, record: str, records, key):
    def find():
        citation = model.objects.order_by("pk").first()
        citing = model.objects.filter(source=citation.source_id).values(f"{record}_id")
        return key(records().exclude(pk__in=citing).order_by("pk").first())[0]

    return find


DEFAULT_ROW = {
    "incidents": lambda: "2024-01-04-baghdad-us-strike-nujaba",  # no location, 2 dead, 6 hurt
    "claims": SHADDADI_CLAIM,  # a brand's claim on its channel, dated to the day
    "groups": lambda: "kataib-hezbollah",
    "brands": lambda: IRI,
    "locations": lambda: "abu-kamal",
    "sources": lambda: "87",
    "aliases": lambda: ("kataib-hezbollah", "", "KH"),
    "channels": CHANNEL,
    "affiliations": AFFILIATION,
    "relations": RELATION,
    "incident_citations": lambda: cited(IncidentCitation, "incident", lambda r: (r.code,)),
    "claim_citations": lambda: cited(ClaimCitation, "claim", lambda r: (str(r.pk),)),
    "group_citations": lambda: cited(GroupCitation, "group", lambda r: (r.slug,)),
    "brand_citations": lambda: cited(BrandCitation, "brand", lambda r: (r.slug,)),
    "location_citations": lambda: cited(LocationCitation, "location", lambda r: (r.slug,)),
    "affiliation_citations": lambda: (*AFFILIATION(), "87"),
    "relation_citations": lambda: (*RELATION(), "87"),
    "channel_citations": lambda: (*CHANNEL(), "87"),
}

CITATION_VALUES = {"quote": "A synthetic quote.", "locator": "p. 99", "credibility": "2"}

# column -> new value, or (new value, value the export shows, row key function)
CHANGES = {
    "incidents": {
        "code": "2024-01-04-baghdad-us-strike-nujaba-copy",
        "title": "A new title",
        "date": "2024-01-05",
        "date_precision": ("month", "month"),  # the date becomes 2024-01-01
        "date_end": "2024-01-06",
        "date_note": "Sources disagree.",
        "time_of_day": "13:45:00",
        "country": "SY",
        "admin1": "Somewhere Governorate",
        "location": "al-mashtal",
        "place": "A new place",
        "facility": "A new facility",
        "geo_precision": "admin1",
        "weapon": "mortar",
        "weapon_detail": "120 mm",
        "target": "civilians",
        "target_detail": "A market",
        "killed_low": "1",
        "killed_high": "9",
        "injured_low": "5",
        "injured_high": "60",
        "casualty_note": "Figures disputed.",
        "confirmation": "denied",
        "summary": "A new summary.",
        "status": "draft",
        "source_ids": ("1 | 2", "[1, 2]"),  # read as written; exported as a JSON list
    },
    "claims": {
        "claim_id": "9001",
        "incident_code": "2024-01-28-al-tanf-drone-claim",
        "kind": "denial",
        "group": "kataib-hezbollah",
        "brand": ("islamic-resistance-in-iraq", "islamic-resistance-in-iraq", KH_CLAIM),
        "claimant_as_named": "The Islamic Resistance",
        "date": "2024-01-29",
        "date_precision": ("month", "month"),
        # A claim names a channel of the channels table (made up here): it must exist.
        "channel_platform": (lambda: same_name_on("x"), "x"),
        "channel_name": (lambda: CHANNEL()[1], "A synthetic channel"),
        "channel_detail": "Posted at night",
        "medium": "video",
        "original_text": "نص",
        "original_language": "ar",
        "english_text": "A text",
        "attributed_by": ("iran", "iran", US_ON_KH),
        "attributed_by_detail": ("Pentagon spokesperson", "Pentagon spokesperson", US_ON_KH),
        "confidence": ("likely", "likely", US_ON_KH),
        "status": "retracted",
        "status_note": "Taken down",
        # The claim it supersedes must be 'superseded' (a lineage is consistent): made so first.
        "supersedes_claim_id": (lambda: superseded(US_ON_KH()), US_ON_KH, US_ON_IRI),
        "note": "A note",
        "source_ids": ("83 | 84 | 85", "[83, 84, 85]"),  # read as written; exported as a JSON list
    },
    "groups": {
        "slug": "kataib-hezbollah-copy",
        "name": "Kata'ib Hezbollah (renamed)",
        "arabic_name": "كتائب",
        "acronym": "KHB",
        "kind": "political_party",
        "country": "SY",
        "founded": "2004-01-01",
        "founded_precision": ("month", "month"),
        "description": "A new description.",
        "status": ("draft", "draft", lambda: unused(Group, slug="x-copy").slug),
        "source_ids": ("1 | 2", "[1, 2]"),  # read as written; exported as a JSON list
    },
    "brands": {
        "slug": "islamic-resistance-in-iraq-copy",
        "name": "Islamic Resistance in Iraq (renamed)",
        "arabic_name": "المقاومة",
        "acronym": "IRQ",
        "launched": "2023-11-01",
        "launched_precision": ("day", "day"),
        "description": "A new description.",
        "status": ("draft", "draft", lambda: unused(Brand, slug="x-copy").slug),
        "source_ids": ("1", "[1]"),  # read as written; exported as a JSON list
    },
    "locations": {
        "slug": "abu-kamal-copy",
        "name": "Abu Kamal (renamed)",
        "arabic_name": "البوكمال",
        "alternate_names": "Bukamal | Abu Kemal",
        "kind": "town",
        "country": "IQ",
        "admin1": "Another Governorate",
        "latitude": ("34.5000000", "34.5"),  # exported without trailing zeros
        "longitude": ("41.0000000", "41"),
        "notes": "New notes.",
        "status": ("draft", "draft", lambda: unused(Location, slug="x-copy", kind="town").slug),
        "source_ids": ("1 | 155", "[1, 155]"),  # read as written; exported as a JSON list
    },
    "sources": {
        "source_id": ("9001", "9001", lambda: "140"),  # 140 has no URL to collide with
        "title": "A new title",
        "url": "https://example.org/a-new-url",
        "archive_url": "https://web.archive.org/web/2024/https://example.org/",
        "publisher": "A new publisher",
        "author": "A new author",
        "kind": "wire",
        "language": "de",
        "published": "2024-06-19",
        "published_precision": ("month", "month"),
        "accessed": "2024-07-01",
        "reliability": "B",
        "notes": "New notes.",
        "status": ("draft", "draft", lambda: str(unused(Source, title="x-copy").pk)),
    },
    "aliases": {
        "group": (world(0), world(0)),  # another group's alias of the same name: a new alias
        "brand": (world(3), world(3), iri_alias),
        "name": "KH (synthetic)",
        "kind": "former_name",
        "language": "ar",
        "script": "Arab",
    },
    "channels": {
        "platform": "website",
        "name": "A third synthetic channel",
        "url": "https://example.org/synthetic-channel",
        "operated_by_group": (world(0), world(0)),
        "operated_by_brand": (world(4), world(4)),
        "description": "A synthetic description.",
    },
    "affiliations": {
        "group": "synthetic-group-3",
        "brand": IRI,
        "status": "suspected",
        "confidence": "likely",
        "assessed_by": "A third synthetic assessor",
        "start": "2023-10-13",
        "start_precision": ("month", "month"),
        "end": "2024-01-16",
        "end_precision": ("month", "month"),
        "note": "A synthetic note.",
        "source_ids": ("1 | 2", "[1, 2]"),  # read as written; exported as a JSON list
    },
    "relations": {
        "subject": "synthetic-group-3",
        "kind": "allied_with",
        "object_group": ("synthetic-group-4", "synthetic-group-4", SPLINTER),
        "object_brand": IRI,
        "start": "2023-10-13",
        "start_precision": ("month", "month"),
        "end": "2024-01-16",
        "end_precision": ("month", "month"),
        "note": "A synthetic note.",
        "source_ids": ("1 | 2", "[1, 2]"),  # read as written; exported as a JSON list
    },
    "incident_citations": {
        "incident_code": uncited_record(
            IncidentCitation, "incident", Incident.objects.all, lambda r: (r.code,)
        ),
        "source_id": uncited_source(IncidentCitation, "incident"),
        **CITATION_VALUES,
    },
    "claim_citations": {
        "claim_id": uncited_record(
            ClaimCitation, "claim", Claim.objects.all, lambda r: (str(r.pk),)
        ),
        "source_id": uncited_source(ClaimCitation, "claim"),
        **CITATION_VALUES,
    },
    "group_citations": {
        "group": uncited_record(GroupCitation, "group", Group.objects.all, lambda r: (r.slug,)),
        "source_id": uncited_source(GroupCitation, "group"),
        **CITATION_VALUES,
    },
    "brand_citations": {
        "brand": (world(3), world(3)),
        "source_id": uncited_source(BrandCitation, "brand"),
        **CITATION_VALUES,
    },
    "location_citations": {
        "location": uncited_record(
            LocationCitation, "location", Location.objects.all, lambda r: (r.slug,)
        ),
        "source_id": uncited_source(LocationCitation, "location"),
        **CITATION_VALUES,
    },
    # Composite records: each key column changed alone names another synthetic record.
    "affiliation_citations": {
        "group": "synthetic-group-2",
        "brand": "synthetic-brand-2",
        "status": "announced",
        "assessed_by": "Another synthetic assessor",
        "source_id": "1",
        **CITATION_VALUES,
    },
    "relation_citations": {
        "subject": "synthetic-group-2",
        "kind": "sponsors",
        "object_group": (
            "synthetic-group-3",
            "synthetic-group-3",
            lambda: (*SPLINTER(), "87"),
        ),
        "object_brand": "synthetic-brand-2",
        "source_id": "1",
        **CITATION_VALUES,
    },
    "channel_citations": {
        "platform": "telegram",
        "name": "Another synthetic channel",
        "source_id": "1",
        **CITATION_VALUES,
    },
}


def superseded(claim_id: str) -> str:
    """The claim marked 'superseded', as a file's other row would (its successor comes next)."""
    Claim.objects.filter(pk=claim_id).update(status="superseded")
    return claim_id


def unused(model, **fields):
    """A published record no incident uses: one an import may make a draft again."""
    if model is not Source:
        fields.setdefault("name", "Unused")
    if model is Location:
        fields.setdefault("country", "IQ")
    return model.objects.create(status="published", **fields)


IMPORTED = [
    (name, column.name)
    for name in TABLES
    for column in exports(None)[name].columns
    if column.imported
]


def test_the_change_table_covers_exactly_the_imported_columns():
    assert set(TABLES) == set(ORDER)
    assert {(name, column) for name in CHANGES for column in CHANGES[name]} == set(IMPORTED)


def test_a_row_whose_only_change_is_the_claim_it_supersedes_counts_as_updated(client, tmp_path):
    earlier, later = US_ON_KH(), US_ON_IRI()
    rows = rows_of(export(client, "claims"))
    row = next(r for r in rows if r["claim_id"] == later)
    row["supersedes_claim_id"] = earlier
    # The claim it supersedes is 'superseded' (claims.models.lineage_problem): in the same file.
    old = next(r for r in rows if r["claim_id"] == earlier)
    old["status"] = "superseded"
    path = write(tmp_path, "claims.csv", to_csv(list(row), [row, old]))
    history = history_counts()
    out, _ = run_command("claims", str(path))
    assert Claim.objects.get(pk=later).supersedes_id == int(earlier)
    assert history_counts()["HistoricalClaim"] == history["HistoricalClaim"] + 2
    assert "claims: 0 created, 2 updated, 0 unchanged." in out


@pytest.fixture
def staff_client(client, django_user_model):
    """Signed-in staff, who also see drafts (an incident's status may be set to draft); without
    the password hashing of the `editor` fixture, which would dominate these many tests."""
    client.force_login(django_user_model.objects.create(username="importer", is_staff=True))
    return client


def resolve(value):
    return value() if callable(value) else value


def as_key(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


@pytest.mark.parametrize(("name", "column"), IMPORTED)
def test_every_imported_column_is_read(staff_client, tmp_path, name, column):
    change = CHANGES[name].get(column)
    assert change is not None, f"add a valid replacement value for {name}.{column} to CHANGES"
    value, shown, row_key = (
        (*change, DEFAULT_ROW[name])[:3] if isinstance(change, tuple) else (change, change, None)
    )
    row_key = row_key or DEFAULT_ROW[name]
    key_value = as_key(resolve(row_key))
    value, shown = resolve(value), resolve(shown)
    key = KEYS[name]
    rows = rows_of(export(staff_client, name))
    row = next(r for r in rows if tuple(r[c] for c in key) == key_value)
    assert row[column] != shown, f"{name}.{column}: the replacement must differ"
    changed = {**row, column: value}
    path = write(tmp_path, f"{name}.csv", to_csv(list(row), [changed]))
    result = import_file(name, path)
    assert result.errors == []
    assert result.created == (1 if column in key else 0)
    assert result.updated == (0 if column in key else 1)
    after = rows_of(export(staff_client, name))
    new_key = tuple(changed[c] for c in key)
    found = [r for r in after if tuple(r[c] for c in key) == new_key]
    assert len(found) == 1, f"no row {new_key} after changing {name}.{column}"
    assert found[0][column] == shown
    if not column.endswith("_precision"):  # a coarser precision also rounds its date
        for other in TABLES[name].fields:
            if other != column and other not in key:
                assert found[0][other] == row[other], f"{name}.{column} changed {other}"
