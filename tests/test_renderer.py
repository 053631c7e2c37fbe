"""The form renderer (kb.renderers) renders selects, checkboxes and radio buttons in Python: the
markup must be exactly what Django's templates give, for every list's filter form (bound with
values, with errors, without) and for the widgets' other cases (groups of options, boolean and
escaped attributes, radio buttons, a custom option template)."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict
from django.test import RequestFactory

from changes.filtersets import ChangeFilterSet
from claims.filtersets import ClaimFilterSet, IncidentFilterSet, LocationFilterSet
from claims.visuals import VisualForm
from groups.filtersets import AffiliationFilterSet, BrandFilterSet, GroupFilterSet
from kb.renderers import Renderer
from kb.views import PageForm
from sources.filtersets import SourceFilterSet

pytestmark = pytest.mark.django_db

FILTERSETS = [
    IncidentFilterSet,
    ClaimFilterSet,
    LocationFilterSet,
    GroupFilterSet,
    BrandFilterSet,
    AffiliationFilterSet,
    SourceFilterSet,
    ChangeFilterSet,
]
DATA = [
    "",
    "country=IQ&country=SY&group=kataib-hezbollah&weapon=rocket&weapon=one_way_drone&sort=-date",
    "group=nope&brand=<b>&country=XX&sort=bogus&competing=maybe&per_page=7&interval=year",
    "claim_kind=attribution&claim_status=current&kind=militia&confirmation=confirmed",
]


def both(bound_field):
    """The field's widget by Django's renderer and by ours."""
    widget = bound_field.field.widget
    attrs = bound_field.build_widget_attrs({})
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs["id"] = bound_field.auto_id
    value = bound_field.value()
    django = widget.render(bound_field.html_name, value, attrs, DjangoTemplates())
    ours = widget.render(bound_field.html_name, value, attrs, Renderer())
    return django, ours


@pytest.mark.parametrize("query", DATA, ids=range(len(DATA)))
def test_filter_forms_render_as_with_djangos_templates(query):
    request = RequestFactory().get("/")
    request.user = None
    data = QueryDict(query)
    forms_ = [f(data, request=request).form for f in FILTERSETS]
    forms_ += [PageForm(data), VisualForm(data)]
    seen = 0
    for form in forms_:
        form.is_valid()
        for bound_field in form:
            django, ours = both(bound_field)
            assert ours == django, (type(form).__name__, bound_field.name)
            seen += "<option" in django or 'type="checkbox"' in django
    assert seen > 20


class Widgets(forms.Form):
    grouped = forms.ChoiceField(
        choices=[("", "---"), ("Drones", [("a&b", "A <&> B"), (1, 2)]), ("x", "X")],
        widget=forms.Select(attrs={"data-x": '"q"', "disabled": True, "hidden": False}),
    )
    several = forms.MultipleChoiceField(
        choices=[("Group", [("1", "one"), ("2", "two")]), ("3", "three")],
        widget=forms.SelectMultiple(attrs={"class": "big", "size": 4}),
    )
    radio = forms.ChoiceField(
        choices=[("r", "R"), ("Set", [("s", "S <i>")])],
        widget=forms.RadioSelect(attrs={"class": "inline"}),
    )
    boxes = forms.MultipleChoiceField(
        choices=[(1, "one"), (2, "two")], widget=forms.CheckboxSelectMultiple
    )
    unlabelled = forms.MultipleChoiceField(
        choices=[(1, "one")], widget=forms.CheckboxSelectMultiple(attrs={"id": ""})
    )
    nullable = forms.NullBooleanField()


class OwnOption(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"


@pytest.mark.parametrize("data", [{}, {"grouped": "a&b", "several": ["1", "3"], "radio": "s"}])
def test_widgets_render_as_with_djangos_templates(data):
    form = Widgets(data or None, auto_id="id_%s")
    for bound_field in form:
        django, ours = both(bound_field)
        assert ours == django, bound_field.name
    unbound = Widgets(auto_id=False)
    for bound_field in unbound:
        django, ours = both(bound_field)
        assert ours == django, bound_field.name


def test_a_widget_with_its_own_option_template_is_rendered_by_the_templates():
    widget = OwnOption(choices=[("a", "A")])
    assert widget.render("x", "a", renderer=Renderer()) == widget.render(
        "x", "a", renderer=DjangoTemplates()
    )
