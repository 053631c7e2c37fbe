"""Load records from files in the exports' own format (see the codebook).

Every curated table has an importer (`TABLES`, in the order a whole dataset loads). A row is
matched to an existing record by the table's key columns (`Export.key`: an incident's code, a
group's slug, a claim's claim_id, an alias's owner and name, a citation's record and source...):
a matching record is updated, a new key creates one, and a row that changes nothing writes
nothing, so importing a file twice changes nothing the second time. How each column is read is
in `rules()`, which the codebook prints, so that the two cannot disagree.

Nothing is written unless the whole file (or every file of `import_many`) is right: every cell of
every row is checked, every error is reported once with its line and column (the first
MAX_ERRORS of them, with the total), and the transaction is rolled back. `dry_run=True` does all
of it, reports what would be created, updated and left unchanged, and rolls back.

Speed: rows are read, checked and written in batches of BATCH, with a few queries per batch
(not per row): the keys and references of a batch are looked up at once, new records are
inserted and changed ones updated in bulk, with their history rows and change-log entries. A
batch the database refuses (a constraint only it checks) is retried row by row, to name the
rows. Memory stays flat in the file's length: only a batch, the keys seen (to refuse a key given
twice) and the capped reports are kept.

Sources and claims keep the ids a file gives them, and the table's sequence is then moved past the
largest, so that records added later get free ids. A new record's id therefore may not jump far
ahead (`MAX_ID_JUMP`): one id near the integer maximum would exhaust the sequence and every record
added afterwards in the admin would fail.
"""

import calendar
import codecs
import csv
import datetime
import decimal
import enum
import functools
import itertools
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.core import validators
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone

from changes.models import Change
from changes.recorder import entry_values as change_entry
from changes.recorder import remembering
from claims import derived
from claims.models import (
    Claim,
    ClaimCitation,
    Incident,
    IncidentCitation,
    Location,
    LocationCitation,
    PublicationStatus,
)
from exchange import bulk
from exchange.catalogue import CITED, MAX_ID_JUMP, exports
from exchange.formats import GUARDED, SEPARATOR
from groups.models import (
    Affiliation,
    AffiliationCitation,
    Alias,
    Brand,
    BrandCitation,
    Channel,
    ChannelCitation,
    Group,
    GroupCitation,
    Relation,
    RelationCitation,
)
from kb.visibility import publish
from sources.models import Source

MAX_ERRORS = 200  # errors reported (all are counted)
MAX_ACTIONS = 2000  # rows listed in a preview (all are counted)
MAX_CELL = 100_000  # characters in one cell
LARGEST_ID = 2**63 - 1  # the largest id a database integer holds
BATCH = 1000  # rows read, checked and written together

ENCODING_HINT = (
    "save the file as UTF-8 (in Excel: 'CSV UTF-8'; in LibreOffice: character set 'Unicode "
    "(UTF-8)')"
)


# --- Results --------------------------------------------------------------------------------------


