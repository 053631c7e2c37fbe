from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from exchange.importer import KINDS, import_file


class Command(BaseCommand):
    help = (
        "Import a CSV file in an export's own format (see /codebook/). Rows match existing "
        "records on their stable key; every row is validated; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS), help="which export's format")
        parser.add_argument("file", help="path to the CSV file (UTF-8, with or without BOM)")
        parser.add_argument("--reason", help="change reason recorded in the history")

    def handle(self, *args, kind, file, reason=None, **options):
        try:
            result = import_file(kind, file, reason)
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        if result.errors:
            for row, column, message in result.errors:
                self.stderr.write(f"{file}: row {row}, column {column}: {message}")
            raise CommandError(
                f"{len(result.errors)} error(s); nothing was imported "
                "(row 1 is the header, row 2 the first record)."
            )
        if result.created or result.updated:
            # The query planner's statistics, for the tables the file grew (SQLite keeps none
            # until asked, and plans as if every table were small).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"{kind}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )
