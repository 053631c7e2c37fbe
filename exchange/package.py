"""The whole dataset as one Frictionless data package: every table, the codebook, how to cite it.

A package holds one CSV file per export of the catalogue (`exchange.catalogue.exports`, in the
order they import: each table after those it names), made by the same code as the downloads (the
export views' empty filters; PostgreSQL's COPY where the download uses it), so a package's
`incidents.csv` is byte for byte `/incidents/export.csv` at the same moment. Beside them:
`codebook.csv` and `codebook.md` (the codebook's own files), `README.md` (what it is, its version,
how to cite it, its licence) and `datapackage.json`, the Frictionless descriptor: per table, its
fields with their Table Schema types, descriptions and allowed values, its primary key and foreign
keys, its size and sha256; for the package, its name, version, date, licence and citation.

**Versions.** A package's version names the state of the data it holds: the day (UTC) of the
latest change in the change log that its audience may see, and that change's id, e.g.
`2024-02-03.1234`. Every saved change to a curated record adds a change-log row, so a new version
means new content and the same version the same content (on the same site); `created` is that
change's time, not the time the file was written, so writing a version again gives the same
files. The public package (the download, and `export_dataset` by default) holds published records
only and is versioned by the latest public change; `export_dataset --drafts` adds drafts and is
versioned by the latest change of any kind.

Files are written one after another with memory flat in their size: the tables stream from the
database in blocks, into a directory or a zip file, while their size and sha256 are counted for
`datapackage.json`, which comes last.
"""

import datetime
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Subquery
from django.http import QueryDict
from django.test import RequestFactory

from changes.models import Change
from exchange.catalogue import exports
from exchange.codebook import CSV_HEADER, codebook_csv, codebook_markdown
from exchange.formats import SEPARATOR, Column, Export, csv_lines
from exchange.sql import copies, copy_lines
from kb.visibility import sees_drafts

