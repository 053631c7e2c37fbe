"""Writes rows straight into tables: COPY on PostgreSQL (psycopg 3's `cursor.copy()`), batched
`executemany` on SQLite. No model instances, no signals, no history or change-log recorder.

The generator gives each table's rows as tuples for the columns it knows; the loader appends the
default of every other concrete column of the model (`_meta.concrete_fields`), so that columns
added later with a default (derived columns, say) do not break it. Values are given as the
database reads them from text: dates as ISO strings, timestamps from `stamp()`.
"""

import datetime
import itertools
import time
from contextlib import contextmanager

from django.core.management.color import no_style
from django.db import models

SQLITE_BATCH = 5000


class Loader:
    def __init__(self, connection, report=None):
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.report = report or (lambda message: None)
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.loaded: list[type[models.Model]] = []
        # A timestamp as text: PostgreSQL reads the offset; Django stores naive UTC in SQLite.
        self.zone = "+00" if self.postgres else ""

    def stamp(self, day: str, seconds: int) -> str:
        """'2024-01-28 13:05:09' (UTC) from an ISO day and the seconds into it."""
        hours, rest = divmod(seconds, 3600)
        return f"{day} {hours:02d}:{rest // 60:02d}:{rest % 60:02d}{self.zone}"

    def columns(self, model, names: list[str]) -> tuple[list[str], tuple]:
        """The columns to write (the given ones, then every other writable column) and the
        values of the others (each field's default, as the database stores it)."""
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        missing = [name for name in names if name not in by_attname]
        if missing:
            raise ValueError(f"{model._meta.label} has no column {', '.join(missing)}")
        extra_fields = [
            f
            for f in model._meta.concrete_fields
            if f.attname not in names
            and not getattr(f, "generated", False)
            and not (f.has_db_default() and not f.has_default())
        ]
        defaults = tuple(f.get_db_prep_save(f.get_default(), self.connection) for f in extra_fields)
        columns = [by_attname[name].column for name in names]
        return columns + [f.column for f in extra_fields], defaults

    def next_id(self, model) -> int:
        """The first free primary key: ids are given explicitly, after any existing row."""
        found = model._default_manager.aggregate(top=models.Max("pk"))["top"]
        return (found or 0) + 1

    def write(self, model, names: list[str], rows) -> int:
        """Write the rows (tuples for `names`) into the model's table; returns how many."""
        started = time.perf_counter()
        columns, defaults = self.columns(model, names)
        table = self.connection.ops.quote_name(model._meta.db_table)
        quoted = ", ".join(self.connection.ops.quote_name(c) for c in columns)
        if defaults:
            rows = (row + defaults for row in rows)
        with self.connection.cursor() as cursor:
            if self.postgres:
                count = 0
                with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    write_row = copy.write_row
                    for row in rows:
                        write_row(row)
                        count += 1
            else:
                marks = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"
                count = 0
                for batch in itertools.batched(rows, SQLITE_BATCH):
                    cursor.executemany(sql, batch)
                    count += len(batch)
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + count
        self.seconds[label] = self.seconds.get(label, 0) + time.perf_counter() - started
        if model not in self.loaded:
            self.loaded.append(model)
        return count

    @contextmanager
    def without_indexes(self, models_: list):
        """On PostgreSQL, load the tables as pg_restore does: drop their secondary indexes, unique
        and foreign-key constraints, write the rows, then create them again from their own
        definitions (one sort per index, one query per foreign key instead of a trigger per
        row). The schema is the same afterwards; in a transaction, a failure undoes it all."""
        if not self.postgres:
            yield
            return
        saved = []
        with self.connection.cursor() as cursor:
            # Fire what earlier statements of this transaction deferred: a table with pending
            # trigger events cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for model in models_:
                table = model._meta.db_table
                cursor.execute(CONSTRAINTS_SQL, [table])
                constraints = cursor.fetchall()
                cursor.execute(INDEXES_SQL, [table])
                indexes = cursor.fetchall()
                quoted = self.connection.ops.quote_name(table)
                for name, _, _ in constraints:
                    name = self.connection.ops.quote_name(name)
                    cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {name}")
                for name, _ in indexes:
                    cursor.execute(f"DROP INDEX {self.connection.ops.quote_name(name)}")
                saved.append((quoted, constraints, indexes))
        yield
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _, _, indexes in saved:
                for _, definition in indexes:
                    cursor.execute(definition)
            for kind in ("u", "f"):  # unique first: a foreign key may point to one
                for quoted, constraints, _ in saved:
                    for name, contype, definition in constraints:
                        if contype == kind:
                            name = self.connection.ops.quote_name(name)
                            cursor.execute(
                                f"ALTER TABLE {quoted} ADD CONSTRAINT {name} {definition}"
                            )
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's default again
        self.report(
            f"  indexes and constraints created and checked ({time.perf_counter() - started:.1f} s)"
        )

    def finish(self) -> None:
        """Move the primary-key sequences past the ids written, and refresh the planner's
        statistics. SQLite has none until ANALYZE: without them it looked up a group's claims
        through the index on their group for each of 100,000 incidents (minutes for one page)."""
        sql = self.connection.ops.sequence_reset_sql(no_style(), self.loaded)
        with self.connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)
            cursor.execute("ANALYZE")


# A table's unique and foreign-key constraints, and its indexes that back no constraint.
CONSTRAINTS_SQL = """
    SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
    WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY conname
"""
INDEXES_SQL = """
    SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS (
        SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
    ) ORDER BY c.relname
"""


def iso_days(first: datetime.date, last: datetime.date) -> dict[int, str]:
    """ISO text of every day from first to last, by ordinal (formatting each date once)."""
    start = first.toordinal()
    return {
        start + n: (first + datetime.timedelta(days=n)).isoformat()
        for n in range(last.toordinal() - start + 1)
    }
