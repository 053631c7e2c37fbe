"""Load records from files in the exports' own format (see the codebook).

Rows match existing records on their stable key (incident code; group, brand and location slug;
source id; claim id): a matching record is updated, a new key creates one, and a row that changes
nothing writes nothing, so importing a file twice changes nothing the second time. Every row is
validated like an admin form (`full_clean()`, database constraints included) and every error is
reported with its row and column; if any row is wrong, nothing is imported.

Sources and claims keep the ids a file gives them, and the table's sequence is then moved past the
largest, so that records added later get free ids. A new record's id therefore may not jump far
ahead (`MAX_ID_JUMP`): one id near the integer maximum would exhaust the sequence and every record
added afterwards in the admin would fail.
"""

import csv
import datetime
import decimal
import re
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from claims.models import (
    Claim,
    ClaimCitation,
    Incident,
    IncidentCitation,
    Location,
    LocationCitation,
    PublicationStatus,
)
from exchange.formats import SEPARATOR
from groups.models import Alias, AliasKind, Brand, BrandCitation, Channel, Group, GroupCitation
from kb.visibility import publish
from sources.models import Source

ARABIC = re.compile("[\u0600-\u06ff]")

# How far above the largest id in use (in the table, or given to a new row earlier in the file's
# ascending order) a new source's or claim's explicit id may be. Ids keep their gaps, so this
# allows leaving room, yet a file cannot move the sequence near its maximum.
MAX_ID_JUMP = 1_000_000


class RowError(Exception):
    def __init__(self, column, message):
        super().__init__(message)
        self.column, self.message = column, message


# --- Cell parsers ------------------------------------------------------------------------------


def text(value: str) -> str:
    """Undo the export's neutralisation: one leading apostrophe is the export's ("'=x" -> "=x",
    "''x" -> "'x")."""
    return value[1:] if value.startswith("'") else value


def optional(parse):
    def parser(value):
        return parse(value) if value != "" else None

    parser.__name__ = parse.__name__
    return parser


def iso_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a date written YYYY-MM-DD") from None


def iso_time(value):
    try:
        return datetime.time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a time written HH:MM:SS") from None


def whole(value):
    if not re.fullmatch(r"\d+", value):
        raise ValueError(f"'{value}' is not a whole number >= 0")
    return int(value)


def number(value):
    try:
        return decimal.Decimal(value)
    except decimal.InvalidOperation:
        raise ValueError(f"'{value}' is not a number") from None


def values(cell: str) -> list[str]:
    return [text(v.strip()) for v in cell.split(SEPARATOR.strip()) if v.strip()]


def lines(cell: str) -> str:
    """A multi-valued cell stored one value per line (a location's alternate names)."""
    return "\n".join(values(cell))


# --- Kinds -------------------------------------------------------------------------------------


@dataclass
class Kind:
    """How one export's rows map back onto a model."""

    model: type
    key: str  # column holding the stable key
    key_field: str
    fields: dict  # column -> (model field, parser)
    refs: dict = field(default_factory=dict)  # column -> (model field, model, lookup field)
    citations: tuple | None = None  # (citation model, its foreign key to the record)
    aliases: str | None = None  # the Alias foreign key, for groups and brands
    explicit_key: bool = False  # the key is the primary key (sources, claims)


def plain(*names, **parsers):
    """Text columns named like their fields, plus columns with their own parser."""
    mapping = {name: (name, text) for name in names}
    mapping.update({name: (name, parser) for name, parser in parsers.items()})
    return mapping


