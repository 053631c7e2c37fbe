"""Inserting many rows that need no answer from the database (history rows, change-log entries),
by one prepared statement run for every row (`executemany`), which costs a fraction of what
compiling a multi-row INSERT with Django's compiler does. Ids are allocated beforehand, in one
query, where the caller needs them (a change-log entry names its history row)."""

from django.db import connection


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


# Field types whose Python value is what the database driver takes (no conversion to make).
PLAIN = {
    "CharField", "TextField", "SlugField", "URLField", "EmailField", "IntegerField",
    "BigIntegerField", "SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
    "PositiveBigIntegerField", "BooleanField", "ForeignKey", "OneToOneField", "AutoField",
    "BigAutoField",
}  # fmt: skip


def insert(model, objs: list, include_pk: bool = False) -> None:
    """INSERT every object's concrete fields (the primary key too, if set by the caller)."""
    if not objs:
        return
    opts = model._meta
    fields = [f for f in opts.concrete_fields if include_pk or not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    statement = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({marks})"
    plain = [f.get_internal_type() in PLAIN and not getattr(f, "auto_now", False) for f in fields]
    converted = {}  # (field, value) -> the database's value: a batch shares its timestamps

    def prepared(field, obj):
        value = field.pre_save(obj, add=True)
        try:
            key = (field.attname, value)
            if key not in converted:
                converted[key] = field.get_db_prep_save(value, connection)
            return converted[key]
        except TypeError:  # not hashable (a JSON list)
            return field.get_db_prep_save(value, connection)

    params = [
        [
            getattr(obj, f.attname) if simple else prepared(f, obj)
            for f, simple in zip(fields, plain, strict=True)
        ]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(statement, params)


def update(model, objs: list, fields: list[str]) -> None:
    """UPDATE these fields of every object, by primary key, as one prepared statement."""
    if not objs or not fields:
        return
    opts = model._meta
    targets = [opts.get_field(name) for name in fields]
    # Bookkeeping stamps (`updated`) change with every save, as save() would set them.
    targets += [f for f in opts.concrete_fields if getattr(f, "auto_now", False)]
    targets = [f for f in dict.fromkeys(targets) if f.concrete and not f.primary_key]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(f.column)} = %s" for f in targets)
    statement = f"UPDATE {quote(opts.db_table)} SET {sets} WHERE {quote(opts.pk.column)} = %s"
    params = [
        [f.get_db_prep_save(f.pre_save(obj, add=False), connection) for f in targets] + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(statement, params)
