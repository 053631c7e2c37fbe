"""The export endpoints and the codebook: exactly the rows a list page's filters select."""

import csv
import io

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render

from exchange.catalogue import exports
from exchange.formats import SEPARATOR, bad_request, csv_lines, csv_response, json_response
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
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["export", "column", "description", "values", "imported"])
        for spec in specs:
            for c in spec.columns:
                writer.writerow(
                    [spec.name, c.name, c.description, c.values, str(c.imported).lower()]
                )
        return attachment(out.getvalue(), "text/csv", "codebook.csv")
    if extension == "md":
        return attachment(codebook_markdown(specs), "text/markdown", "codebook.md")
    if extension != "html":
        raise Http404("The codebook is available as HTML, .md and .csv.")
    return render(request, "codebook.html", {"exports": specs, "separator": SEPARATOR})


# The conventions of every file, as the codebook page states them.
CONVENTIONS = [
    f"- Multi-valued cells separate values with `{SEPARATOR}`. Lists of ids (`source_ids`) are "
    "JSON lists of whole numbers in every file: `[12, 40]`, and `[]` for none.",
    '- The header quotes every column name (`"code","title",…`), so that tools that guess a '
    "file's dialect, such as csvkit, find the comma.",
    "- Order: rows come in the list's sort order, the same on every database. Unknown values (no "
    "date, an unknown figure, empty text) come last, sorting up or down. Text is compared by "
    "Unicode code point with only A-Z taken as a-z. Rows equal in every sort key come in the "
    "order of their id.",
    "- Types: `pandas.read_csv(file)` without options reads whole numbers and decimal degrees as "
    "numbers (as decimals where a column has empty cells), true or false as booleans (as text "
    "where a column has empty cells), dates, times, text and id lists as text; a column empty in "
    "every row of a file is read as empty numbers. Coordinates are given as stored, to at most 7 "
    "decimal places, without trailing zeros.",
    "- GeoJSON: one feature per incident, with the incident's code as its `id`.",
]


def codebook_markdown(specs) -> str:
    lines = ["# Codebook", "", *CONVENTIONS, ""]
    for spec in specs:
        files = ", ".join(f"`/{spec.name}/export.{ext}`" for ext in spec.formats)
        lines += [f"## {spec.title} ({files})", "", spec.description, ""]
        lines += ["| column | meaning | values | imported |", "| --- | --- | --- | --- |"]
        for c in spec.columns:
            imported = "yes" if c.imported else "no (derived)"
            lines.append(f"| `{c.name}` | {c.description} | {c.values} | {imported} |")
        lines.append("")
    return "\n".join(lines)


def attachment(text, content_type, filename):
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