KINDS = {
    "sources": Kind(
        Source, "source_id", "pk",
        plain("title", "url", "archive_url", "publisher", "author", "kind", "language",
              "published_precision", "reliability", "notes", "status",
              published=optional(iso_date), accessed=optional(iso_date)),
        explicit_key=True,
    ),
    "groups": Kind(
        Group, "slug", "slug",
        plain("slug", "name", "arabic_name", "acronym", "kind", "country", "founded_precision",
              "description", "status", founded=optional(iso_date)),
        citations=(GroupCitation, "group"), aliases="group",
    ),
    "brands": Kind(
        Brand, "slug", "slug",
        plain("slug", "name", "arabic_name", "acronym", "launched_precision", "description",
              "status", launched=optional(iso_date)),
        citations=(BrandCitation, "brand"), aliases="brand",
    ),
    "locations": Kind(
        Location, "slug", "slug",
        plain("slug", "name", "arabic_name", "kind", "country", "admin1", "notes", "status",
              latitude=optional(number), longitude=optional(number), alternate_names=lines),
        citations=(LocationCitation, "location"),
    ),
    "incidents": Kind(
        Incident, "code", "code",
        plain("code", "title", "date_precision", "date_note", "country", "admin1", "place",
              "facility", "geo_precision", "weapon", "weapon_detail", "target", "target_detail",
              "casualty_note", "confirmation", "summary", "status",
              date=optional(iso_date), date_end=optional(iso_date),
              time_of_day=optional(iso_time), killed_low=optional(whole),
              killed_high=optional(whole), injured_low=optional(whole),
              injured_high=optional(whole)),
        refs={"location": ("location", Location, "slug")},
        citations=(IncidentCitation, "incident"),
    ),
    "claims": Kind(
        Claim, "claim_id", "pk",
        plain("kind", "claimant_as_named", "date_precision", "channel_detail", "medium",
              "original_text", "original_language", "english_text", "attributed_by_detail",
              "confidence", "status", "status_note", "note", date=optional(iso_date)),
        refs={
            "incident_code": ("incident", Incident, "code"),
            "group": ("group", Group, "slug"),
            "brand": ("brand", Brand, "slug"),
            "attributed_by": ("attributed_by", Group, "slug"),
        },
        citations=(ClaimCitation, "claim"),
        explicit_key=True,
    ),
}  # fmt: skip


@dataclass
class Result:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)  # (row number, column, message)


def import_file(kind_name: str, path, reason: str | None = None) -> Result:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return import_rows(kind_name, csv.DictReader(f), reason or f"Imported from {path}")


def import_rows(kind_name: str, reader: csv.DictReader, reason: str) -> Result:
    """Import every row or none: the transaction is rolled back if any row has an error."""
    from exchange.catalogue import exports  # the columns the export defines, imported or derived

    kind = KINDS[kind_name]
    known = {c.name for c in exports(None)[kind_name].columns}
    result = Result()
    header = reader.fieldnames or []
    unknown = [name for name in header if name not in known]
    if unknown:
        result.errors.append((1, ", ".join(unknown), "unknown column (see the codebook)"))
    if kind.key not in header:
        result.errors.append((1, kind.key, "the key column is missing"))
    if result.errors:
        return result
    rows = list(reader)
    with transaction.atomic():
        refused = ids_too_far_ahead(kind, rows) if kind.explicit_key else []
        result.errors.extend(refused)
        skipped = {number_ for number_, _, _ in refused}
        pending_supersedes, statuses = [], {}
        for number_, row in enumerate(rows, start=2):
            if number_ in skipped:
                continue
            try:
                status = import_row(kind, row, reason, pending_supersedes, number_)
            except RowError as error:
                result.errors.append((number_, error.column, error.message))
                continue
            except ValidationError as error:
                for field_name, messages in error.message_dict.items():
                    for message in messages:
                        column = columns_for(kind, field_name, message)
                        result.errors.append((number_, column, message))
                continue
            setattr(result, status, getattr(result, status) + 1)
            statuses[number_] = status
        for number_, claim, target in pending_supersedes:
            if link_supersedes(claim, target, number_, result, reason) and (
                statuses.get(number_) == "unchanged"
            ):
                result.unchanged, result.updated = result.unchanged - 1, result.updated + 1
        if result.errors:
            transaction.set_rollback(True)
            result.created = result.updated = result.unchanged = 0
        elif kind.explicit_key:
            # Only now: PostgreSQL's setval() is not undone by a rollback.
            reset_sequence(kind.model)
    result.errors.sort(key=lambda error: error[0])
    return result


def ids_too_far_ahead(kind: Kind, rows: list[dict]) -> list[tuple[int, str, str]]:
    """Errors for the explicit ids of new records that are more than MAX_ID_JUMP above the largest
    id in use. The file's ids are taken in ascending order, so that a new id may build on a smaller
    one of the same file whatever the rows' order. An id at or below the table's largest is an
    existing record or fills a gap: never too far."""
    rows_of_id = {}
    for number_, row in enumerate(rows, start=2):
        key = row.get(kind.key, "")
        if re.fullmatch(r"\d+", key):
            rows_of_id.setdefault(int(key), []).append(number_)
    largest = kind.model.objects.aggregate(largest=Max("pk"))["largest"] or 0
    in_use = f"largest: {largest}" if largest else "none yet"
    errors = []
    for id_ in sorted(i for i in rows_of_id if i > largest):
        if id_ <= largest + MAX_ID_JUMP:
            largest, in_use = id_, f"largest: {id_}, in row {rows_of_id[id_][0]}"
            continue
        name = kind.model._meta.verbose_name
        message = (
            f"{kind.key} {id_} is too far above the ids in use ({in_use}): "
            f"a new record's id may be at most {MAX_ID_JUMP:,} above the largest id in use or "
            f"earlier in the file. Leave {kind.key} empty to let the database number a new {name}."
        )
        errors.extend((number_, kind.key, message) for number_ in rows_of_id[id_])
    return errors