@dataclass
class Result:
    """What an import did (or, dry, would do)."""

    table: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)  # (line, column, message), the first MAX_ERRORS
    error_count: int = 0
    actions: list = field(default_factory=list)  # (line, action, label), the first MAX_ACTIONS
    duplicates: list = field(default_factory=list)  # (line, label, existing code), capped
    duplicate_count: int = 0
    dry_run: bool = False
    grown: dict = field(default_factory=dict)  # database table -> rows added to it

    def grew(self, table: str, rows: int) -> None:
        self.grown[table] = self.grown.get(table, 0) + rows

    def error(self, line: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((line, column, message))

    def duplicate(self, line: int, label: str, existing: str) -> None:
        self.duplicate_count += 1
        if len(self.duplicates) < MAX_ACTIONS:
            self.duplicates.append((line, label, existing))

    def act(self, line: int, action: str, label: str) -> None:
        setattr(self, action, getattr(self, action) + 1)
        if len(self.actions) < MAX_ACTIONS:
            self.actions.append((line, action, label))

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


class FileError(Exception):
    """The file as a whole cannot be read (not CSV, no header)."""


# --- Cells ----------------------------------------------------------------------------------------


def text(value: str) -> str:
    """Undo the export's formula guard, only where it was applied: the export puts one apostrophe
    before text that starts with =, +, -, @, tab or CR, or with apostrophes and then one of
    those (exchange.formats.neutralise); any other apostrophe is the text's own."""
    return value[1:] if value.startswith("'") and GUARDED.match(value, 1) else value


def iso_date(value: str) -> datetime.date:
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not match:
        raise ValueError(f"'{value}' is not a date written YYYY-MM-DD")
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise ValueError(f"'{value}' is an impossible date: there is no month {month}")
    days = calendar.monthrange(max(year, 1), month)[1]
    if not 1 <= day <= days:
        name = calendar.month_name[month]
        raise ValueError(
            f"'{value}' is an impossible date: {name} {year} has {days} days"
            if day > 0
            else f"'{value}' is an impossible date: there is no day 0"
        )
    if year < 1:
        raise ValueError(f"'{value}' is an impossible date: there is no year 0")
    return datetime.date(year, month, day)


def iso_time(value: str) -> datetime.time:
    try:
        return datetime.time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a time of day written HH:MM or HH:MM:SS") from None


def whole(value: str) -> int:
    if not re.fullmatch(r"\d{1,18}", value):
        raise ValueError(f"'{value}' is not a whole number >= 0")
    return int(value)


def number(value: str) -> decimal.Decimal:
    try:
        parsed = decimal.Decimal(value)
    except decimal.InvalidOperation:
        parsed = None
    if parsed is None or not parsed.is_finite():
        raise ValueError(f"'{value}' is not a number (decimal point, no thousands separator)")
    return parsed


def id_list(value: str) -> list[int]:
    """A list of ids: the export's JSON list ('[12, 40]'), or values separated by ' | '."""
    value = value.strip()
    if value.startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            items = None
        if not isinstance(items, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in items
        ):
            raise ValueError(f"'{value}' is not a JSON list of whole numbers such as [12, 40]")
        return items
    return [whole(v.strip()) for v in value.split(SEPARATOR.strip()) if v.strip()]


def lines(cell: str) -> str:
    """A multi-valued cell stored one value per line (a location's alternate names)."""
    return "\n".join(text(v.strip()) for v in cell.split(SEPARATOR.strip()) if v.strip())


def optional(parse):
    def parser(value):
        return parse(value) if value != "" else None

    parser.__name__ = parse.__name__
    return parser


# --- Tables ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """Columns that name a row of another table by its key: the record is looked up and set on
    `attr` (None when every column is empty)."""

    columns: tuple[str, ...]
    attr: str
    table: str
    deferred: bool = False  # same table, any row order: linked once the whole file is in


@dataclass(frozen=True)
class Table:
    """How one export's rows map back onto a model."""

    name: str
    model: type
    key: tuple[str, ...]  # the export's key columns
    paths: tuple[str, ...]  # the same, as ORM paths from the model (compared in Python)
    fields: dict  # column -> (model attribute, parser)
    refs: tuple[Ref, ...] = ()
    cites: tuple | None = None  # (citation model, its record field): the source_ids column
    explicit_id: bool = False  # the key is the primary key (sources, claims)
    defaults: dict = field(default_factory=dict)  # column -> what a new record gets without it

    folded: tuple[int, ...] = ()  # key parts compared without letter case (an alias's name)

    def key_of(self, values: dict) -> tuple:
        """A row's key: its key columns' values, compared as the unique constraint compares them
        (exactly; an alias's name without letter case); empty is None."""
        return tuple(self.normal(i, values.get(column)) for i, column in enumerate(self.key))

    def key_of_record(self, obj) -> tuple:
        return tuple(self.normal(i, read_path(obj, path)) for i, path in enumerate(self.paths))

    def normal(self, index: int, value):
        if value in ("", None):
            return None
        return value.lower() if index in self.folded and isinstance(value, str) else value


def plain(*names, **parsers) -> dict:
    """Text columns named like their fields, plus columns with their own parser."""
    mapping = {name: (name, text) for name in names}
    mapping.update({name: (name, parser) for name, parser in parsers.items()})
    return mapping


DATE = optional(iso_date)
WHOLE = optional(whole)

_CITED = {
    "incident": (IncidentCitation, "incidents"),
    "claim": (ClaimCitation, "claims"),
    "group": (GroupCitation, "groups"),
    "brand": (BrandCitation, "brands"),
    "location": (LocationCitation, "locations"),
    "affiliation": (AffiliationCitation, "affiliations"),
    "relation": (RelationCitation, "relations"),
    "channel": (ChannelCitation, "channels"),
}


def _tables() -> dict[str, Table]:
    tables = [
        Table(
            "sources", Source, ("source_id",), ("pk",),
            plain("title", "url", "archive_url", "publisher", "author", "kind", "language",
                  "published_precision", "reliability", "notes", "status",
                  published=DATE, accessed=DATE),
            explicit_id=True,
        ),
        Table(
            "groups", Group, ("slug",), ("slug",),
            plain("slug", "name", "arabic_name", "acronym", "kind", "country", "founded_precision",
                  "description", "status", founded=DATE),
            cites=(GroupCitation, "group"),
        ),
        Table(
            "brands", Brand, ("slug",), ("slug",),
            plain("slug", "name", "arabic_name", "acronym", "launched_precision", "description",
                  "status", launched=DATE),
            cites=(BrandCitation, "brand"),
        ),
        Table(
            "aliases", Alias, ("group", "brand", "name"), ("group__slug", "brand__slug", "name"),
            plain("name", "kind", "language", "script"),
            refs=(Ref(("group",), "group", "groups"), Ref(("brand",), "brand", "brands")),
            folded=(2,),
        ),
        Table(
            "channels", Channel, ("platform", "name"), ("platform", "name"),
            plain("platform", "name", "url", "description"),
            refs=(
                Ref(("operated_by_group",), "operated_by_group", "groups"),
                Ref(("operated_by_brand",), "operated_by_brand", "brands"),
            ),
        ),
        Table(
            "locations", Location, ("slug",), ("slug",),
            plain("slug", "name", "arabic_name", "kind", "country", "admin1", "notes", "status",
                  latitude=optional(number), longitude=optional(number), alternate_names=lines),
            cites=(LocationCitation, "location"),
        ),
        Table(
            "incidents", Incident, ("code",), ("code",),
            plain("code", "title", "date_precision", "date_note", "country", "admin1", "place",
                  "facility", "geo_precision", "weapon", "weapon_detail", "target",
                  "target_detail", "casualty_note", "confirmation", "summary", "status",
                  date=DATE, date_end=DATE, time_of_day=optional(iso_time), killed_low=WHOLE,
                  killed_high=WHOLE, injured_low=WHOLE, injured_high=WHOLE),
            refs=(Ref(("location",), "location", "locations"),),
            cites=(IncidentCitation, "incident"),
        ),
        Table(
            "claims", Claim, ("claim_id",), ("pk",),
            plain("kind", "claimant_as_named", "date_precision", "channel_detail", "medium",
                  "original_text", "original_language", "english_text", "attributed_by_detail",
                  "confidence", "status", "status_note", "note", date=DATE),
            refs=(
                Ref(("incident_code",), "incident", "incidents"),
                Ref(("group",), "group", "groups"),
                Ref(("brand",), "brand", "brands"),
                Ref(("attributed_by",), "attributed_by", "groups"),
                Ref(("channel_platform", "channel_name"), "channel", "channels"),
                Ref(("supersedes_claim_id",), "supersedes", "claims", deferred=True),
            ),
            cites=(ClaimCitation, "claim"),
            explicit_id=True,
        ),
        Table(
            "affiliations", Affiliation, ("group", "brand", "status", "assessed_by"),
            ("group__slug", "brand__slug", "status", "assessed_by"),
            plain("status", "confidence", "assessed_by", "start_precision", "end_precision",
                  "note", start=DATE, end=DATE),
            refs=(Ref(("group",), "group", "groups"), Ref(("brand",), "brand", "brands")),
            cites=(AffiliationCitation, "affiliation"),
        ),
        Table(
            "relations", Relation, ("subject", "kind", "object_group", "object_brand"),
            ("subject__slug", "kind", "object_group__slug", "object_brand__slug"),
            plain("kind", "start_precision", "end_precision", "note", start=DATE, end=DATE),
            refs=(
                Ref(("subject",), "subject", "groups"),
                Ref(("object_group",), "object_group", "groups"),
                Ref(("object_brand",), "object_brand", "brands"),
            ),
            cites=(RelationCitation, "relation"),
        ),
    ]  # fmt: skip
    found = {table.name: table for table in tables}
    for record, (model, record_table) in _CITED.items():
        target = found[record_table]
        key = citation_key(record)
        found[f"{record}_citations"] = Table(
            f"{record}_citations",
            model,
            (*key, "source_id"),
            (*(f"{record}__{path}" for path in citation_paths(record)), "source_id"),
            plain("quote", "locator", credibility=whole),
            refs=(Ref(key, record, target.name), Ref(("source_id",), "source", "sources")),
        )
    return found


def citation_key(record: str) -> tuple[str, ...]:
    return tuple(column for column, _path, _values in CITED[record][1])


def citation_paths(record: str) -> tuple[str, ...]:
    return tuple("pk" if path == "id" else path for _column, path, _values in CITED[record][1])


TABLES: dict[str, Table] = _tables()


# --- What the codebook says of each column --------------------------------------------------------


@functools.cache  # the definitions it reads are fixed: computed once per table
def rules(table_name: str) -> dict[str, str]:
    """How the importer reads each column of a table, in words (the codebook's 'import' column).
    Generated from the table's definition, so that the codebook cannot promise what the importer
    does not do."""
    spec = exports(None)[table_name]
    table = TABLES.get(table_name)
    said = {}
    for column in spec.columns:
        said[column.name] = rule(table, column) if table else "no (this table is not imported)"
    return said


def rule(table: Table, column) -> str:
    name = column.name
    if name in DERIVED_CHECKED.get(table.name, {}):
        return "checked, not imported: " + DERIVED_CHECKED[table.name][name][1]
    if not column.imported:
        return "no (derived from other records; ignored)"
    words = []
    if name in table.key:
        if table.explicit_id:
            words.append(
                f"key: an existing {name} updates that record; a new one keeps its id (at most "
                f"{MAX_ID_JUMP:,} above the largest in use); empty: {BLANK_KEY[table.name]}"
            )
        else:
            others = [c for c in table.key if c != name]
            words.append(
                "key" + (f" (with {', '.join(others)})" if others else "")
                + ": a row matching a record updates it, a new key creates one"
                + (
                    " (compared without letter case)"
                    if table.key.index(name) in table.folded
                    else " (compared exactly, letter case included)"
                )
            )  # fmt: skip
    for ref in table.refs:
        if name in ref.columns:
            target = TABLES[ref.table]
            others = (
                f" with {', '.join(c for c in ref.columns if c != name)}"
                if len(ref.columns) > 1
                else ""
            )
            words.append(
                f"names a row of {target.name} by its {'/'.join(target.key)}{others}, which must "
                "exist (earlier in the same import, or in the database)"
                + ("; any row order within the file" if ref.deferred else "")
            )
    if name == "source_ids":
        words.append(
            "the record cites exactly these sources (each must exist); citations not listed are "
            "removed; an empty cell removes them all"
        )
    if name in table.fields and not words:
        words.append("yes")
        attr = table.fields[name][0]
        model_field = table.model._meta.get_field(attr)
        if not model_field.blank:
            words.append("required: an empty cell is refused")
    default = table.defaults.get(name) or default_of(table, name)
    if default is not None and name not in table.key:
        # The value as the file writes it ('draft', 0), not the Python enum member.
        value = default.value if isinstance(default, enum.Enum) else default
        words.append(f"if the column is absent, a new record gets {value!r}")
    return "; ".join(words) if words else "no"


def default_of(table: Table, column: str):
    attr = table.fields.get(column, (None,))[0]
    if attr is None:
        return None
    model_field = table.model._meta.get_field(attr)
    if model_field.has_default():
        value = model_field.get_default()
        value = value.value if hasattr(value, "value") else value  # a choice: its stored value
        return value if value not in ("", None) else None
    return None


BLANK_KEY = {
    "sources": "a row with a url updates the source with that url, else one with the same "
    "title, publisher and publication date; no such source: a new one, numbered by the database; "
    "a row with neither url nor title is refused",
    "claims": "a row updates the claim of its incident with the same kind, group, brand, "
    "claimant as named and date, if there is exactly one; none: a new claim, numbered by the "
    "database; several: refused (give claim_id)",
}

# Derived columns the importer compares instead of ignoring, because a different value there means
# the file wants something it cannot say in that table.
DERIVED_CHECKED = {
    "incidents": {
        "latitude": ("latitude", "must be empty or the location's latitude (set it in locations)"),
        "longitude": (
            "longitude",
            "must be empty or the location's longitude (set it in locations)",
        ),
    },
}


# --- Reading the file -----------------------------------------------------------------------------


def decoded_lines(binary: BinaryIO, result: Result, progress=None) -> Iterator[str]:
    """The file's lines as text. A line that is not UTF-8 is an error naming the line and the
    byte, with a hint; its text goes on (with U+FFFD) so that later errors are found too."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    done = 0
    for number_, raw in enumerate(binary, start=1):
        done += len(raw)
        try:
            line = decoder.decode(raw)
        except UnicodeDecodeError as error:
            byte = raw[error.start] if error.start < len(raw) else 0
            result.error(
                number_,
                "(file)",
                f"line {number_} is not UTF-8 (byte 0x{byte:02x} at character {error.start + 1} "
                f"of the line): {ENCODING_HINT}",
            )
            decoder = codecs.getincrementaldecoder("utf-8")()
            line = raw.decode("utf-8", errors="replace")
        if progress is not None and number_ % BATCH == 0:
            progress(done)
        yield line
    if progress is not None:
        progress(done)


def records(lines: Iterable[str], result: Result) -> Iterator[tuple[int, list[str] | None]]:
    """(line where the record starts, its cells), or None for a record the csv module cannot
    read (reported). Quoting is strict: an unterminated quote is an error, not the rest of the
    file swallowed into one cell."""
    csv.field_size_limit(MAX_CELL)
    reader = csv.reader(lines, strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            message = str(error)
            if "field larger than field limit" in message:
                message = (
                    f"a cell is longer than {MAX_CELL:,} characters (or a quote is never closed)"
                )
            elif "unexpected end of data" in message:
                message = "a quoted cell that starts here is never closed (a missing '\"')"
            else:
                message = f"not valid CSV: {message}"
            result.error(start, "(row)", message)
            yield start, None
            start = reader.line_num + 1
            continue
        yield start, cells
        start = reader.line_num + 1


def open_source(source) -> tuple[BinaryIO, int, bool]:
    """A binary file, its size (for progress) and whether we opened it (and close it)."""
    if isinstance(source, str | Path):
        handle = open(source, "rb")  # noqa: SIM115 (closed by the caller)
        return handle, os.fstat(handle.fileno()).st_size, True
    size = getattr(source, "size", None)
    if size is None:
        try:
            size = os.fstat(source.fileno()).st_size
        except (AttributeError, OSError, ValueError):
            size = 0
    return source, size, False


# --- Importing ------------------------------------------------------------------------------------


def import_file(
    table: str, source, reason: str | None = None, *, user=None, dry_run=False, progress=None
) -> Result:
    """Import one file (a path, or a binary file object) into one table: all rows or none."""
    name = Path(source).name if isinstance(source, str | Path) else getattr(source, "name", "")
    reason = reason or (f"imported from {Path(name).name}" if name else "imported")
    return import_many([(table, source)], reason=reason, user=user, dry_run=dry_run,
                       progress=progress)[table]  # fmt: skip


def import_many(files, *, reason: str, user=None, dry_run=False, progress=None) -> dict:
    """Import several files, in the given order, in one transaction: every file or none."""
    results = {}
    with transaction.atomic():
        for table_name, source in files:
            if table_name not in TABLES:
                raise FileError(f"no table {table_name!r}; tables: {', '.join(TABLES)}")
            binary, size, opened = open_source(source)
            try:
                report = (
                    (lambda done, t=table_name, s=size: progress(t, done, s)) if progress else None
                )
                results[table_name] = Importer(TABLES[table_name], reason, user).run(binary, report)
            finally:
                if opened:
                    binary.close()
            if results[table_name].error_count:
                # The later tables name this one's rows, which are not all in: their checks
                # would only repeat its errors. The report covers the tables up to this one.
                break
        failed = any(result.error_count for result in results.values())
        for result in results.values():
            result.dry_run = dry_run
        if failed or dry_run:
            transaction.set_rollback(True)
        else:
            for table_name in results:
                if TABLES[table_name].explicit_id:
                    # Only now: PostgreSQL's setval() is not undone by a rollback.
                    reset_sequence(TABLES[table_name].model)
    if failed:
        for result in results.values():
            if result.error_count:
                result.errors.sort(key=lambda e: e[0])
    return results


def import_rows(table: str, reader, reason: str, *, user=None, dry_run=False) -> Result:
    """Import rows from a csv.DictReader (tests, the shell): written back to CSV and imported."""
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = reader.fieldnames or []
    writer.writerow(header)
    for row in reader:
        writer.writerow([row.get(column) or "" for column in header])
    binary = io.BytesIO(out.getvalue().encode())
    return import_many([(table, binary)], reason=reason, user=user, dry_run=dry_run)[table]


@dataclass
class Row:
    line: int
    values: dict  # column -> parsed value
    cells: dict  # column -> cell text (only columns present)
    key: tuple
    obj: Any = None
    created: bool = False
    before: dict | None = None
    failed: bool = False
    refs: dict = field(default_factory=dict)  # attr -> record or None
    sources: list | None = None  # wanted source ids (source_ids column)


class Importer:
    def __init__(self, table: Table, reason: str, user=None):
        self.table, self.reason, self.user = table, reason, user
        self.model = table.model
        self.result = Result(table=table.name)
        self.seen: dict[tuple, int] = {}  # key -> line of its first row, in this batch
        self.earlier = EarlierKeys()  # ... in the batches before
        self.natural: dict[tuple, int] = {}  # a claim without claim_id: its natural key -> line
        self.largest_id = 0
        self.largest_line = 0  # the file's line that gave largest_id (0: the database's)
        self.deferred: list[tuple[int, Row, str]] = []  # (line, row, the claim_id it names)
        self.lineage_lines: dict[int, int] = {}  # claim linked or unlinked by a row -> its line
        self.claim_lines = ClaimLines()  # claims written or linked -> the row's line
        self.counts: dict[str, set] = {"group": set(), "brand": set(), "location": set()}
        self.unpublished: list = []  # (line, record) moved from published to draft

    # -- the file

    def run(self, binary: BinaryIO, progress=None) -> Result:
        spec = exports(None)[self.table.name]
        self.known = [column.name for column in spec.columns]
        self.imported = {column.name for column in spec.columns if column.imported}
        self.checked = DERIVED_CHECKED.get(self.table.name, {})
        stream = records(decoded_lines(binary, self.result, progress), self.result)
        first = next(stream, None)
        if first is None or first[1] is None or not any(first[1]):
            self.result.error(1, "(file)", "the file is empty: its first line must be the header")
            return self.result
        header = [name.strip() for name in first[1]]
        if not self.check_header(header):
            return self.result
        if self.table.explicit_id:
            self.largest_id = self.model.objects.aggregate(m=Max("pk"))["m"] or 0
        batch = []
        for line, cells in stream:
            if cells is None:
                continue
            if not any(cell.strip() for cell in cells) and len(cells) <= 1:
                continue  # a blank line
            row = self.parse(line, header, cells)
            if row is not None:
                batch.append(row)
            if len(batch) >= BATCH:
                self.write(batch)
                batch = []
        if batch:
            self.write(batch)
        self.earlier.drop()
        self.link_deferred()
        self.finish()
        return self.result

    def check_header(self, header: list[str]) -> bool:
        ok = True
        unknown = [name for name in header if name not in self.known]
        if unknown:
            self.result.error(
                1,
                ", ".join(unknown),
                f"unknown column for {self.table.name} (the columns are: {', '.join(self.known)})",
            )
            ok = False
        repeated = sorted({name for name in header if header.count(name) > 1})
        if repeated:
            self.result.error(1, ", ".join(repeated), "the column is in the header twice")
            ok = False
        missing = [c for c in self.table.key if c not in header]
        if self.table.explicit_id:
            missing = []  # an empty or absent id is numbered by the database (BLANK_KEY)
        if missing:
            self.result.error(1, ", ".join(missing), "the key column is missing from the header")
            ok = False
        for ref in self.table.refs:
            present = [c for c in ref.columns if c in header]
            if present and len(present) != len(ref.columns):
                absent = [c for c in ref.columns if c not in header]
                self.result.error(1, ", ".join(absent), f"comes with {', '.join(present)}")
                ok = False
        self.header = header
        return ok

    # -- one row: cells to values, every error reported

    def parse(self, line: int, header: list[str], cells: list[str]) -> Row | None:
        table, result = self.table, self.result
        if len(cells) != len(header):
            result.error(
                line,
                "(row)",
                f"the row has {len(cells)} cells, the header {len(header)} "
                f"({'a cell is missing' if len(cells) < len(header) else 'extra cells'}); "
                "nothing of the row is read",
            )
            return None
        row_cells = dict(zip(header, cells, strict=True))
        values, bad = {}, False
        for (column, kind, parse, allowed, listed), cell in zip(
            self.plan(header), cells, strict=True
        ):
            if "\x00" in cell:
                result.error(line, column, "the cell contains a NUL character")
                bad = True
                continue
            if kind == "field":
                try:
                    value = values[column] = parse(cell)
                except ValueError as error:
                    result.error(line, column, str(error))
                    bad = True
                    continue
                if allowed and value not in ("", None) and value not in allowed:
                    message = f"'{value}' is not one of the allowed values: {listed}"
                    result.error(line, column, message)
                    bad = True
            elif kind == "sources":
                try:
                    values[column] = id_list(cell)
                except ValueError as error:
                    result.error(line, column, str(error))
                    bad = True
            elif kind == "key":
                values[column] = text(cell.strip()) if column != "claim_id" else cell.strip()
        if table.explicit_id:
            raw = values.get(table.key[0]) or row_cells.get(table.key[0], "").strip()
            if raw in ("", None):
                values[table.key[0]] = None
            elif not re.fullmatch(r"\d+", str(raw)) or int(raw) < 1:
                # A huge id is a whole number: check_ids() says it is too far above the ids in
                # use (no record has it: lookup() does not ask the database for it).
                result.error(line, table.key[0], f"'{raw}' is not a whole number >= 1")
                bad = True
                values[table.key[0]] = None
            else:
                values[table.key[0]] = int(raw)
        key = table.key_of(values)
        if not table.explicit_id and all(part is None for part in key):
            result.error(line, ", ".join(table.key), "the key is empty")
            bad = True
        elif any(part is not None for part in key):
            first = self.seen.get(key)
            if first is not None:
                result.error(
                    line,
                    ", ".join(table.key),
                    f"the same key as line {first} ({self.label_of(values)}): a record is "
                    "given once per file",
                )
                bad = True
            else:
                self.seen[key] = line
        if bad:
            return None
        return Row(line, values, row_cells, key)

    def plan(self, header: list[str]) -> list[tuple]:
        """How each column of the header is read (computed once per file): (column, kind,
        parser, allowed values as a set, the same listed for the error message)."""
        if getattr(self, "_plan", None) is None or self._plan[0] != header:
            table, steps = self.table, []
            for column in header:
                kind, parse, allowed, listed = None, None, None, ""
                if column in table.fields and column in self.imported:
                    attr, parse = table.fields[column]
                    choices = choices_of(self.model, attr)
                    kind, allowed = "field", set(choices)
                    listed = ", ".join(map(str, choices))
                elif column == "source_ids" and table.cites:
                    kind = "sources"
                elif any(column in ref.columns for ref in table.refs) or column in table.key:
                    kind = "key"
                steps.append((column, kind, parse, allowed, listed))
            self._plan = (header, steps)
        return self._plan[1]

    def row_label(self, row: Row) -> str:
        """The row's record as the preview names it: its key (a new claim or source: its id)."""
        if self.table.explicit_id:
            return str(row.obj.pk)
        return self.label_of(row.values)

    def label_of(self, values: dict) -> str:
        parts = [str(values.get(c)) for c in self.table.key if values.get(c) not in ("", None)]
        return " / ".join(parts) or "new record"

    # -- a batch: look up, check, write

    def write(self, batch: list[Row]) -> None:
        self.check_earlier_keys(batch)
        self.resolve_refs(batch)
        self.find_existing(batch)
        if self.table.explicit_id:
            self.check_ids(batch)
        self.check_sources(batch)
        ready = [row for row in batch if not row.failed]
        for row in ready:
            self.fill(row)
        ready = [row for row in ready if not row.failed]
        self.check_unique_in_batch(ready)
        ready = [row for row in ready if not row.failed]
        if self.result.error_count:
            # Nothing will be kept: check the rest, write nothing more. The database will not
            # check these rows' constraints (a low figure above the high one, a claim naming
            # neither group nor brand...), so they are checked here, to report every error now.
            for row in ready:
                self.constraints_hold(row)
            return
        if self.model is Incident:
            new = [row for row in ready if row.created]
            derive_new_incidents([row.obj for row in new])
            self.report_duplicates(new)
        try:
            with transaction.atomic():
                self.save(ready)
        except IntegrityError:
            self.save_one_by_one(ready)

    def check_earlier_keys(self, batch: list[Row]) -> None:
        """A key that an earlier batch gave (parse() compares each row with its own batch's);
        then this batch's keys join the earlier ones."""
        keyed = {row.key: row for row in batch if any(part is not None for part in row.key)}
        found = self.earlier.lines_of(list(keyed))
        for key, first in found.items():
            row = keyed[key]
            self.result.error(
                row.line,
                ", ".join(self.table.key),
                f"the same key as line {first} ({self.label_of(row.values)}): a record is "
                "given once per file",
            )
            row.failed = True
        self.earlier.add({key: line for key, line in self.seen.items() if key not in found})
        self.seen = {}

    def resolve_refs(self, batch: list[Row]) -> None:
        for ref in self.table.refs:
            if ref.deferred:
                continue
            target = TABLES[ref.table]
            wanted = {}
            for row in batch:
                given = tuple(row.values.get(c) for c in ref.columns)
                if all(v in ("", None) for v in given):
                    if any(c in row.values for c in ref.columns):
                        row.refs[ref.attr] = None
                    continue
                if not self.allowed_in_key(row, ref, target, given):
                    continue
                wanted.setdefault(self.target_key(target, ref, given), []).append(row)
            found = lookup(target, list(wanted))
            for key, rows in wanted.items():
                record = found.get(key)
                for row in rows:
                    if record is None:
                        shown = ", ".join(f"{c} '{row.values.get(c) or ''}'" for c in ref.columns)
                        self.result.error(
                            row.line, ", ".join(ref.columns),
                            f"no {target.model._meta.verbose_name} with {shown}"
                            f" (in {target.name})",
                        )  # fmt: skip
                        row.failed = True
                    else:
                        row.refs[ref.attr] = record

    def allowed_in_key(self, row: Row, ref: Ref, target: Table, given: tuple) -> bool:
        """A reference's column that is a vocabulary in the other table (a claim's
        channel_platform) is checked like that table's column: the error names the column and
        lists the allowed values."""
        ok = True
        for column, target_column, value in zip(ref.columns, target.key, given, strict=False):
            attr = target.fields.get(target_column, (None,))[0]
            allowed = choices_of(target.model, attr) if attr else []
            if allowed and value not in ("", None) and value not in allowed:
                listed = ", ".join(map(str, allowed))
                self.result.error(
                    row.line, column, f"'{value}' is not one of the allowed values: {listed}"
                )
                row.failed, ok = True, False
        return ok

    @staticmethod
    def target_key(target: Table, ref: Ref, given: tuple) -> tuple:
        if target.explicit_id:
            value = given[0]
            return (int(value) if str(value).isdigit() else value,)
        return tuple(target.normal(i, v) for i, v in enumerate(given))

    def find_existing(self, batch: list[Row]) -> None:
        table = self.table
        keyed = [row for row in batch if not row.failed and any(p is not None for p in row.key)]
        if table.name.endswith("_citations"):
            # The key is (record, source): the records were just resolved.
            record_attr = table.refs[0].attr
            pairs = {(row.refs[record_attr].pk, row.refs["source"].pk): row for row in keyed}
            records_ = {pk for pk, _ in pairs}
            existing = self.model.objects.filter(**{f"{record_attr}__in": records_})
            for obj in existing:
                row = pairs.get((getattr(obj, f"{record_attr}_id"), obj.source_id))
                if row is not None:
                    row.obj = obj
        else:
            found = lookup(table, [row.key for row in keyed])
            for row in keyed:
                row.obj = found.get(row.key)
        blank = [r for r in batch if not r.failed and not any(p is not None for p in r.key)]
        self.candidates = self.blank_key_candidates(blank)
        for row in batch:
            if row.failed:
                continue
            if row.obj is None and not any(p is not None for p in row.key):
                row.obj = self.match_blank_key(row)
                if row.failed:
                    continue
            row.created = row.obj is None
            if row.created:
                row.obj = new_instance(self.model)
                if table.explicit_id and row.values.get(table.key[0]):
                    row.obj.pk = row.values[table.key[0]]
            row.before = snapshot(row.obj) if not row.created else None

    def blank_key_candidates(self, rows: list[Row]) -> dict:
        """The records rows without their key may match (BLANK_KEY), read in one query for the
        batch: sources by url or by title; claims of the rows' incidents."""
        found = {}
        if not rows:
            return found
        if self.table.name == "sources":
            urls = {r.values.get("url") for r in rows} - {None, ""}
            titles = {r.values.get("title") for r in rows if not r.values.get("url")} - {None, ""}
            query = Q(url__in=urls) | Q(url="", title__in=titles) | Q(title__in=titles)
            for source in Source.objects.filter(query).order_by("pk"):
                if source.url:
                    found.setdefault(("url", source.url), []).append(source)
                found.setdefault(
                    ("title", source.title, source.publisher, source.published), []
                ).append(source)
        elif self.table.name == "claims":
            incidents = {r.refs.get("incident").pk for r in rows if r.refs.get("incident")}
            for claim in Claim.objects.filter(incident__in=incidents).order_by("pk"):
                found.setdefault(claim_natural_key(claim), []).append(claim)
        return found

    def match_blank_key(self, row: Row):
        """A row without its key: matched by the documented rule (BLANK_KEY), or refused."""
        values = row.values
        if self.table.name == "sources":
            if values.get("url"):
                return (self.candidates.get(("url", values["url"])) or [None])[0]
            if not values.get("title"):
                self.result.error(
                    row.line, "source_id, url, title",
                    "a source without source_id is matched by its url, else by title, publisher "
                    "and publication date: give at least a url or a title",
                )  # fmt: skip
                row.failed = True
                return None
            natural = (
                "title",
                values["title"],
                values.get("publisher", ""),
                values.get("published"),
            )
            return (self.candidates.get(natural) or [None])[0]
        if self.table.name == "claims":
            incident = row.refs.get("incident")
            if incident is None:
                self.result.error(row.line, "incident_code", "a claim names its incident")
                row.failed = True
                return None
            group, brand = row.refs.get("group"), row.refs.get("brand")
            found = self.candidates.get(
                (incident.pk, values.get("kind", ""), group.pk if group else None,
                 brand.pk if brand else None, values.get("claimant_as_named", ""),
                 values.get("date")),
                [],
            )[:3]  # fmt: skip
            if len(found) > 1:
                ids = ", ".join(f"#{c.pk}" for c in found)
                self.result.error(
                    row.line, "claim_id",
                    f"without claim_id, the row matches several claims ({ids}): give claim_id",
                )  # fmt: skip
                row.failed = True
                return None
            natural = (
                "claims-natural", incident.pk, values.get("kind"), group.pk if group else None,
                brand.pk if brand else None, values.get("claimant_as_named"), values.get("date"),
            )  # fmt: skip
            first = self.natural.get(natural)
            if first is not None:
                self.result.error(
                    row.line, "claim_id",
                    f"without claim_id, the same claim as line {first}: give each its claim_id",
                )  # fmt: skip
                row.failed = True
                return None
            self.natural[natural] = row.line
            return found[0] if found else None
        return None

    def check_ids(self, batch: list[Row]) -> None:
        """A new record's explicit id may not run far ahead of the ids in use (MAX_ID_JUMP).
        Ids of a file are taken in ascending order within each batch and across batches."""
        table = self.table
        new = sorted(
            (row.values[table.key[0]], row.line)
            for row in batch
            if not row.failed and row.created and row.values.get(table.key[0])
        )
        for id_, line in new:
            if id_ <= self.largest_id:
                continue
            if id_ <= self.largest_id + MAX_ID_JUMP:
                self.largest_id, self.largest_line = id_, line
                continue
            row = next(r for r in batch if r.line == line)
            row.failed = True
            name = self.model._meta.verbose_name
            self.result.error(
                line,
                table.key[0],
                f"{table.key[0]} {id_} is too far above the ids in use ({self.in_use()}): a new "
                f"record's id may be at most {MAX_ID_JUMP:,} above the "
                f"largest id in use or earlier in the file. Leave {table.key[0]} empty to let the "
                f"database number a new {name}.",
            )

    def in_use(self) -> str:
        """The largest id in use, and the line that gave it if it is the file's."""
        if not self.largest_id:
            return "none yet"
        line = f", in line {self.largest_line}" if self.largest_line else ""
        return f"largest: {self.largest_id}{line}"

    def check_sources(self, batch: list[Row]) -> None:
        if not self.table.cites:
            return
        rows = [row for row in batch if not row.failed and "source_ids" in row.values]
        ids = {i for row in rows for i in row.values["source_ids"]}
        known = set(Source.objects.filter(pk__in=ids).values_list("pk", flat=True))
        for row in rows:
            missing = [i for i in row.values["source_ids"] if i not in known]
            if missing:
                self.result.error(
                    row.line, "source_ids",
                    f"no source with source_id {', '.join(map(str, missing))} (in sources)",
                )  # fmt: skip
                row.failed = True
            else:
                row.sources = sorted(set(row.values["source_ids"]))

    def fill(self, row: Row) -> None:
        """Set the row's values on its record and validate it like an admin form (fields and
        the model's own rules; the database checks its constraints when the batch is written)."""
        obj, table = row.obj, self.table
        for column, (attr, _parse) in table.fields.items():
            if column in row.values and column in self.imported:
                value = row.values[column]
                setattr(obj, attr, "" if value is None and is_text(self.model, attr) else value)
        for ref in table.refs:
            if ref.deferred:
                if any(c in row.values for c in ref.columns):
                    given = row.values.get(ref.columns[0]) or ""
                    current = getattr(obj, f"{ref.attr}_id", None)
                    if str(given) != str(current or ""):
                        # Only the links that change are kept (memory flat in the file's size).
                        self.deferred.append((row.line, row, given))
                continue
            if ref.attr in row.refs:
                setattr(obj, ref.attr, row.refs[ref.attr])
        for column, (attr, message) in self.checked.items():
            given = row.cells.get(column, "").strip()
            if given and table.name == "incidents":
                location = obj.location
                actual = getattr(location, attr) if location is not None else None
                try:
                    same = actual is not None and decimal.Decimal(given) == actual
                except decimal.InvalidOperation:
                    same = False
                if not same:
                    self.result.error(row.line, column, f"{column} {message}")
                    row.failed = True
        if row.failed:
            return
        try:
            # Foreign keys were resolved above (each a record found by its key): not again, one
            # query each, by clean_fields().
            exclude = {*self.unread_fields(row), *(ref.attr for ref in table.refs)}
            clean_fields(obj, exclude)
            obj._lineage_checked_later = True
            obj.clean()
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                for message in messages:
                    self.result.error(row.line, self.column_for(field_name, message), message)
            row.failed = True

    def unread_fields(self, row: Row) -> list[str]:
        """Fields the row does not set, on an existing record: left as they are, unvalidated."""
        if row.created:
            return []
        read = {attr for column, (attr, _p) in self.table.fields.items() if column in row.values}
        read |= {ref.attr for ref in self.table.refs if ref.attr in row.refs}
        return [f.name for f in self.model._meta.concrete_fields if f.name not in read]

    def column_for(self, field_name: str, message: str) -> str:
        table = self.table
        for column, (attr, _p) in table.fields.items():
            if attr == field_name:
                return column
        for ref in table.refs:
            if ref.attr == field_name:
                return ", ".join(ref.columns)
        if field_name == "__all__":
            for constraint in self.model._meta.constraints:
                if str(getattr(constraint, "violation_error_message", "")) == message:
                    names = constraint_fields(constraint)
                    return ", ".join(dict.fromkeys(self.column_for(n, "") for n in names))
            return "(row)"
        return field_name

    def check_unique_in_batch(self, rows: list[Row]) -> None:
        """Unique values other than the key (a source's url) given twice in the file's batch."""
        if self.table.name != "sources":
            return
        seen = {}
        for row in rows:
            url = row.obj.url
            if url and url in seen:
                self.result.error(row.line, "url", f"the same url as line {seen[url]}")
                row.failed = True
            seen.setdefault(url, row.line)

    # -- writing

    def save(self, rows: list[Row]) -> None:
        when = timezone.now()
        known = {}
        if self.model is Incident:
            # The change log's look-ups of these incidents' state, answered from the rows.
            known = {
                ("incident_state", row.obj.pk, when): (row.obj.code, row.obj.is_published)
                for row in rows
                if row.obj.pk is not None
            }
        elif self.model is Claim:
            # ... and of the incidents these claims are about.
            for row in rows:
                incident = row.obj.incident
                known[("incident_state", incident.pk, when)] = (
                    incident.code,
                    incident.is_published,
                )
        with remembering(known) as memo:
            self.memo = memo
            self.save_rows(rows, when)

    def save_rows(self, rows: list[Row], when) -> None:
        created = [row for row in rows if row.created]
        # The fields each existing record's row changes (its values now against those read).
        changes = {
            row.line: [f for f, v in snapshot(row.obj).items() if row.before[f] != v]
            for row in rows
            if not row.created
        }
        changed = [row for row in rows if changes.get(row.line)]
        if created:
            objs = [row.obj for row in created]  # a new incident's derived fields: write()
            if self.table.explicit_id:
                # The ids the file gives (a claim_id) as they are, in bulk (bulk_create()
                # would compile an INSERT); then the rows without one, their ids from the
                # table's sequence as they are inserted.
                given = [o for o in objs if o.pk is not None]
                bulk.insert(self.model, given, include_pk=True)
                rest = [o for o in objs if o.pk is None]
                if rest:
                    self.model.objects.bulk_create(rest, batch_size=BATCH)
                    for obj in [o for o in rest if o.pk is None]:  # no RETURNING here
                        obj.save(force_insert=True)
            else:
                given = objs
                for obj, pk in zip(objs, bulk.allocate_ids(self.model, len(objs)), strict=True):
                    obj.pk = pk
                bulk.insert(self.model, objs, include_pk=True)
            for obj in given:
                obj._state.adding, obj._state.db = False, connection.alias
            self.result.grew(self.model._meta.db_table, len(objs))
            if self.model is Claim:
                self.memo.update(
                    {("claim_incident_id", r.obj.pk, when): r.obj.incident_id for r in created}
                )
            self.record([row.obj for row in created], when, update=False)
            if self.model is Incident:
                self.memo.update(
                    {("incident_state", r.obj.pk, when): (r.obj.code, r.obj.is_published)
                     for r in created}
                )  # fmt: skip
        if changed:
            fields = sorted({f for row in changed for f in changes[row.line]})
            if self.model is Incident:
                # Its derived fields in the same UPDATE (a second one would write each row and
                # its indexes again): from its new values, its claims and location as stored.
                fields += derive_changed_incidents([row.obj for row in changed])
            bulk.update(self.model, [row.obj for row in changed], fields)
            self.record([row.obj for row in changed], when, update=True)
        cited = self.sync_citations(rows, when)
        self.unpublished += [
            (row.line, row.obj)
            for row in changed
            if row.before.get("status") == PublicationStatus.PUBLISHED
            and getattr(row.obj, "status", None) == PublicationStatus.DRAFT
        ]
        updated = {row.line for row in changed} | cited
        for row in rows:
            action = (
                "created" if row.created else ("updated" if row.line in updated else "unchanged")
            )
            self.result.act(row.line, action, self.row_label(row))
        self.after_write([row for row in rows if row.created or row.line in updated], changed)

    def save_one_by_one(self, rows: list[Row]) -> None:
        """The database refused the batch: each row alone, with the model's constraint checks,
        to report which rows and why."""
        for row in rows:
            if not self.constraints_hold(row):
                continue
            try:
                with transaction.atomic():
                    self.save([row])
            except IntegrityError as error:
                self.result.error(row.line, "(row)", f"the database refused the row: {error}")

    def constraints_hold(self, row: Row) -> bool:
        """Check the model's constraints on the row's record (a few queries): errors are
        reported with the columns they concern."""
        try:
            row.obj.validate_constraints()
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                for message in messages:
                    self.result.error(row.line, self.column_for(field_name, message), message)
            return False
        return True

    def record(self, objs: list, when, update: bool, deleted: bool = False) -> None:
        """History rows and change-log entries for records written (or deleted) in bulk (what
        saving or deleting each would have written)."""
        history = getattr(self.model, "history", None)
        if history is None:
            return
        previous = {}
        if update:
            rows = history.filter(id__in=[o.pk for o in objs]).order_by(
                "id", "-history_date", "-history_id"
            )
            for row in rows:
                previous.setdefault(row.id, row)
        memo = getattr(self, "memo", None)
        if memo is not None and not self.model.__name__.endswith("Citation"):
            label = self.model._meta.label_lower
            memo.update(
                {("instance_text", label, o.pk): str(o) for o in objs if self.model is not Claim}
            )
        historical = history.model
        ids = bulk.allocate_ids(historical, len(objs))
        fields = bulk.columns(historical, include_pk=True)
        tracked = [f.attname for f in historical.tracked_fields]
        stamp = {
            "history_date": when,
            "history_user_id": self.user.pk if self.user is not None else None,
            "history_change_reason": self.reason,
            "history_type": "-" if deleted else ("~" if update else "+"),
        }
        if self.model.__name__.endswith("Citation") and memo is not None:
            # A citation's entry reads as its source: the batch's sources, read at once.
            wanted = {o.source_id for o in objs} - {k[1] for k in memo if k[0] == "source_text"}
            for source in Source.objects.filter(pk__in=wanted):
                memo[("source_text", source.pk)] = str(source)
        rows, made = [], []
        for obj, history_id in zip(objs, ids, strict=True):
            values = {name: getattr(obj, name) for name in tracked}
            values.update(stamp, history_id=history_id)
            rows.append(tuple(values[f.attname] for f in fields))
            made.append(HistoryRow(self.model, values))
        bulk.insert_rows(historical, fields, rows)
        self.result.grew(historical._meta.db_table, len(rows))
        columns = bulk.columns(Change)
        entries = []
        for row in made:
            entry = change_entry(row, previous.get(row.id))
            if entry is not None:
                entries.append(tuple(entry[f.attname] for f in columns))
        bulk.insert_rows(Change, columns, entries)
        self.result.grew(Change._meta.db_table, len(entries))

    def sync_citations(self, rows: list[Row], when) -> set[int]:
        """Cite exactly the sources each row's source_ids lists. Returns the lines that
        changed."""
        if not self.table.cites:
            return set()
        model, link = self.table.cites
        rows = [row for row in rows if row.sources is not None]
        if not rows:
            return set()
        current = {}
        for citation in model.objects.filter(**{f"{link}__in": [row.obj.pk for row in rows]}):
            current.setdefault(getattr(citation, f"{link}_id"), {})[citation.source_id] = citation
        add, remove, changed = [], [], set()
        cite = citation_maker(model, link)
        for row in rows:
            have = current.get(row.obj.pk, {})
            for source_id in row.sources:
                if source_id not in have:
                    add.append(cite(source_id, row.obj.pk))
                    changed.add(row.line)
            for source_id, citation in have.items():
                if source_id not in row.sources:
                    remove.append(citation)
                    changed.add(row.line)
        if add:
            for citation, pk in zip(add, bulk.allocate_ids(model, len(add)), strict=True):
                citation.pk = pk
            bulk.insert(model, add, include_pk=True)
            self.result.grew(model._meta.db_table, len(add))
            self.record_for(model, add, when)
        if remove:
            # Deleted as deleting each would (its history row, then its change-log entry), at
            # one time, after the batch's writes: the incidents' state then is the batch's.
            deleted_at = timezone.now()
            memo = getattr(self, "memo", None)
            if memo is not None:
                memo.update(
                    {
                        ("incident_state", key[1], deleted_at): state
                        for key, state in list(memo.items())
                        if key[0] == "incident_state" and key[2] == when
                    }
                )
            bulk.delete(model, [citation.pk for citation in remove])
            self.record_for(model, remove, deleted_at, deleted=True)
        return changed

    def record_for(self, model, objs, when, deleted: bool = False) -> None:
        saved, self.model = self.model, model
        try:
            self.record(objs, when, update=False, deleted=deleted)
        finally:
            self.model = saved

    def after_write(self, rows: list[Row], changed: list[Row]) -> None:
        """What saving each record would have kept up to date: the derived columns of the
        incidents touched (a new incident's were set before it was written), and the counts on
        groups, brands and locations. `rows`: the rows that wrote something."""
        objs = [row.obj for row in rows]
        incident_ids = set()
        if self.model is Incident:
            # (The derived fields of the incidents written were written with them.)
            self.counts["location"] |= {o.location_id for o in objs}
            for row in rows:
                if row.before and row.before.get("location_id") != row.obj.location_id:
                    self.counts["location"].add(row.before.get("location_id"))
            published = {o.pk for o in objs if o.status == "published"}
            self.check_published_sources(published, rows)
            new = [row for row in rows if row.created and row.obj.pk in published]
            self.publish_used(published - {row.obj.pk for row in new})
            self.publish_used_by_new(new)
        elif self.model is Claim:
            incident_ids = {o.incident_id for o in objs}
            for row in rows:
                if row.before:
                    incident_ids.add(row.before.get("incident_id"))
                    self.counts["group"].add(row.before.get("group_id"))
                    self.counts["brand"].add(row.before.get("brand_id"))
            self.counts["group"] |= {o.group_id for o in objs}
            self.counts["brand"] |= {o.brand_id for o in objs}
            self.claim_lines.add({row.obj.pk: row.line for row in rows})
            self.check_published_sources({o.pk for o in objs}, rows)
            self.publish_used(
                set(
                    Incident.objects.filter(
                        pk__in={o.incident_id for o in objs}, status="published"
                    ).values_list("pk", flat=True)
                )
            )
        elif self.model is Location:
            incident_ids = set(
                Incident.objects.filter(location__in=objs).values_list("pk", flat=True)
            )
        elif self.model in (IncidentCitation, ClaimCitation):
            incident_ids = set()
            if self.model is IncidentCitation:
                incident_ids = {o.incident_id for o in objs}
        elif self.model in (Group, Brand):
            incident_ids = set()
        if self.model in (Incident, Claim, Location) and incident_ids:
            derived.refresh_bulk(incident_ids - {None}, write=bulk.update_rows)

    def report_duplicates(self, rows: list[Row]) -> None:
        """New incidents at the same location whose possible dates overlap a recorded one's (the
        admin's warning), before they are written: recorded ones are those of the database and
        of the file's earlier batches. One query per batch, the database matching each row with
        the stored possible days (memory flat however many incidents a place has); each row
        names the first such incident by code."""
        rows = [r for r in rows if r.obj.location_id and r.obj.first_day]
        if not rows:
            return
        adapt = connection.ops.adapt_datefield_value
        quote = connection.ops.quote_name
        values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
        params = [
            value
            for r in rows
            for value in (r.line, r.obj.location_id, adapt(r.obj.first_day), adapt(r.obj.last_day))
        ]
        table = quote(Incident._meta.db_table)
        place, first, last = (f"i.{quote(c)}" for c in ("location_id", "first_day", "last_day"))
        if connection.vendor == "postgresql":
            # The GiST index on (location, possible days) (claims 0015), typed as it is.
            same = f"{place} = n.location::bigint AND daterange({first}, {last}, '[]') && "
            same += "daterange(n.lo::date, n.hi::date, '[]')"
        else:
            same = f"{place} = n.location AND {first} <= n.hi AND {last} >= n.lo"
        # For each new row, the first recorded incident found that overlaps (LIMIT 1).
        statement = (
            f"WITH new_rows(line, location, lo, hi) AS (VALUES {values}) "
            f"SELECT n.line, (SELECT i.{quote('code')} FROM {table} i WHERE {same} LIMIT 1) "
            "FROM new_rows n ORDER BY n.line"
        )
        codes = {r.line: r.obj.code for r in rows}
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            for line, code in cursor.fetchall():
                if code is not None:
                    self.result.duplicate(line, codes[line], code)

    # -- after the whole file

    def link_deferred(self) -> None:
        """Claims name the claim they supersede in any row order: linked once all exist."""
        if not self.deferred or self.result.error_count:
            return
        wanted = {int(v) for _l, _r, v in self.deferred if str(v or "").isdigit()}
        found = Claim.objects.in_bulk(wanted)
        when = timezone.now()
        changed = []
        for line, row, given in self.deferred:
            if given in ("", None):
                target = None
            elif not str(given).isdigit() or int(given) not in found:
                self.result.error(line, "supersedes_claim_id", f"no claim with claim_id '{given}'")
                continue
            else:
                target = found[int(given)]
            claim = row.obj
            if claim.supersedes_id == (target.pk if target else None):
                continue
            # The claim it no longer supersedes, and the one it now supersedes, may be in no row
            # of the file: their status is checked too (finish()), at this line.
            for other in (claim.supersedes_id, target.pk if target else None):
                if other is not None:
                    self.lineage_lines.setdefault(other, line)
            claim.supersedes = target
            if target is not None and target.pk == claim.pk:
                self.result.error(line, "supersedes_claim_id", "A claim cannot supersede itself.")
                continue
            if target is not None and target.incident_id != claim.incident_id:
                self.result.error(
                    line, "supersedes_claim_id",
                    "A claim can only supersede a claim about the same incident.",
                )  # fmt: skip
                continue
            changed.append((line, claim))
        if self.result.error_count or not changed:
            return
        # Two claims may not supersede the same one (a one-to-one link).
        by_target = {}
        for line, claim in changed:
            self.claim_lines.add({claim.pk: line})
            if claim.supersedes_id is None:
                continue  # unlinked: nothing to share
            if claim.supersedes_id in by_target:
                self.result.error(
                    line, "supersedes_claim_id",
                    f"claim #{claim.supersedes_id} is already superseded by the claim of line "
                    f"{by_target[claim.supersedes_id]}",
                )  # fmt: skip
            by_target.setdefault(claim.supersedes_id, line)
        if self.result.error_count:
            return
        claims = [claim for _line, claim in changed]
        try:
            with transaction.atomic():
                # Unlink first, so that a chain can be rewired without a momentary duplicate.
                Claim.objects.filter(pk__in=[c.pk for c in claims]).update(supersedes=None)
                Claim.objects.bulk_update(claims, ["supersedes"], batch_size=BATCH)
        except IntegrityError as error:
            line = changed[0][0]
            self.result.error(line, "supersedes_claim_id", f"the database refused: {error}")
            return
        self.record(claims, when, update=True)
        lines = {line for line, _c in changed}
        for index, (line, action, label) in enumerate(self.result.actions):
            if line in lines and action == "unchanged":
                self.result.actions[index] = (line, "updated", label)
                self.result.unchanged -= 1
                self.result.updated += 1

    def finish(self) -> None:
        """Rules across records, checked once the whole file is in (claims may name the claim
        they supersede in any row order): claim lineages, and that no record a published
        incident uses was made a draft; then the counts on groups, brands and locations."""
        if self.result.error_count:
            return
        if self.model is Claim:
            # The claims the file wrote or linked (by their rows' lines), then those it
            # unlinked or superseded without a row of their own (by the line that did it).
            others = dict(self.lineage_lines)
            for lines in self.claim_lines.chunks(BATCH):
                for pk in lines:
                    others.pop(pk, None)
                for pk, message in sorted(lineage_problems(list(lines)).items()):
                    self.result.error(lines[pk], "status, supersedes_claim_id", message)
            checked = sorted(others)
            for start in range(0, len(checked), BATCH):
                problems = lineage_problems(checked[start : start + BATCH])
                for pk, message in sorted(problems.items()):
                    self.result.error(
                        others[pk], "status, supersedes_claim_id", f"claim #{pk}: {message}"
                    )
            self.claim_lines.drop()
        if self.model in (Group, Brand, Location, Source):
            self.check_unpublishing()
        if self.result.error_count:
            return
        derived.refresh_counts(**{k: v - {None} for k, v in self.counts.items() if v - {None}})

    def check_published_sources(self, ids: set[int], rows: list[Row]) -> None:
        """A published incident cites at least one source, and so does each claim about one
        (checked for each batch, once its citations are written)."""
        lines = {row.obj.pk: row.line for row in rows}
        if self.model is Incident:
            bare = Incident.objects.filter(pk__in=ids, citations__isnull=True)
            for pk in bare.values_list("pk", flat=True)[:MAX_ERRORS]:
                self.result.error(
                    lines.get(pk, 0), "source_ids, status",
                    "a published incident cites at least one source",
                )  # fmt: skip
        if self.model is Claim:
            bare = Claim.objects.filter(
                pk__in=ids, incident__status="published", citations__isnull=True
            ).values_list("pk", flat=True)
            for pk in bare[:MAX_ERRORS]:
                self.result.error(
                    lines.get(pk, 0), "source_ids",
                    "this claim belongs to a published incident: cite at least one source",
                )  # fmt: skip

    def check_unpublishing(self) -> None:
        """A record a published incident uses stays published."""
        for line, obj in self.unpublished:
            users = obj.published_users()
            if users:
                self.result.error(
                    line, "status",
                    f"Cannot unpublish: the published incident {users[0]} uses it"
                    + (f" (and {len(users) - 1} more)." if len(users) > 1 else "."),
                )  # fmt: skip

    def publish_used(self, ids: set[int]) -> None:
        """An import is a publisher's act: a published incident, or a claim about one, publishes
        the draft location, groups, brands and sources it uses (kb.visibility.publish). Done
        for each batch; if the file has an error anywhere, all of it is rolled back."""
        if not ids or self.result.error_count:
            return
        for start in range(0, len(ids), BATCH):
            chunk = sorted(ids)[start : start + BATCH]
            using = drafts_used_by(chunk)
            # In the incidents' order, as one query over the joins would give them.
            for incident in Incident.objects.filter(pk__in=using) if using else ():
                publish(incident, self.reason)

    def publish_used_by_new(self, rows: list[Row]) -> None:
        """publish_used() for incidents this import creates: what they use is in their rows (a
        new incident has no claims yet), so only the drafts among its location and the sources
        it cites are looked up."""
        if not rows or self.result.error_count:
            return
        draft = PublicationStatus.DRAFT
        locations = {row.obj.location_id for row in rows} - {None}
        sources = {source for row in rows for source in row.sources or ()}
        draft_locations = set(
            Location.objects.filter(pk__in=locations, status=draft).values_list("pk", flat=True)
        )
        draft_sources = set(
            Source.objects.filter(pk__in=sources, status=draft).values_list("pk", flat=True)
        )
        using = [
            row.obj.pk
            for row in rows
            if row.obj.location_id in draft_locations
            or draft_sources.intersection(row.sources or ())
        ]
        for incident in Incident.objects.filter(pk__in=using) if using else ():
            publish(incident, self.reason)


def drafts_used_by(incident_ids: list[int]) -> set[int]:
    """Those of these incidents that use a draft: their location, a source they or their claims
    cite, a group or brand their claims name (as claimant, attributor or channel operator).
    One query per kind of use, each from the incidents' own rows by index (one query joining
    them all made the database read whole tables of a large database)."""
    draft = PublicationStatus.DRAFT
    found = set(
        Incident.objects.filter(pk__in=incident_ids, location__status=draft).values_list(
            "pk", flat=True
        )
    )
    found |= set(
        IncidentCitation.objects.filter(
            incident_id__in=incident_ids, source__status=draft
        ).values_list("incident_id", flat=True)
    )
    found |= set(
        Claim.objects.filter(incident_id__in=incident_ids)
        .filter(
            Q(group__status=draft)
            | Q(brand__status=draft)
            | Q(attributed_by__status=draft)
            | Q(channel__operated_by_group__status=draft)
            | Q(channel__operated_by_brand__status=draft)
        )
        .values_list("incident_id", flat=True)
    )
    found |= set(
        ClaimCitation.objects.filter(
            claim__incident_id__in=incident_ids, source__status=draft
        ).values_list("claim__incident_id", flat=True)
    )
    return found


class LineTable:
    """Lines of a file by key (a row's key as text, or a claim's id), kept out of memory: in a
    temporary table of the import's transaction, made when first written to."""

    names = itertools.count(1)

    def __init__(self, key_type: str):
        self.key_type = key_type  # the SQL type of the key: text, bigint
        self.table = None

    def write(self, lines: dict, new: bool = False) -> None:
        """Add these keys' lines; a key written before takes its new line. `new`: no key was
        written before (on PostgreSQL the rows are then copied in, the fastest way)."""
        if not lines:
            return
        rows = list(lines.items())
        with connection.cursor() as cursor:
            if self.table is None:
                self.table = f"import_lines_{next(self.names)}"
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {self.table} "
                    f"(given {self.key_type} PRIMARY KEY, line integer NOT NULL)"
                )
            if new and connection.vendor == "postgresql":
                bulk.copy_in(f"COPY {self.table} (given, line) FROM STDIN", rows)
                return
            cursor.executemany(
                f"INSERT INTO {self.table} (given, line) VALUES (%s, %s) "
                "ON CONFLICT (given) DO UPDATE SET line = excluded.line",
                rows,
            )

    def lines_of(self, keys: list) -> dict:
        """The lines of those of these keys written before."""
        found = {}
        if self.table is None:
            return found
        with connection.cursor() as cursor:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT given, line FROM {self.table} WHERE given IN ({marks})", chunk
                )
                found.update(cursor.fetchall())
        return found

    def chunks(self, size: int) -> Iterator[dict]:
        """Every key written, with its line, in chunks of `size` in the keys' order."""
        if self.table is None:
            return
        last = None
        while True:
            after = "" if last is None else "WHERE given > %s "
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT given, line FROM {self.table} {after}ORDER BY given LIMIT %s",
                    [size] if last is None else [last, size],
                )
                rows = cursor.fetchall()
            if not rows:
                return
            yield dict(rows)
            last = rows[-1][0]

    def drop(self) -> None:
        if self.table is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {self.table}")
            self.table = None


