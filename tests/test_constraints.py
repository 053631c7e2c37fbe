"""The database itself refuses rows that break an invariant, whatever path wrote them.

Each test bypasses model validation (`objects.create`, `QuerySet.update`) and expects an
IntegrityError naming the constraint. SQLite names unique indexes by their columns, PostgreSQL by
the constraint's name, so unique checks match either. A few tests check that `full_clean()` turns
the same constraints into the human messages the admin forms show.
"""

import datetime
import itertools
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from claims.models import (
    Claim,
    ClaimCitation,
    ClaimKind,
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
from kb.dates import date_field_names
from kb.roles import curated_models
from sources.models import Citation, Source

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 1, 28)
DAY_BEFORE = datetime.date(2024, 1, 27)

_serial = itertools.count()


@contextmanager
def rejected(constraint: str):
    """The database refuses what the block writes; `constraint` is a regex for the error."""
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        yield


def create(model, fields, **defaults):
    """Create a row from `fields`, filling the missing ones from `defaults` (callables are
    called only when needed, so that overriding a related object creates nothing extra)."""
    for name, default in defaults.items():
        if name not in fields:
            fields[name] = default() if callable(default) else default
    return model.objects.create(**fields)


def make_group(**fields):
    n = next(_serial)
    return create(Group, fields, name=f"Test group {n}", slug=f"test-group-{n}")


def make_brand(**fields):
    n = next(_serial)
    return create(Brand, fields, name=f"Test brand {n}", slug=f"test-brand-{n}")


def make_source(**fields):
    n = next(_serial)
    return create(Source, fields, title=f"Report {n}", url=f"https://example.org/report-{n}")


def make_location(**fields):
    n = next(_serial)
    return create(
        Location, fields, name=f"Place {n}", slug=f"test-place-{n}", kind="town", country="IQ"
    )


def make_incident(**fields):
    n = next(_serial)
    return create(
        Incident, fields, code=f"test-incident-{n}", title=f"Incident {n}", date=DAY, country="IQ"
    )


def make_claim(**fields):
    return create(Claim, fields, incident=make_incident, group=make_group)


def make_alias(**fields):
    return create(Alias, fields, group=make_group, name="Test alias")


def make_affiliation(**fields):
    return create(
        Affiliation,
        fields,
        group=make_group,
        brand=make_brand,
        status="assessed",
        assessed_by="A think tank",
    )


def make_relation(**fields):
    return create(Relation, fields, subject=make_group, kind="allied_with", object_group=make_group)


def make_channel(**fields):
    n = next(_serial)
    return create(
        Channel, fields, name=f"Channel {n}", platform="telegram", operated_by_brand=make_brand
    )


# --- The base rows that the rejection tests vary are themselves accepted. -------------------------

FACTORIES = [
    make_group,
    make_brand,
    make_source,
    make_location,
    make_incident,
    make_claim,
    make_alias,
    make_affiliation,
    make_relation,
    make_channel,
]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_the_valid_base_rows_are_accepted(factory):
    obj = factory()
    assert type(obj).objects.filter(pk=obj.pk).exists()


# --- Claims ---------------------------------------------------------------------------------------


def test_claim_must_name_a_group_or_a_brand():
    with rejected("claim_names_group_or_brand"):
        make_claim(group=None, brand=None)


@pytest.mark.parametrize("claimant", ["brand", "group and brand"])
def test_claim_may_name_a_brand_alone_or_with_a_group(claimant):
    group = make_group() if "group" in claimant else None
    claim = make_claim(group=group, brand=make_brand())
    assert claim.pk


def test_claim_cannot_supersede_itself():
    claim = make_claim()
    with rejected("claim_not_superseding_itself"):
        Claim.objects.filter(pk=claim.pk).update(supersedes=claim)


def test_claim_may_supersede_an_earlier_claim():
    earlier = make_claim()
    later = make_claim(incident=earlier.incident, supersedes=earlier)
    assert later.supersedes == earlier


def test_attribution_must_say_who_attributes():
    with rejected("claim_attribution_names_attributor"):
        make_claim(kind=ClaimKind.ATTRIBUTION, attributed_by=None, attributed_by_detail="")


