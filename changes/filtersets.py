import datetime

from changes.models import Action, Change
from kb.filters import ChoicesFilter, ISODateFilter, StrictFilterSet, TextFilter
from kb.roles import curated_models


def record_choices():
    return sorted(
        (model._meta.model_name, str(model._meta.verbose_name)) for model in curated_models()
    )


def labels_by_name():
    return {model._meta.model_name: model._meta.label_lower for model in curated_models()}


def day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


class ChangeFilterSet(StrictFilterSet):
    """Filters for the change log; `since` and `until` are whole UTC days, both included."""

    since = ISODateFilter(method="filter_since", label="Since (UTC day)")
    until = ISODateFilter(method="filter_until", label="Until (UTC day)")
    action = ChoicesFilter(choices=Action.choices)
    record = ChoicesFilter(choices=record_choices, method="filter_record", label="Record type")
    incident = TextFilter(field_name="incident_code", label="Incident code", max_length=100)

    class Meta:
        model = Change
        fields = []

    def filter_since(self, queryset, name, value):
        return queryset.filter(at__gte=day_start(value))

    def filter_until(self, queryset, name, value):
        if value == datetime.date.max:
            return queryset
        return queryset.filter(at__lt=day_start(value + datetime.timedelta(days=1)))

    def filter_record(self, queryset, name, value):
        labels = labels_by_name()
        return queryset.filter(model__in=[labels[name] for name in value])