class EarlierKeys:
    """The keys of the rows of a file's earlier batches, with their lines, to refuse a key given
    twice. The last batch's are kept in memory, older ones in a LineTable: memory stays flat
    however long the file, and a file of one batch never makes the table."""

    def __init__(self):
        self.last: dict[str, int] = {}
        self.older = LineTable("text")

    def lines_of(self, keys: list[tuple]) -> dict[tuple, int]:
        texts = {repr(key): key for key in keys}
        found = {texts[text]: self.last[text] for text in texts if text in self.last}
        older = self.older.lines_of([text for text in texts if text not in self.last])
        found.update({texts[text]: line for text, line in older.items()})
        return found

    def add(self, lines: dict[tuple, int]) -> None:
        self.older.write(self.last, new=True)  # a key is given once (or refused)
        self.last = {repr(key): line for key, line in lines.items()}

    def drop(self) -> None:
        self.older.drop()
        self.last = {}


class ClaimLines:
    """The claims an import wrote or linked, with the line of the row that did, for the lineage
    check once the file is in: in a LineTable once they are more than a batch (memory flat in the
    file's length), read back in chunks."""

    def __init__(self):
        self.pending: dict[int, int] = {}
        self.stored = LineTable("bigint")

    def add(self, lines: dict[int, int]) -> None:
        self.pending.update(lines)
        if len(self.pending) >= BATCH:
            self.stored.write(self.pending)
            self.pending = {}

    def chunks(self, size: int) -> Iterator[dict[int, int]]:
        """Every claim with its line, in chunks of `size` in the order of their ids."""
        if self.stored.table is None:
            ordered = sorted(self.pending)
            for start in range(0, len(ordered), size):
                yield {pk: self.pending[pk] for pk in ordered[start : start + size]}
            return
        self.stored.write(self.pending)
        self.pending = {}
        yield from self.stored.chunks(size)

    def drop(self) -> None:
        self.stored.drop()
        self.pending = {}


