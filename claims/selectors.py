"""Read-side queries that join actors, places and sources to incidents. Every one takes the viewer
into account: the public sees published incidents only, in lists, counts and detail pages alike."""

from django.db.models import Count, F, Prefetch, Q

from claims.models import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Incident,
    Location,
    PublicationStatus,
    sees_drafts,
)
from groups.models import LIVE_AFFILIATIONS, Brand, Group
from kb.vocab import Confidence

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
    if sees_drafts(user):
        return Q()
    return Q(**{f"{prefix}status": PublicationStatus.PUBLISHED})


def groups_with_counts(user):
    """Groups with the number of visible incidents they currently claim or are blamed for."""
    naming = Q(claims__status=ClaimStatus.CURRENT, claims__kind__in=NAMING_KINDS)
    return Group.objects.annotate(
        incident_count=Count(
            "claims__incident", filter=naming & _visible("claims__incident__", user), distinct=True
        )
    )


def brands_with_counts(user):
    naming = Q(claims__status=ClaimStatus.CURRENT, claims__kind__in=NAMING_KINDS)
    members = Q(affiliations__status__in=LIVE_AFFILIATIONS)
    return Brand.objects.annotate(
        incident_count=Count(
            "claims__incident", filter=naming & _visible("claims__incident__", user), distinct=True
        ),
        member_count=Count("affiliations__group", filter=members, distinct=True),
    )


def locations_with_counts(user):
    return Location.objects.annotate(
        incident_count=Count("incidents", filter=_visible("incidents__", user), distinct=True)
    )


def members_by_certainty(brand):
    """A brand's affiliations, the surest first: announced, then assessed by confidence, then
    suspected; denied and ended last."""
    status_rank = {"announced": 0, "assessed": 1, "suspected": 2, "denied": 3, "ended": 4}
    affiliations = list(
        brand.affiliations.select_related("group").prefetch_related("citations__source")
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
