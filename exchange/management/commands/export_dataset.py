from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from exchange.package import package_request, write_directory, write_zip


class Command(BaseCommand):
    help = (
        "Write the whole dataset as a Frictionless data package: every table as CSV, the "
        "codebook, README.md (version, citation, licence) and datapackage.json. OUT is a "
        "directory, or a path ending in .zip (the same file as /dataset.zip)."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="a directory (created if missing) or a .zip path")
        parser.add_argument(
            "--drafts",
            action="store_true",
            help="include drafts (what signed-in staff see); by default published records only",
        )
        parser.add_argument(
            "--site-url",
            default=settings.DATASET_SITE_URL,
            help="the site the permalinks point to (default: DATASET_SITE_URL, %(default)s)",
        )

    def handle(self, *args, out, drafts=False, site_url, **options):
        if not site_url.startswith(("http://", "https://")):
            raise CommandError(f"--site-url must start with http:// or https://, not {site_url!r}")
        request = package_request(site_url, drafts=drafts)
        target = Path(out)
        if target.suffix.lower() == ".zip":
            if target.is_dir():
                raise CommandError(f"{out} is a directory; give a file name ending in .zip")
            target.parent.mkdir(parents=True, exist_ok=True)
            version = write_zip(target, request)
        else:
            if target.exists() and not target.is_dir():
                raise CommandError(f"{out} exists and is not a directory")
            version = write_directory(target, request)
        if not settings.DATASET_LICENSE:
            self.stderr.write(
                "No licence is stated for the data: the package says so. Set DATASET_LICENSE "
                "(and DATASET_LICENSE_URL) to state one."
            )
        audience = "every record, drafts included" if drafts else "published records"
        self.stdout.write(
            self.style.SUCCESS(f"Dataset version {version.name} ({audience}) written to {out}.")
        )