class HistoryRow:
    """A history row as the change log reads it (changes.recorder.build): its values as
    attributes, without the cost of a model instance (the row itself is written as a tuple)."""

    def __init__(self, model, values: dict):
        self.__dict__.update(values)
        self.instance_type = model

    @property
    def instance(self):
        """The record as the row saw it (what simple-history's `instance` gives)."""
        tracked = self.instance_type.history.model.tracked_fields
        return self.instance_type(**{f.attname: getattr(self, f.attname) for f in tracked})


def new_instance(model):
    """model(): a new record with every field at its default, built by position (cheaper than
    by default, which looks up each field's default again)."""
    fixed, fresh = instance_defaults(model)
    values = list(fixed)
    for index, model_field in fresh:
        values[index] = model_field.get_default()
    return model(*values)


@functools.cache
def instance_defaults(model) -> tuple[list, list]:
    """The defaults of the model's concrete fields, in order, and the fields whose default is
    made anew for each record (a callable: a new list, the time now)."""
    fields = model._meta.concrete_fields
    fresh = [(i, f) for i, f in enumerate(fields) if f.has_default() and callable(f.default)]
    return [f.get_default() for f in fields], fresh


def citation_maker(model, link: str):
    """A function making a new citation of a source for a record (by their ids), its other
    fields at their defaults: by position, the cheap way to build a model instance."""
    names = [f.attname for f in model._meta.concrete_fields]
    source, record = names.index("source_id"), names.index(f"{link}_id")

    def cite(source_id: int, record_id: int):
        obj = new_instance(model)
        setattr(obj, names[source], source_id)
        setattr(obj, names[record], record_id)
        return obj

    return cite