@pytest.mark.parametrize("attributor", ["group", "detail"])
def test_attribution_by_a_group_or_a_described_party_is_accepted(attributor):
    if attributor == "group":
        claim = make_claim(kind=ClaimKind.ATTRIBUTION, attributed_by=make_group())
    else:
        claim = make_claim(kind=ClaimKind.ATTRIBUTION, attributed_by_detail="Pentagon spokesman")
    assert claim.pk


@pytest.mark.parametrize("field", ["attributed_by", "attributed_by_detail", "confidence"], ids=str)
@pytest.mark.parametrize("kind", [ClaimKind.RESPONSIBILITY, ClaimKind.DENIAL], ids=str)
def test_attributor_and_confidence_belong_only_to_attributions(kind, field):
    values = {
        "attributed_by": make_group(),
        "attributed_by_detail": "Pentagon",
        "confidence": "likely",
    }
    with rejected("claim_attributor_only_on_attributions"):
        make_claim(kind=kind, **{field: values[field]})


ATTRIBUTION = {"kind": ClaimKind.ATTRIBUTION, "attributed_by_detail": "Pentagon"}


@pytest.mark.parametrize(
    "fields, constraint",
    [
        ({"kind": "bad"}, "claim_kind_valid"),
        ({"status": "bad"}, "claim_status_valid"),
        ({"medium": "bad"}, "claim_medium_valid"),
        ({**ATTRIBUTION, "confidence": "bad"}, "claim_confidence_valid"),
    ],
    ids=["kind", "status", "medium", "confidence"],
)
def test_claim_vocabularies_reject_unknown_values(fields, constraint):
    with rejected(constraint):
        make_claim(**fields)


# --- Incidents ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, constraint",
    [
        # The positive integer column's own `>= 0` check, named after the column.
        ("killed_low", "killed_low"),
        ("killed_high", "killed_high"),
        ("injured_low", "injured_low"),
        ("injured_high", "injured_high"),
    ],
)
def test_incident_casualties_cannot_be_negative(field, constraint):
    with rejected(constraint):
        make_incident(**{field: -1})


@pytest.mark.parametrize(
    "name, constraint",
    [
        ("killed", "incident_killed_low_not_above_high"),
        ("injured", "incident_injured_low_not_above_high"),
    ],
)
def test_incident_low_casualty_figure_cannot_be_above_the_high_one(name, constraint):
    with rejected(constraint):
        make_incident(**{f"{name}_low": 5, f"{name}_high": 4})


@pytest.mark.parametrize("name", ["killed", "injured"])
def test_incident_casualty_figures_may_be_equal_one_sided_or_unknown(name):
    make_incident(**{f"{name}_low": 3, f"{name}_high": 3})
    make_incident(**{f"{name}_low": 3})
    make_incident(**{f"{name}_high": 0})
    make_incident()


def test_incident_end_date_cannot_be_before_its_date():
    with rejected("incident_date_end_not_before_date"):
        make_incident(date=DAY, date_end=DAY_BEFORE)


def test_incident_end_date_may_equal_or_follow_its_date():
    make_incident(date=DAY_BEFORE, date_end=DAY_BEFORE)
    make_incident(date=DAY_BEFORE, date_end=DAY)


@pytest.mark.parametrize(
    "field, value, constraint",
    [
        ("weapon", "bad", "incident_weapon_valid"),
        ("target", "bad", "incident_target_valid"),
        ("confirmation", "bad", "incident_confirmation_valid"),
        ("status", "bad", "incident_status_valid"),
        ("geo_precision", "bad", "incident_geo_precision_valid"),
        ("date_precision", "bad", "incident_date_precision_valid"),
        ("date_precision", "", "incident_date_precision_valid"),
    ],
)
def test_incident_vocabularies_reject_unknown_values(field, value, constraint):
    with rejected(constraint):
        make_incident(**{field: value})


@pytest.mark.parametrize(
    "make, constraint",
    [
        (make_group, "group_status_valid"),
        (make_brand, "brand_status_valid"),
        (make_location, "location_status_valid"),
        (make_source, "source_status_valid"),
    ],
)
def test_a_publication_status_is_draft_or_published(make, constraint):
    make(status="draft")
    make(status="published")
    with rejected(constraint):
        make(status="public")


def test_incident_codes_are_unique():
    make_incident(code="2024-01-28-duplicate")
    with rejected("code"):
        make_incident(code="2024-01-28-duplicate")


