"""What every curated model's admin shares.

- A reason for each change, required when editing, recorded in the history with the editor's name.
- No lost updates: each form carries the version of the record it was opened on (its latest
  history row); saving over a newer version is refused, the input is kept, and the message says
  who changed what in between.
- Dates typed with their precision ("2023-10" for a month), checked against the chosen precision.
- Text typed in any script: inputs are `dir="auto"`, so Arabic is entered right to left.
- Deletion (publishers only) one record at a time, with a required reason kept in the history.
- List filters that offer only the values in use (countries by name), not every possible one.
"""

import datetime
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Max
from django.http import HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from changes import recorder
from kb.cache import cached
from kb.dates import DatePrecision
from kb.roles import can_publish
from kb.visibility import PublicationStatus, drafts_used, publish

PARTIAL_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


class PartialDate(datetime.date):
    """A date as typed, remembering whether the day and month were given ('year', 'month' or
    'day'); the missing parts are 1."""

    given: str


class UnlabelledHiddenInput(forms.HiddenInput):
    """A hidden input that no <label> points to: the admin's fieldsets give every field a label,
    and a label for a hidden input is invalid HTML (its row is hidden anyway)."""

    def id_for_label(self, id_):
        return ""


class NamedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete whose empty choice says so (an empty <option> is invalid HTML), and a
    required one with an empty-valued first option; the search box is named by the field's label
    (static/js/admin-labels.js)."""

    EMPTY = "(none)"
    PLACEHOLDER = "(choose one)"

    def create_option(self, name, value, label, *args, **kwargs):
        return super().create_option(name, value, label or self.EMPTY, *args, **kwargs)

    def optgroups(self, name, value, attr=None):
        groups = super().optgroups(name, value, attr)
        if self.is_required and not self.allow_multiple_selected:
            # A required select starts with an empty-valued placeholder option (valid HTML).
            placeholder = self.create_option(name, "", self.PLACEHOLDER, False, 0)
            groups.insert(0, (None, [placeholder], 0))
        return groups


class PrecisionDateField(forms.Field):
    """A date typed as YYYY-MM-DD, YYYY-MM or YYYY; the form checks it against its precision."""

    HINT = "YYYY-MM-DD, YYYY-MM or YYYY"
    # As wide as its hint, so that the hint reads whole in the empty box.
    widget = forms.TextInput(
        attrs={"placeholder": HINT, "size": len(HINT) + 1, "class": "precision-date"}
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "YYYY-MM-DD, or YYYY-MM for a month, YYYY for a year.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return as_typed(value) if isinstance(value, datetime.date) else value

    def has_changed(self, initial, data):
        try:
            value = self.to_python(data)
        except ValidationError:
            return True
        return as_typed(initial) != as_typed(value)

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value
        text = str(value or "").strip()
        if not text:
            return None
        match = PARTIAL_DATE.match(text)
        if not match:
            raise ValidationError(
                "Enter a date as YYYY-MM-DD, YYYY-MM or YYYY.", code="invalid_date"
            )
        year, month, day = match.groups()
        try:
            value = PartialDate(int(year), int(month or 1), int(day or 1))
        except ValueError:
            raise ValidationError(
                f"{text.strip()} is not a real date.", code="invalid_date"
            ) from None
        value.given = "day" if day else "month" if month else "year"
        return value


class DayInput(forms.DateInput):
    """A plain date (an end date, an access date) typed like a precision date, in a box of the
    same look: no calendar pop-up with another format."""

    HINT = "YYYY-MM-DD"

    def __init__(self, attrs=None):
        size = len(PrecisionDateField.HINT) + 1  # the same box as a precision date's
        attrs = {"placeholder": self.HINT, "size": size, **(attrs or {}), "class": "precision-date"}
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def as_day_field(field: forms.DateField):
    """A date field typed as YYYY-MM-DD in a DayInput, with an error that says so."""
    field.widget = DayInput()
    field.input_formats = ["%Y-%m-%d"]
    field.error_messages = {
        **field.error_messages,
        "invalid": "Enter a day as YYYY-MM-DD (for the end of a month, its last day).",
    }


def as_typed(value) -> str:
    """A form value as text: a PartialDate as it was typed, a date in full, text stripped."""
    if isinstance(value, PartialDate):
        return typed_as(value, value.given)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value or "").strip()


def typed_as(date: datetime.date, precision: str) -> str:
    """How a stored date is shown in a form: a month as YYYY-MM, a year as YYYY."""
    if precision == DatePrecision.YEAR:
        return f"{date:%Y}"
    if precision == DatePrecision.MONTH:
        return f"{date:%Y-%m}"
    return date.isoformat()


NEEDS = {
    DatePrecision.DAY: "day",
    DatePrecision.WEEK: "day",
    DatePrecision.MONTH: "month",
    DatePrecision.YEAR: "year",
}

PRECISION_MESSAGES = {
    DatePrecision.DAY: "A day-precision date needs the full date, YYYY-MM-DD. "
    "If only the month or year is known, choose that precision.",
    DatePrecision.WEEK: "A week-precision date is the last day of the week: enter it in full, "
    "YYYY-MM-DD.",
    DatePrecision.MONTH: "Month precision is shown as a month: enter YYYY-MM "
    "(or choose day precision to keep the day).",
    DatePrecision.YEAR: "Year precision is shown as a year: enter YYYY "
    "(or choose a finer precision).",
}


def latest_history(obj):
    return obj.history.order_by("-history_date", "-history_id").first()


def version_of(obj) -> str:
    """The record's version: the id of its latest history row ("" if it has none)."""
    latest = obj.history.aggregate(latest=Max("history_id"))["latest"]
    return str(latest) if latest is not None else ""


