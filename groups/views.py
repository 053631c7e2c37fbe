from claims import selectors
from claims.views import ProfilePage
from groups.filtersets import BrandFilterSet, GroupFilterSet
from groups.tables import BrandTable, GroupTable
from kb.views import ListPage


class GroupList(ListPage):
    filterset_class = GroupFilterSet
    table_class = GroupTable
    title = "Groups"
    export_name = "groups"

    def get_queryset(self):
        return selectors.groups_with_counts(self.request.user)


class BrandList(ListPage):
    filterset_class = BrandFilterSet
    table_class = BrandTable
    title = "Brands"
    export_name = "brands"

    def get_queryset(self):
        return selectors.brands_with_counts(self.request.user)


class GroupDetail(ProfilePage):
    """A group, and the incidents it claimed or was blamed for."""

    template_name = "groups/group_detail.html"
    parameter = "group"

    def records(self):
        return selectors.group_profile(self.request.user)


class BrandDetail(ProfilePage):
    """A brand, its member groups (surest first), and the incidents claimed under it."""

    template_name = "groups/brand_detail.html"
    parameter = "brand"

    def records(self):
        return selectors.brand_profile(self.request.user)

    def get_context(self):
        members = selectors.members_by_certainty(self.object, self.request.user)
        return {**super().get_context(), "members": members}
