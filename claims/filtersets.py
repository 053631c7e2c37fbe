"""Filters for the incident and claim lists: one FilterSet per list, shared by its page, its export
and the tests. Parameter names are part of the public URL contract (see the codebook)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from claims import selectors
from claims.derived import actor_token
from claims.models import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Confirmation,
    Incident,
    Location,
    LocationKind,
    Target,
    Weapon,
)
from groups.filtersets import brand_filter, group_filter
from groups.models import LIVE_AFFILIATIONS, Affiliation, Brand, Group
from groups.search import match_actors
from kb.filters import (
    ChoicesFilter,
    CountFilter,
    CountryFilter,
    FlagFilter,
    ISODateFilter,
    RecordFilter,
    SortFilter,
    StrictFilterSet,
    TextFilter,
    viewer,
)
from kb.ordering import ordering
from kb.search import document_search, text_search


class DateRangeForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end of the range is before its start.")
        return data


def place_filter(**kwargs):
    """A place typed, not picked from thousands of options (see kb.filters.RecordFilter)."""
    return RecordFilter(
        Location,
        suggest="/locations/suggest.json",
        noun="place",
        example="Ain al-Asad Air Base or ain-al-asad-air-base",
        label="Location",
        **kwargs,
    )


def visible_incidents(request):
    return selectors.incidents(viewer(request))


def visible_claims(request):
    return selectors.claims(viewer(request))


def naming(claims, group: Group | None = None, brand: Brand | None = None, via_brand=False):
    """Claims naming the group (or, with `via_brand`, under a brand it is affiliated with)."""
    if group is not None:
        who = Q(group=group)
        if via_brand:
            brands = Affiliation.objects.filter(group=group, status__in=LIVE_AFFILIATIONS)
            who |= Q(brand__in=brands.values("brand"))
        return claims.filter(who)
    return claims.filter(brand=brand)


DATES_START = "start"  # date_match=start: incidents whose first possible day is in the range


class IncidentFilterSet(StrictFilterSet):
    date_from = ISODateFilter(label="From", method="noop", help_text="YYYY-MM-DD")
    date_to = ISODateFilter(label="To", method="noop", help_text="YYYY-MM-DD")
    date_match = django_filters.ChoiceFilter(
        choices=[(DATES_START, "starting in the range")],
        empty_label="overlapping the range",
        method="noop",
        label="Dates",
        help_text="The timeline counts each incident on its first possible day.",
    )
    country = CountryFilter(counted_in=visible_incidents)
    admin1 = TextFilter(label="Admin area", lookup_expr="iexact")
    location = place_filter()
    group = group_filter(
        method="noop", help_text="Claimed by or attributed to the group (current claims)."
    )
    group_via_brand = FlagFilter(
        method="noop",
        checkbox=True,
        label="…or under its brands",
        help_text="Also incidents claimed under a brand the group is affiliated with.",
    )
    brand = brand_filter(method="noop")
    claim_kind = ChoicesFilter(choices=ClaimKind.choices, method="noop", label="Claim kind")
    claim_status = ChoicesFilter(choices=ClaimStatus.choices, method="noop", label="Claim status")
    weapon = ChoicesFilter(choices=Weapon.choices)
    target = ChoicesFilter(choices=Target.choices)
    killed_min = CountFilter(field_name="killed_low", lookup_expr="gte", label="Killed at least")
    injured_min = CountFilter(field_name="injured_low", lookup_expr="gte", label="Injured at least")
    confirmation = ChoicesFilter(choices=Confirmation.choices, label="Official confirmation")
    competing = FlagFilter(method="filter_competing", label="Competing claims")
    unclaimed = FlagFilter(method="filter_unclaimed", label="Unclaimed")
    q = TextFilter(method="noop", label="Text")
    sort = SortFilter(
        default="newest first, or best match",
        fields={
            "date": ["date", "code"],
            "title": ["title"],
            "country": ["country", "admin1"],
            "location": ["location__name"],
            "weapon": ["weapon"],
            "killed": ["killed_low", "killed_high"],
            "injured": ["injured_low", "injured_high"],
            "confirmation": ["confirmation"],
        },
        label="Sort by",
    )

    default_order = ("-date", "code")

    class Meta:
        model = Incident
        fields = []
        form = DateRangeForm

    def noop(self, queryset, name, value):
        return queryset  # applied together in filter_queryset

    def filter_competing(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.competing() if value else queryset.not_competing()

    def filter_unclaimed(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.unclaimed() if value else queryset.claimed()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        queryset = self.filter_dates(queryset, data)
        queryset = self.filter_claims(queryset, data)
        if data.get("q"):
            queryset = self.search(queryset, data["q"], sorted_by_user=bool(data.get("sort")))
        return queryset

    def filter_dates(self, queryset, data):
        """By default, incidents that may have happened in the range; with date_match=start,
        those whose first possible day is in it, as the timeline's bars count them."""
        start, end = data.get("date_from"), data.get("date_to")
        if data.get("date_match") != DATES_START:
            return queryset.overlapping(start, end)
        if start:
            queryset = queryset.filter(first_day__gte=start)
        if end:
            queryset = queryset.filter(first_day__lte=end)
        return queryset

    def filter_claims(self, queryset, data):
        """group, brand, claim_kind and claim_status describe the same claim.

        By default a group or brand filter means current claims of responsibility and
        attributions naming it; claim_kind and claim_status narrow or widen that.
        """
        group, brand = data.get("group"), data.get("brand")
        kinds, statuses = data.get("claim_kind"), data.get("claim_status")
        if not (group or brand or kinds or statuses):
            return queryset
        claims = Claim.objects.filter(incident=OuterRef("pk"))
        if kinds:
            claims = claims.filter(kind__in=kinds)
        elif group or brand:
            claims = claims.filter(kind__in=[ClaimKind.RESPONSIBILITY, ClaimKind.ATTRIBUTION])
        if statuses:
            claims = claims.filter(status__in=statuses)
        elif group or brand:
            claims = claims.filter(status=ClaimStatus.CURRENT)
        if not (group or brand):
            return queryset.filter(Exists(claims))
        if group:
            via_brand = bool(data.get("group_via_brand"))
            queryset = queryset.filter(Exists(naming(claims, group=group, via_brand=via_brand)))
        if brand:
            queryset = queryset.filter(Exists(naming(claims, brand=brand)))
        return queryset

    def search(self, queryset, query, sorted_by_user):
        """The incidents' stored search documents (claims.derived): their text, and those
        claimed by, attributed to or denied by a group or brand the query names."""
        actors = match_actors(query, viewer(self.request))
        tokens = [actor_token("g", pk) for pk in sorted(actors.group_ids)]
        tokens += [actor_token("b", pk) for pk in sorted(actors.brand_ids)]
        queryset = document_search(queryset, query, tokens, actors.names, actors.spellings)
        if sorted_by_user:
            return queryset
        return queryset.order_by(*ordering(Incident, "-search_rank", *self.default_order))


