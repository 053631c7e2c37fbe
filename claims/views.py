from urllib.parse import quote, urlencode

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html_join

from claims import selectors
from claims.filtersets import ClaimFilterSet, IncidentFilterSet, LocationFilterSet
from claims.models import ClaimKind, Incident
from claims.tables import ClaimTable, IncidentTable, LocationTable
from claims.visuals import DEFAULT_OPTIONS, VisualForm, locations, timeline
from kb.cache import cached
from kb.filters import MAX_TEXT, parameters
from kb.query import read_only, refusals, takes
from kb.views import NOT_FILTERS as PAGE_PARAMS
from kb.views import ListPage, PageForm

# What the page passes along besides the filters: paging and sorting, and the chart's options.
NOT_FILTERS = PAGE_PARAMS | {"interval", "stack"}


class IncidentList(ListPage):
    filterset_class = IncidentFilterSet
    table_class = IncidentTable
    title = "Incidents"
    template_name = "claims/incident_list.html"
    export_name = "incidents"
    export_formats = ("csv", "json", "geojson")
    options_form_class = VisualForm

    def get_queryset(self):
        return selectors.incidents(self.request.user).for_table()

    def get_context(self):
        """The timeline as a plain table (for readers without JavaScript, and screen readers),
        and where the chart and the map read their data: the same filters as the table."""
        options = self.options.cleaned_data if self.valid else DEFAULT_OPTIONS
        selected = self.filterset.qs if self.valid else self.filterset.qs.none()
        # Only the filters: the JSON endpoints refuse parameters they do not know.
        filters = filters_of(self.data)
        drawn = cached(
            "timeline",
            (self.valid, filters, options["interval"], options["stack"]),
            self.request,
            lambda: timeline(selected, options["interval"], options["stack"]),
        )
        keep = [
            (k, v)
            for k, vs in self.request.GET.lists()
            for v in vs
            if k not in ("interval", "stack", "page")
        ]
        return {
            "timeline": drawn,
            "timeline_rows": timeline_rows(drawn, keep),
            "visual_options": self.options,
            "map_tiles": settings.MAP_TILE_URL,
            "map_tiles_attribution": settings.MAP_TILE_ATTRIBUTION,
            "visual_query": urlencode([(k, v) for k, vs in filters for v in vs]),
            "visual_keep": keep,
        }


def timeline_rows(drawn, keep) -> str:
    """The rows of the timeline's plain table, one per bucket (hundreds over the years): its
    count per series, its total and its uncertain dates, its label linking to the page's
    parameters with its dates instead of theirs: to exactly the incidents it counts (their first
    possible day in the bucket)."""
    kept = "".join(
        f"{quote(name)}={quote(value)}&"
        for name, value in keep
        if name not in ("date_from", "date_to", "date_match")
    )
    keys = [s["key"] for s in drawn["series"]]
    return format_html_join(
        "\n",
        '        <tr data-start="{}" data-end="{}" data-total="{}"><th scope="row">'
        '<a href="?{}date_from={}&amp;date_to={}&amp;date_match=start">{}</a></th>\n'
        "          {}\n          <td>{}</td><td>{}</td></tr>",
        (
            (
                b["start"],
                b["end"],
                b["total"],
                kept,
                b["start"],
                b["end"],
                b["label"],
                format_html_join("", "<td>{}</td>", ((b["counts"].get(k, ""),) for k in keys)),
                b["total"],
                b["uncertain"],
            )
            for b in drawn["buckets"]
        ),
    )


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
        return selectors.locations_with_counts(self.request.user)


class ProfilePage(IncidentList):
    """A record's own page with an incident table that takes every incident filter. The record,
    loaded once with what its page shows, fixes its own parameter: /groups/kh/?x is exactly
    /incidents/?group=kh&x."""

    parameter = ""  # the incident filter the page fixes; also the record's name in the template

    def records(self):
        """The records of this kind the viewer may see, with what their page shows."""
        raise NotImplementedError

    def get_queryset(self):
        self.object = get_object_or_404(self.records(), slug=self.kwargs["slug"])
        return super().get_queryset()

    def forced_params(self):
        return {self.parameter: self.object.slug}

    def get_context(self):
        return {**super().get_context(), self.parameter: self.object, "title": self.object.name}


class LocationDetail(ProfilePage):
    """A site, and the incidents there."""

    template_name = "claims/location_detail.html"
    parameter = "location"

    def records(self):
        return selectors.location_profile(self.request.user)


@read_only
@takes()
def incident_detail(request, code):
    try:
        incident = selectors.incident_detail(request.user, code)
    except Incident.DoesNotExist:
        raise Http404("No incident with this code.") from None
    claims = selectors.in_lineage_order(incident.all_claims)
    context = {
        "incident": incident,
        "claims": [c for c in claims if c.kind != ClaimKind.ATTRIBUTION],
        "attributions": [c for c in claims if c.kind == ClaimKind.ATTRIBUTION],
    }
    return render(request, "claims/incident_detail.html", context)


@read_only
def incident_visual(request, what):
    """JSON for the incident list's chart (`timeline`) and map (`map`), taking the list's own
    filters (drafts only for staff); paging and sorting parameters are accepted and ignored."""
    taken = parameters(IncidentFilterSet)
    taken["single"] |= set(PageForm.base_fields) | set(VisualForm.base_fields)
    errors = refusals(request, **taken)
    data = request.GET.copy()
    for name in errors:
        data.pop(name, None)  # refused: its value is not looked at
    filterset = IncidentFilterSet(data, queryset=selectors.incidents(request.user), request=request)
    options = VisualForm(data)
    if not filterset.is_valid():
        errors |= {name: list(messages) for name, messages in filterset.errors.items()}
    if not options.is_valid():
        errors |= {name: list(messages) for name, messages in options.errors.items()}
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    if what == "timeline":
        key = (
            True,
            filters_of(data),
            options.cleaned_data["interval"],
            options.cleaned_data["stack"],
        )
        answer = cached(
            "timeline", key, request, lambda: timeline(filterset.qs, **options.cleaned_data)
        )
    else:
        query = {k: v for k, v in request.GET.lists() if k not in ("interval", "stack")}
        answer = cached(
            "map",
            sorted(query.items()),
            request,
            lambda: locations(filterset.qs, query, reverse("incident-list")),
        )
    return JsonResponse(answer)


def filters_of(data) -> list[tuple[str, list[str]]]:
    """The incident filters among the parameters, in a stable order (a cache key, a query)."""
    known = set(IncidentFilterSet.base_filters) - NOT_FILTERS
    return sorted((name, values) for name, values in data.lists() if name in known)


SUGGESTED = 20


@read_only
@takes("q")
def location_suggestions(request):
    """Up to 20 places the viewer may see whose name, other names or slug hold the text, as
    {value: slug, label: "name (country)"}: what the place fields offer as one types."""
    text = request.GET.get("q", "").strip()
    if len(text) > MAX_TEXT:
        return JsonResponse({"errors": {"q": [f"At most {MAX_TEXT} characters."]}}, status=400)
    places = selectors.locations(request.user)
    if text:
        places = places.filter(
            Q(name__icontains=text) | Q(alternate_names__icontains=text) | Q(slug__icontains=text)
        )
    found = places.order_by(Lower("name"), "pk").values_list("slug", "name", "country")
    return JsonResponse(
        {"suggestions": [{"value": s, "label": f"{n} ({c})"} for s, n, c in found[:SUGGESTED]]}
    )
