"""The importer as the admin's upload and the import templates call it: a file's bytes in, the
importer's Result out."""

import io

from exchange import importer

TABLES = tuple(importer.TABLES)


def run_import(table: str, content: bytes, *, reason: str, user, dry_run: bool):
    """Import `content` (a CSV file's bytes) into `table`; with `dry_run`, write nothing."""
    return importer.import_file(table, io.BytesIO(content), reason, user=user, dry_run=dry_run)
