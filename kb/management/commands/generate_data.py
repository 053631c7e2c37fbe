import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from claims.models import Claim, Incident, Location
from groups.models import Brand, Group
from kb.synthetic.generator import generate, sizes
from kb.synthetic.loader import Loader
from sources.models import Source

# What must be absent: synthetic records are never mixed with curated ones.
CURATED = (Incident, Claim, Source, Group, Brand, Location)


class Command(BaseCommand):
    help = (
        "Fill an EMPTY, migrated database with synthetic data for benchmarks: N incidents with "
        "about 2N claims, their sources, groups, brands and locations, one history row and one "
        "change-log entry per incident and claim. Refuses a database that holds any incident, "
        "claim, source, group, brand or location. Every record is marked synthetic: sources are "
        "titled 'Synthetic source ...' with URLs under https://synthetic.invalid/; descriptions, "
        "notes and incident summaries start with '[synthetic]'. The same --seed gives the same "
        "data. Distributions: kb/synthetic/generator.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("--incidents", type=int, required=True, help="How many incidents.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")

    def handle(self, *args, incidents, seed, verbosity=1, **options):
        if incidents < 1:
            raise CommandError("--incidents must be at least 1.")
        say = self.stdout.write if verbosity > 0 else (lambda message: None)
        self.check_migrated()
        started = time.perf_counter()
        loader = Loader(connection, report=say)
        with transaction.atomic():
            self.check_empty()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # Losing the last commit in a crash is harmless for generated data.
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            say(f"Generating {', '.join(f'{v:,} {k}' for k, v in sizes(incidents).items())}")
            counts = generate(incidents, seed, loader, report=say)
            finishing = time.perf_counter()
            loader.finish()
            say(f"  sequences reset, statistics gathered ({time.perf_counter() - finishing:.1f} s)")
            committing = time.perf_counter()
        say(f"  committed ({time.perf_counter() - committing:.1f} s)")
        for label, count in counts.items():
            say(f"  {label:<28} {count:>10,} rows {loader.seconds[label]:8.1f} s")
        total = sum(counts.values())
        say(
            self.style.SUCCESS(
                f"Generated {total:,} synthetic rows in {time.perf_counter() - started:.1f} s."
            )
        )

    def check_migrated(self):
        tables = set(connection.introspection.table_names())
        if (
            Incident._meta.db_table not in tables
            or Claim.history.model._meta.db_table not in tables
        ):
            raise CommandError("The database is not migrated: run `manage.py migrate` first.")

    def check_empty(self):
        held = [
            f"{model.objects.count():,} {model._meta.verbose_name_plural}"
            for model in CURATED
            if model.objects.exists()
        ]
        if held:
            raise CommandError(
                f"The database already holds {', '.join(held)}. generate_data only fills an "
                "empty database, so that synthetic records are never mixed with real ones: "
                "create a new database, migrate it, and run the command there."
            )
