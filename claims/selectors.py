"""Read-side queries that join actors, places and sources to incidents. Every one takes the viewer
into account: the public sees published records only (kb.visibility), in lists, counts and detail
pages alike."""

from django.db.models import Count, F, Prefetch, Q

from claims.models import Claim, ClaimKind, Incident, Location, LocationCitation
from groups.models import (
    LIVE_AFFILIATIONS,
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
from kb.visibility import PublicationStatus, sees_drafts
from kb.vocab import Confidence
from sources.models import Source

NAMING_KINDS = [ClaimKind.RESPONSIBILITY, ClaimKind.ATTRIBUTION]


def incidents(user):
    return Incident.objects.visible_to(user)


def claims(user):
    """Claims of the incidents the viewer may see."""
    return Claim.objects.filter(incident__in=incidents(user)).select_related(
        "incident", "group", "brand", "channel", "attributed_by"
    )


def _visible(prefix: str, user) -> Q:
    """The condition visible_to() applies, for incidents reached through a relation."""
    return Q() if sees_drafts(user) else Incident.public_condition(prefix)


def groups(user):
    return Group.objects.visible_to(user)


def brands(user):
    return Brand.objects.visible_to(user)


def locations(user):
    return Location.objects.visible_to(user)


def sources(user):
    return Source.objects.visible_to(user)


def incident_count(user) -> F:
    """The stored count of incidents the viewer may see (claims.derived keeps both)."""
    return F("all_incidents") if sees_drafts(user) else F("published_incidents")


def groups_with_counts(user):
    """Groups with the number of visible incidents they currently claim or are blamed for."""
    return groups(user).annotate(incident_count=incident_count(user))


def brands_with_counts(user):
    members = Q(affiliations__status__in=LIVE_AFFILIATIONS)
    if not sees_drafts(user):
        members &= Q(affiliations__group__status=PublicationStatus.PUBLISHED)
    return brands(user).annotate(
        incident_count=incident_count(user),
        member_count=Count("affiliations__group", filter=members, distinct=True),
    )


def locations_with_counts(user):
    return locations(user).annotate(incident_count=incident_count(user))


def members_by_certainty(brand, user):
    """A brand's affiliations the viewer may see, the surest first: announced, then assessed by
    confidence, then suspected; denied and ended last."""
    status_rank = {"announced": 0, "assessed": 1, "suspected": 2, "denied": 3, "ended": 4}
    affiliations = list(
        brand.affiliations.visible_to(user)
        .select_related("group")
        .prefetch_related(visible("citations", AffiliationCitation, user, "source"))
    )
    confidence_rank = {value: i for i, value in enumerate(Confidence.values)}
    return sorted(
        affiliations,
        key=lambda a: (
            status_rank[a.status],
            confidence_rank.get(a.confidence, len(confidence_rank)),
            a.group.name,
        ),
    )


def incident_detail(user, code):
    """One incident with everything its page shows, in a fixed number of queries."""
    claims_qs = Claim.objects.select_related(
        "group",
        "brand",
        "channel__operated_by_brand",
        "channel__operated_by_group",
        "attributed_by",
        "supersedes",
        "superseded_by",
    ).prefetch_related("citations__source")
    return (
        incidents(user)
        .select_related("location")
        .prefetch_related(
            Prefetch(
                "claims",
                queryset=claims_qs.order_by(F("date").asc(nulls_last=True), "pk"),
                to_attr="all_claims",
            ),
            "citations__source",
        )
        .get(code=code)
    )


def in_lineage_order(claims):
    """Claims as an incident's page lists them: each lineage together and in order (the first
    claim, then the claim that superseded it, then the one that superseded that...), lineages by
    the date of their first claim, as `claims` comes (date, unknown dates last, then id)."""
    claims = list(claims)
    listed = {claim.pk for claim in claims}
    successor = {c.supersedes_id: c for c in claims if c.supersedes_id in listed}
    ordered, placed = [], set()
    for claim in claims:
        if claim.supersedes_id in listed:
            continue  # listed after the claim it supersedes
        while claim is not None and claim.pk not in placed:
            ordered.append(claim)
            placed.add(claim.pk)
            claim = successor.get(claim.pk)
    # A lineage with no first claim among these (a cycle no constraint forbids) keeps its place.
    ordered += [claim for claim in claims if claim.pk not in placed]
    return ordered


def visible(lookup: str, model, user, *related: str) -> Prefetch:
    """A prefetch of the related rows the viewer may see (with their own `related` joined)."""
    rows = model.objects.visible_to(user)
    return Prefetch(lookup, queryset=rows.select_related(*related) if related else rows)


def group_profile(user):
    """Groups with what a group's page shows, each list cut to what the viewer may see."""
    return groups(user).prefetch_related(
        visible("aliases", Alias, user),
        visible("citations", GroupCitation, user, "source"),
        visible("channels", Channel, user),
        visible("affiliations", Affiliation, user, "brand"),
        visible("affiliations__citations", AffiliationCitation, user, "source"),
        visible("relations", Relation, user, "object_group", "object_brand"),
        visible("relations__citations", RelationCitation, user, "source"),
        visible("inbound_relations", Relation, user, "subject"),
        visible("inbound_relations__citations", RelationCitation, user, "source"),
    )


def brand_profile(user):
    return brands(user).prefetch_related(
        visible("aliases", Alias, user),
        visible("citations", BrandCitation, user, "source"),
        visible("channels", Channel, user),
        visible("channels__citations", ChannelCitation, user, "source"),
        visible("inbound_relations", Relation, user, "subject"),
        visible("inbound_relations__citations", RelationCitation, user, "source"),
    )


def location_profile(user):
    return locations(user).prefetch_related(visible("citations", LocationCitation, user, "source"))
