"""The importer as the admin's upload and the import templates call it.

Until the rewritten importer lands on main: the rewritten exchange.importer has TABLES and
import_file(table, source, reason, *, user, dry_run); the one before it has KINDS and
import_rows(kind, reader, reason). Once it has landed, this module is `TABLES = importer.TABLES`
and the first branch of `run_import`, and its callers can call the importer directly.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction

from exchange import importer


@dataclass
class _Result:
    """What the importer before its rewrite reports, in the rewritten one's shape."""

    table: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    error_count: int = 0
    actions: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)


TABLES = tuple(getattr(importer, "TABLES", None) or importer.KINDS)


def run_import(table: str, content: bytes, *, reason: str, user, dry_run: bool):
    """Import `content` (a CSV file's bytes) into `table`; with `dry_run`, write nothing."""
    if hasattr(importer, "TABLES"):
        source = io.BytesIO(content)
        return importer.import_file(table, source, reason, user=user, dry_run=dry_run)
    # history_user: the request's user, through simple_history's HistoryRequestMiddleware.
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    with transaction.atomic():
        try:
            old = importer.import_rows(table, reader, reason)
        except csv.Error as error:
            transaction.set_rollback(True)
            return _Result(table, errors=[(reader.line_num, "", str(error))], error_count=1)
        if dry_run:
            transaction.set_rollback(True)
    return _Result(
        table, old.created, old.updated, old.unchanged, old.errors, error_count=len(old.errors)
    )
