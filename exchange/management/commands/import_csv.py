import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from exchange.importer import MAX_ERRORS, TABLES, FileError, import_file


class Command(BaseCommand):
    # The system checks read the code, not the data: `manage.py check`, the server and the tests
    # run them; an import does not repeat them (about a fifth of a second, each run).
    requires_system_checks = []
    help = (
        "Import a CSV file in an export's own format (see /codebook/). Rows match existing "
        "records on the table's key columns; every cell of every row is checked, every error "
        "reported; all or nothing. --dry-run reports what would change and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("table", choices=list(TABLES), help="which export's format")
        parser.add_argument("file", help="path to the CSV file (UTF-8, with or without BOM)")
        parser.add_argument(
            "--reason",
            help="why, as the history and the public change log show it "
            "(default: 'imported from <file name>')",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check everything and report what would be created, updated and unchanged, "
            "and the likely duplicate incidents; write nothing",
        )
        parser.add_argument(
            "--rows", action="store_true", help="list every row's action (created, updated...)"
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar on standard error"
        )

    def handle(self, *args, table, file, reason=None, dry_run=False, rows=False, **options):
        bar = None
        if not options["no_progress"] and options.get("verbosity", 1) > 0:
            from tqdm import tqdm

            bar = tqdm(
                total=0, unit="B", unit_scale=True, desc=table, file=sys.stderr, leave=False,
                disable=None,  # off when standard error is not a terminal
            )  # fmt: skip

        def progress(name, done, size):
            if bar is not None:
                bar.total = size
                bar.update(done - bar.n)

        try:
            result = import_file(table, file, reason, dry_run=dry_run, progress=progress)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from None
        except FileError as error:
            raise CommandError(str(error)) from None
        finally:
            if bar is not None:
                bar.close()
        if result.error_count:
            for line, column, message in result.errors:
                self.stderr.write(f"{file}: line {line}, column {column}: {message}")
            more = result.error_count - len(result.errors)
            if more > 0:
                self.stderr.write(f"... and {more} more error(s) (the first {MAX_ERRORS} shown)")
            raise CommandError(
                f"{result.error_count} error(s); nothing was imported "
                "(line 1 is the header; a line is the file's line where the row starts)."
            )
        if rows:
            for line, action, label in result.actions:
                self.stdout.write(f"line {line}: {action} {label}")
        for line, code, existing in result.duplicates:
            self.stdout.write(
                self.style.WARNING(
                    f"line {line}: {code} is a likely duplicate of {existing} "
                    "(same location, overlapping dates)"
                )
            )
        more = result.duplicate_count - len(result.duplicates)
        if more > 0:
            self.stdout.write(self.style.WARNING(f"... and {more} more likely duplicate(s)"))
        if result.grown and not dry_run:
            analyze(result.grown)
        counts = f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"
        if dry_run:
            self.stdout.write(f"{table}: would be {counts}. Dry run: nothing was written.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{table}: {counts}."))


def analyze(grown: dict[str, int]) -> None:
    """Refresh the query planner's statistics of the tables the file grew (table -> rows added).
    SQLite keeps none until asked, and plans as if every table were small: each grown table is
    analysed. PostgreSQL's autovacuum analyses a table once a tenth of it has changed, and
    sampling a large table takes seconds: only the tables grown by that much now."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = sorted(grown)
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)", [tables]
            )
            size = dict(cursor.fetchall())
            tables = [t for t in tables if grown[t] > 50 + 0.1 * max(size.get(t, 0), 0)]
        for table in tables:
            cursor.execute(f"ANALYZE {quote(table)}")
