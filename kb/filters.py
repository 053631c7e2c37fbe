"""What every list's FilterSet shares: strict validation, and filters that refuse bad input with a
message instead of ignoring it.

A list page, its export and its tests use one FilterSet. When any parameter is invalid the
FilterSet selects nothing and its form carries the errors: never a 500, and never a silently
different result (django-filter would otherwise apply only the valid parameters).
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError

from kb.ordering import ordering

MAX_TEXT = 200
MAX_COUNT = 1_000_000


class FlagField(forms.Field):
    """A yes/no switch in a URL: 1/0, true/false, yes/no, on/off. Anything else is an error."""

    TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValidationError(f"Use 1 or 0, not '{str(value)[:20]}'.", code="invalid")


class FlagCheckbox(forms.CheckboxInput):
    """A checkbox that hands the raw value to FlagField (Django's own turns any text into True)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: value not in FALSY)

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class FlagFilter(django_filters.Filter):
    """A yes/no filter; shown as any/yes/no, or as a checkbox with `checkbox=True`."""

    field_class = FlagField

    def __init__(self, *args, checkbox=False, **kwargs):
        if checkbox:
            kwargs.setdefault("widget", FlagCheckbox())
        else:
            choices = [("", "any"), ("1", "yes"), ("0", "no")]
            kwargs.setdefault("widget", forms.Select(choices=choices))
        super().__init__(*args, **kwargs)


FALSY = {None, "", "0", "false", "no", "off", False}


class CountFilter(django_filters.NumberFilter):
    """A whole number from 0 to a million (larger ones would overflow the database's integers)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_COUNT)
        super().__init__(*args, **kwargs)


class ISODateFilter(django_filters.DateFilter):
    """A date written YYYY-MM-DD, the only format the URLs promise."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        # A text box, not type=date: browsers blank an invalid date, losing what was typed.
        attrs = {"placeholder": "YYYY-MM-DD", "inputmode": "numeric", "size": 10}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(*args, **kwargs)


class TextFilter(django_filters.CharFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_TEXT)
        super().__init__(*args, **kwargs)


class SortFilter(django_filters.OrderingFilter):
    """`sort=name` or `sort=-name`, ordered by kb.ordering's rule: unknowns (no date, unknown
    figures, empty text) last both ways, text by code point with A-Z as a-z, ties by id.

    `fields` maps each public sort name to the model fields it orders by, in priority order.
    """

    def __init__(self, *args, fields, labels=None, **kwargs):
        self.sort_fields = dict(fields)
        super().__init__(
            *args,
            fields={name: name for name in self.sort_fields},
            field_labels=labels or {},
            **kwargs,
        )

    def fields_for(self, value) -> list[str]:
        """The order_by names (`-date`, `code`) of the sort parameter's values."""
        fields = []
        for param in value:
            sign = "-" if param.startswith("-") else ""
            fields += [sign + field for field in self.sort_fields[param.lstrip("-")]]
        return fields

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.order_by(*ordering(qs.model, *self.fields_for(value)))


class StrictFilterSet(django_filters.FilterSet):
    """Selects nothing unless every parameter is valid. Without a `sort` parameter, rows come in
    `default_order` (order_by names, ordered by kb.ordering's rule), on the page and in its
    export alike."""

    default_order: tuple[str, ...] = ()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        sort = self.form.cleaned_data.get("sort")
        if self.default_order and not sort:
            queryset = queryset.order_by(*ordering(queryset.model, *self.default_order))
        return queryset

    @property
    def qs(self):
        if not hasattr(self, "_strict_qs"):
            if self.is_bound and not self.is_valid():
                self._strict_qs = self.queryset.none()
            else:
                self._strict_qs = super().qs
        return self._strict_qs

    def error_text(self) -> str:
        """The errors as one line per parameter, for plain-text responses."""
        return "\n".join(f"{name}: {' '.join(messages)}" for name, messages in self.errors.items())


def takes_several(filter_) -> bool:
    """Does the filter take a repeated parameter (`country=IQ&country=SY`)?"""
    return issubclass(
        filter_.field_class, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)
    )


def parameters(filterset_class, exclude=()) -> dict[str, set[str]]:
    """The FilterSet's parameter names, as `kb.query.refusals()` takes them."""
    names = {name: f for name, f in filterset_class.base_filters.items() if name not in exclude}
    return {
        "single": {name for name, f in names.items() if not takes_several(f)},
        "multi": {name for name, f in names.items() if takes_several(f)},
    }


def visible_choices(model):
    """A choice filter's queryset for the viewer: a draft record is no valid choice for the
    public (as if it did not exist), a choice for staff."""

    def choices(request):
        return model.objects.visible_to(getattr(request, "user", None))

    return choices


def viewer(request):
    """The user a FilterSet filters for (None, the public, without a request)."""
    return getattr(request, "user", None)


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """Several values of one column (`country=IQ&country=SY`), without DISTINCT: each list's
    choices filter a column of its own rows (or of the one row each points to), so no row can come
    twice, and DISTINCT over a million wide rows would sort them all."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)