def column_for(kind: Kind, field_name: str) -> str:
    for column, (name, *_rest) in {**kind.fields, **kind.refs}.items():
        if name == field_name:
            return column
    return field_name


def columns_for(kind: Kind, field_name: str, message: str) -> str:
    """The column(s) an error concerns; for a rule across fields (a database constraint), the
    columns of the fields the constraint names."""
    if field_name != "__all__":
        return column_for(kind, field_name)
    for constraint in kind.model._meta.constraints:
        if str(constraint.violation_error_message) == message:
            names = constraint_fields(constraint)
            return ", ".join(dict.fromkeys(column_for(kind, name) for name in names))
    return "(row)"


def constraint_fields(constraint) -> list[str]:
    """The model fields a constraint reads (its fields, or the fields its condition names)."""
    if getattr(constraint, "fields", None):
        return list(constraint.fields)
    names, stack = [], [constraint.condition]
    while stack:
        node = stack.pop(0)
        for child in getattr(node, "children", []):
            if isinstance(child, tuple):
                names.append(child[0].split("__")[0])
            else:
                stack.append(child)
    return names


def import_row(kind: Kind, row: dict, reason: str, pending, number_) -> str:
    obj, created = find_or_new(kind, row)
    before = snapshot(obj)
    for column, (field_name, parse) in kind.fields.items():
        if column in row:
            try:
                setattr(obj, field_name, parse(row[column] or ""))
            except ValueError as error:
                raise RowError(column, str(error)) from None
    for column, (field_name, model, lookup) in kind.refs.items():
        if column in row:
            setattr(obj, field_name, resolve(model, lookup, row[column], column))
    if kind.model is Claim and "channel_name" in row:
        set_channel(obj, row)
    obj.full_clean()
    changed = created or snapshot(obj) != before
    if changed:
        obj._change_reason = reason
        obj.save()
    changed |= sync_citations(kind, obj, row, reason)
    check_sourced(kind, obj, before)
    publish_what_it_uses(kind, obj, reason)
    changed |= sync_aliases(kind, obj, row, reason)
    if kind.model is Claim and "supersedes_claim_id" in row:
        pending.append((number_, obj, row["supersedes_claim_id"]))
    return "created" if created else ("updated" if changed else "unchanged")


def check_sourced(kind: Kind, obj, before) -> None:
    """The publishing rules hold for imports too: a published incident, and each claim about
    one, cites at least one source; a record a published incident uses stays published."""
    if kind.model is not Incident and before.get("status") == PublicationStatus.PUBLISHED:
        users = obj.published_users() if obj.status == PublicationStatus.DRAFT else []
        if users:
            raise RowError(
                "status",
                f"Cannot unpublish: the published incident {users[0]} uses it"
                + (f" (and {len(users) - 1} more)." if len(users) > 1 else "."),
            )
    if kind.model is Incident and obj.is_published:
        if before.get("status") != PublicationStatus.PUBLISHED:
            problems = obj.publication_problems()
            if problems:
                raise RowError("status", "Cannot publish: " + " ".join(problems))
        elif not obj.citations.exists():
            raise RowError("source_ids", "A published incident cites at least one source.")
    if kind.model is Claim and obj.requires_sources and not obj.citations.exists():
        raise RowError(
            "source_ids", "This claim belongs to a published incident: cite at least one source."
        )


def publish_what_it_uses(kind: Kind, obj, reason: str) -> None:
    """An import is a publisher's act: a published incident, or a claim about one, publishes the
    draft location, groups, brands and sources it uses (kb.visibility.publish)."""
    incident = obj if kind.model is Incident else getattr(obj, "incident", None)
    if kind.model in (Incident, Claim) and incident is not None and incident.is_published:
        publish(incident, reason)


def find_or_new(kind: Kind, row: dict):
    key = row.get(kind.key, "")
    if kind.explicit_key:
        if key and not re.fullmatch(r"\d+", key):
            raise RowError(kind.key, f"'{key}' is not a whole number")
        if key:
            existing = kind.model.objects.filter(pk=int(key)).first()
            if existing:
                return existing, False
            if int(key) < 1:
                raise RowError(kind.key, f"a new record's {kind.key} is a whole number >= 1")
            return kind.model(pk=int(key)), True
        if kind.model is Source and row.get("url"):
            existing = Source.objects.filter(url=row["url"]).first()
            if existing:
                return existing, False
        return kind.model(), True
    if not key:
        raise RowError(kind.key, "the key is empty")
    existing = kind.model.objects.filter(**{kind.key_field: key}).first()
    return (existing, False) if existing else (kind.model(), True)