@pytest.mark.parametrize(
    "field, constraint",
    [
        ("code", "incident_code_required"),
        ("title", "incident_title_required"),
        ("country", "incident_country_iso"),
    ],
)
def test_incident_code_title_and_country_cannot_be_blank(field, constraint):
    with rejected(constraint):
        make_incident(**{field: ""})


def test_incident_country_is_an_iso_code():
    with rejected("incident_country_iso"):
        make_incident(country="XX")


def test_group_country_is_an_iso_code_or_empty():
    assert make_group(country="").pk
    assert make_group(country="IR").pk
    with rejected("group_country_iso"):
        make_group(country="ZZ")


# --- Locations ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "latitude, longitude, constraint",
    [
        (Decimal("90.0000001"), 0, "location_latitude_in_range"),
        (-91, 0, "location_latitude_in_range"),
        (0, Decimal("180.0000001"), "location_longitude_in_range"),
        (0, -181, "location_longitude_in_range"),
        (33, None, "location_lat_lng_together"),
        (None, 44, "location_lat_lng_together"),
    ],
)
def test_location_coordinates_must_be_a_point_on_earth(latitude, longitude, constraint):
    with rejected(constraint):
        make_location(latitude=latitude, longitude=longitude)


@pytest.mark.parametrize("latitude, longitude", [(90, 180), (-90, -180), (None, None)])
def test_location_coordinates_on_the_bounds_or_unknown_are_accepted(latitude, longitude):
    assert make_location(latitude=latitude, longitude=longitude).pk


@pytest.mark.parametrize(
    "field, value, constraint",
    [
        ("name", "", "location_name_required"),
        ("country", "", "location_country_iso"),
        ("country", "XX", "location_country_iso"),
        ("kind", "bad", "location_kind_valid"),
    ],
)
def test_location_needs_a_name_a_country_and_a_known_kind(field, value, constraint):
    with rejected(constraint):
        make_location(**{field: value})


@pytest.mark.parametrize(
    "factory", [make_location, make_group, make_brand], ids=lambda f: f.__name__
)
def test_slugs_are_unique(factory):
    factory(slug="same-slug")
    with rejected("slug"):
        factory(slug="same-slug")


# --- Sources --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/file", "data:,x"])
@pytest.mark.parametrize(
    "field, constraint", [("url", "source_url_http"), ("archive_url", "source_archive_url_http")]
)
def test_source_links_must_be_http_or_https(field, constraint, url):
    with rejected(constraint):
        make_source(**{field: url})


def test_source_with_http_links_is_accepted():
    make_source(url="http://example.org/a", archive_url="https://web.archive.org/web/x")


def test_source_urls_are_unique():
    make_source(url="https://example.org/same")
    with rejected("source_url_unique|sources_source.url"):
        make_source(url="https://example.org/same")


def test_several_sources_may_have_no_url():
    first = make_source(title="Printed report", url="")
    second = make_source(title="Another printed report", url="")
    assert Source.objects.filter(url="", pk__in=[first.pk, second.pk]).count() == 2


def test_source_needs_a_title_or_a_url():
    make_source(title="", url="https://example.org/untitled")
    with rejected("source_has_title_or_url"):
        make_source(title="", url="")


@pytest.mark.parametrize(
    "field, value, constraint",
    [("kind", "bad", "source_kind_valid"), ("reliability", "Z", "source_reliability_valid")],
)
def test_source_vocabularies_reject_unknown_values(field, value, constraint):
    with rejected(constraint):
        make_source(**{field: value})


# --- Groups, brands, aliases ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "factory, constraint",
    [
        (make_group, "group_name_required"),
        (make_brand, "brand_name_required"),
        (make_alias, "alias_name_required"),
        (make_channel, "channel_name_required"),
    ],
    ids=["group", "brand", "alias", "channel"],
)
def test_names_cannot_be_blank(factory, constraint):
    with rejected(constraint):
        factory(name="")


@pytest.mark.parametrize(
    "factory, field, constraint",
    [
        (make_group, "kind", "group_kind_valid"),
        (make_alias, "kind", "alias_kind_valid"),
        (make_relation, "kind", "relation_kind_valid"),
        (make_affiliation, "status", "affiliation_status_valid"),
        (make_affiliation, "confidence", "affiliation_confidence_valid"),
        (make_channel, "platform", "channel_platform_valid"),
    ],
    ids=["group", "alias", "relation", "affiliation.status", "affiliation.confidence", "channel"],
)
def test_actor_vocabularies_reject_unknown_values(factory, field, constraint):
    with rejected(constraint):
        factory(**{field: "bad"})


