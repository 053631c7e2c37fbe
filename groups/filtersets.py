"""Filters for the group, brand and affiliation lists, and the group and brand fields of every
list."""

import django_filters

from groups.models import (
    LIVE_AFFILIATIONS,
    Affiliation,
    AffiliationStatus,
    Alias,
    Brand,
    Group,
    GroupKind,
)
from groups.search import match_actors
from kb.filters import (
    ChoicesFilter,
    CountryFilter,
    RecordFilter,
    SortFilter,
    StrictFilterSet,
    TextFilter,
    viewer,
    visible_choices,
)
from kb.names import fold
from kb.vocab import Confidence


def actors_named(queryset, text):
    """The groups or brands of the queryset that a text names, however it is spelled; when it
    names several, the one it spells out in full (a name, acronym or alias), if only one."""
    actors = match_actors(text)
    named = list(
        queryset.filter(pk__in=actors.group_ids if queryset.model is Group else actors.brand_ids)
    )
    if len(named) < 2:
        return named
    owner = "group" if queryset.model is Group else "brand"
    aliases = Alias.objects.filter(**{f"{owner}__in": named}).values_list(f"{owner}_id", "name")
    names = {record.pk: {record.name, record.acronym, record.arabic_name} for record in named}
    for pk, alias in aliases:
        names[pk].add(alias)
    exact = [r for r in named if fold(text) in {fold(n) for n in names[r.pk] if n}]
    return exact if len(exact) == 1 else named


def actor_filter(model, example: str, **kwargs):
    """A group or brand typed by its slug or any spelling of a name (kb.filters.RecordFilter)."""
    noun = model._meta.model_name
    return RecordFilter(
        model,
        suggest=f"/{noun}s/suggest.json",
        noun=noun,
        example=example,
        by_name=actors_named,
        **kwargs,
    )


def group_filter(**kwargs):
    return actor_filter(Group, "Kata'ib Hezbollah or kataib-hezbollah", **kwargs)


def brand_filter(**kwargs):
    return actor_filter(Brand, "Islamic Resistance in Iraq or islamic-resistance-in-iraq", **kwargs)


def visible_groups(request):
    return Group.objects.visible_to(viewer(request))


class NameOrAliasMixin:
    def by_name_or_alias(self, queryset, name, value):
        """Groups or brands designated by the text: any name or alias, however transliterated."""
        if not value:
            return queryset
        actors = match_actors(value, viewer(self.request))
        ids = actors.group_ids if queryset.model is Group else actors.brand_ids
        return queryset.filter(pk__in=ids)


class GroupFilterSet(NameOrAliasMixin, StrictFilterSet):
    q = TextFilter(method="by_name_or_alias", label="Name or alias")
    kind = ChoicesFilter(choices=GroupKind.choices)
    country = CountryFilter(counted_in=visible_groups)
    brand = brand_filter(
        method="affiliated_with",
        label="Affiliated with brand",
        help_text="Announced, assessed or suspected members.",
    )
    sort = SortFilter(
        default="name",
        fields={
            "name": ["name"],
            "kind": ["kind", "name"],
            "country": ["country", "name"],
            "founded": ["founded"],
            "incident_count": ["incident_count"],
        },
    )

    default_order = ("name",)

    class Meta:
        model = Group
        fields = []

    def affiliated_with(self, queryset, name, brand):
        live = Affiliation.objects.filter(brand=brand, status__in=LIVE_AFFILIATIONS)
        return queryset.filter(pk__in=live.values("group")) if brand else queryset


class BrandFilterSet(NameOrAliasMixin, StrictFilterSet):
    q = TextFilter(method="by_name_or_alias", label="Name or alias")
    sort = SortFilter(
        default="name",
        fields={
            "name": ["name"],
            "launched": ["launched"],
            "member_count": ["member_count"],
            "incident_count": ["incident_count"],
        },
    )

    default_order = ("name",)

    class Meta:
        model = Brand
        fields = []


class AffiliationFilterSet(StrictFilterSet):
    group = django_filters.ModelChoiceFilter(queryset=visible_choices(Group), to_field_name="slug")
    brand = django_filters.ModelChoiceFilter(queryset=visible_choices(Brand), to_field_name="slug")
    status = ChoicesFilter(choices=AffiliationStatus.choices)
    confidence = ChoicesFilter(choices=Confidence.choices)
    sort = SortFilter(
        default="brand, then group",
        fields={
            "group": ["group__name"],
            "brand": ["brand__name", "group__name"],
            "status": ["status"],
            "start": ["start"],
        },
    )

    default_order = ("brand__name", "group__name", "status", "assessed_by")

    class Meta:
        model = Affiliation
        fields = []
