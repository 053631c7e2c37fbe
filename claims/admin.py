"""The incident and claim admin: drafts published by publishers once every fact is sourced, likely
duplicates flagged before saving, and claims corrected (superseded) or retracted, never erased."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from claims.models import (
    Claim,
    ClaimCitation,
    ClaimStatus,
    Incident,
    IncidentCitation,
    Location,
    LocationCitation,
)
from kb.admin import (
    ActionForm,
    ChangeReasonForm,
    CitationInline,
    CuratedAdmin,
    CuratedInlineForm,
    CuratedInlineMixin,
    PublishableAdmin,
    UnlabelledHiddenInput,
    action_page,
    citation_inline,
    draft_refusal,
    version_of,
)
from kb.roles import can_publish
from kb.visibility import PublicationStatus, publish


@admin.register(Location)
class LocationAdmin(PublishableAdmin):
    list_display = ["name", "kind", "country", "admin1", "latitude", "longitude"]
    list_filter = ["country", "kind"]
    search_fields = ["name", "slug", "arabic_name", "alternate_names", "admin1"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [citation_inline(LocationCitation)]
    fieldsets = [
        (None, {"fields": ["name", "slug", "arabic_name", "alternate_names", "kind"]}),
        (None, {"fields": ["country", "admin1", ("latitude", "longitude"), "notes"]}),
        (None, {"fields": ["change_reason"]}),
    ]


class IncidentForm(ChangeReasonForm):
    not_a_duplicate = forms.BooleanField(
        label="This is a different incident",
        required=False,
        widget=UnlabelledHiddenInput,
        help_text="Tick after checking the incidents listed above.",
    )

    WHEN_WHERE = {"location", "date", "date_precision", "date_end"}

    def clean(self):
        cleaned = super().clean()
        location = cleaned.get("location")
        if (
            self.instance.is_published
            and "location" in self.changed_data
            and location is not None
            and not location.is_published
            and not can_publish(self.editor)
        ):
            self.add_error("location", draft_refusal(location))
        checking = not self.instance.pk or self.WHEN_WHERE & set(self.changed_data)
        if self.errors or not checking or cleaned.get("not_a_duplicate"):
            return cleaned
        candidate = Incident(
            pk=self.instance.pk,
            location=cleaned.get("location"),
            date=cleaned.get("date"),
            date_precision=cleaned.get("date_precision"),
            date_end=cleaned.get("date_end"),
        )
        duplicates = candidate.likely_duplicates()
        if duplicates:
            self.fields["not_a_duplicate"].widget = forms.CheckboxInput()
            links = format_html_join(
                "",
                '<li><a href="{}" target="_blank">{}</a> ({})</li>',
                (
                    (reverse("admin:claims_incident_change", args=[d.pk]), str(d), d.code)
                    for d in duplicates
                ),
            )
            raise ValidationError(
                format_html(
                    "Likely duplicate: {} at {} on the same dates. If this is a different "
                    "incident, tick “This is a different incident” and save again.<ul>{}</ul>",
                    "an incident" if len(duplicates) == 1 else f"{len(duplicates)} incidents",
                    cleaned.get("location"),
                    links,
                ),
                code="duplicate",
            )
        return cleaned


class ClaimRules:
    """On a published incident, an editor's claim names only published groups, brands and
    channels; and only a publisher moves a claim written for a draft onto a published incident
    (it would publish it). A publisher's change publishes what it needs (publish_what_it_uses)."""

    ACTORS = ("group", "brand", "attributed_by")

    def check_published_incident(self, cleaned):
        instance = self.instance
        incident = cleaned.get("incident") or (instance.incident if instance.incident_id else None)
        if incident is None or not incident.is_published or can_publish(self.editor):
            return
        before = Claim.objects.filter(pk=instance.pk).values_list("incident__status", flat=True)
        if instance.pk and before and before[0] != PublicationStatus.PUBLISHED:
            self.add_error(
                "incident",
                "Only a publisher can move a claim from a draft onto a published incident: "
                "it would publish what was written for the draft.",
            )
        for name in self.ACTORS:
            record = cleaned.get(name)
            if name in self.changed_data and record is not None and not record.is_published:
                self.add_error(name, draft_refusal(record))
        channel = cleaned.get("channel")
        if "channel" in self.changed_data and channel is not None:
            for operator in (channel.operated_by_group, channel.operated_by_brand):
                if operator is not None and not operator.is_published:
                    self.add_error("channel", draft_refusal(operator))