@pytest.mark.parametrize("owners", ["both", "neither"])
def test_alias_belongs_to_exactly_one_group_or_brand(owners):
    group, brand = (make_group(), make_brand()) if owners == "both" else (None, None)
    with rejected("alias_names_one_group_or_brand"):
        make_alias(group=group, brand=brand)


def test_alias_of_a_brand_alone_is_accepted():
    assert make_alias(group=None, brand=make_brand()).pk


@pytest.mark.parametrize(
    "owner, constraint",
    [
        ("group", "alias_unique_group|groups_alias.group_id, groups_alias.name"),
        ("brand", "alias_unique_brand|groups_alias.brand_id, groups_alias.name"),
    ],
)
def test_alias_name_is_unique_per_owner(owner, constraint):
    owner_obj = make_group() if owner == "group" else make_brand()
    other = {"group": None, "brand": None, owner: owner_obj}
    make_alias(name="Hizballah Brigades", **other)
    with rejected(constraint):
        make_alias(name="Hizballah Brigades", **other)


def test_alias_names_differing_only_in_case_are_the_same_alias():
    group = make_group()
    make_alias(name="Kataib Hizbullah", group=group)
    with rejected("alias_unique_group"):
        make_alias(name="KATAIB HIZBULLAH", group=group)


def test_the_same_alias_may_name_different_owners():
    make_alias(name="The Resistance", group=make_group())
    make_alias(name="The Resistance", group=make_group())
    make_alias(name="The Resistance", group=None, brand=make_brand())
    assert Alias.objects.filter(name="The Resistance").count() == 3


# --- Relations, affiliations, channels ------------------------------------------------------------


@pytest.mark.parametrize("objects", ["both", "neither"])
def test_relation_points_to_exactly_one_group_or_brand(objects):
    group, brand = (make_group(), make_brand()) if objects == "both" else (None, None)
    with rejected("relation_object_one_group_or_brand"):
        make_relation(object_group=group, object_brand=brand)


def test_relation_to_a_brand_is_accepted():
    assert make_relation(object_group=None, object_brand=make_brand()).pk


@pytest.mark.parametrize(
    "target, constraint",
    [
        ("group", "relation_unique_to_group|groups_relation.subject_id"),
        ("brand", "relation_unique_to_brand|groups_relation.subject_id"),
    ],
)
def test_a_relation_is_recorded_once(target, constraint):
    subject = make_group()
    other = {"object_group": make_group(), "object_brand": None}
    if target == "brand":
        other = {"object_group": None, "object_brand": make_brand()}
    make_relation(subject=subject, kind="sponsors", **other)
    make_relation(subject=subject, kind="coordinates", **other)  # another kind is another fact
    with rejected(constraint):
        make_relation(subject=subject, kind="sponsors", **other)


def test_group_cannot_be_related_to_itself():
    group = make_group()
    with rejected("relation_not_to_itself"):
        make_relation(subject=group, object_group=group)


@pytest.mark.parametrize(
    "factory, constraint",
    [
        (make_affiliation, "affiliation_end_not_before_start"),
        (make_relation, "relation_end_not_before_start"),
    ],
    ids=["affiliation", "relation"],
)
def test_period_cannot_end_before_it_starts(factory, constraint):
    days = {"start_precision": "day", "end_precision": "day"}
    factory(start=DAY, end=DAY, **days)
    with rejected(constraint):
        factory(start=DAY, end=DAY_BEFORE, **days)


def test_affiliation_is_recorded_once_per_status_and_assessor():
    group, brand = make_group(), make_brand()
    make_affiliation(group=group, brand=brand, status="assessed", assessed_by="Waradana")
    make_affiliation(group=group, brand=brand, status="assessed", assessed_by="US State Dept")
    make_affiliation(group=group, brand=brand, status="announced", assessed_by="Waradana")
    with rejected(
        "affiliation_unique_per_assessor|groups_affiliation.group_id, groups_affiliation.brand_id"
    ):
        make_affiliation(group=group, brand=brand, status="assessed", assessed_by="Waradana")


def test_channel_needs_an_operator():
    with rejected("channel_has_operator"):
        make_channel(operated_by_group=None, operated_by_brand=None)


