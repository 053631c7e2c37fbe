import hashlib
import json
import zipfile
from contextlib import ExitStack
from pathlib import Path, PurePosixPath

from django.core.management.base import BaseCommand, CommandError

from exchange.package import DESCRIPTOR


class Command(BaseCommand):
    help = (
        "Import a whole dataset package (what export_dataset and /dataset.zip write): every "
        "importable table of its datapackage.json, in the package's order, in one transaction: "
        "all tables or none. PATH is the package's directory, its .zip or its datapackage.json."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a package directory, .zip file or datapackage.json")
        parser.add_argument(
            "--reason",
            help="change reason recorded in the history (default: the package's name and version)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check everything and report what would change, writing nothing",
        )

    def handle(self, *args, path, reason=None, dry_run=False, **options):
        from exchange.importer import TABLES, import_many

        with ExitStack() as stack:
            package, open_file = self.opened(Path(path), stack)
            version = package.get("version", "")
            files, skipped = [], []
            for resource in package.get("resources", []):
                name = resource.get("name", "")
                if name not in TABLES:
                    skipped.append(name)
                    continue
                data = open_file(resource.get("path", ""))
                if self.changed(resource, data):
                    self.stderr.write(
                        f"{name}: the file differs from the size or sha256 datapackage.json "
                        "gives (changed since the package was written); importing it as it is."
                    )
                    data.seek(0)
                files.append((name, data))
            if not files:
                raise CommandError(f"{path}: the package has no table to import.")
            reason = reason or (
                f"Imported dataset package {package.get('name', '')} version {version}".strip()
            )
            results = import_many(files, reason=reason, dry_run=dry_run)
        self.report(results, skipped, dry_run, version)

    def opened(self, path: Path, stack: ExitStack):
        """The package's descriptor, and a function opening one of its files (binary)."""
        if not path.exists():
            raise CommandError(f"{path}: no such file or directory.")
        if path.suffix.lower() == ".zip":
            try:
                archive = stack.enter_context(zipfile.ZipFile(path))
                descriptor = archive.read(DESCRIPTOR)
            except (zipfile.BadZipFile, KeyError) as error:
                raise CommandError(f"{path}: not a dataset package ({error}).") from None
            package = self.parsed(descriptor, path)
            return package, lambda name: archive.open(self.inside(name, path))
        folder = path if path.is_dir() else path.parent
        descriptor_path = path / DESCRIPTOR if path.is_dir() else path
        try:
            package = self.parsed(descriptor_path.read_bytes(), descriptor_path)
        except OSError as error:
            raise CommandError(f"Cannot read {descriptor_path}: {error}") from None

        def open_file(name):
            try:
                return stack.enter_context(open(folder / self.inside(name, path), "rb"))
            except OSError as error:
                raise CommandError(f"Cannot read {name}: {error}") from None

        return package, open_file

    @staticmethod
    def parsed(data: bytes, path) -> dict:
        try:
            package = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{path}: not a valid datapackage.json ({error}).") from None
        if not isinstance(package, dict):
            raise CommandError(f"{path}: not a valid datapackage.json.")
        return package

    @staticmethod
    def inside(name, path) -> str:
        """A resource's path, refused unless it is a plain relative path inside the package."""
        parts = PurePosixPath(name or "").parts
        if not parts or parts[0] == "/" or ".." in parts or "://" in name:
            raise CommandError(f"{path}: a resource path must be a file in the package: {name!r}")
        return str(PurePosixPath(*parts))

    @staticmethod
    def changed(resource: dict, data) -> bool:
        expected = resource.get("hash", "")
        if not expected.startswith("sha256:"):
            return False
        digest, size = hashlib.sha256(), 0
        while block := data.read(1 << 16):
            digest.update(block)
            size += len(block)
        data.seek(0)
        return f"sha256:{digest.hexdigest()}" != expected or size != resource.get("bytes", size)

    def report(self, results, skipped, dry_run, version):
        errors = [
            (table, line, column, message)
            for table, result in results.items()
            for line, column, message in result.errors
        ]
        for table, line, column, message in errors:
            self.stderr.write(f"{table}: line {line}, column {column}: {message}")
        if errors:
            total = sum(result.error_count for result in results.values())
            raise CommandError(f"{total} error(s); nothing was imported.")
        for table, result in results.items():
            self.stdout.write(
                f"{table}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        if skipped:
            self.stdout.write(f"Not imported (documentation, or derived): {', '.join(skipped)}.")
        done = "Dry run: nothing was written" if dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{done}: dataset version {version}."))