DESCRIPTOR = "datapackage.json"
CODEBOOK = "codebook"  # the codebook's CSV is a resource too (not imported)
EARLIEST_ZIP_TIME = datetime.datetime(1980, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Version:
    """A state of the data as its audience sees it."""

    name: str  # YYYY-MM-DD.<change id>; "0" before any change
    at: datetime.datetime | None  # the latest change's time (UTC)
    state: str  # the latest change's id and exact time, for caches

    @property
    def date(self) -> str:
        return self.at.date().isoformat() if self.at else ""


def version_of(user) -> Version:
    """The version of the data `user` sees: the latest change-log entry visible to them."""
    latest = Change.objects.visible_to(user).order_by("-pk").values_list("pk", "at").first()
    if latest is None:
        return Version("0", None, "")
    pk, at = latest
    at = at.astimezone(datetime.UTC)
    return Version(f"{at:%Y-%m-%d}.{pk}", at, f"{pk}@{at.isoformat()}")


class Staff(AnonymousUser):
    """The audience of `export_dataset --drafts`: sees what signed-in staff see, drafts included,
    without a user account."""

    is_staff = True

    @property
    def is_authenticated(self):
        return True


def package_request(site_url: str, drafts: bool = False):
    """A request for the command's package: permalinks on `site_url`, public records unless
    `drafts`."""
    scheme, _, host = site_url.rstrip("/").partition("://")
    request = RequestFactory().get(
        "/dataset.zip", HTTP_HOST=host, secure=scheme == "https", SERVER_NAME=host.split(":")[0]
    )
    request.user = Staff() if drafts else AnonymousUser()
    return request


# --- The tables ----------------------------------------------------------------------------------


def table_blocks(spec: Export, request) -> Iterator[bytes]:
    """The export's whole CSV (no filters), as its download makes it."""
    filterset = spec.filterset_class(
        QueryDict(), queryset=spec.base_queryset(request.user), request=request
    )
    if not filterset.is_valid():  # no filter is given: cannot happen
        raise ValueError(f"{spec.name}: {filterset.error_text()}")
    queryset = spec.ordered(filterset.qs)
    if copies(spec, queryset, "csv"):
        yield from copy_lines(spec, queryset)
        return
    for text in csv_lines(spec, spec.rows(queryset, request)):
        yield text.encode()


def model_field(model, path: str) -> tuple:
    """The model field a lookup path (`incident__location__slug`) ends on, and whether its value
    may be missing (a field, or a relation on the way, that may be null or blank); (None, True)
    if the path is not one of the model's."""
    *relations, name = path.split("__")
    missing = False
    try:
        for relation in relations:
            link = model._meta.get_field(relation)
            missing = missing or link.null
            model = link.related_model
        found = model._meta.get_field(name)
    except (FieldDoesNotExist, AttributeError):
        return None, True
    # A blank text is an empty cell, as unknown is (CSV cannot tell them apart).
    return found, missing or found.null or (found.blank and found.empty_strings_allowed)


def single_field(expression) -> str | None:
    """The one field a cell's SQL reads (`text("kind")` reads kind), or None (several, or a
    subquery's aggregate)."""
    found = set()

    def walk(node):
        if isinstance(node, F):
            found.add(node.name)
        elif not isinstance(node, Subquery):
            for source in getattr(node, "get_source_expressions", list)():
                if source is not None:
                    walk(source)

    walk(expression)
    return found.pop() if len(found) == 1 else None


def allowed_values(column: Column, model) -> list | None:
    """The values a vocabulary column may hold: the choices of the model field it exports."""
    path = single_field(column.sql) if column.sql is not None else None
    found = model_field(model, path)[0] if path else None
    if found is None or not found.choices or column.type not in ("string", "integer"):
        return None
    return [value for value, _label in found.flatchoices]


def schema_field(column: Column, model) -> dict:
    described = column.description
    if column.values:
        described += f" Values: {column.values}."
    if not column.imported:
        described += " Derived from other records; not imported."
    field = {"name": column.name, "type": column.type, "description": described}
    enum = allowed_values(column, model)
    if enum:
        field["constraints"] = {"enum": enum}
    return field


def schema(spec: Export, request, names: dict[str, str]) -> dict:
    """The Table Schema of an export: fields, primary key and foreign keys. A primary key's cells
    are never empty (as in SQL), so a key that may have an empty part (an alias belongs to a group
    OR a brand; an affiliation's assessed_by may be blank) is declared as a unique key (Table
    Schema 2's `uniqueKeys`) instead: unique in combination, not a primary key."""
    model = spec.base_queryset(request.user).model
    described = {
        "fields": [schema_field(column, model) for column in spec.columns],
        "missingValues": [""],
    }
    if spec.key:
        if any(nullable(spec, model, column) for column in spec.key):
            described["uniqueKeys"] = [list(spec.key)]
        else:
            described["primaryKey"] = list(spec.key)
    foreign = []
    for columns, other, other_columns in spec.references:
        reference = {"resource": "" if other == spec.name else names[other]}
        reference["fields"] = list(other_columns)
        foreign.append({"fields": list(columns), "reference": reference})
    if foreign:
        described["foreignKeys"] = foreign
    return described


def nullable(spec: Export, model, column_name: str) -> bool:
    column = next(c for c in spec.columns if c.name == column_name)
    path = single_field(column.sql) if column.sql is not None else None
    return model_field(model, path)[1] if path else True


# --- The package ---------------------------------------------------------------------------------


def citation(version: Version, site_url: str) -> str:
    return settings.DATASET_CITATION.format(
        title=settings.DATASET_TITLE, version=version.name, date=version.date, url=site_url
    )


def licences() -> list[dict]:
    if not settings.DATASET_LICENSE:
        return []
    licence = {"name": settings.DATASET_LICENSE, "title": settings.DATASET_LICENSE}
    if settings.DATASET_LICENSE_URL:
        licence["path"] = settings.DATASET_LICENSE_URL
    return [licence]


def licence_text() -> str:
    if not settings.DATASET_LICENSE:
        return (
            "No licence has been stated for this data (the site's operator has not set "
            "DATASET_LICENSE): ask the publisher before reusing it."
        )
    url = f" ({settings.DATASET_LICENSE_URL})" if settings.DATASET_LICENSE_URL else ""
    return f"{settings.DATASET_LICENSE}{url}."


def site_of(request) -> str:
    return request.build_absolute_uri("/")


def readme(specs: Iterable[Export], version: Version, request) -> str:
    site = site_of(request)
    audience = "every record, drafts included" if sees_drafts(request.user) else "published records"
    lines = [
        f"# {settings.DATASET_TITLE}: dataset version {version.name}",
        "",
        f"The whole knowledge base at {site} as it stood after change {version.name.split('.')[-1]}"
        f" of its change log ({version.at.isoformat() if version.at else 'no change yet'}): "
        f"{audience}.",
        "",
        "## How to cite",
        "",
        citation(version, site),
        "",
        "## Licence",
        "",
        licence_text(),
        "",
        "## Version",
        "",
        f"`{version.name}` is the day (UTC) of the latest change in the data and that change's id "
        "in the change log: one version, one content. To see what changed after it, read "
        f"{site}changes/export.csv?since={version.date or 'YYYY-MM-DD'} (changes with a larger "
        "change_id); `datapackage.json` gives each file's size and sha256.",
        "",
        "## Files",
        "",
        "`datapackage.json` describes every table (Frictionless Data Package: column types, "
        "allowed values, keys and references between tables); `codebook.md` and `codebook.csv` "
        f"document every column. Multi-valued cells separate values with `{SEPARATOR}`; text "
        "starting with =, +, -, @, a tab or a carriage return (or an apostrophe) has an "
        "apostrophe prefixed, against spreadsheet formulas.",
        "",
        *(f"- `{spec.name}.csv`: {spec.title}. {spec.description}" for spec in specs),
        "",
    ]
    return "\n".join(lines)


def descriptor(specs: list[Export], version: Version, request, written: dict) -> dict:
    names = {spec.name: spec.name for spec in specs}
    resources = []
    for spec in specs:
        size, digest = written[spec.name]
        resources.append(
            {
                "name": spec.name,
                "path": f"{spec.name}.csv",
                "title": spec.title,
                "description": spec.description,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": size,
                "hash": f"sha256:{digest}",
                "schema": schema(spec, request, names),
            }
        )
    size, digest = written[CODEBOOK]
    resources.append(
        {
            "name": CODEBOOK,
            "path": f"{CODEBOOK}.csv",
            "title": "Codebook",
            "description": "Every column of every table: meaning, values, whether imported.",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": size,
            "hash": f"sha256:{digest}",
            "schema": {
                "fields": [{"name": name, "type": "string"} for name in CSV_HEADER],
                "missingValues": [""],
            },
        }
    )
    site = site_of(request)
    package = {
        "profile": "tabular-data-package",
        "name": settings.DATASET_NAME,
        "title": settings.DATASET_TITLE,
        "description": (
            "Armed groups, the brands they claim attacks under, incidents, every claim of "
            "responsibility, denial and attribution, and the sources each fact cites."
        ),
        "homepage": site,
        "version": version.name,
        "citation": citation(version, site),
    }
    if version.at:
        package["created"] = version.at.isoformat().replace("+00:00", "Z")
    if licences():
        package["licenses"] = licences()
    package["resources"] = resources
    return package


def files(request) -> tuple[Version, Iterator[tuple[str, Iterable[bytes]]]]:
    """The package's version and its files (name, blocks of bytes), to be written in order:
    `datapackage.json`, last, describes the files written before it."""
    version = version_of(request.user)
    found = exports(request)
    specs = list(found.values())
    written = {}

    def counted(name, blocks):
        digest, size = hashlib.sha256(), 0
        for block in blocks:
            digest.update(block)
            size += len(block)
            yield block
        written[name] = (size, digest.hexdigest())

    def described():
        package = descriptor(specs, version, request, written)
        text = json.dumps(package, indent=2, ensure_ascii=False)
        yield (text + "\n").encode()

    def entries():
        for spec in specs:
            yield f"{spec.name}.csv", counted(spec.name, table_blocks(spec, request))
        yield f"{CODEBOOK}.csv", counted(CODEBOOK, [codebook_csv(specs).encode()])
        yield "codebook.md", [codebook_markdown(specs).encode()]
        yield "README.md", [readme(specs, version, request).encode()]
        yield DESCRIPTOR, described()

    return version, entries()


def write_directory(directory: Path, request) -> Version:
    """The package as files in `directory` (created if missing)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    version, entries = files(request)
    for name, blocks in entries:
        with open(directory / name, "wb") as out:
            for block in blocks:
                out.write(block)
    return version


def write_zip(target, request) -> Version:
    """The package as a zip file (a path or a binary file), every entry stamped with the data's
    time, so that writing the same version again gives the same bytes."""
    version, entries = files(request)
    stamp = max(version.at or EARLIEST_ZIP_TIME, EARLIEST_ZIP_TIME)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, blocks in entries:
            info = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with archive.open(info, "w", force_zip64=True) as out:
                for block in blocks:
                    out.write(block)
    return version


def cached_zip(request) -> tuple[Version, Path]:
    """The zip of the current version for the request's audience and site, written once per
    version into DATASET_CACHE_DIR (under a temporary name first, so that a reader never sees half
    a file); the same audience's older versions are removed."""
    audience = "staff" if sees_drafts(request.user) else "public"
    folder = Path(settings.DATASET_CACHE_DIR)

    def path_of(version: Version) -> Path:
        state = repr((version.state, site_of(request))).encode()
        return folder / f"{audience}-{hashlib.sha256(state).hexdigest()[:16]}.zip"

    version = version_of(request.user)
    path = path_of(version)
    if path.exists():
        return version, path
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".writing-", suffix=".zip")
    try:
        with os.fdopen(handle, "wb") as out:
            version = write_zip(out, request)  # a change may have come in since
        path = path_of(version)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    for old in folder.glob(f"{audience}-*.zip"):
        if old != path:
            old.unlink(missing_ok=True)
    return version, path