def claim_natural_key(claim) -> tuple:
    """What identifies a claim given without its claim_id (BLANK_KEY)."""
    return (
        claim.incident_id, claim.kind, claim.group_id, claim.brand_id, claim.claimant_as_named,
        claim.date,
    )  # fmt: skip


def derive_changed_incidents(incidents: list) -> list[str]:
    """Set the derived fields of incidents about to be updated (claims.derived): the attnames of
    those that change."""
    computed = derived.compute_for(incidents)
    changing = set()
    for incident in incidents:
        for name, value in computed[incident.pk].items():
            if getattr(incident, name) != value:
                setattr(incident, name, value)
                changing.add(name)
    return sorted(changing)


def derive_new_incidents(incidents: list) -> None:
    """The derived columns of incidents about to be created (claims.derived), computed from the
    rows themselves: a new incident has no claims yet, so no claimant and no actor token."""
    for incident in incidents:
        first, last = derived.dates(incident.date, incident.date_precision, incident.date_end)
        location = incident.location
        names = (location.name, location.alternate_names) if location is not None else None
        values = {name: getattr(incident, name) for name in derived.TEXT_FIELDS}
        incident.first_day, incident.last_day = first, last
        for name, value in derived.summary([]).items():
            setattr(incident, name, value)
        incident.search_text = derived.text(values, names, [])


