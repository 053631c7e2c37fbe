from django.http import Http404
from django.shortcuts import get_object_or_404, render

from claims import selectors
from claims.filtersets import ClaimFilterSet, IncidentFilterSet, LocationFilterSet
from claims.models import ClaimKind, Incident, Location
from claims.tables import ClaimTable, IncidentTable, LocationTable
from kb.views import ListPage


class IncidentList(ListPage):
    filterset_class = IncidentFilterSet
    table_class = IncidentTable
    title = "Incidents"
    template_name = "claims/incident_list.html"
    export_name = "incidents"
    export_formats = ("csv", "json", "geojson")

    def get_queryset(self):
        return selectors.incidents(self.request.user).for_table()

    def prepare_form(self, filterset):
        filterset.offer_countries_in_use()


class ClaimList(ListPage):
    filterset_class = ClaimFilterSet
    table_class = ClaimTable
    title = "Claims, denials and attributions"
    export_name = "claims"

    def get_queryset(self):
        return selectors.claims(self.request.user)


class LocationList(ListPage):
    filterset_class = LocationFilterSet
    table_class = LocationTable
    title = "Locations"
    export_name = "locations"

    def get_queryset(self):
        return selectors.locations_with_counts(self.request.user).order_by("name", "pk")


class LocationDetail(IncidentList):
    """A site, and the incidents there as a table that takes the incident filters."""

    template_name = "claims/location_detail.html"

    def get_queryset(self):
        self.location = get_object_or_404(Location, slug=self.kwargs["slug"])
        return super().get_queryset()

    def forced_params(self):
        return {"location": self.location.slug}

    def get_context(self):
        location = Location.objects.prefetch_related("citations__source").get(pk=self.location.pk)
        return {"location": location, "title": location.name}


def incident_detail(request, code):
    try:
        incident = selectors.incident_detail(request.user, code)
    except Incident.DoesNotExist:
        raise Http404("No incident with this code.") from None
    claims = incident.all_claims
    context = {
        "incident": incident,
        "claims": [c for c in claims if c.kind != ClaimKind.ATTRIBUTION],
        "attributions": [c for c in claims if c.kind == ClaimKind.ATTRIBUTION],
    }
    return render(request, "claims/incident_detail.html", context)
