from django.shortcuts import get_object_or_404

from claims import selectors
from claims.views import IncidentList
from groups.filtersets import BrandFilterSet, GroupFilterSet
from groups.models import Brand, Group
from groups.tables import BrandTable, GroupTable
from kb.views import ListPage


class GroupList(ListPage):
    filterset_class = GroupFilterSet
    table_class = GroupTable
    title = "Groups"
    export_name = "groups"

    def get_queryset(self):
        return selectors.groups_with_counts(self.request.user).order_by("name", "pk")


class BrandList(ListPage):
    filterset_class = BrandFilterSet
    table_class = BrandTable
    title = "Brands"
    export_name = "brands"

    def get_queryset(self):
        return selectors.brands_with_counts(self.request.user).order_by("name", "pk")


class GroupDetail(IncidentList):
    """A group, and the incidents it claimed or was blamed for, with the incident filters."""

    template_name = "groups/group_detail.html"

    def get_queryset(self):
        self.group = get_object_or_404(Group, slug=self.kwargs["slug"])
        return super().get_queryset()

    def forced_params(self):
        return {"group": self.group.slug}

    def get_context(self):
        group = Group.objects.prefetch_related(
            "aliases",
            "citations__source",
            "channels",
            "affiliations__brand",
            "affiliations__citations__source",
            "relations__object_group",
            "relations__object_brand",
            "relations__citations__source",
            "inbound_relations__subject",
            "inbound_relations__citations__source",
        ).get(pk=self.group.pk)
        return {"group": group, "title": group.name}


class BrandDetail(IncidentList):
    """A brand, its member groups (surest first), and the incidents claimed under it."""

    template_name = "groups/brand_detail.html"

    def get_queryset(self):
        self.brand = get_object_or_404(Brand, slug=self.kwargs["slug"])
        return super().get_queryset()

    def forced_params(self):
        return {"brand": self.brand.slug}

    def get_context(self):
        brand = Brand.objects.prefetch_related(
            "aliases",
            "citations__source",
            "channels__citations__source",
            "inbound_relations__subject",
            "inbound_relations__citations__source",
        ).get(pk=self.brand.pk)
        return {
            "brand": brand,
            "title": brand.name,
            "members": selectors.members_by_certainty(brand),
        }
