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


class ProfilePage(IncidentList):
    """A record's own page with an incident table that takes every incident filter. The record,
    loaded once with what its page shows, fixes its own parameter: /groups/kh/?x is exactly
    /incidents/?group=kh&x."""

    model = None
    parameter = ""  # the incident filter the page fixes; also the record's name in the template
    prefetch: tuple[str, ...] = ()

    def get_queryset(self):
        records = self.model.objects.prefetch_related(*self.prefetch)
        self.object = get_object_or_404(records, slug=self.kwargs["slug"])
        return super().get_queryset()

    def forced_params(self):
        return {self.parameter: self.object.slug}

    def get_context(self):
        return {self.parameter: self.object, "title": self.object.name}


class LocationDetail(ProfilePage):
    """A site, and the incidents there."""

    template_name = "claims/location_detail.html"
    model = Location
    parameter = "location"
    prefetch = ("citations__source",)


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
