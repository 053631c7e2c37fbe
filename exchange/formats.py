"""Exports: exactly the rows a list's filters select, streamed with constant memory.

Each export is a list of `Column`s (the codebook is generated from them, so it cannot drift) over
the list's own FilterSet. Rows come from one SQL query read in chunks (`.iterator()`); values that
have several parts (claimants, sources) are aggregated by the database in that same query, so
neither memory nor the number of queries grows with the number of rows.

CSV follows RFC 4180 (CRLF, quotes doubled) in UTF-8, optionally with a byte-order mark for Excel
(`?bom=1`). Text cells that a spreadsheet would run as a formula are neutralised.
"""

import csv
import datetime
import decimal
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Func, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from kb.ordering import ordering

SEPARATOR = " | "  # between the values of a multi-valued cell, everywhere
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARDED = re.compile("'*[" + re.escape("".join(FORMULA_STARTS)) + "]")
CHUNK = 2000
_UNIT = "\x1f"  # joins aggregated values inside the database; never appears in output


@dataclass(frozen=True)
class Column:
    """One export column: its stable name, what it means, what values it takes, how to read it."""

    name: str
    description: str
    get: Callable[[Any], Any]
    values: str = ""
    imported: bool = True  # False: derived from other records, ignored by the importer
    sql: Any = None  # the same cell made by PostgreSQL (exchange.sql), for COPY
    kind: str = ""  # Frictionless Table Schema type; empty: read from `values` (`type`)

    @property
    def type(self) -> str:
        """The column's Table Schema type (string, integer, number, boolean, date, time,
        datetime, array), as the data package declares it and pandas and R should read it."""
        return self.kind or type_of(self.values)


@dataclass(frozen=True)
class Export:
    """An export of one list: name (file and URL), title, columns, and the rows for a request."""

    name: str
    title: str
    description: str
    columns: list[Column]
    rows: Callable  # (request, filterset) -> iterable of rows
    filterset_class: type | None = None
    base_queryset: Callable | None = None  # (user) -> queryset the filters apply to
    formats: tuple[str, ...] = ("csv",)
    # The rows' order (order_by names, by kb.ordering's rule), when not the FilterSet's own.
    order: tuple[str, ...] = ()
    # The columns that identify a row (the importer matches on them; the package's primary key),
    # and the columns that name a row of another export: {column: (export, its column)}.
    key: tuple[str, ...] = ()
    references: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    def ordered(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by(*ordering(queryset.model, *self.order)) if self.order else queryset

    def in_default_order(self, queryset: QuerySet) -> QuerySet:
        """The rows in the export's order without a sort parameter (its own, or its list's)."""
        fields = self.order or getattr(self.filterset_class, "default_order", ())
        return queryset.order_by(*ordering(queryset.model, *fields))


def type_of(values: str) -> str:
    """A column's Table Schema type from the allowed values the codebook gives it."""
    if values.startswith(ID_LIST):
        return "array"
    for start, kind in TYPE_BY_VALUES:
        if values.startswith(start):
            return kind
    return "string"


# The start of a column's documented values -> its type (the codebook's own wording).
ID_LIST = "JSON list of whole numbers"
TYPE_BY_VALUES = (
    ("ISO 8601 date and time", "datetime"),
    ("ISO 8601 date", "date"),
    ("HH:MM:SS", "time"),
    ("whole number", "integer"),
    ("decimal degrees", "number"),
    ("true or false", "boolean"),
)


class IdList(tuple):
    """The ids of other records (`source_ids`): a JSON list of whole numbers in every file,
    `[12, 40]`, and `[]` for none, so that every tool reads the column as one type."""


def id_list(ids) -> IdList:
    return IdList(sorted(ids))


def degrees(value: decimal.Decimal | None) -> decimal.Decimal | None:
    """A coordinate as stored, without trailing zeros (30.5100000 -> 30.51, 30.0000000 -> 30):
    no more decimals than the field keeps, and no digits it does not."""
    if value is None:
        return None
    value = value.normalize()
    return value if value else decimal.Decimal(0)  # never -0 or 0E-7


def vocabulary(choices) -> str:
    """Allowed values of a controlled vocabulary, for the codebook: 'value (label); …'."""
    return "; ".join(f"{value} ({label})" for value, label in choices.choices)


# --- Cells ------------------------------------------------------------------------------------


def cell(value: Any) -> str | int | float:
    """A value as a CSV cell: empty for unknown, ISO 8601 for dates, numbers as numbers, text
    neutralised against formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, decimal.Decimal):
        return f"{value:f}"  # never in exponent form (1E-7, 3E+1)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, IdList):
        return json.dumps(list(value))
    if isinstance(value, list | tuple):
        value = SEPARATOR.join(str(v) for v in value)
    return neutralise(str(value))


def neutralise(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would evaluate (=, +, -, @, tab, CR first), and
    to text that starts with apostrophes and then one of those, so that the guard is reversible:
    the importer removes one apostrophe exactly where this added one (exchange.importer.text);
    any other text, one starting with its own apostrophe included, is written as it is."""
    return "'" + text if GUARDED.match(text) else text


def json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):  # 30.51, and 30 rather than 30.0
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, IdList):
        return list(value)
    return value