# --- Helpers --------------------------------------------------------------------------------------


def lookup(table: Table, keys: list[tuple]) -> dict[tuple, Any]:
    """The existing records of these keys, compared as the database's unique constraint does
    (`Table.key_of`), with one indexed query per key shape and 500 keys."""
    keys = [k for k in set(keys) if any(part is not None for part in k)]
    if not keys:
        return {}
    model = table.model
    if table.explicit_id:
        ids = [k[0] for k in keys if isinstance(k[0], int) and k[0] <= LARGEST_ID]
        return {(pk,): obj for pk, obj in model.objects.in_bulk(ids).items()}
    related = {p.rsplit("__", 1)[0] for p in table.paths if "__" in p}
    shapes = {}
    for key in keys:
        # Narrow by the first given part compared exactly (an alias's name is folded).
        index = next(
            (i for i, part in enumerate(key) if part is not None and i not in table.folded),
            next(i for i, part in enumerate(key) if part is not None),
        )
        shapes.setdefault(index, set()).add(key[index])
    result = {}
    for index, values in shapes.items():
        path = table.paths[index]
        if index in table.folded:
            path += "__iexact"
        values = sorted(values, key=str)
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            if index in table.folded:
                query = Q()
                for value in chunk:
                    query |= Q(**{path: value})
                found = model.objects.filter(query)
            else:
                found = model.objects.filter(**{f"{path}__in": chunk})
            if related:  # select_related() without fields is deprecated (Django 6.1)
                found = found.select_related(*sorted(related))
            for obj in found:
                result[table.key_of_record(obj)] = obj
    return result