class ClaimForm(ClaimRules, ChangeReasonForm):
    def clean(self):
        cleaned = super().clean()
        self.check_published_incident(cleaned)
        return cleaned


class ClaimInlineForm(ClaimRules, CuratedInlineForm):
    def clean(self):
        cleaned = super().clean()
        if self.has_changed():
            self.check_published_incident(cleaned)
        return cleaned


class ClaimInline(CuratedInlineMixin, admin.StackedInline):
    """The incident's claims; each claim's own sources are on its page (the change link). Their
    status changes only through the claim's own Correct and Retract buttons."""

    model = Claim
    form = ClaimInlineForm
    fk_name = "incident"
    extra = 0
    show_change_link = True
    can_delete = False  # one claim at a time, from its own page, with a reason
    autocomplete_fields = ["group", "brand", "channel", "attributed_by"]
    readonly_fields = ["status", "lineage", "cited_sources"]
    fields = [
        ("kind", "status", "medium"),
        ("group", "brand", "claimant_as_named"),
        ("date", "date_precision"),
        ("channel", "channel_detail"),
        ("attributed_by", "attributed_by_detail", "confidence"),
        "lineage",
        "english_text",
        "cited_sources",
    ]

    @admin.display(description="cited sources")
    def cited_sources(self, obj):
        if not obj.pk:
            return "Save, then open the claim to cite its sources."
        sources = [c.source for c in obj.citations.all()]
        if not sources:
            return "none yet"
        return format_html_join(", ", "{}", ((s,) for s in sources))

    @admin.display(description="lineage")
    def lineage(self, obj):
        return claim_lineage(obj)

    def has_add_permission(self, request, obj=None):
        # A claim added here could not cite its sources; on a published incident it must.
        if obj is not None and obj.is_published:
            return False
        return super().has_add_permission(request, obj)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "incident", "group", "brand", "channel", "attributed_by", "superseded_by"
            )
            .prefetch_related("citations__source")
        )


def claim_lineage(claim):
    parts = []
    if claim.pk and claim.supersedes_id:
        url = reverse("admin:claims_claim_change", args=[claim.supersedes_id])
        parts.append(format_html('supersedes <a href="{}">claim #{}</a>', url, claim.supersedes_id))
    successor = getattr(claim, "superseded_by", None) if claim.pk else None
    if successor is not None:
        url = reverse("admin:claims_claim_change", args=[successor.pk])
        parts.append(format_html('superseded by <a href="{}">claim #{}</a>', url, successor.pk))
    return format_html_join("; ", "{}", ((p,) for p in parts)) if parts else "—"


