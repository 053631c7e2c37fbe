from django.contrib import admin

from kb.admin import PublishableAdmin
from sources.models import Source


@admin.register(Source)
class SourceAdmin(PublishableAdmin):
    list_display = ["title", "publisher", "kind", "published_display", "reliability", "language"]
    list_filter = ["kind", "reliability", "language", "published_precision"]
    search_fields = ["title", "publisher", "url", "author", "notes"]
    date_hierarchy = "published"
    fieldsets = [
        (None, {"fields": ["title", "url", "archive_url", "publisher", "author", "kind"]}),
        (
            "Date, language and grade",
            {
                "fields": [
                    ("published", "published_precision"),
                    "accessed",
                    "language",
                    "reliability",
                ]
            },
        ),
        (None, {"fields": ["notes", "change_reason"]}),
    ]

    @admin.display(description="published", ordering="published")
    def published_display(self, obj):
        return obj.published_display
