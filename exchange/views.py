"""The export endpoints and the codebook: exactly the rows a list page's filters select."""

import copy
import csv
import io

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render

from exchange.catalogue import exports
from exchange.codebook import codebook_csv, codebook_markdown, import_rules
from exchange.formats import (
    SEPARATOR,
    bad_request,
    cell,
    csv_lines,
    csv_response,
    json_response,
)
from exchange.importer import TABLES
from exchange.package import cached_zip
from exchange.sql import copies, copy_lines
from kb.filters import FlagField, parameters
from kb.query import error_lines, read_only, refusals, takes

# Carried over from the page's URL, and meaningless for a file of every matching row.
PAGE_ONLY = {"page", "per_page"}


@read_only
def export(request, name, extension):
    spec = exports(request).get(name)
    if spec is None or extension not in spec.formats:
        raise Http404("No such export.")
    taken = parameters(spec.filterset_class)
    taken["single"] |= PAGE_ONLY | {"bom"}
    refused = refusals(request, **taken)
    if refused:
        return bad_request("Invalid query:\n" + error_lines(refused))
    try:
        bom = bool(FlagField().to_python(request.GET.get("bom")))
    except ValidationError:
        return bad_request("bom: use 1 or 0.")
    filterset = spec.filterset_class(
        request.GET, queryset=spec.base_queryset(request.user), request=request
    )
    if not filterset.is_valid():
        return bad_request("Invalid filter:\n" + filterset.error_text())
    queryset = spec.ordered(filterset.qs)
    if copies(spec, queryset, extension):
        return csv_response(spec, copy_lines(spec, queryset, bom))
    rows = spec.rows(queryset, request)
    if extension == "csv":
        return csv_response(spec, csv_lines(spec, rows, bom))
    return json_response(spec, rows, kind=extension)


@read_only
@takes()
def codebook(request, extension="html"):
    """Every export's columns with their meaning and allowed values, from the definitions."""
    specs = exports(request).values()
    if extension == "csv":
        return attachment(codebook_csv(specs), "text/csv", "codebook.csv")
    if extension == "md":
        return attachment(codebook_markdown(specs), "text/markdown", "codebook.md")
    if extension != "html":
        raise Http404("The codebook is available as HTML, .md and .csv.")
    tables = [
        (spec, list(zip(spec.columns, import_rules(spec).values(), strict=True))) for spec in specs
    ]
    return render(
        request,
        "codebook.html",
        {"tables": tables, "separator": SEPARATOR, "importable": set(TABLES)},
    )


@read_only
@takes()
def import_template(request, table):
    """A file to fill in for an import: the header of the table's imported columns, and one
    example row, which is the first row of the table's public export (on a fresh install, a
    record of the seed data): a real record, never made up, that imports as it is."""
    if table not in TABLES:
        raise Http404("No import template for that table: see the codebook.")
    public = copy.copy(request)
    public.user = AnonymousUser()  # the example is a published record, whoever asks
    spec = exports(public)[table]
    columns = [column for column in spec.columns if column.imported]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    queryset = spec.in_default_order(spec.base_queryset(public.user))
    first = queryset.values_list("pk", flat=True).first()
    if first is not None:
        example = next(iter(spec.rows(queryset.filter(pk=first), public)))
        writer.writerow([cell(column.get(example)) for column in columns])
    return attachment(out.getvalue(), "text/csv", f"{table}-template.csv")


@read_only
@takes()
def dataset(request):
    """The whole dataset as one Frictionless data package (exchange.package), a zip file: the
    published records, for everyone (signed-in staff too: a download is what anyone can cite;
    `manage.py export_dataset --drafts` writes a package with drafts). Written once per version
    of the data, then served from DATASET_CACHE_DIR."""
    public = copy.copy(request)
    public.user = AnonymousUser()
    version, path = cached_zip(public)
    name = f"{settings.DATASET_NAME}-{version.name}.zip"
    # FileResponse closes the file; a newer version's writer may remove it meanwhile (POSIX keeps
    # an open file's data until it is closed).
    opened = path.open("rb")
    response = FileResponse(
        opened, as_attachment=True, filename=name, content_type="application/zip"
    )
    response["X-Dataset-Version"] = version.name
    return response


def attachment(text, content_type, filename):
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
