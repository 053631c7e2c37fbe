from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError

from claims import derived


class Command(BaseCommand):
    help = (
        "Check (default) or rebuild the incidents' derived fields: possible dates, current "
        "claimants, search text (see claims/derived.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recompute them all")
        parser.add_argument("--limit", type=int, help="check only the latest LIMIT incidents")

    def handle(self, *args, rebuild=False, limit=None, **options):
        if rebuild:
            derived.rebuild()
            cache.clear()  # answers computed from the stale fields (kb.cache)
            self.stdout.write("Rebuilt the derived fields of every incident.")
        problems = derived.verify(limit)
        for line in problems[:50]:
            self.stderr.write(line)
        if problems:
            raise CommandError(
                f"{len(problems)} incident(s) hold stale derived fields: run with --rebuild."
            )
        self.stdout.write(self.style.SUCCESS("Every derived field is up to date."))
