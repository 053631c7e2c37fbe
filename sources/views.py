from django.shortcuts import get_object_or_404, render

from claims import selectors
from kb.query import read_only, takes
from kb.views import ListPage
from sources.filtersets import SourceFilterSet
from sources.models import Source
from sources.tables import SourceTable


class SourceList(ListPage):
    filterset_class = SourceFilterSet
    table_class = SourceTable
    title = "Sources"
    export_name = "sources"

    def get_queryset(self):
        return Source.objects.order_by("-published", "title", "pk")


@read_only
@takes()
def source_detail(request, pk):
    """A source and everything that cites it (records of unpublished incidents left out)."""
    source = get_object_or_404(Source, pk=pk)
    visible = selectors.incidents(request.user)
    citing = {
        "incidents": source.incidentcitations.filter(incident__in=visible)
        .select_related("incident")
        .order_by("-incident__date"),
        "claims": source.claimcitations.filter(claim__incident__in=visible)
        .select_related("claim__incident", "claim__group", "claim__brand")
        .order_by("-claim__incident__date"),
        "groups": source.groupcitations.select_related("group"),
        "brands": source.brandcitations.select_related("brand"),
        "affiliations": source.affiliationcitations.select_related(
            "affiliation__group", "affiliation__brand"
        ),
        "relations": source.relationcitations.select_related(
            "relation__subject", "relation__object_group", "relation__object_brand"
        ),
        "channels": source.channelcitations.select_related("channel"),
        "locations": source.locationcitations.select_related("location"),
    }
    return render(request, "sources/source_detail.html", {"source": source, "citing": citing})