@admin.register(Incident)
class IncidentAdmin(PublishableAdmin):
    form = IncidentForm
    change_form_template = "admin/claims/incident/change_form.html"
    # What an editor tells incidents apart by, narrow enough to fit beside the filters at 1280 px.
    list_display = [
        "incident",
        "date_display",
        "where",
        "weapon",
        "confirmation",
        "status",
    ]
    list_display_links = ["incident"]
    list_filter = [
        "country",
        "date_precision",
        "weapon",
        "target",
        "confirmation",
        "claims__brand",
        "claims__kind",
    ]
    list_select_related = ["location"]
    search_fields = ["code", "title", "summary", "place", "facility", "location__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["location"]
    # No `prepopulated_fields`: the code is filled in on the add form only (see
    # get_prepopulated_fields), and django-simple-history's version page reads the attribute
    # directly, where the read-only code is not a form field.
    inlines = [citation_inline(IncidentCitation), ClaimInline]
    actions = ["publish_selected"]

    fieldsets = [
        (None, {"fields": ["code", "title", "status"]}),
        (
            "When",
            {"fields": [("date", "date_precision"), "date_end", "date_note", "time_of_day"]},
        ),
        (
            "Where",
            {
                "fields": [
                    "location",
                    ("country", "admin1"),
                    "place",
                    "facility",
                    "geo_precision",
                    "not_a_duplicate",
                ]
            },
        ),
        (
            "What",
            {"fields": [("weapon", "weapon_detail"), ("target", "target_detail")]},
        ),
        (
            "Casualties (empty means unknown, not zero)",
            {
                "fields": [
                    ("killed_low", "killed_high"),
                    ("injured_low", "injured_high"),
                    "casualty_note",
                ]
            },
        ),
        (None, {"fields": ["confirmation", "summary", "change_reason"]}),
    ]

    # The code is the incident's permalink and the key imports match on: fixed once created. The
    # status changes only through Publish and Unpublish, so new incidents start as drafts.
    def get_readonly_fields(self, request, obj=None):
        return ["code", "status"] if obj else ["status"]

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else self.prepopulated_fields

    def get_list_display(self, request):
        return self.list_display

    @admin.display(description="incident", ordering="title")
    def incident(self, obj):
        return format_html('{}<br><small class="code">{}</small>', obj.title, obj.code)

    @admin.display(description="date", ordering="date")
    def date_display(self, obj):
        return obj.date_display

    @admin.display(description="place", ordering="location__name")
    def where(self, obj):
        where = obj.location.name if obj.location_id else (obj.place or obj.admin1)
        country = obj.get_country_display()
        return f"{where}, {country}" if where else country

    def publication_problems(self, obj):
        return obj.publication_problems()

    def unpublication_problems(self, obj):
        return []

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        publish_what_it_uses(request, form.instance)


def publish_what_it_uses(request, incident):
    """A publisher's change to a published incident publishes the drafts it now uses (an editor
    cannot link them: the forms refuse)."""
    if incident.is_published and can_publish(request.user):
        published = publish(incident, f"used by the published incident {incident.code}")
        if published:
            names = ", ".join(str(record) for record in published)
            messages.info(request, f"Published with {incident.code}: {names}.")


class CorrectionFormMixin:
    """The add form, filled with the claim being corrected; saving supersedes that claim."""

    original: Claim

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.incident = self.original.incident
        self.instance.supersedes = self.original
        self.fields["version"].initial = self.initial["version"] = version_of(self.original)
        reason = self.fields["change_reason"]
        reason.required = True
        reason.label = "Reason for the correction"
        reason.help_text = (
            "Why the claim is corrected, e.g. 'the brand re-issued the claim under its own name'. "
            "Kept as the old claim's status note and in both claims' history."
        )

    def clean(self):
        cleaned = super().clean()
        original = Claim.objects.select_related("superseded_by").get(pk=self.original.pk)
        successor = getattr(original, "superseded_by", None)
        if successor is not None or original.status != ClaimStatus.CURRENT:
            raise ValidationError(
                f"Claim #{original.pk} is no longer current ({original.get_status_display()}"
                + (f", by claim #{successor.pk}" if successor else "")
                + "): correct the current claim instead. Your input is still in the form.",
                code="not_current",
            )
        self.check_version(cleaned, obj=original)
        return cleaned


class ClaimCitationInline(CitationInline):
    model = ClaimCitation

    def get_extra(self, request, obj=None, **kwargs):
        original = getattr(request, "_correcting", None)
        return original.citations.count() if original is not None else self.extra


@admin.register(Claim)
class ClaimAdmin(CuratedAdmin):
    form = ClaimForm
    change_form_template = "admin/claims/claim/change_form.html"
    # Claims of one incident differ by number, kind, claimant, date and status: all shown, the
    # incident's in the order they were made, undated ones last (the number breaks ties).
    list_display = [
        "number",
        "kind",
        "claimant",
        "date_display",
        "status",
        "medium",
        "incident_code",
    ]
    list_display_links = ["number"]
    list_filter = ["kind", "status", "medium", "brand", "group", "confidence"]
    ordering = ["-incident__date", "incident__code", F("date").asc(nulls_last=True), "pk"]
    list_select_related = ["incident", "group", "brand"]
    search_fields = [
        "incident__code",
        "incident__title",
        "group__name",
        "brand__name",
        "claimant_as_named",
        "english_text",
        "original_text",
    ]
    autocomplete_fields = ["incident", "group", "brand", "channel", "attributed_by"]
    readonly_fields = ["status", "status_note", "lineage"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # A claim in a lineage stays with its incident: the chain is about one incident.
        if obj is not None and (obj.supersedes_id or hasattr(obj, "superseded_by")):
            fields.append("incident")
        return fields

    inlines = [ClaimCitationInline]
    fieldsets = [
        (None, {"fields": ["incident", "kind", ("group", "brand"), "claimant_as_named"]}),
        (
            "Published",
            {"fields": [("date", "date_precision"), ("channel", "channel_detail"), "medium"]},
        ),
        ("Text", {"fields": ["original_text", "original_language", "english_text"]}),
        (
            "Attribution (third-party claims only)",
            {"fields": ["attributed_by", "attributed_by_detail", "confidence"]},
        ),
        ("Status", {"fields": ["status", "status_note", "lineage", "note"]}),
        (None, {"fields": ["change_reason"]}),
    ]

    @admin.display(description="claim", ordering="pk")
    def number(self, obj):
        return f"#{obj.pk}"

    @admin.display(description="claimant")
    def claimant(self, obj):
        return obj.claimant_display

    @admin.display(description="incident", ordering="incident__code")
    def incident_code(self, obj):
        return format_html(
            '<span title="{}">{}</span><br><small>{}</small>',
            obj.incident.title,
            obj.incident.date_display,
            obj.incident.code,
        )

    @admin.display(description="date", ordering="date")
    def date_display(self, obj):
        return obj.date_display

    @admin.display(description="lineage")
    def lineage(self, obj):
        return claim_lineage(obj)

    # Correcting: the add form, filled with the claim, without the fields the correction sets.
    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if getattr(request, "_correcting", None) is None:
            return fieldsets
        fixed = {"incident", "status", "status_note", "lineage"}
        return [
            (title, {**options, "fields": [f for f in options["fields"] if f not in fixed]})
            for title, options in fieldsets
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        original = getattr(request, "_correcting", None)
        if original is None:
            return form
        return type("ClaimCorrectionForm", (CorrectionFormMixin, form), {"original": original})

    def get_changeform_initial_data(self, request):
        original = getattr(request, "_correcting", None)
        if original is None:
            return super().get_changeform_initial_data(request)
        skip = {"id", "incident", "status", "status_note", "supersedes", "created", "updated"}
        return {
            f.name: getattr(original, f.attname)
            for f in Claim._meta.concrete_fields
            if f.name not in skip
        }

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        original = getattr(request, "_correcting", None)
        if original is not None and request.method != "POST" and inline.model is ClaimCitation:
            kwargs["initial"] = [
                {
                    "source": c.source_id,
                    "quote": c.quote,
                    "locator": c.locator,
                    "credibility": c.credibility,
                }
                for c in original.citations.order_by("pk")
            ]
        return kwargs

    def save_model(self, request, obj, form, change):
        original = getattr(request, "_correcting", None)
        if original is None:
            return super().save_model(request, obj, form, change)
        reason = form.cleaned_data["change_reason"]
        obj.incident_id, obj.supersedes = original.incident_id, original
        obj.status = ClaimStatus.CURRENT
        obj._change_reason = f"correction of claim #{original.pk}: {reason}"
        obj.save()
        original.status = ClaimStatus.SUPERSEDED
        original.status_note = reason
        original._change_reason = f"superseded by claim #{obj.pk}: {reason}"
        original.save()

    def save_formset(self, request, form, formset, change):
        original = getattr(request, "_correcting", None)
        if original is not None:
            for inline_form in formset.forms:
                inline_form.instance._change_reason = f"cited for the correction of #{original.pk}"
            return formset.save()
        return super().save_formset(request, form, formset, change)

    def response_add(self, request, obj, post_url_continue=None):
        original = getattr(request, "_correcting", None)
        if original is None:
            return super().response_add(request, obj, post_url_continue)
        messages.success(
            request,
            f"Claim #{obj.pk} now supersedes claim #{original.pk}; both are kept and linked.",
        )
        return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[obj.pk]))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        publish_what_it_uses(request, form.instance.incident)

    def delete_model(self, request, obj):
        # Deleting a correction restores the claim it had superseded.
        previous = obj.supersedes
        super().delete_model(request, obj)
        if previous is not None and previous.status == ClaimStatus.SUPERSEDED:
            previous.status = ClaimStatus.CURRENT
            previous.status_note = ""
            previous._change_reason = (
                f"current again: claim #{obj.pk}, which superseded it, was deleted "
                f"({getattr(request, '_deletion_reason', '')})"
            )
            previous.save()

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/correct/", view(self.correct_view), name="claims_claim_correct"),
            path("<path:object_id>/retract/", view(self.retract_view), name="claims_claim_retract"),
            *super().get_urls(),
        ]

    def current_claim_or_redirect(self, request, object_id):
        claim = self.get_object(request, object_id)
        if claim is None:
            return None, self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, claim):
            raise PermissionDenied
        if claim.status != ClaimStatus.CURRENT:
            messages.error(
                request,
                f"Claim #{claim.pk} is {claim.get_status_display()}: only a current claim can be "
                "corrected or retracted.",
            )
            url = reverse("admin:claims_claim_change", args=[claim.pk])
            return None, HttpResponseRedirect(url)
        return claim, None

    def correct_view(self, request, object_id):
        claim, redirect = self.current_claim_or_redirect(request, object_id)
        if claim is None:
            return redirect
        if not self.has_add_permission(request):
            raise PermissionDenied
        request._correcting = claim
        return self.changeform_view(
            request,
            None,
            request.path,
            {
                "title": f"Correct claim #{claim.pk}",
                "subtitle": str(claim),
                "correcting": claim,
                "show_save_and_add_another": False,
            },
        )

    def retract_view(self, request, object_id):
        claim, redirect = self.current_claim_or_redirect(request, object_id)
        if claim is None:
            return redirect
        form = ActionForm(request.POST if request.method == "POST" else None, record=claim)
        if request.method == "POST":
            with transaction.atomic():
                if form.is_valid():
                    reason = form.cleaned_data["reason"]
                    claim.status = ClaimStatus.RETRACTED
                    claim.status_note = reason
                    claim._change_reason = f"retracted: {reason}"
                    claim.save()
                    messages.success(request, f"Claim #{claim.pk} is retracted; it is kept.")
                    return HttpResponseRedirect(
                        reverse("admin:claims_claim_change", args=[claim.pk])
                    )
        return action_page(
            self,
            request,
            claim,
            form,
            title=f"Retract claim #{claim.pk}",
            intro="A retracted claim stays on the incident page, struck through, with your reason. "
            "To replace it with a different claim, use “Correct this claim” instead.",
            button="Retract",
        )
