"""Writes the change log from history rows: live, as each history row is saved, and in bulk, when
`rebuild()` regenerates the log from every history table (after `load_seed`, or on demand)."""

import contextvars
import datetime
import functools
import re
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.urls import get_script_prefix, reverse

from changes.models import Action, Change
from kb.roles import CURATED_APPS, curated_models

# Bookkeeping fields that change on every save and say nothing a reader needs.
IGNORED_FIELDS = {"created", "updated"}

# The reason given for a deletion, for the rows deleted along with the record (its claims and
# citations), whose own history rows would otherwise carry no reason.
deletion_reason: contextvars.ContextVar[str] = contextvars.ContextVar("deletion_reason", default="")


# Answers of the look-ups below, while one is set (`remembering()`): a bulk writer (the importer)
# builds hundreds of entries at one time, about the same few incidents and sources.
_memo: contextvars.ContextVar[dict | None] = contextvars.ContextVar("change_memo", default=None)


class remembering:
    """`with remembering(known):` memoises the recorder's look-ups inside the block, starting
    from what the caller already knows ({(function name, *arguments): answer})."""

    def __init__(self, known: dict | None = None):
        self.known = dict(known or {})

    def __enter__(self):
        self.token = _memo.set(self.known)
        return self.known

    def __exit__(self, *exc):
        _memo.reset(self.token)


def memoised(function):
    def wrapper(*args):
        memo = _memo.get()
        if memo is None:
            return function(*args)
        key = (function.__name__, *args)
        if key not in memo:
            memo[key] = function(*args)
        return memo[key]

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


def on_history_record(sender, history_instance, **kwargs):
    model = history_instance.instance_type
    if model._meta.app_label not in CURATED_APPS:
        return
    prev = history_instance.prev_record if history_instance.history_type == "~" else None
    entry = build(history_instance, prev)
    if entry is not None:
        entry.save()


def on_pre_delete(sender, instance, **kwargs):
    """Give rows deleted in cascade the reason of the deletion that removes them."""
    reason = deletion_reason.get()
    if (
        reason
        and sender._meta.app_label in CURATED_APPS
        and not getattr(instance, "_change_reason", "")
    ):
        instance._change_reason = reason


def rebuild() -> int:
    """Regenerate the whole log from the history tables; returns the number of entries.

    An entry that already exists keeps its id (feeds and researchers refer to it); new entries
    are added in time order, so that on a fresh log later changes have larger ids."""
    entries = []
    for model in curated_models():
        previous = {}
        rows = model.history.order_by("history_date", "history_id")
        for row in rows.iterator(chunk_size=2000):
            key = getattr(row, model._meta.pk.attname)
            prev = previous.get(key) if row.history_type == "~" else None
            entry = build(row, prev)
            if entry is not None:
                entries.append(entry)
            previous[key] = row
    entries.sort(key=lambda e: (e.at, e.model, e.history_id))
    existing = {
        (model, history_id): pk
        for pk, model, history_id in Change.objects.values_list("pk", "model", "history_id")
    }
    kept, fresh = [], []
    for entry in entries:
        entry.pk = existing.pop((entry.model, entry.history_id), None)
        (kept if entry.pk else fresh).append(entry)
    stale = list(existing.values())
    for start in range(0, len(stale), 500):
        Change.objects.filter(pk__in=stale[start : start + 500]).delete()
    columns = [f.name for f in Change._meta.concrete_fields if not f.primary_key]
    Change.objects.bulk_update(kept, columns, batch_size=500)
    Change.objects.bulk_create(fresh, batch_size=500)
    return len(entries)


def build(row, prev) -> Change | None:
    """The log entry for one history row, or None for a save that changed nothing."""
    values = entry_values(row, prev)
    return Change(**values) if values is not None else None


