from django.contrib import admin

from groups.models import (
    Affiliation,
    AffiliationCitation,
    Alias,
    Brand,
    BrandCitation,
    Channel,
    ChannelCitation,
    Group,
    GroupCitation,
    Relation,
    RelationCitation,
)
from kb.admin import CuratedAdmin, CuratedInlineMixin, PublishableAdmin, citation_inline


class AliasInline(CuratedInlineMixin, admin.TabularInline):
    model = Alias
    extra = 1
    fields = ["name", "kind", "language", "script"]


class AffiliationInline(CuratedInlineMixin, admin.TabularInline):
    """Affiliations at a glance; each one's sources are on its own page (the change link)."""

    model = Affiliation
    extra = 0
    fields = ["group", "brand", "status", "confidence", "assessed_by", "start", "start_precision"]
    autocomplete_fields = ["group", "brand"]
    show_change_link = True


@admin.register(Group)
class GroupAdmin(PublishableAdmin):
    list_display = ["name", "acronym", "kind", "country", "founded_display"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "slug", "acronym", "arabic_name", "aliases__name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AliasInline, AffiliationInline, citation_inline(GroupCitation)]
    fieldsets = [
        (None, {"fields": ["name", "slug", "arabic_name", "acronym", "kind", "country"]}),
        (None, {"fields": [("founded", "founded_precision"), "description", "change_reason"]}),
    ]

    @admin.display(description="founded", ordering="founded")
    def founded_display(self, obj):
        return obj.founded_display


@admin.register(Brand)
class BrandAdmin(PublishableAdmin):
    list_display = ["name", "acronym", "launched_display"]
    list_filter = ["launched_precision", "affiliations__status"]
    search_fields = ["name", "slug", "acronym", "arabic_name", "aliases__name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AliasInline, AffiliationInline, citation_inline(BrandCitation)]
    fieldsets = [
        (None, {"fields": ["name", "slug", "arabic_name", "acronym"]}),
        (None, {"fields": [("launched", "launched_precision"), "description", "change_reason"]}),
    ]

    @admin.display(description="launched", ordering="launched")
    def launched_display(self, obj):
        return obj.launched_display


@admin.register(Alias)
class AliasAdmin(CuratedAdmin):
    list_display = ["name", "owner", "kind", "language", "script"]
    list_filter = ["kind", "language", "script"]
    list_select_related = ["group", "brand"]
    search_fields = ["name", "group__name", "brand__name"]
    autocomplete_fields = ["group", "brand"]


@admin.register(Affiliation)
class AffiliationAdmin(CuratedAdmin):
    list_display = ["group", "brand", "status", "confidence", "assessed_by", "start"]
    list_filter = ["status", "confidence", "brand"]
    list_select_related = ["group", "brand"]
    search_fields = ["group__name", "brand__name", "assessed_by", "note"]
    autocomplete_fields = ["group", "brand"]
    inlines = [citation_inline(AffiliationCitation)]
    fieldsets = [
        (None, {"fields": ["group", "brand", "status", "confidence", "assessed_by"]}),
        (None, {"fields": [("start", "start_precision"), ("end", "end_precision")]}),
        (None, {"fields": ["note", "change_reason"]}),
    ]


@admin.register(Relation)
class RelationAdmin(CuratedAdmin):
    list_display = ["subject", "kind", "object_group", "object_brand", "start"]
    list_filter = ["kind"]
    list_select_related = ["subject", "object_group", "object_brand"]
    search_fields = ["subject__name", "object_group__name", "object_brand__name", "note"]
    autocomplete_fields = ["subject", "object_group", "object_brand"]
    inlines = [citation_inline(RelationCitation)]
    fieldsets = [
        (None, {"fields": ["subject", "kind", "object_group", "object_brand"]}),
        (None, {"fields": [("start", "start_precision"), ("end", "end_precision")]}),
        (None, {"fields": ["note", "change_reason"]}),
    ]


@admin.register(Channel)
class ChannelAdmin(CuratedAdmin):
    list_display = ["name", "platform", "operated_by_brand", "operated_by_group"]
    list_filter = ["platform"]
    list_select_related = ["operated_by_brand", "operated_by_group"]
    search_fields = ["name", "url", "description"]
    autocomplete_fields = ["operated_by_group", "operated_by_brand"]
    inlines = [citation_inline(ChannelCitation)]