def test_channel_operated_by_a_group_is_accepted():
    assert make_channel(operated_by_group=make_group(), operated_by_brand=None).pk


def test_channel_link_must_be_http_or_https():
    make_channel(url="https://t.me/example")
    with rejected("channel_url_http"):
        make_channel(url="javascript:alert(1)")


def test_channel_link_with_an_uppercase_scheme_is_normalised_by_validation():
    channel = make_channel(url="https://t.me/a")
    channel.url = "HTTPS://t.me/iri_war_media"
    channel.full_clean()
    channel.save()
    assert channel.url == "https://t.me/iri_war_media"


def test_channel_name_is_unique_per_platform():
    make_channel(name="War Media", platform="telegram")
    make_channel(name="War Media", platform="x")
    with rejected("channel_unique_name|groups_channel.platform, groups_channel.name"):
        make_channel(name="War Media", platform="telegram")


# --- Dates with a precision -----------------------------------------------------------------------

DATED = [
    pytest.param(
        make_group, "founded", "group_founded_has_precision", "group_founded_precision_valid"
    ),
    pytest.param(
        make_brand, "launched", "brand_launched_has_precision", "brand_launched_precision_valid"
    ),
    pytest.param(
        make_source,
        "published",
        "source_published_has_precision",
        "source_published_precision_valid",
    ),
    pytest.param(
        make_affiliation,
        "start",
        "affiliation_start_has_precision",
        "affiliation_start_precision_valid",
    ),
    pytest.param(
        make_affiliation, "end", "affiliation_end_has_precision", "affiliation_end_precision_valid"
    ),
    pytest.param(
        make_relation, "start", "relation_start_has_precision", "relation_start_precision_valid"
    ),
    pytest.param(
        make_relation, "end", "relation_end_has_precision", "relation_end_precision_valid"
    ),
    pytest.param(make_claim, "date", "claim_date_has_precision", "claim_date_precision_valid"),
]
DATED_IDS = ["group", "brand", "source", "affiliation.start", "affiliation.end"]
DATED_IDS += ["relation.start", "relation.end", "claim"]


@pytest.mark.parametrize("factory, field, has_precision, precision_valid", DATED, ids=DATED_IDS)
def test_date_needs_its_precision(factory, field, has_precision, precision_valid):
    with rejected(has_precision):
        factory(**{field: DAY, f"{field}_precision": ""})


@pytest.mark.parametrize("factory, field, has_precision, precision_valid", DATED, ids=DATED_IDS)
def test_precision_needs_its_date(factory, field, has_precision, precision_valid):
    with rejected(has_precision):
        factory(**{field: None, f"{field}_precision": "year"})


@pytest.mark.parametrize("factory, field, has_precision, precision_valid", DATED, ids=DATED_IDS)
def test_date_precision_is_from_the_vocabulary(factory, field, has_precision, precision_valid):
    with rejected(precision_valid):
        factory(**{field: DAY, f"{field}_precision": "bad"})


@pytest.mark.parametrize("factory, field, has_precision, precision_valid", DATED, ids=DATED_IDS)
def test_month_precision_or_no_date_is_accepted(factory, field, has_precision, precision_valid):
    month = factory(**{field: datetime.date(2023, 10, 1), f"{field}_precision": "month"})
    unknown = factory(**{field: None, f"{field}_precision": ""})
    assert getattr(month, f"{field}_precision") == "month"
    assert getattr(unknown, field) is None


# --- Citations ------------------------------------------------------------------------------------

CITATIONS = [
    (GroupCitation, "group", make_group),
    (BrandCitation, "brand", make_brand),
    (AffiliationCitation, "affiliation", make_affiliation),
    (RelationCitation, "relation", make_relation),
    (ChannelCitation, "channel", make_channel),
    (LocationCitation, "location", make_location),
    (IncidentCitation, "incident", make_incident),
    (ClaimCitation, "claim", make_claim),
]
CITATION_IDS = [model.__name__ for model, _, _ in CITATIONS]


@pytest.mark.parametrize("model, record, factory", CITATIONS, ids=CITATION_IDS)
def test_record_cites_a_source_once(model, record, factory):
    citing = {record: factory(), "source": make_source()}
    model.objects.create(**citing)
    name = model._meta.model_name
    with rejected(f"{name}_cites_source_once|{model._meta.db_table}.{record}_id"):
        model.objects.create(**citing)