def lock(obj):
    """Hold the record's row until the transaction ends, so two saves cannot both pass the version
    check (PostgreSQL; SQLite serialises writers anyway)."""
    if connection.in_atomic_block and connection.features.has_select_for_update:
        list(type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values("pk"))


def conflict_message(obj, submitted: str):
    """Who changed the record since the version the editor opened, and what changed."""
    current = latest_history(obj)
    valid = submitted.isascii() and submitted.isdigit() and len(submitted) < 19
    opened = obj.history.filter(history_id=int(submitted)).first() if valid else None
    who = current.history_user or "someone"
    when = f"{current.history_date:%Y-%m-%d %H:%M} UTC"
    reason = current.history_change_reason or "no reason given"
    changed = recorder.differences(type(obj), opened, current) if opened else []
    details = format_html_join(
        "", "<li>{}: now “{}” (was “{}”)</li>", ((d["label"], d["new"], d["old"]) for d in changed)
    )
    return format_html(
        "This {} was changed by {} at {} (“{}”) after you opened it. Your changes are not saved; "
        "they are still in the form. {}Compare, then save again to keep your version.{}",
        obj._meta.verbose_name,
        who,
        when,
        reason,
        "What they changed: " if changed else "",
        format_html("<ul>{}</ul>", details) if changed else "",
    )


class CuratedFormMixin:
    """Version check, precision dates and right-to-left-ready inputs, for main and inline forms."""

    editor = None  # the signed-in user, set by the admin on the form class it builds

    def setup_curated_fields(self, versions=None):
        instance = self.instance
        if "version" in self.fields:
            if not instance.pk:
                version = ""
            elif versions is not None:
                version = versions.get(instance.pk, "")
            else:
                version = version_of(instance)
            self.fields["version"].initial = version
            if instance.pk:
                self.initial["version"] = self.fields["version"].initial
        for name in getattr(self._meta.model, "date_fields", ()):
            if name not in self.fields:
                continue
            old = self.fields[name]
            self.fields[name] = PrecisionDateField(
                label=old.label, required=old.required, help_text=old.help_text
            )
            value, precision = self.initial.get(name), self.initial.get(f"{name}_precision")
            if isinstance(value, datetime.date) and precision:
                self.initial[name] = typed_as(value, precision)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                as_day_field(field)
            if isinstance(field.widget, (forms.TextInput, forms.Textarea)):
                field.widget.attrs.setdefault("dir", "auto")

    def clean_dates(self, cleaned):
        for name in getattr(self._meta.model, "date_fields", ()):
            value = cleaned.get(name)
            if not isinstance(value, PartialDate):
                continue
            precision_field = f"{name}_precision"
            precision = cleaned.get(precision_field)
            if not precision and precision_field in self.fields:
                precision = cleaned[precision_field] = value.given
            if precision in NEEDS and NEEDS[precision] != value.given:
                self.add_error(name, PRECISION_MESSAGES[precision])
            cleaned[name] = datetime.date(value.year, value.month, value.day)
        return cleaned

    def check_version(self, cleaned, obj=None):
        """Refuse to save over a version newer than the one this form was opened on."""
        obj = obj or self.instance
        if not obj.pk or "version" not in self.fields:
            return
        lock(obj)
        submitted = cleaned.get("version") or ""
        if submitted == version_of(obj):
            return
        message = conflict_message(obj, submitted)
        # Let a second, deliberate save go through: it is now made over the current version.
        self.data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
        self.data[self.add_prefix("version")] = version_of(obj)
        raise ValidationError(message, code="conflict")