def read_path(obj, path: str):
    value = obj
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


@functools.cache
def choices_of(model, attr: str) -> list:
    try:
        model_field = model._meta.get_field(attr)
    except Exception:  # not a model field: no choices
        return []
    return (
        [value for value, _label in model_field.flatchoices if value != ""]
        if (model_field.choices)
        else []
    )


@functools.cache
def is_text(model, attr: str) -> bool:
    try:
        return model._meta.get_field(attr).get_internal_type() in (
            "CharField",
            "TextField",
            "SlugField",
            "URLField",
        )
    except Exception:
        return False


def clean_fields(obj, exclude: set) -> None:
    """Model.clean_fields(), without calling a field's clean() where it provably returns the value
    as it is and raises nothing (quick_check); the other fields are cleaned as it does, and the
    errors are the same, in the same order."""
    errors = {}
    for model_field, check in quick_checks(type(obj)):
        if model_field.name in exclude or model_field.generated:
            continue
        raw = getattr(obj, model_field.attname)
        if model_field.blank and raw in model_field.empty_values:
            continue
        if isinstance(raw, DatabaseDefault):
            continue
        if check is not None and check(raw):
            continue
        try:
            setattr(obj, model_field.attname, model_field.clean(raw, obj))
        except ValidationError as error:
            errors[model_field.name] = error.error_list
    if errors:
        raise ValidationError(errors)


