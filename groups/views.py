from django.db.models import Q
from django.db.models.functions import Lower
from django.http import JsonResponse

from claims import selectors
from claims.views import ProfilePage
from groups.filtersets import BrandFilterSet, GroupFilterSet
from groups.models import Brand, Group
from groups.search import match_actors
from groups.tables import BrandTable, GroupTable
from kb.filters import MAX_TEXT
from kb.query import read_only, takes
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


SUGGESTED = 20


def actor_suggestions(request, model):
    """Up to 20 groups or brands the viewer may see that the text names (any name, acronym or
    alias, however spelled) or whose slug holds it, as {value: slug, label: name}: what the group
    and brand fields offer as one types."""
    text = request.GET.get("q", "").strip()
    if len(text) > MAX_TEXT:
        return JsonResponse({"errors": {"q": [f"At most {MAX_TEXT} characters."]}}, status=400)
    records = model.objects.visible_to(request.user)
    if text:
        actors = match_actors(text, request.user)
        named = actors.group_ids if model is Group else actors.brand_ids
        records = records.filter(Q(pk__in=named) | Q(slug__icontains=text))
    found = records.order_by(Lower("name"), "pk").values_list("slug", "name", "acronym")
    return JsonResponse(
        {
            "suggestions": [
                {"value": slug, "label": f"{name} ({acronym})" if acronym else name}
                for slug, name, acronym in found[:SUGGESTED]
            ]
        }
    )


@read_only
@takes("q")
def group_suggestions(request):
    return actor_suggestions(request, Group)


@read_only
@takes("q")
def brand_suggestions(request):
    return actor_suggestions(request, Brand)