def entry_values(row, prev) -> dict | None:
    """build()'s entry as its fields' values (a bulk writer inserts them without an instance)."""
    model = row.instance_type
    opts = model._meta
    at = row.history_date
    fields = []
    if row.history_type == "+":
        action = Action.ADDED
    elif row.history_type == "-":
        action = Action.DELETED
    else:
        fields = differences(model, prev, row, at) if prev is not None else []
        if not fields:
            return None
        action = status_action(opts.label_lower, fields)
    incident_id = owning_incident_id(opts.label_lower, row, at)
    if opts.label_lower in PUBLISHABLE:
        code = row.code if opts.label_lower == "claims.incident" else ""
        # Its publication and its withdrawal are public; changes while a draft are not.
        public = row.status == "published" or action == Action.UNPUBLISHED
    elif incident_id is not None:
        code, public = incident_state(incident_id, at)
    else:
        code, public = "", hanging_public_at(opts.label_lower, row, at)
    if not public and prev is not None and opts.label_lower == "claims.claim":
        # A claim moved off a published incident: the public must learn that it left.
        left = prev.incident_id if prev.incident_id != row.incident_id else None
        if left and published_at(left, at):
            # For the public the claim is withdrawn: remove it from your copy.
            public, incident_id, action = True, left, Action.UNPUBLISHED
            code = incident_code(left)
    return {
        "at": at,
        "action": action,
        "model": opts.label_lower,
        "record_type": str(opts.verbose_name),
        "record_id": getattr(row, opts.pk.attname),
        "label": label(row)[:500],
        "page": page(opts.label_lower, row, code),
        "incident_code": code,
        "fields": fields,
        "reason": row.history_change_reason or "",
        "user_id": row.history_user_id,
        "public": public,
        "history_id": row.history_id,
    }


@functools.cache
def tracked_fields(model):
    """The fields whose changes the log reports: those the history keeps (not the derived ones,
    claims.derived), bookkeeping aside. (Fixed per model: computed once.)"""
    kept = {f.name for f in model.history.model._meta.concrete_fields}
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in IGNORED_FIELDS and f.name in kept
    ]


def differences(model, old, new, at=None) -> list[dict]:
    """The fields that differ between two history rows, with their values as text as of `at`."""
    changes = []
    for field in tracked_fields(model):
        before, after = getattr(old, field.attname), getattr(new, field.attname)
        if before == after:
            continue
        changes.append(
            {
                "field": field.name,
                "label": str(field.verbose_name),
                "old": as_text(field, before, at),
                "new": as_text(field, after, at),
            }
        )
    return changes


def as_text(field, value, at=None) -> str:
    if value is None or value == "":
        return ""
    # Never name a draft: the entry may be public (a claim moved off a draft).
    related = field.related_model._meta.label_lower if field.related_model else ""
    if related == "claims.incident":
        # By its code, which never changes (its title might, and a rebuild would show the new
        # one), and never a draft's.
        return (
            f"incident {incident_code(value)}"
            if published_at(value, at)
            else ("an unpublished incident")
        )
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value} (deleted)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def status_action(label_lower: str, fields: list[dict]) -> str:
    by_field = {item["field"]: item for item in fields}
    if label_lower in PUBLISHABLE and "status" in by_field:
        return Action.PUBLISHED if by_field["status"]["new"] == "published" else Action.UNPUBLISHED
    if label_lower == "claims.claim" and "status" in by_field:
        new = by_field["status"]["new"]
        if new.startswith("superseded"):
            return Action.SUPERSEDED
        if new == "retracted":
            return Action.RETRACTED
    return Action.CHANGED


def label(row) -> str:
    """The record as a reader would name it; a citation names its source and what it supports."""
    opts = row.instance_type._meta
    if opts.label_lower == "claims.claim":
        return f"#{row.id}: {claim_label(row)}"
    try:
        memo = _memo.get() or {}
        known = memo.get(("instance_text", opts.label_lower, getattr(row, opts.pk.attname)))
        if known is not None:
            text = known  # the writer knows the record it just saved
        elif opts.model_name.endswith("citation"):
            text = source_text(row.source_id)  # a citation reads as its source
        else:
            text = str(row.instance)
    except ObjectDoesNotExist:
        text = f"{opts.verbose_name} #{getattr(row, opts.pk.attname)}"
    if opts.model_name.endswith("citation"):
        parent = opts.model_name.removesuffix("citation")
        text = f"{text}, cited for {parent} #{getattr(row, f'{parent}_id')}"
    return text


