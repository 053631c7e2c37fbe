"""The list page every public list shares, the home page and the site-wide search."""

from urllib.parse import urlencode

from django import forms
from django.core.paginator import EmptyPage, Paginator
from django.db.models import Model
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from claims import selectors
from claims.filtersets import LOCATION_NAME_FIELDS, IncidentFilterSet, search_locations
from claims.models import Claim
from claims.tables import IncidentTable
from groups.search import match_actors
from kb.cache import cached
from kb.filters import MAX_TEXT, parameters
from kb.ordering import ordering
from kb.query import read_only, refusals, takes
from sources.filtersets import search_sources

PER_PAGE = [25, 50, 100, 200]
NOT_FILTERS = {"page", "per_page", "sort"}


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, max_value=1_000_000, required=False)
    per_page = forms.TypedChoiceField(
        choices=[(n, n) for n in PER_PAGE], coerce=int, required=False, label="Rows per page"
    )


class ListPage(View):
    """A filtered, sorted, paginated table. Subclasses name the FilterSet, the table, the rows the
    viewer may see, and any extra context; bad parameters give the page with errors (HTTP 400)."""

    filterset_class = None
    table_class = None
    template_name = "list.html"
    title = ""
    export_name = ""  # the list's export, e.g. "incidents" for /incidents/export.csv
    export_formats = ("csv",)
    options_form_class = None  # a form of page options besides filters and paging (the charts')

    def get_queryset(self):
        raise NotImplementedError

    def get_context(self):
        return {}

    def forced_params(self) -> dict[str, str]:
        """Parameters a detail page fixes (e.g. its group): the table is then exactly the list
        page's table for those parameters, and the page does not take them."""
        return {}

    def prepare_form(self, filterset):
        """Adjust how the filter form is shown (not what it accepts): the options its filters
        offer, counted on list pages (a profile page's counts would not be its own)."""
        filterset.offer_choices(counts=not self.forced_params())

    http_method_names = ["get", "head"]

    @method_decorator(csrf_exempt)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)  # no form here for CSRF to protect

    def parameters(self) -> dict[str, set[str]]:
        """The names the page takes: its filters (less those it fixes), paging, its options."""
        taken = parameters(self.filterset_class, exclude=self.forced_params())
        taken["single"] |= set(PageForm.base_fields)
        if self.options_form_class is not None:
            taken["single"] |= set(self.options_form_class.base_fields)
        return taken

    def get(self, request, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        queryset = self.get_queryset()  # loads a detail page's object (404 if unknown)
        self.refused = refusals(request, **self.parameters())
        self.data = self.usable_data(request.GET)
        filterset = self.filter(queryset)
        pages = PageForm(self.data)
        self.options = self.options_form_class(self.data) if self.options_form_class else None
        options_valid = self.options is None or self.options.is_valid()
        self.valid = not self.refused and filterset.is_valid() & pages.is_valid() & options_valid
        table, pages = self.paginated_table(filterset, pages)
        self.filterset = filterset
        context = {
            "title": self.title,
            "filterset": filterset,
            "pages": pages,
            "options": self.options,
            "refused": self.refused,
            "valid": self.valid,
            "table": table,
            "max_paged_rows": f"{MAX_PAGED_ROWS:,}",
            "active_filters": active_filters(self.data, filterset, hidden=self.forced_params()),
            "query": export_query(self.data),
            "export_name": self.export_name if self.valid else "",
            "export_formats": self.export_formats,
            **self.get_context(),
        }
        return render(request, self.template_name, context, status=200 if self.valid else 400)

    def usable_data(self, params):
        """The parameters the filters may read: the refused ones left out (their values are
        never looked up), and the page's own fixed values put in."""
        data = params.copy()
        for name in self.refused:
            data.pop(name, None)
        for name, value in self.forced_params().items():
            data.setlist(name, [value])
        return data

    def filter(self, queryset):
        filterset = self.filterset_class(self.data, queryset=queryset, request=self.request)
        filterset.is_valid()
        for name in self.forced_params():
            filterset.form.fields.pop(name)
        self.prepare_form(filterset)
        return filterset

    def paginated_table(self, filterset, pages):
        """This page of the table; no rows at all when a parameter is wrong."""
        sort = (filterset.form.cleaned_data.get("sort") or []) if filterset.is_valid() else []
        rows = filterset.qs if self.valid else filterset.qs.none()
        table = self.table_class(rows, sorted_by=sort)
        paging = pages.cleaned_data if pages.is_valid() else {}
        per_page, page = paging.get("per_page") or PER_PAGE[0], paging.get("page") or 1
        paging = {"count_key": self.count_key(), "request": self.request}
        try:
            table.paginate(ListPaginator, page=page, per_page=per_page, **paging)
        except EmptyPage:
            message = f"There is no page {page}; the table has fewer pages."
            if table.paginator.truncated:
                message = (
                    f"Pages reach the first {MAX_PAGED_ROWS:,} rows of "
                    f"{table.paginator.count:,}: narrow the filters (dates, country…), or "
                    "download them all."
                )
            pages.add_error("page", message)
            self.valid = False
            table = self.table_class(filterset.qs.none(), sorted_by=sort)
            table.paginate(ListPaginator, page=1, per_page=per_page, **paging)
        return table, pages

    def count_key(self):
        """What the row count depends on: the list and its filters (not paging or sorting)."""
        filters = [(k, vs) for k, vs in sorted(self.data.lists()) if k not in NOT_FILTERS]
        return (type(self).__name__, self.valid, filters)


# Deeper than this an OFFSET reads every row before it: narrow the filters, or export them all.
MAX_PAGED_ROWS = 10_000


class ListPaginator(Paginator):
    """Counts the rows once per state of the data (kb.cache), and pages through the first
    MAX_PAGED_ROWS of them."""

    def __init__(self, object_list, per_page, *, count_key, request, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_key, self.request = count_key, request

    @cached_property
    def count(self):
        return cached("count", self.count_key, self.request, lambda: Paginator.count.func(self))

    @cached_property
    def num_pages(self):
        pageable = min(self.count, MAX_PAGED_ROWS)
        return max(1, -(-pageable // self.per_page))

    @property
    def truncated(self) -> bool:
        return self.count > MAX_PAGED_ROWS


def export_query(data) -> str:
    """The page's parameters for its export link: the filters and the sort, not the paging."""
    query = data.copy()
    for name in ("page", "per_page"):
        query.pop(name, None)
    return query.urlencode()


def active_filters(params, filterset, hidden=()):
    """Each filter value in the URL, with a link that removes just that value. A valid value is
    named by its label (a choice's label, a record's name); an invalid one is shown as given."""
    chips = []
    form = filterset.form
    cleaned = getattr(form, "cleaned_data", {})
    for name, values in params.lists():
        if name in NOT_FILTERS or name in hidden or name not in form.fields:
            continue
        for value in values:
            if value == "":
                continue
            remaining = [
                (key, v)
                for key, vs in params.lists()
                for v in vs
                if (key, v) != (name, value) and key != "page"
            ]
            valid = name not in form.errors and name in cleaned
            chips.append(
                {
                    "label": form.fields[name].label or name,
                    "value": value_label(form.fields[name], value, cleaned.get(name))
                    if valid
                    else value,
                    "remove": "?" + urlencode(remaining),
                }
            )
    return chips


def value_label(field, value, cleaned):
    """The human label of a valid URL value: a choice's label, a record's name (the record the
    form already loaded: never a query of its own), or the value itself."""
    if isinstance(cleaned, Model):
        return str(cleaned)
    choices = getattr(field, "choices", None)
    if choices is not None:
        return {str(k): v for k, v in choices}.get(value, value)
    return value


@read_only
@takes()
def home(request):
    incidents = selectors.incidents(request.user)
    newest = ordering(incidents.model, *IncidentFilterSet.default_order)  # as /incidents/
    latest = IncidentTable(
        incidents.for_table().order_by(*newest)[:10], orderable=False, sorted_by=()
    )
    counts = cached(
        "home",
        (),
        request,
        lambda: {
            "incidents": incidents.count(),
            "claims": Claim.objects.filter(incident__in=incidents).count(),
            "groups": selectors.groups(request.user).count(),
            "brands": selectors.brands(request.user).count(),
            "sources": selectors.sources(request.user).count(),
        },
    )
    return render(request, "home.html", {"counts": counts, "latest": latest})


class SearchForm(forms.Form):
    q = forms.CharField(max_length=MAX_TEXT, required=False, label="Search")


SEARCH_ROWS = 20  # the best matches of each kind the search page shows


@read_only
@takes("q")
def search(request):
    """Groups and brands by any name or alias; incidents, locations and sources by their text."""
    form = SearchForm(request.GET)
    results = {}
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if q:
        actors = match_actors(q, request.user)
        incidents_filter = IncidentFilterSet(
            {"q": q}, queryset=selectors.incidents(request.user), request=request
        )
        found = incidents_filter.qs.for_table()

        def best_incidents():
            # Ranking every match (a group's name matches all it claimed: 60,000 incidents in
            # a million) reads them all: done once per state of the data, as counts are.
            return list(found.values_list("pk", flat=True)[:SEARCH_ROWS]), found.count()

        best, incident_count = cached("search-incidents", q, request, best_incidents)
        results = {
            "groups": selectors.groups(request.user).filter(pk__in=actors.group_ids),
            "brands": selectors.brands(request.user).filter(pk__in=actors.brand_ids),
            "incidents": IncidentTable(found.filter(pk__in=best), orderable=False),
            "incident_count": incident_count,
            "locations": search_locations(
                selectors.locations_with_counts(request.user), q, actors, LOCATION_NAME_FIELDS
            ).order_by("-search_rank", "name")[:20],
            "sources": search_sources(selectors.sources(request.user), q, actors).order_by(
                "-search_rank", "-published"
            )[:20],
        }
    status = 200 if form.is_valid() else 400
    return render(request, "search.html", {"form": form, "query": q, **results}, status=status)
