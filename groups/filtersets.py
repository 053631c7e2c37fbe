import django_filters
from django.db.models import Q

from groups.models import Brand, Group, GroupKind
from groups.search import match_actors
from kb.countries import COUNTRIES
from kb.filters import SortFilter, StrictFilterSet, TextFilter


def by_name_or_alias(queryset, name, value):
    """Groups or brands designated by the text: any name or alias, however transliterated."""
    if not value:
        return queryset
    actors = match_actors(value)
    ids = actors.group_ids if queryset.model is Group else actors.brand_ids
    return queryset.filter(Q(pk__in=ids) | Q(description__icontains=value))


class GroupFilterSet(StrictFilterSet):
    q = TextFilter(method=by_name_or_alias, label="Name or alias")
    kind = django_filters.MultipleChoiceFilter(choices=GroupKind.choices)
    country = django_filters.MultipleChoiceFilter(choices=COUNTRIES)
    brand = django_filters.ModelChoiceFilter(
        queryset=Brand.objects.all(),
        to_field_name="slug",
        field_name="affiliations__brand",
        distinct=True,
        label="Affiliated with brand",
    )
    sort = SortFilter(
        fields={
            "name": ["name"],
            "kind": ["kind", "name"],
            "country": ["country", "name"],
            "founded": ["founded"],
            "incident_count": ["incident_count"],
        }
    )

    class Meta:
        model = Group
        fields = []


class BrandFilterSet(StrictFilterSet):
    q = TextFilter(method=by_name_or_alias, label="Name or alias")
    sort = SortFilter(
        fields={
            "name": ["name"],
            "launched": ["launched"],
            "member_count": ["member_count"],
            "incident_count": ["incident_count"],
        }
    )

    class Meta:
        model = Brand
        fields = []
