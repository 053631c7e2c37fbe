from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from changes import recorder as changes
from claims import derived
from claims.models import Incident
from kb.roles import CURATED_APPS

SEED = Path(settings.BASE_DIR) / "fixtures" / "seed.json"
REASON = "Seed data loaded from fixtures/seed.json"


class Command(BaseCommand):
    help = "Load the seed data (fixtures/seed.json) with an initial history record for each row."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already holds incidents (used by `make run`).",
        )

    def handle(self, *args, if_empty=False, **options):
        if Incident.objects.exists():
            if if_empty:
                self.stdout.write("Seed data not loaded: the database already holds incidents.")
                return
            raise CommandError(
                "The database already holds incidents; load the seed into an empty one."
            )
        with transaction.atomic():
            call_command("loaddata", str(SEED), verbosity=0)
            created = record_initial_history(REASON)
            changes.rebuild()
            derived.rebuild()
        self.stdout.write(self.style.SUCCESS(f"Loaded the seed data: {created} records."))


def record_initial_history(reason: str) -> int:
    """loaddata saves raw rows, which history does not see: give each row its first record."""
    total = 0
    for model in apps.get_models():
        if model._meta.app_label not in CURATED_APPS or not hasattr(model, "history"):
            continue
        objs = list(model._default_manager.all())
        model.history.bulk_history_create(objs, default_change_reason=reason, batch_size=500)
        total += len(objs)
    return total
