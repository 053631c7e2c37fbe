from django.shortcuts import get_object_or_404, render

from claims import selectors
from kb.query import read_only, takes
from kb.views import ListPage
from sources.filtersets import SourceFilterSet
from sources.tables import SourceTable


class SourceList(ListPage):
    filterset_class = SourceFilterSet
    table_class = SourceTable
    title = "Sources"
    export_name = "sources"

    def get_queryset(self):
        return selectors.sources(self.request.user)  # in SourceFilterSet.default_order


@read_only
@takes()
def source_detail(request, pk):
    """A source and everything that cites it that the viewer may see (drafts left out)."""
    source = get_object_or_404(selectors.sources(request.user), pk=pk)
    user = request.user
    citing = {
        "incidents": source.incidentcitations.visible_to(user)
        .select_related("incident")
        .order_by("-incident__date"),
        "claims": source.claimcitations.visible_to(user)
        .select_related("claim__incident", "claim__group", "claim__brand")
        .order_by("-claim__incident__date"),
        "groups": source.groupcitations.visible_to(user).select_related("group"),
        "brands": source.brandcitations.visible_to(user).select_related("brand"),
        "affiliations": source.affiliationcitations.visible_to(user).select_related(
            "affiliation__group", "affiliation__brand"
        ),
        "relations": source.relationcitations.visible_to(user).select_related(
            "relation__subject", "relation__object_group", "relation__object_brand"
        ),
        "channels": source.channelcitations.visible_to(user).select_related("channel"),
        "locations": source.locationcitations.visible_to(user).select_related("location"),
    }
    return render(request, "sources/source_detail.html", {"source": source, "citing": citing})
