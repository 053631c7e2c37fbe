"""What every list's FilterSet shares: strict validation, and filters that refuse bad input with a
message instead of ignoring it.

A list page, its export and its tests use one FilterSet. When any parameter is invalid the
FilterSet selects nothing and its form carries the errors: never a 500, and never a silently
different result (django-filter would otherwise apply only the valid parameters).
"""

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import CharField, F, TextField, Value
from django.db.models.functions import Lower, NullIf

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
    """`sort=name` or `sort=-name`; empty values (unknown figures, no date) come last both ways.

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

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = []
        for param in value:
            descending = param.startswith("-")
            for field in self.sort_fields[param.lstrip("-")]:
                expression = F(field)
                if is_text(qs.model, field):
                    # Unrecorded text is '' (not NULL): sort it with the unknowns, and ignore case.
                    expression = Lower(NullIf(expression, Value("")))
                ordering.append(
                    expression.desc(nulls_last=True)
                    if descending
                    else expression.asc(nulls_last=True)
                )
        return qs.order_by(*ordering, "pk")


def is_text(model, path: str) -> bool:
    """Is the field at this lookup path (e.g. 'location__name') a text field?"""
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # an annotation, such as a count
        model = field.related_model or model
    return isinstance(field, CharField | TextField)


class StrictFilterSet(django_filters.FilterSet):
    """Selects nothing unless every parameter is valid."""

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
