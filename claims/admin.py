from django.contrib import admin
from django.utils.html import format_html_join

from claims.models import (
    Claim,
    ClaimCitation,
    Incident,
    IncidentCitation,
    Location,
    LocationCitation,
)
from kb.admin import CuratedAdmin, citation_inline


@admin.register(Location)
class LocationAdmin(CuratedAdmin):
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


class ClaimInline(admin.StackedInline):
    """The incident's claims; each claim's own sources are on its page (the change link)."""

    model = Claim
    fk_name = "incident"
    extra = 0
    show_change_link = True
    autocomplete_fields = ["group", "brand", "channel", "attributed_by", "supersedes"]
    readonly_fields = ["cited_sources"]
    fields = [
        ("kind", "status", "medium"),
        ("group", "brand", "claimant_as_named"),
        ("date", "date_precision"),
        ("channel", "channel_detail"),
        ("attributed_by", "attributed_by_detail", "confidence"),
        "supersedes",
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

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("group", "brand", "channel", "attributed_by", "supersedes__incident")
            .prefetch_related("citations__source")
        )


@admin.register(Incident)
class IncidentAdmin(CuratedAdmin):
    list_display = [
        "code",
        "date_display",
        "title",
        "country",
        "location",
        "weapon",
        "confirmation",
        "status",
    ]
    list_filter = [
        "status",
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
    prepopulated_fields = {"code": ["date", "title"]}
    inlines = [citation_inline(IncidentCitation), ClaimInline]

    # The code is the incident's permalink and the key imports match on: fixed once created.
    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else self.prepopulated_fields

    fieldsets = [
        (None, {"fields": ["code", "title", "status"]}),
        (
            "When",
            {"fields": [("date", "date_precision"), "date_end", "date_note", "time_of_day"]},
        ),
        (
            "Where",
            {"fields": ["location", ("country", "admin1"), "place", "facility", "geo_precision"]},
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

    @admin.display(description="date", ordering="date")
    def date_display(self, obj):
        return obj.date_display


@admin.register(Claim)
class ClaimAdmin(CuratedAdmin):
    list_display = ["incident", "kind", "claimant", "date_display", "medium", "status"]
    list_filter = ["kind", "status", "medium", "brand", "confidence"]
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
    autocomplete_fields = ["incident", "group", "brand", "channel", "attributed_by", "supersedes"]
    inlines = [citation_inline(ClaimCitation)]
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
        ("Status", {"fields": ["status", "status_note", "supersedes", "note"]}),
        (None, {"fields": ["change_reason"]}),
    ]

    @admin.display(description="claimant")
    def claimant(self, obj):
        return obj.claimant_display

    @admin.display(description="date", ordering="date")
    def date_display(self, obj):
        return obj.date_display