@pytest.mark.parametrize("credibility", [0, 7])
@pytest.mark.parametrize("model, record, factory", CITATIONS, ids=CITATION_IDS)
def test_citation_credibility_is_on_the_1_to_6_scale(model, record, factory, credibility):
    with rejected(f"{model._meta.model_name}_credibility_1_to_6"):
        model.objects.create(**{record: factory()}, source=make_source(), credibility=credibility)


@pytest.mark.parametrize("model, record, factory", CITATIONS, ids=CITATION_IDS)
def test_citation_credibility_1_and_6_are_accepted(model, record, factory):
    obj = factory()
    model.objects.create(**{record: obj}, source=make_source(), credibility=1)
    model.objects.create(**{record: obj}, source=make_source(), credibility=6)
    assert model.objects.filter(**{record: obj}).count() == 2


# --- The date window: one constraint per date column, each exercised in test_date_window.py ------

WINDOW = [
    "incident_date_in_window",
    "incident_date_end_in_window",
    "claim_date_in_window",
    "source_published_in_window",
    "source_accessed_in_window",
    "group_founded_in_window",
    "brand_launched_in_window",
    "affiliation_start_in_window",
    "affiliation_end_in_window",
    "relation_start_in_window",
    "relation_end_in_window",
]


def test_every_date_column_keeps_to_the_window():
    found = [
        constraint.name
        for model in curated_models()
        for constraint in model._meta.constraints
        if constraint.name.endswith("_in_window")
    ]
    expected = [
        f"{model._meta.model_name}_{name}_in_window"
        for model in curated_models()
        for name in date_field_names(model)
    ]
    assert sorted(found) == sorted(expected) == sorted(WINDOW)


# --- Every constraint has a test here -------------------------------------------------------------


def test_every_database_constraint_is_tested_here():
    text = Path(__file__).read_text()
    citation_models = {m for m in curated_models() if issubclass(m, Citation)}
    untested = [
        constraint.name
        for model in curated_models()
        if model not in citation_models
        for constraint in model._meta.constraints
        if constraint.name not in text
    ]
    assert untested == []
    # The citation tests above are parametrized over every citation model.
    assert citation_models == {model for model, _, _ in CITATIONS}
    assert all(len(m._meta.constraints) == 2 for m in citation_models)


# --- Model validation reports the constraints' messages (the admin forms show them) --------------

MESSAGES = [
    pytest.param(
        lambda: Claim(incident=make_incident()),
        "A claim names a group, a brand, or both.",
        id="claim-without-claimant",
    ),
    pytest.param(
        lambda: Alias(name="KH", group=make_group(), brand=make_brand()),
        "An alias belongs to one group or one brand.",
        id="alias-with-two-owners",
    ),
    pytest.param(
        lambda: Group(name="New group", slug="new-group", founded=DAY),
        "Give both a founded and its precision, or neither.",
        id="date-without-precision",
    ),
    pytest.param(
        lambda: Location(name="Base", slug="base", kind="air_base", country="IQ", latitude=33),
        "Give both latitude and longitude, or neither.",
        id="latitude-without-longitude",
    ),
    pytest.param(
        lambda: Source(title="Copy", url=make_source().url),
        "A source with this URL already exists.",
        id="duplicate-source-url",
    ),
    pytest.param(
        lambda: Affiliation(
            group=(existing := make_affiliation()).group,
            brand=existing.brand,
            status=existing.status,
            assessed_by=existing.assessed_by,
        ),
        "This affiliation is already recorded with this status and assessor; "
        "add a source to it instead.",
        id="duplicate-affiliation",
    ),
    pytest.param(
        lambda: Relation(subject=(g := make_group()), kind="allied_with", object_group=g),
        "A group cannot be related to itself.",
        id="relation-to-itself",
    ),
    pytest.param(
        lambda: Incident(code="x", title="X", date=DAY, country="IQ", killed_low=5, killed_high=2),
        "The low killed figure cannot be above the high one.",
        id="killed-low-above-high",
    ),
]


@pytest.mark.parametrize("build, message", MESSAGES)
def test_model_validation_reports_the_constraint_message(build, message):
    with pytest.raises(ValidationError) as excinfo:
        build().full_clean()
    assert message in excinfo.value.messages


def test_model_validation_accepts_a_claim_naming_only_a_brand():
    Claim(incident=make_incident(), brand=make_brand()).full_clean()
