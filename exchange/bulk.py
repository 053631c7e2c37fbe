"""Inserting many rows that need no answer from the database (records, history rows, change-log
entries): on PostgreSQL by COPY, which streams the rows in one statement; elsewhere by one
prepared statement run for every row (`executemany`). Either costs a fraction of what compiling a
multi-row INSERT with Django's compiler does, and a row can be given as a plain tuple of its
values, without a model instance. Ids are allocated beforehand, in one query, where the caller
needs them (a change-log entry names its history row)."""

import datetime
import time

from django.db import DEFAULT_DB_ALIAS, connection, connections

# Field types whose Python value is what the database driver takes (no conversion to make).
PLAIN = {
    "CharField", "TextField", "SlugField", "URLField", "EmailField", "IntegerField",
    "BigIntegerField", "SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
    "PositiveBigIntegerField", "BooleanField", "ForeignKey", "OneToOneField", "AutoField",
    "BigAutoField",
}  # fmt: skip


def allocate_ids(model, count: int) -> list[int]:
    """`count` fresh primary keys for the model's table, taken from its sequence (PostgreSQL)
    or after its largest (SQLite, where the writing transaction holds the only write lock)."""
    if count == 0:
        return []
    opts = model._meta
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, opts.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT COALESCE(MAX({quote(opts.pk.column)}), 0) FROM {quote(opts.db_table)}"
        )
        largest = cursor.fetchone()[0]
    return list(range(largest + 1, largest + 1 + count))


def columns(model, include_pk: bool = False) -> list:
    """The model's concrete fields in the order insert_rows() takes their values."""
    return [f for f in model._meta.concrete_fields if include_pk or not f.primary_key]


def insert_rows(model, fields: list, rows: list[tuple]) -> None:
    """INSERT rows given as tuples of Python values, one per field of `fields` (columns()),
    converted for the database as saving would (dates on SQLite, JSON...)."""
    if not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not its per-call proxy
    convert = [
        (i, converter(f, db)) for i, f in enumerate(fields) if f.get_internal_type() not in PLAIN
    ]
    if convert:
        rows = [list(row) for row in rows]
        for row in rows:
            for i, change in convert:
                row[i] = change(row[i])
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(f.column) for f in fields)
    if connection.vendor == "postgresql":
        copy_in(f"COPY {table} ({names}) FROM STDIN", rows)
        return
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


# Values that get_db_prep_save() returns as they are on PostgreSQL (psycopg adapts them): by field
# type, the Python type (a time zone aware datetime).
KEPT_BY_POSTGRESQL = {
    "DateField": datetime.date, "DateTimeField": datetime.datetime, "TimeField": datetime.time,
}  # fmt: skip


def converter(field, db):
    """The field's value as the database takes it (get_db_prep_save), computed once per distinct
    value: a batch shares its timestamps, dates and JSON."""
    seen = {}
    kept = KEPT_BY_POSTGRESQL.get(field.get_internal_type()) if db.vendor == "postgresql" else None

    def convert(value):
        if kept is not None and (
            value is None
            or (type(value) is kept and (kept is not datetime.datetime or value.tzinfo is not None))
        ):
            return value
        try:
            if value not in seen:
                seen[value] = field.get_db_prep_save(value, db)
            return seen[value]
        except TypeError:  # not hashable (a JSON list)
            return field.get_db_prep_save(value, db)

    return convert


def copy_in(statement: str, rows: list[tuple]) -> None:
    """COPY ... FROM STDIN, counted in the connection's query log like any other statement
    (tests, DEBUG)."""
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
    if connection.queries_logged:
        elapsed = f"{time.monotonic() - started:.3f}"
        connection.queries_log.append({"sql": statement, "time": elapsed})


def insert(model, objs: list, include_pk: bool = False) -> None:
    """INSERT every object's concrete fields (the primary key too, if set by the caller)."""
    if not objs:
        return
    fields = columns(model, include_pk)
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objs:
        for f in stamped:  # as save() would: each object stamped, the stamp kept on it
            f.pre_save(obj, add=True)
    attnames = [f.attname for f in fields]
    rows = [tuple(getattr(obj, name) for name in attnames) for obj in objs]
    insert_rows(model, fields, rows)


def update(model, objs: list, fields: list[str]) -> None:
    """UPDATE these fields of every object, by primary key (update_rows())."""
    if not objs or not fields:
        return
    opts = model._meta
    targets = [opts.get_field(name) for name in fields]
    # Bookkeeping stamps (`updated`) change with every save, as save() would set them.
    targets += [f for f in opts.concrete_fields if getattr(f, "auto_now", False)]
    targets = [f for f in dict.fromkeys(targets) if f.concrete and not f.primary_key]
    rows = [(obj.pk, *(f.pre_save(obj, add=False) for f in targets)) for obj in objs]
    update_rows(model, targets, rows)


def update_rows(model, fields: list, rows: list[tuple]) -> None:
    """UPDATE the fields of the rows given as (primary key, *values), Python values converted as
    saving would. On PostgreSQL the rows are copied into a temporary table and the model's
    table is updated from it in one statement (a statement per row costs the server a parse
    and a plan each); elsewhere, one prepared statement run for every row."""
    if not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]
    convert = [None if f.get_internal_type() in PLAIN else converter(f, db) for f in fields]
    rows = [
        (row[0], *(v if c is None else c(v) for v, c in zip(row[1:], convert, strict=True)))
        for row in rows
    ]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    names = [quote(f.column) for f in fields]
    if connection.vendor != "postgresql":
        sets = ", ".join(f"{name} = %s" for name in names)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET {sets} WHERE {pk} = %s", [(*r[1:], r[0]) for r in rows]
            )
        return
    changes = quote(f"bulk_{model._meta.db_table}")
    listed = ", ".join([pk, *names])
    with connection.cursor() as cursor:
        # Its columns typed as the table's (no constraints: only the columns given are filled).
        cursor.execute(
            f"CREATE TEMPORARY TABLE {changes} ON COMMIT DROP AS "
            f"SELECT {listed} FROM {table} WITH NO DATA"
        )
        copy_in(f"COPY {changes} ({listed}) FROM STDIN", rows)
        sets = ", ".join(f"{name} = c.{name}" for name in names)
        cursor.execute(f"UPDATE {table} t SET {sets} FROM {changes} c WHERE t.{pk} = c.{pk}")
        cursor.execute(f"DROP TABLE {changes}")


def delete(model, ids: list) -> None:
    """DELETE these rows by primary key, without signals (the caller writes their history)."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({marks})", chunk)
