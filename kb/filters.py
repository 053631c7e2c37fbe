"""What every list's FilterSet shares: strict validation, and filters that refuse bad input with a
message instead of ignoring it.

A list page, its export and its tests use one FilterSet. When any parameter is invalid the
FilterSet selects nothing and its form carries the errors: never a 500, and never a silently
different result (django-filter would otherwise apply only the valid parameters).
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count

from kb.cache import cached
from kb.countries import COUNTRIES
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

    `fields` maps each public sort name to the model fields it orders by, in priority order;
    `default` says in words the order without a choice (the FilterSet's `default_order`).
    """

    def __init__(self, *args, fields, default, labels=None, **kwargs):
        kwargs.setdefault("label", "Sort by")  # the same words on every list
        kwargs.setdefault("empty_label", default)  # what no choice means: the list's own order
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

    def offer_choices(self, counts=True):
        """For the page's form: let each filter with options offer the ones worth showing
        (with their counts where cheap, and `counts`); what the filters accept is unchanged."""
        for name, filter_ in self.filters.items():
            if hasattr(filter_, "offer") and name in self.form.fields:
                filter_.offer(self, name, counts=counts)

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
    twice, and DISTINCT over a million wide rows would sort them all.

    Shown as checkboxes on every list (no ctrl-click); a long list gets a box that narrows it as
    one types (static/js/filters.js), and without JavaScript it is still a list of checkboxes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(*args, **kwargs)


class CountryFilter(ChoicesFilter):
    """Countries by ISO code in the URL (any of the 249 is accepted), by name on the page.

    With `counted_in` (the viewer's records to count, from the request), the page offers the
    countries that have such records, each with their number, as "Iraq (38)": one grouped query,
    kept until the data changes (kb.cache). Without it, every country, by name."""

    def __init__(self, *args, counted_in=None, **kwargs):
        kwargs.setdefault("choices", COUNTRIES)
        kwargs.setdefault("label", "Country")
        self.counted_in = counted_in
        super().__init__(*args, **kwargs)

    def counts(self, request) -> dict[str, int]:
        def compute():
            rows = self.counted_in(request).order_by().values(self.field_name)
            return dict(rows.annotate(n=Count("pk")).values_list(self.field_name, "n"))

        key = (type(self.parent).__name__, self.field_name)
        return cached("country-counts", key, request, compute)

    def offer(self, filterset, name, counts=True):
        data = filterset.data
        selected = set(data.getlist(name)) if hasattr(data, "getlist") else set()
        if self.counted_in is None:
            offered = [(code, country, None) for code, country in COUNTRIES]
        else:
            found = self.counts(filterset.request)
            offered = [
                (code, country, found.get(code, 0) if counts else None)
                for code, country in COUNTRIES
                if code in found or code in selected
            ]
        filterset.form.fields[name].widget.choices = [
            (code, country if n is None else f"{country} ({n:,})")
            for code, country, n in sorted(offered, key=lambda c: c[1])
        ]


class SuggestInput(forms.TextInput):
    """A record typed, not picked from hundreds of options: its slug or its name. With
    JavaScript the box suggests records by name as one types, in a native <datalist> filled from
    `suggest` (static/js/suggest.js); without it, a name or a slug typed works the same."""

    def __init__(self, suggest: str, placeholder: str):
        attrs = {
            "data-suggest": suggest,
            "autocomplete": "off",
            "placeholder": placeholder,
            "spellcheck": "false",
        }
        super().__init__(attrs=attrs)


class NamedRecordField(forms.ModelChoiceField):
    """A record by its slug, as links give it, or by a name as typed (`by_name` finds the
    records, among those the viewer may see, that a text names)."""

    def __init__(self, *args, by_name, noun, **kwargs):
        self.by_name, self.noun = by_name, noun
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            text = str(value).strip()
            named = sorted(self.by_name(self.queryset, text), key=lambda r: r.slug) if text else []
            if len(named) == 1:
                return named[0]
            slugs = ", ".join(record.slug for record in named[:10])
            raise ValidationError(
                f"Several {self.noun}s are named so; give the slug of one: {slugs}."
                if named
                else f"No such {self.noun}: give its name or slug.",
                code="invalid_choice",
            ) from None


def named_exactly(queryset, text):
    return queryset.filter(name__iexact=text)


class RecordFilter(django_filters.ModelChoiceFilter):
    """One record of a long list (a group, a brand, a place), by slug or name, with suggestions:
    the same widget for the same kind of filter on every list."""

    field_class = NamedRecordField

    def __init__(self, model, *, suggest, noun, example, by_name=named_exactly, **kwargs):
        kwargs.setdefault("label", noun.capitalize())
        kwargs.setdefault("help_text", f"Its name or slug, e.g. {example}.")
        super().__init__(
            queryset=visible_choices(model),
            to_field_name="slug",
            widget=SuggestInput(suggest, placeholder=f"a {noun}'s name or slug"),
            by_name=by_name,
            noun=noun,
            **kwargs,
        )