@memoised
def source_text(source_id) -> str:
    Source = apps.get_model("sources", "Source")
    return str(Source.objects.get(pk=source_id))


@memoised
def actor_text(model, pk) -> str | None:
    actor = model._default_manager.filter(pk=pk).first()
    return str(actor) if actor is not None else None


def claim_label(row) -> str:
    """A claim as '<kind> by <claimant>', without its incident (which may be a draft)."""
    Group, Brand = apps.get_model("groups", "Group"), apps.get_model("groups", "Brand")
    group = actor_text(Group, row.group_id) if row.group_id else None
    brand = actor_text(Brand, row.brand_id) if row.brand_id else None
    claimant = " under ".join(actor for actor in (group, brand) if actor) or "unknown"
    kinds = dict(row.instance_type._meta.get_field("kind").flatchoices)
    return f"{kinds.get(row.kind, row.kind)} by {claimant}"


def owning_incident_id(label_lower: str, row, at) -> int | None:
    if label_lower == "claims.incident":
        return row.id
    if label_lower in ("claims.claim", "claims.incidentcitation"):
        return row.incident_id
    if label_lower == "claims.claimcitation":
        return claim_incident_id(row.claim_id, at)
    return None


@memoised
def claim_incident_id(claim_id, at) -> int | None:
    """The incident the claim belonged to at that time (claims can be moved)."""
    Claim = apps.get_model("claims", "Claim")
    found = (
        Claim.history.filter(id=claim_id, history_date__lte=at)
        .order_by("-history_date", "-history_id")
        .values_list("incident_id", flat=True)
        .first()
    )
    if found is None:
        found = Claim.objects.filter(pk=claim_id).values_list("incident_id", flat=True).first()
    return found


@memoised
def incident_code(incident_id) -> str:
    Incident = apps.get_model("claims", "Incident")
    code = Incident.objects.filter(pk=incident_id).values_list("code", flat=True).first()
    if code is None:
        code = (
            Incident.history.filter(id=incident_id)
            .order_by("-history_date")
            .values_list("code", flat=True)
            .first()
        )
    return code or ""


@memoised
def incident_state(incident_id, at) -> tuple[str, bool]:
    """The incident's code, and whether it was published at that time: changes to a draft
    incident, its claims and citations are for staff; the public sees every change while it is
    published (its publication and unpublishing are the incident's own entries)."""
    Incident = apps.get_model("claims", "Incident")
    state = (
        Incident.history.filter(id=incident_id, history_date__lte=at)
        .order_by("-history_date", "-history_id")
        .values_list("code", "status")
        .first()
    )
    if state is None:
        state = Incident.objects.filter(pk=incident_id).values_list("code", "status").first()
    if state is None:
        return incident_code(incident_id), False
    return state[0], state[1] == "published"


@memoised
def published_at(incident_id, at=None, label="claims.incident") -> bool:
    """Was the incident (or another record with a publication status) published at that time
    (now, if no time is given)?"""
    model = apps.get_model(label)
    rows = model.history.filter(id=incident_id)
    if at is not None:
        rows = rows.filter(history_date__lte=at)
    status = rows.order_by("-history_date", "-history_id").values_list("status", flat=True).first()
    if status is None:
        status = model.objects.filter(pk=incident_id).values_list("status", flat=True).first()
    return status == "published"


# Records with a publication status of their own (kb.visibility.Publishable).
PUBLISHABLE = {"claims.incident", "claims.location", "groups.group", "groups.brand"}
PUBLISHABLE |= {"sources.source"}

# What hangs on those records, and the ends whose publication makes it public: (field, model).
HANGING = {
    "groups.alias": [[("group_id", "groups.group"), ("brand_id", "groups.brand")]],
    "groups.channel": [
        [("operated_by_group_id", "groups.group"), ("operated_by_brand_id", "groups.brand")]
    ],
    "groups.affiliation": [[("group_id", "groups.group")], [("brand_id", "groups.brand")]],
    "groups.relation": [
        [("subject_id", "groups.group")],
        [("object_group_id", "groups.group"), ("object_brand_id", "groups.brand")],
    ],
}


