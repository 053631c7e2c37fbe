from claims import selectors
from claims.views import ProfilePage
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


class GroupDetail(ProfilePage):
    """A group, and the incidents it claimed or was blamed for."""

    template_name = "groups/group_detail.html"
    model = Group
    parameter = "group"
    prefetch = (
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
    )


class BrandDetail(ProfilePage):
    """A brand, its member groups (surest first), and the incidents claimed under it."""

    template_name = "groups/brand_detail.html"
    model = Brand
    parameter = "brand"
    prefetch = (
        "aliases",
        "citations__source",
        "channels__citations__source",
        "inbound_relations__subject",
        "inbound_relations__citations__source",
    )

    def get_context(self):
        return {**super().get_context(), "members": selectors.members_by_certainty(self.object)}
