"""CSV exports made by PostgreSQL: each cell in SQL, the file by `COPY … TO STDOUT`.

A CSV export whose columns all say how to make their cell in SQL (`Column.sql`, built from the
helpers below) is, on PostgreSQL, the database's own `COPY (SELECT …) TO STDOUT (FORMAT csv)` of
the same filtered, ordered queryset the Python path reads, passed through with only its line ends
changed (COPY ends lines with LF, the site's CSV with CRLF). The database formats the cells, so an
export runs at about COPY's speed with memory flat in its length.

Each helper makes, from a column, the text `exchange.formats.cell` makes of the value Python
reads, and NULL for an empty cell: COPY writes NULL as nothing and quotes an empty text, which
`csv` does not.
tests/test_exports_copy.py holds both paths to the same bytes.
"""

import time
from collections.abc import Iterator

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import Case, Expression, F, Func, OuterRef, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, Collate, Concat, NullIf
from django.urls import reverse

from exchange.formats import FORMULA_STARTS, SEPARATOR, Export, csv_header

BLOCK = 1 << 16  # bytes of CSV sent at a time

# `neutralise`'s rule as a regular expression: apostrophes, then one of the formula characters
# (in a bracket, "-" first: not a range).
_STARTS = "".join(sorted(set(FORMULA_STARTS), key=lambda c: c != "-"))
FORMULA_PATTERN = f"^('*[{_STARTS}])"


class Neutralised(Func):
    """`exchange.formats.neutralise` in SQL: an apostrophe before text that starts with =, +, -,
    @, tab or CR, or with apostrophes and then one of those."""

    template = "regexp_replace(%(expressions)s, %(pattern)s, %(replacement)s)"
    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(
            compiler, connection, pattern="%s", replacement="%s", **extra_context
        )
        return sql, (*params, FORMULA_PATTERN, "'\\1")


def text(expression) -> Expression:
    """A text cell: neutralised, NULL when empty."""
    if isinstance(expression, str):
        expression = F(expression)
    return NullIf(Neutralised(Cast(expression, TextField())), Value(""), output_field=TextField())


def number(field: str) -> Expression:
    """A whole or decimal number, as Python writes it (numeric keeps its scale, as Decimal)."""
    return Cast(F(field), TextField())


def coordinate(field: str) -> Expression:
    """A coordinate as `exchange.formats.degrees` writes it: as stored, without trailing
    zeros."""
    return Cast(Func(F(field), function="trim_scale"), TextField())


def ids(queryset: QuerySet, link_field: str, value: str) -> Expression:
    """`exchange.formats.id_list` of the related rows' distinct ids as one cell: `[12, 40]`,
    `[]` for none (never NULL), as json.dumps writes a list."""
    values = (
        queryset.filter(**{link_field: OuterRef("pk")})
        .order_by()
        .values(value)
        .distinct()
        .order_by(value)
    )
    listed = Func(
        ArraySubquery(values), Value(", "), function="array_to_string", output_field=TextField()
    )
    return Concat(Value("["), listed, Value("]"), output_field=TextField())


def day(field: str) -> Expression:
    """An ISO 8601 date."""
    return Func(F(field), Value("YYYY-MM-DD"), function="to_char", output_field=TextField())


def flag(condition) -> Expression:
    """A boolean cell: true or false (a field's name, or a boolean expression such as Exists)."""
    if isinstance(condition, str):
        return Case(
            When(**{condition: True}, then=Value("true")),
            When(**{condition: False}, then=Value("false")),
            output_field=TextField(),
        )
    return Case(
        When(condition, then=Value("true")), default=Value("false"), output_field=TextField()
    )


class Clock(Func):
    """`time.isoformat()`: HH:MM:SS, and .ffffff only when there are microseconds."""

    template = (
        "(to_char(%(expressions)s, 'HH24:MI:SS') || CASE WHEN "
        "mod(extract(microseconds FROM %(expressions)s)::bigint, 1000000) <> 0 "
        "THEN to_char(%(expressions)s, '.US') ELSE '' END)"
    )
    output_field = TextField()


class Moment(Func):
    """`datetime.isoformat()` of a time in UTC: YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00."""

    template = (
        "(to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
        "mod(extract(microseconds FROM %(expressions)s)::bigint, 1000000) <> 0 "
        "THEN to_char(%(expressions)s AT TIME ZONE 'UTC', '.US') ELSE '' END || '+00:00')"
    )
    output_field = TextField()


