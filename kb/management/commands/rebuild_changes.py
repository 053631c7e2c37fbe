from django.core.management.base import BaseCommand
from django.db import transaction

from changes import recorder


class Command(BaseCommand):
    help = (
        "Regenerate the change log (/changes/, its feed and export, and each incident's history "
        "page) from the history tables, which remain the record of every change."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            count = recorder.rebuild()
        self.stdout.write(self.style.SUCCESS(f"Change log rebuilt: {count} entries."))