def hanging_public_at(label_lower: str, row, at) -> bool:
    """Is a record without a publication status of its own public at that time? An alias with
    its owner, a channel with its operators, an affiliation or relation with both ends, a
    citation with its source and its record (kb.visibility). Each inner list is one end: every
    record set in it must be published."""
    if label_lower.endswith("citation"):
        parent = label_lower.removesuffix("citation")  # groups.groupcitation: groups.group
        if not published_at(row.source_id, at, "sources.source"):
            return False
        parent_id = getattr(row, f"{parent.split('.')[1]}_id")
        if parent in PUBLISHABLE:
            return published_at(parent_id, at, parent)
        parent_row = latest_row(parent, parent_id, at)
        return parent_row is not None and hanging_public_at(parent, parent_row, at)
    for end in HANGING.get(label_lower, []):
        for field, model in end:
            pk = getattr(row, field)
            if pk is not None and not published_at(pk, at, model):
                return False
    return True


def latest_row(label: str, pk, at):
    """The record as it stood at that time: its latest history row then."""
    model = apps.get_model(label)
    rows = model.history.filter(id=pk, history_date__lte=at)
    return rows.order_by("-history_date", "-history_id").first()


def page(label_lower: str, row, code: str) -> str:
    """The public page that shows the record (or its parent), as a path."""
    try:
        if code:
            url = incident_path(code)
            return f"{url}#claim-{row.id}" if label_lower == "claims.claim" else url
        return parent_page(label_lower, row)
    except ObjectDoesNotExist:
        return ""


@memoised
def incident_path(code: str) -> str:
    return path(route="incident-detail", key=code)


# Keys each route's converter takes, which reverse() leaves as they are (a slug, an id): a bulk
# writer names thousands of pages.
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
KEYS = {"source-detail": re.compile(r"[0-9]+")}


def path(route: str, key) -> str:
    """reverse(route, args=[key]), from the route's path computed once when the key is plain."""
    key = str(key)
    if not KEYS.get(route, SLUG).fullmatch(key):
        return reverse(route, args=[key])
    start, end = around(route, get_script_prefix())
    return f"{start}{key}{end}"


@functools.cache
def around(route: str, prefix: str) -> tuple[str, str]:
    """The route's path before and after its one argument (for a script prefix)."""
    start, end = reverse(route, args=["0"]).rsplit("/0/", 1)
    return f"{start}/", f"/{end}"


@memoised
def slug_page(model_name: str, route: str, pk) -> str:
    if pk is None:
        return ""
    model = apps.get_model("groups" if model_name != "location" else "claims", model_name)
    slug = model._default_manager.filter(pk=pk).values_list("slug", flat=True).first()
    return path(route, slug) if slug else ""


def group_or_brand(group_id, brand_id) -> str:
    if group_id:
        return slug_page("group", "group-detail", group_id)
    return slug_page("brand", "brand-detail", brand_id)


def parent_page(label_lower: str, row) -> str:
    match label_lower:
        case "sources.source":
            return path("source-detail", row.id)
        case "groups.group" | "groups.brand" | "claims.location":
            route = {"groups.group": "group-detail", "groups.brand": "brand-detail"}.get(
                label_lower, "location-detail"
            )
            return path(route, row.slug)
        case "groups.alias":
            return group_or_brand(row.group_id, row.brand_id)
        case "groups.groupcitation":
            return group_or_brand(row.group_id, None)
        case "groups.brandcitation":
            return group_or_brand(None, row.brand_id)
        case "groups.affiliation":
            return group_or_brand(row.group_id, None)
        case "groups.relation":
            return group_or_brand(row.subject_id, None)
        case "groups.channel":
            return group_or_brand(row.operated_by_group_id, row.operated_by_brand_id)
        case "claims.locationcitation":
            return slug_page("location", "location-detail", row.location_id)
        case "groups.affiliationcitation" | "groups.relationcitation" | "groups.channelcitation":
            parent_name = label_lower.removeprefix("groups.").removesuffix("citation")
            parent_model = apps.get_model("groups", parent_name)
            parent = parent_model._default_manager.filter(
                pk=getattr(row, f"{parent_name}_id")
            ).first()
            if parent is None:
                return ""
            return parent_page(f"groups.{parent_name}", parent)
    return ""