class ChangeReasonForm(CuratedFormMixin, forms.ModelForm):
    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=500,
        help_text="Recorded in the history with your name, e.g. 'corrected date per CENTCOM'. "
        "Required when editing.",
        widget=forms.TextInput(attrs={"size": 80}),
    )
    version = forms.CharField(required=False, widget=UnlabelledHiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_curated_fields()
        if self.instance.pk:
            self.fields["change_reason"].required = True

    def clean(self):
        cleaned = self.clean_dates(super().clean())
        self.check_version(cleaned)
        return cleaned


class CuratedInlineForm(CuratedFormMixin, forms.ModelForm):
    version = forms.CharField(required=False, widget=UnlabelledHiddenInput)

    def __init__(self, *args, versions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_curated_fields(versions)

    def has_changed(self):
        # A row whose shown fields still hold the current values writes nothing: a newer version
        # alone (someone changed a field this page does not show) is no reason to save or refuse.
        return bool(set(self.changed_data) - {"version"})

    def clean(self):
        cleaned = self.clean_dates(super().clean())
        if self.has_changed() or cleaned.get("DELETE"):
            self.check_version(cleaned)
        return cleaned


class VersionedInlineFormSet(forms.BaseInlineFormSet):
    """Gives each row the version of its record, read for all the rows in one query."""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if issubclass(self.form, CuratedInlineForm):
            kwargs["versions"] = self.versions
        return kwargs

    label_each_field = False  # a tabular inline's rows: their labels are the column headers

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if self.label_each_field:
            # A control in a table row is named by its column: say so to assistive technology.
            for field in form.fields.values():
                # The select inside a related-object wrapper (its own attrs are not the select's).
                widget = getattr(field.widget, "widget", field.widget)
                if not widget.is_hidden:
                    widget.attrs["aria-label"] = str(field.label or "").capitalize()

    @cached_property
    def versions(self) -> dict:
        pks = [obj.pk for obj in self.get_queryset()]
        rows = (
            self.model.history.filter(id__in=pks)
            .values("id")
            .annotate(latest=Max("history_id"))
            .values_list("id", "latest")
        )
        return {pk: str(latest) for pk, latest in rows}


class CuratedInlineMixin:
    form = CuratedInlineForm
    formset = VersionedInlineFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.editor = formset.form.editor = request.user  # the rules depend on the role
        formset.label_each_field = isinstance(self, admin.TabularInline)
        return formset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = named_autocomplete(self, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields if "version" in fields else [*fields, "version"]


class DeletionReasonForm(forms.Form):
    deletion_reason = forms.CharField(
        label="Reason for deleting",
        max_length=500,
        widget=forms.TextInput(attrs={"size": 80, "dir": "auto"}),
        help_text="Kept in the history and shown in the changes feed.",
    )


# --- List filters --------------------------------------------------------------------------------


class InUseChoicesFilter(admin.ChoicesFieldListFilter):
    """A choice field's filter listing only the values the records hold (in the choices' order),
    not every value the field allows."""

    by_name = False  # list the values by their label (countries), not in the choices' order

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        used = set(values_used(model_admin, request, field_path))
        self.in_use = [(value, label) for value, label in field.flatchoices if value in used]
        if self.by_name:
            self.in_use.sort(key=lambda choice: str(choice[1]).casefold())

    def has_output(self):
        return bool(self.in_use)

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {
            f"{i}__c": models.Count(pk_attname, filter=models.Q((self.lookup_kwarg, value)))
            for i, (value, _label) in enumerate(self.in_use)
        }

    def choices(self, changelist):
        counts = self.get_facet_queryset(changelist) if changelist.add_facets else None
        yield {
            "selected": self.lookup_val is None,
            "query_string": changelist.get_query_string(
                remove=[self.lookup_kwarg, self.lookup_kwarg_isnull]
            ),
            "display": gettext("All"),
        }
        for i, (value, label) in enumerate(self.in_use):
            yield {
                "selected": self.lookup_val is not None and str(value) in self.lookup_val,
                "query_string": changelist.get_query_string(
                    {self.lookup_kwarg: value}, [self.lookup_kwarg_isnull]
                ),
                "display": f"{label} ({counts[f'{i}__c']})" if counts else label,
            }


class InUseRelatedFilter(admin.RelatedOnlyFieldListFilter):
    """A foreign key's filter listing only the records some row points to."""

    def field_choices(self, field, request, model_admin):
        used = [pk for pk in values_used(model_admin, request, f"{self.field_path}__pk") if pk]
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False, limit_choices_to={"pk__in": used}, ordering=ordering
        )


def values_used(model_admin, request, field_path) -> list:
    """The distinct values of the field path in the admin's rows: read once per state of the
    data (kb.cache), not on every page of the list (a scan of the table at scale)."""
    model = model_admin.model._meta.label

    def distinct():
        rows = model_admin.get_queryset(request).order_by().values_list(field_path, flat=True)
        return list(rows.distinct())

    return cached("admin-values-used", (model, field_path), request, distinct)


class CountryFilter(InUseChoicesFilter):
    """The countries the records are in, by name: not 249 ISO codes."""

    by_name = True


def values_in_use(model, spec):
    """A list filter that offers only the values in use: `spec` (a field path) with the filter
    for its kind of field; anything else (a filter class, a pair) as given."""
    if not isinstance(spec, str):
        return spec
    field = get_fields_from_path(model, spec)[-1]
    if field.is_relation and (field.many_to_one or field.one_to_one):
        return (spec, InUseRelatedFilter)
    if field.choices:
        return (spec, CountryFilter if field.name == "country" else InUseChoicesFilter)
    return spec


class CuratedAdmin(SimpleHistoryAdmin):
    """Admin for a curated model: reasons with each change, inlines included; no lost updates;
    deletion with a reason."""

    form = ChangeReasonForm
    save_on_top = True
    delete_confirmation_template = "admin/kb/delete_confirmation.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.editor = request.user  # the rules depend on the role
        return form

    class Media:
        js = ["js/admin-labels.js"]

    def get_list_filter(self, request):
        return [values_in_use(self.model, spec) for spec in super().get_list_filter(request)]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = named_autocomplete(self, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        names = {name for _, options in fieldsets for name in flatten(options["fields"])}
        if "version" in names:
            return fieldsets
        *rest, (title, options) = fieldsets
        return [*rest, (title, {**options, "fields": [*options["fields"], "version"]})]

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        # One record at a time, each with its reason: no bulk deletion.
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data.get("change_reason") or (
            "edited in admin" if change else "added in admin"
        )
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        reason = form.cleaned_data.get("change_reason") or f"edited with {form.instance}"
        for inline_form in formset.forms:
            inline_form.instance._change_reason = reason
        super().save_formset(request, form, formset, change)

    def delete_view(self, request, object_id, extra_context=None):
        extra_context = dict(extra_context or {})
        if request.method == "POST":
            reason_form = DeletionReasonForm(request.POST)
            if not reason_form.is_valid():
                # Show the confirmation again, with the error, instead of deleting.
                request.POST = QueryDict()
                extra_context["reason_form"] = reason_form
                return super().delete_view(request, object_id, extra_context)
            request._deletion_reason = reason_form.cleaned_data["deletion_reason"]
        else:
            extra_context["reason_form"] = DeletionReasonForm()
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        reason = getattr(request, "_deletion_reason", "") or "deleted in admin"
        obj._change_reason = reason
        token = recorder.deletion_reason.set(f"deleted with {obj}: {reason}")
        try:
            with transaction.atomic():
                super().delete_model(request, obj)
        finally:
            recorder.deletion_reason.reset(token)


def named_autocomplete(model_admin, db_field, request, kwargs) -> dict:
    """formfield_for_foreignkey()'s arguments, with a NamedAutocompleteSelect where the admin
    would use an AutocompleteSelect."""
    if "widget" not in kwargs and db_field.name in model_admin.get_autocomplete_fields(request):
        kwargs["widget"] = NamedAutocompleteSelect(
            db_field, model_admin.admin_site, using=kwargs.get("using")
        )
    return kwargs


def flatten(fields):
    for item in fields:
        if isinstance(item, (list, tuple)):
            yield from item
        else:
            yield item


def draft_refusal(record) -> str:
    return (
        f"“{record}” ({record._meta.verbose_name}) is a draft, and a published incident shows "
        "only published records: ask a publisher to publish it (or to make this change)."
    )


class CitationFormSet(VersionedInlineFormSet):
    """A published record (a published incident, or a claim about one) keeps at least one source,
    and an editor cites only published sources for it."""

    def clean(self):
        super().clean()
        parent = self.instance
        if not getattr(parent, "requires_sources", False):
            return
        live = [
            form
            for form in self.forms
            if form.cleaned_data.get("source") and not form.cleaned_data.get("DELETE")
        ]
        if not can_publish(getattr(self, "editor", None)):
            for form in live:
                if form.has_changed() and not form.cleaned_data["source"].is_published:
                    form.add_error("source", draft_refusal(form.cleaned_data["source"]))
        if not live:
            what = (
                "This incident is published"
                if parent._meta.model_name == "incident"
                else f"This {parent._meta.verbose_name} belongs to a published incident"
            )
            raise ValidationError(f"{what}: cite at least one source for it.", code="unsourced")


class CitationInline(CuratedInlineMixin, admin.TabularInline):
    """Sources cited for the record, each with its quote, locator and credibility."""

    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "quote", "locator", "credibility"]
    formset = CitationFormSet
    verbose_name = "cited source"
    verbose_name_plural = "cited sources"

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("widgets", {"quote": forms.Textarea(attrs={"rows": 2, "cols": 60})})
        return super().get_formset(request, obj, **kwargs)


def citation_inline(citation_model):
    """The citation inline for one concrete citation model."""
    return type(f"{citation_model.__name__}Inline", (CitationInline,), {"model": citation_model})


# --- Actions on one record, and publishing -------------------------------------------------------


class ActionForm(CuratedFormMixin, forms.Form):
    """Confirms an action on one record (publish, unpublish, retract) with a reason, and carries
    the version of the record the editor saw, so that the action is not taken on a newer one."""

    reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80, "dir": "auto"}),
        help_text="Recorded in the history with your name, and shown in the changes feed.",
    )
    version = forms.CharField(required=False, widget=UnlabelledHiddenInput)

    def __init__(self, *args, record, reason_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        self.fields["reason"].required = reason_required
        self.fields["version"].initial = version_of(record)

    def clean(self):
        cleaned = super().clean()
        self.check_version(cleaned, obj=self.record)
        return cleaned


def action_page(
    admin_instance,
    request,
    record,
    form,
    *,
    title,
    intro,
    button,
    problems=(),
    problems_intro="",
    with_it=(),
):
    context = {
        **admin_instance.admin_site.each_context(request),
        "opts": admin_instance.opts,
        "title": title,
        "subtitle": str(record),
        "original": record,
        "form": form,
        "intro": intro,
        "button": button,
        "problems": problems,
        "problems_intro": problems_intro,
        "with_it": with_it,
        "change_url": reverse(
            f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk]
        ),
    }
    return TemplateResponse(request, "admin/kb/action_form.html", context)