def resolve(model, lookup, value, column):
    if value == "":
        return None
    try:
        return model.objects.get(**{lookup: value})
    except ObjectDoesNotExist:
        raise RowError(column, f"no {model._meta.verbose_name} '{value}'") from None


def set_channel(claim: Claim, row: dict):
    """A claim's channel, by platform and name; a channel not yet recorded is created, operated
    by the claimant (brand, else group)."""
    name, platform = row.get("channel_name", ""), row.get("channel_platform", "")
    if not name:
        claim.channel = None
        return
    channel = Channel.objects.filter(platform=platform, name=name).first()
    if channel is None:
        channel = Channel(name=name, platform=platform, operated_by_brand=claim.brand)
        if claim.brand is None:
            channel.operated_by_group = claim.group
        try:
            channel.full_clean()
        except ValidationError as error:
            raise RowError("channel_name", "; ".join(error.messages)) from None
        channel.save()
    claim.channel = channel


def snapshot(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def sync_citations(kind: Kind, obj, row: dict, reason: str) -> bool:
    """Cite exactly the listed sources (by source_ids; by source_urls if there are no ids)."""
    if kind.citations is None or ("source_ids" not in row and "source_urls" not in row):
        return False
    model, link = kind.citations
    if row.get("source_ids", "").strip():
        wanted = set()
        for value in values(row["source_ids"]):
            if not value.isdigit() or not Source.objects.filter(pk=int(value)).exists():
                raise RowError("source_ids", f"no source with source_id '{value}'")
            wanted.add(int(value))
    else:
        urls = values(row.get("source_urls", ""))
        found = dict(Source.objects.filter(url__in=urls).values_list("url", "pk"))
        missing = [u for u in urls if u not in found]
        if missing:
            raise RowError("source_urls", f"no source with URL {missing[0]}")
        wanted = set(found.values())
    current = dict(model.objects.filter(**{link: obj}).values_list("source_id", "pk"))
    for source_id in wanted - current.keys():
        citation = model(source_id=source_id, **{link: obj})
        citation._change_reason = reason
        citation.save()
    for source_id in current.keys() - wanted:
        citation = model.objects.get(pk=current[source_id])
        citation._change_reason = reason
        citation.delete()
    return wanted != set(current)


def sync_aliases(kind: Kind, obj, row: dict, reason: str) -> bool:
    if kind.aliases is None or "aliases" not in row:
        return False
    wanted = values(row["aliases"])
    current = {a.name: a for a in Alias.objects.filter(**{kind.aliases: obj})}
    for name in [n for n in wanted if n not in current]:
        arabic = bool(ARABIC.search(name))
        alias = Alias(
            name=name,
            kind=AliasKind.ORIGINAL_SCRIPT if arabic else AliasKind.TRANSLITERATION,
            language="ar" if arabic else "",
            script="Arab" if arabic else "Latn",
            **{kind.aliases: obj},
        )
        try:
            alias.full_clean()
        except ValidationError as error:
            raise RowError("aliases", f"{name}: {'; '.join(error.messages)}") from None
        alias._change_reason = reason
        alias.save()
    for name, alias in current.items():
        if name not in wanted:
            alias._change_reason = reason
            alias.delete()
    return set(wanted) != set(current)


def link_supersedes(claim: Claim, target: str, number_: int, result: Result, reason: str) -> bool:
    """Claims can name, in any row order, the claim they replace: linked once all exist.
    Returns whether the link changed."""
    try:
        earlier = Claim.objects.get(pk=int(target)) if target else None
    except (ValueError, Claim.DoesNotExist):
        result.errors.append((number_, "supersedes_claim_id", f"no claim '{target}'"))
        return False
    if claim.supersedes_id == (earlier.pk if earlier else None):
        return False
    claim.supersedes = earlier
    try:
        claim.full_clean()
    except ValidationError as error:
        result.errors.append((number_, "supersedes_claim_id", "; ".join(error.messages)))
        return False
    claim._change_reason = reason
    claim.save()
    return True


def reset_sequence(model):
    """After rows were created with explicit ids, new rows must not collide with them."""
    statements = connection.ops.sequence_reset_sql(no_style(), [model])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