def split(aggregated: str | None) -> list[str]:
    """The distinct values of a database-aggregated cell, sorted so that output is stable."""
    if not aggregated:
        return []
    return sorted(set(aggregated.split(_UNIT)))


# --- Aggregation in the database ------------------------------------------------------------------


class _Concat(Func):
    """STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite (no ORDER BY: SQLite < 3.44 lacks it;
    `split` sorts in Python instead)."""

    function = "STRING_AGG"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def aggregated(queryset: QuerySet, link: str, value: str) -> Subquery:
    """A correlated subquery joining `value` of the related rows (those whose `link` points to the
    outer row) into one text, for `split` to take apart."""
    rows = (
        queryset.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(joined=_Concat(Cast(value, TextField()), Value(_UNIT)))
        .values("joined")
    )
    return Subquery(rows, output_field=TextField())


# --- Responses ------------------------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


def filename(name: str, extension: str) -> str:
    return f"{name}-{timezone.now().date().isoformat()}.{extension}"


def csv_header(export: Export, bom: bool = False) -> str:
    """The header line, every name quoted, after a byte-order mark for Excel when asked.

    Quoted names show a dialect sniffer (Python's csv.Sniffer, which csvkit and others use) the
    file's delimiter and quote at once: unquoted, a first row with text like `a 'quoted' word`
    made it guess a space delimiter and an apostrophe for the quote."""
    writer = csv.writer(_Echo(), lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    return ("\ufeff" if bom else "") + writer.writerow(export.header)


def csv_lines(export: Export, rows: Iterable, bom: bool = False) -> Iterator[str]:
    """The CSV in blocks of CHUNK rows (one write to the client each, not one per row)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    getters = [column.get for column in export.columns]
    yield csv_header(export, bom)
    block = []
    for row in rows:
        block.append(writer.writerow([cell(get(row)) for get in getters]))
        if len(block) == CHUNK:
            yield "".join(block)
            block = []
    if block:
        yield "".join(block)


def csv_response(export: Export, lines: Iterable) -> StreamingHttpResponse:
    """A CSV download of `lines` (csv_lines, or exchange.sql.copy_lines)."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(export.name, "csv")}"'
    return response


def json_records(export: Export, rows: Iterable) -> Iterator[str]:
    """A JSON array of objects, one per row, streamed."""
    yield "["
    first = True
    for row in rows:
        record = {column.name: json_value(column.get(row)) for column in export.columns}
        yield ("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False)
        first = False
    yield "\n]\n"


def json_response(export: Export, rows: Iterable, kind="json") -> StreamingHttpResponse:
    content_type = "application/geo+json" if kind == "geojson" else "application/json"
    generate = geojson_features(export, rows) if kind == "geojson" else json_records(export, rows)
    response = StreamingHttpResponse(generate, content_type=f"{content_type}; charset=utf-8")
    name = filename(export.name, kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def geojson_features(export: Export, rows: Iterable) -> Iterator[str]:
    """A GeoJSON FeatureCollection: one Feature per row, its `id` the incident's code, a point
    where the location has coordinates, else a null geometry (so that the file still holds every
    selected row)."""
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    for row in rows:
        properties = {column.name: json_value(column.get(row)) for column in export.columns}
        lat, lng = properties.get("latitude"), properties.get("longitude")
        geometry = {"type": "Point", "coordinates": [lng, lat]} if lat is not None else None
        feature = {
            "type": "Feature",
            "id": properties.get("code"),
            "geometry": geometry,
            "properties": properties,
        }
        yield ("\n" if first else ",\n") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "\n]}\n"


def bad_request(message: str) -> HttpResponse:
    return HttpResponse(message + "\n", status=400, content_type="text/plain; charset=utf-8")