class PublishableAdmin(CuratedAdmin):
    """Admin of a record with a publication status (kb.visibility): the status changes only
    through Publish and Unpublish, for publishers. Publishing publishes the drafts the record uses
    (the confirmation page lists them); unpublishing is refused while a published record uses it."""

    change_form_template = "admin/kb/publishable_change_form.html"
    actions = ["publish_selected"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "status"]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "status"]

    def get_list_filter(self, request):
        return [values_in_use(self.model, "status"), *super().get_list_filter(request)]

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def publication_problems(self, obj) -> list[str]:
        """What stops the record being published (an incident's missing sources)."""
        return []

    def unpublication_problems(self, obj) -> list[str]:
        """What stops the record being unpublished: the published incidents that use it."""
        return [f"The published incident {code} uses it." for code in obj.published_users()]

    def get_urls(self):
        view = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/publish/", view(self.publish_view), name=f"{name}_publish"),
            path(
                "<path:object_id>/unpublish/", view(self.unpublish_view), name=f"{name}_unpublish"
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_publish": can_publish(request.user)}
        return super().change_view(request, object_id, form_url, extra_context)

    def publish_view(self, request, object_id):
        return self.status_view(request, object_id, PublicationStatus.PUBLISHED)

    def unpublish_view(self, request, object_id):
        return self.status_view(request, object_id, PublicationStatus.DRAFT)

    def status_view(self, request, object_id, status):
        record = self.get_object(request, object_id)
        if record is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not can_publish(request.user):
            raise PermissionDenied
        name = self.opts.verbose_name
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[record.pk]
        )
        publishing = status == PublicationStatus.PUBLISHED
        if record.status == status:
            messages.info(request, f"{record} is already {record.get_status_display()}.")
            return HttpResponseRedirect(change_url)
        check = self.publication_problems if publishing else self.unpublication_problems
        problems = check(record)
        form = ActionForm(
            request.POST if request.method == "POST" else None,
            record=record,
            reason_required=not publishing,
        )
        if request.method == "POST" and not problems:
            with transaction.atomic():
                # The version check locks the record; the rules are checked again under it.
                if form.is_valid() and not (problems := check(record)):
                    reason = form.cleaned_data["reason"]
                    verb = "published" if publishing else "unpublished"
                    changed = set_status(record, status, reason, verb)
                    with_it = ", ".join(str(r) for r in changed[1:])
                    also = f" Published with it: {with_it}." if with_it else ""
                    messages.success(request, f"{record_key(record)} is now {verb}.{also}")
                    return HttpResponseRedirect(change_url)
        return action_page(
            self,
            request,
            record,
            form,
            title=f"Publish {name}" if publishing else f"Unpublish {name}",
            intro=(
                f"Publishing shows the {name} on the public pages, in exports, searches and the "
                "changes feed."
                if publishing
                else f"Unpublishing takes the {name} off the public pages and exports; the "
                "changes feed tells researchers it was withdrawn."
            ),
            button="Publish" if publishing else "Unpublish",
            problems=problems,
            problems_intro=(
                f"This {name} cannot be published yet: every fact needs a source."
                if publishing
                else f"This {name} cannot be unpublished while a published incident uses it."
            ),
            with_it=[
                (str(used), used._meta.verbose_name)
                for used in (drafts_used(record) if publishing and not problems else [])
            ],
        )

    @admin.action(description="Publish the selected records", permissions=["publish"])
    def publish_selected(self, request, queryset):
        published, refused = [], []
        for pk in queryset.filter(status=PublicationStatus.DRAFT).values_list("pk", flat=True):
            with transaction.atomic():
                # Re-read under a lock: publish the record as it is now, not as listed.
                record = self.model._default_manager.select_for_update().get(pk=pk)
                if record.is_published:
                    continue
                problems = self.publication_problems(record)
                if problems:
                    refused.append(f"{record_key(record)}: {' '.join(problems)}")
                else:
                    set_status(record, PublicationStatus.PUBLISHED, "", "published")
                    published.append(record_key(record))
        if published:
            messages.success(request, f"Published {len(published)}: {', '.join(published)}.")
        for line in refused:
            messages.error(request, f"Not published, {line}")


def record_key(record) -> str:
    """How a message names the record: an incident by its code, others as they read."""
    return getattr(record, "code", None) or str(record)


def set_status(record, status, reason, verb) -> list:
    """Publish (with the drafts the record uses) or unpublish; returns the records published."""
    full_reason = f"{verb}: {reason}" if reason else verb
    if status == PublicationStatus.PUBLISHED:
        return publish(record, full_reason)
    record.status = status
    record._change_reason = full_reason
    record.save()
    return []