# `str.splitlines()`'s line boundaries, and what `str.strip()` takes for white space.
LINE_BREAKS = "\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"
# What str.strip() removes: every character for which str.isspace() is true (written out, so
# that loading the module does not scan all of Unicode; tests/test_exports_copy.py checks it).
WHITE_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


class Lines(Func):
    """`[line.strip() for line in value.splitlines() if line.strip()]`, joined by SEPARATOR."""

    template = (
        "array_to_string(ARRAY(SELECT btrim(part, %%s) FROM regexp_split_to_table("
        "%(expressions)s, %%s) WITH ORDINALITY AS lines(part, n) WHERE btrim(part, %%s) <> '' "
        "ORDER BY n), %%s)"
    )
    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return sql, (WHITE_SPACE, *params, LINE_BREAKS, WHITE_SPACE, SEPARATOR)


class FieldNames(Func):
    """A change's changed fields (`Change.field_names`), sorted, joined by SEPARATOR."""

    template = (
        "array_to_string(ARRAY(SELECT item->>'field' FROM jsonb_array_elements(%(expressions)s)"
        " AS items(item) ORDER BY item->>'field' COLLATE \"C\"), %%s)"
    )
    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return sql, (*params, SEPARATOR)


class FieldDetails(Func):
    """The change export's details: `json.dumps([{"field", "old", "new"}, ...],
    ensure_ascii=False)` of a change's fields, or NULL when there are none. PostgreSQL writes
    JSON values as Python does (same escapes, non-ASCII as is)."""

    template = (
        "(SELECT '[' || string_agg('{\"field\": ' || (item->'field')::text || ', \"old\": ' || "
        "(item->'old')::text || ', \"new\": ' || (item->'new')::text || '}', ', ' ORDER BY n) "
        "|| ']' FROM jsonb_array_elements(%(expressions)s) WITH ORDINALITY AS items(item, n))"
    )
    output_field = TextField()


def link(request, route: str, field: str) -> Expression:
    """A permalink: the absolute URL of `route` for the row's `field` (its slug, code or id)."""
    marker = "0"  # taken by the int, slug and str converters alike
    url = reverse(route, args=[marker])
    url = request.build_absolute_uri(url) if request else url  # no request: the codebook's
    start, end = url.rsplit(f"/{marker}/", 1)
    return Concat(
        Value(f"{start}/"), Cast(F(field), TextField()), Value(f"/{end}"), output_field=TextField()
    )


def joined(queryset: QuerySet, link_field: str, value: str) -> Expression:
    """`split(aggregated(...))` as one cell: the distinct values of the related rows, sorted (by
    code point, as Python sorts text), joined by SEPARATOR."""
    item = Collate(Cast(value, TextField()), "C")
    values = (
        queryset.filter(**{link_field: OuterRef("pk")})
        .order_by()
        .annotate(item=item)
        .values("item")
        .distinct()
        .order_by("item")
    )
    array = ArraySubquery(values)
    return text(Func(array, Value(SEPARATOR), function="array_to_string", output_field=TextField()))


# --- The response -------------------------------------------------------------------------------


def copies(export: Export, queryset: QuerySet, extension: str) -> bool:
    """Whether the database makes this file: CSV, PostgreSQL, every column with its `sql`."""
    return (
        extension == "csv"
        and connections[queryset.db].vendor == "postgresql"
        and all(column.sql is not None for column in export.columns)
    )


def select(export: Export, queryset: QuerySet) -> QuerySet:
    """The rows of `queryset` (in its order: the export's, see Export.ordered) as the export's
    cells, made by the database."""
    cells = {f"cell_{n}": column.sql for n, column in enumerate(export.columns)}
    return queryset.annotate(**cells).values_list(*cells)


def copy_lines(export: Export, queryset: QuerySet, bom: bool = False) -> Iterator[bytes]:
    """The CSV as COPY writes it, with CRLF line ends, in blocks of about BLOCK bytes."""
    yield csv_header(export, bom).encode()
    sql, params = select(export, queryset).query.sql_with_params()
    statement = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
    connection = connections[queryset.db]
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        blocks, size = [], 0
        # One block per row, ending in LF; line breaks inside quoted cells are left as they are.
        for row in copy:
            blocks.append(row[:-1])
            size += len(row) + 1
            if size >= BLOCK:
                blocks.append(b"")
                yield b"\r\n".join(blocks)
                blocks, size = [], 0
        if blocks:
            blocks.append(b"")
            yield b"\r\n".join(blocks)
    if connection.queries_logged:  # counted as any other query (tests, DEBUG)
        elapsed = f"{time.monotonic() - started:.3f}"
        connection.queries_log.append({"sql": statement, "time": elapsed})