# The Python type whose values a field's to_python() returns as they are, by field type.
PYTHON_TYPES = {
    "CharField": str, "TextField": str, "SlugField": str, "IntegerField": int,
    "BigIntegerField": int, "SmallIntegerField": int, "PositiveIntegerField": int,
    "PositiveSmallIntegerField": int, "PositiveBigIntegerField": int, "AutoField": int,
    "BigAutoField": int, "DateField": datetime.date, "TimeField": datetime.time,
    "DateTimeField": datetime.datetime,
}  # fmt: skip
# Validators that only read the value (no database, no other field).
PURE_VALIDATORS = (
    validators.MaxLengthValidator, validators.MinLengthValidator, validators.MinValueValidator,
    validators.MaxValueValidator, validators.ProhibitNullCharactersValidator,
    validators.RegexValidator,
)  # fmt: skip


@functools.cache
def quick_checks(model) -> list[tuple]:
    return [(model_field, quick_check(model_field)) for model_field in model._meta.fields]


def quick_check(model_field):
    """A test that is true only if model_field.clean(value) would return the value unchanged
    without an error: a value of the type to_python() keeps, not empty, one of the choices, and
    accepted by each validator (all of them pure). None: no such test, clean() is called."""
    kind = PYTHON_TYPES.get(model_field.get_internal_type())
    if type(model_field).__module__ != "django.db.models.fields":
        return None  # a subclass may clean otherwise
    checks = list(model_field.validators)
    if kind is None or not all(isinstance(v, PURE_VALIDATORS) for v in checks):
        return None
    choices = None
    if model_field.choices is not None:
        choices = {value for value, _label in model_field.flatchoices}
    empty = model_field.empty_values
    tests = [validator_test(v) for v in checks]
    checks = [v for v, test in zip(checks, tests, strict=True) if test is None]
    tests = [test for test in tests if test is not None]

    def check(value) -> bool:
        if type(value) is not kind or value in empty:
            return False
        if choices is not None and value not in choices:
            return False
        for test in tests:
            if not test(value):
                return False
        try:
            for validator in checks:
                validator(value)
        except ValidationError:
            return False
        return True

    return check


def validator_test(validator):
    """The test a common validator makes, as a predicate (true: no error), without the cost of
    calling it; None for the others, which are called."""
    limit = getattr(validator, "limit_value", None)
    if callable(limit):
        return None
    kind = type(validator)
    if kind is validators.MaxLengthValidator:
        return lambda value: len(value) <= limit
    if kind is validators.MinLengthValidator:
        return lambda value: len(value) >= limit
    if kind is validators.MaxValueValidator:
        return lambda value: not value > limit
    if kind is validators.MinValueValidator:
        return lambda value: not value < limit
    if kind is validators.ProhibitNullCharactersValidator:
        return lambda value: "\x00" not in str(value)
    return None


def snapshot(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def constraint_fields(constraint) -> list[str]:
    """The model fields a constraint reads (its fields, or the fields its condition names)."""
    if getattr(constraint, "fields", None):
        return list(constraint.fields)
    names, stack = [], [getattr(constraint, "condition", None)]
    while stack:
        node = stack.pop(0)
        for child in getattr(node, "children", []):
            if isinstance(child, tuple):
                names.append(child[0].split("__")[0])
            else:
                stack.append(child)
    return names


def lineage_problems(claim_ids: Iterable[int]) -> dict[int, str]:
    """Claims whose status disagrees with their lineage (claims.models.lineage_problems)."""
    from claims.models import lineage_problems as problems

    return problems(claim_ids)


def reset_sequence(model):
    """After rows were created with explicit ids, new rows must not collide with them."""
    statements = connection.ops.sequence_reset_sql(no_style(), [model])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


__all__ = [
    "MAX_ID_JUMP",
    "TABLES",
    "FileError",
    "Result",
    "import_file",
    "import_many",
    "import_rows",
    "rules",
]