class ClaimFilterSet(StrictFilterSet):
    """The claims list: one row per claim, filtered by the claim and by its incident."""

    date_from = ISODateFilter(label="Incident from", method="noop")
    date_to = ISODateFilter(label="Incident to", method="noop")
    country = CountryFilter(field_name="incident__country", counted_in=visible_claims)
    location = place_filter(field_name="incident__location")
    group = group_filter(method="filter_group")
    brand = brand_filter(field_name="brand")
    claim_kind = ChoicesFilter(choices=ClaimKind.choices, field_name="kind", label="Claim kind")
    claim_status = ChoicesFilter(
        choices=ClaimStatus.choices, field_name="status", label="Claim status"
    )
    q = TextFilter(method="filter_q", label="Text")
    sort = SortFilter(
        default="newest incident first",
        fields={
            "incident_date": ["incident__date", "incident__code"],
            "date": ["date"],
            "kind": ["kind"],
            "status": ["status"],
        },
        label="Sort by",
    )

    default_order = ("-incident__date", "incident__code", "date")

    class Meta:
        model = Claim
        fields = []
        form = DateRangeForm

    def noop(self, queryset, name, value):
        return queryset

    def filter_group(self, queryset, name, value):
        """Claims by the group, and attributions made by it."""
        return queryset.filter(Q(group=value) | Q(attributed_by=value)) if value else queryset

    def filter_q(self, queryset, name, value):
        actors = match_actors(value, viewer(self.request))
        extra = Q(group_id__in=actors.group_ids) | Q(brand_id__in=actors.brand_ids)
        fields = ["incident__title", "claimant_as_named", "english_text", "original_text", "note"]
        fields += ["channel_detail", "attributed_by_detail", "incident__code"]
        return text_search(
            queryset,
            value,
            fields,
            extra=extra if actors else None,
            names=actors.names,
            spellings=actors.spellings,
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if data.get("date_from") or data.get("date_to"):
            incidents = Incident.objects.overlapping(data.get("date_from"), data.get("date_to"))
            queryset = queryset.filter(incident__in=incidents.values("pk"))
        return queryset


class LocationFilterSet(StrictFilterSet):
    q = TextFilter(method="search", label="Name")
    # Every country by name, uncounted: counting places per country would cost the list a query.
    country = CountryFilter()
    kind = ChoicesFilter(choices=LocationKind.choices)
    admin1 = TextFilter(lookup_expr="iexact", label="Admin area")
    sort = SortFilter(
        default="name",
        fields={
            "name": ["name"],
            "kind": ["kind", "name"],
            "country": ["country", "admin1", "name"],
            "admin1": ["admin1", "name"],
            "incident_count": ["incident_count"],
        },
    )

    default_order = ("name",)

    class Meta:
        model = Location
        fields = []

    def search(self, queryset, name, value):
        return search_locations(queryset, value, match_actors(value, viewer(self.request)))


LOCATION_NAME_FIELDS = ["name", "alternate_names", "arabic_name", "admin1"]


def search_locations(queryset, query, actors, fields=(*LOCATION_NAME_FIELDS, "notes")):
    """Locations by their names (and notes), an actor's name in any spelling (groups.search)."""
    return text_search(
        queryset, query, list(fields), names=actors.names, spellings=actors.spellings
    )
