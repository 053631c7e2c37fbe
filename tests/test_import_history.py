"""What an import writes besides the records: their history rows (django-simple-history) and the
change-log entries (changes app), field by field, for a sequence of imports that creates, updates,
re-cites, publishes in cascade and unpublishes nothing twice: sources, a draft location, incidents
(new, changed, re-cited, published by a second file), claims, a group, a citation's quote.

The expected rows (tests/snapshots/import_history.json) were written by the importer as it was
before its bulk writer was made faster (commit 2a37a7f), with `manage.py shell -c
"from tests.test_import_history import write_snapshot; write_snapshot()"` on a database that
holds the seed; the test proves that the
faster writer writes exactly the same rows: same fields, values, user, reason, history type,
order, and the same timestamps (each import's rows share theirs; a publication in cascade has its
own). What differs from run to run is replaced by a stable name: ids of new records by the
record's key, timestamps by their rank among the import's, the user by its username."""

import datetime
import io
import json
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from changes.models import Change
from claims.models import Incident
from exchange.importer import import_file
from kb.roles import CURATED_APPS

pytestmark = pytest.mark.django_db

SNAPSHOT = Path(__file__).parent / "snapshots" / "import_history.json"
TOWER_22 = "2024-01-28-tower-22-drone"

SOURCES = """\
source_id,title,url,publisher,kind,published,published_precision,status
900,Snapshot source one,https://example.org/snapshot-1,Example Desk,news,2024-03-01,day,published
901,Snapshot source two,https://example.org/snapshot-2,Example Desk,news,2024-03-02,day,draft
"""
SOURCE_TITLE = "source_id,title\r\n1,Iran-Backed Militias Attack U.S. Forces in Iraq (retitled)\r\n"
LOCATIONS = """\
slug,name,kind,country,status
snapshot-site,Snapshot site,military_base,IQ,draft
"""
INCIDENTS = """\
code,title,date,date_precision,country,location,status,summary,killed_low,killed_high,source_ids
snapshot-a,Snapshot incident A,2024-03-05,day,IQ,snapshot-site,published,A new incident,1,2,901
snapshot-b,Snapshot incident B,2024-03-06,week,IQ,,draft,A draft,,,
snapshot-c,Snapshot incident C,2024-03-01,month,SY,al-tanf-garrison,published,Another,0,0,87 | 140
"""
INCIDENTS_AGAIN = """\
code,title,date,date_precision,country,location,status,summary,killed_low,killed_high,source_ids
snapshot-b,Snapshot incident B (published),2024-03-06,week,IQ,snapshot-site,published,Now out,,,87
"""
CLAIMS = """\
claim_id,incident_code,kind,group,status,note,source_ids
900,snapshot-a,responsibility,kataib-hezbollah,current,Snapshot claim,87
"""
# A partial row: claim 6 keeps everything but its note.
CLAIM_NOTE = "claim_id,note\r\n6,Snapshot note on claim 6\r\n"
GROUPS = """\
slug,description
kataib-hezbollah,Snapshot description
"""
CITATIONS = """\
incident_code,source_id,quote,locator
snapshot-c,87,Snapshot quote,p. 2
"""


def history_models():
    return sorted(
        (
            model
            for model in apps.get_models()
            if model._meta.app_label in CURATED_APPS and model.__name__.startswith("Historical")
        ),
        key=lambda model: model._meta.label,
    )


def marks() -> dict:
    """The largest id of every curated table, history table and the change log, before."""
    found = {}
    for model in apps.get_models():
        if model._meta.app_label in CURATED_APPS or model is Change:
            pk = model._meta.pk.attname
            found[model._meta.label] = (
                model._default_manager.order_by(f"-{pk}").values_list(pk, flat=True).first() or 0
            )
    return found


def tower_22_file() -> str:
    """Tower 22 retitled, citing its sources but the first, and source 900."""
    incident = Incident.objects.get(code=TOWER_22)
    ids = [*sorted(incident.citations.values_list("source_id", flat=True))[1:], 900]
    return (
        "code,title,source_ids\r\n"
        f"{TOWER_22},Tower 22 (snapshot title),{' | '.join(map(str, ids))}\r\n"
    )


def run_imports(user) -> None:
    files = [
        ("sources", SOURCES),
        ("sources", SOURCE_TITLE),
        ("locations", LOCATIONS),
        ("incidents", INCIDENTS),
        ("incidents", tower_22_file()),
        ("incidents", INCIDENTS_AGAIN),
        ("claims", CLAIM_NOTE),
        ("claims", CLAIMS),
        ("groups", GROUPS),
        ("incident_citations", CITATIONS),
    ]
    for number, (table, text) in enumerate(files):
        result = import_file(table, io.BytesIO(text.encode()), f"snapshot {number}", user=user)
        assert result.error_count == 0, result.errors


def capture(before: dict, started, user) -> list:
    """The history rows and change-log entries written since `before`, normalised."""
    new_ids = {}  # (model label, pk) -> the record's stable name
    for model in apps.get_models():
        if model._meta.app_label not in CURATED_APPS or model.__name__.startswith("Historical"):
            continue
        label = model._meta.label
        for obj in model._default_manager.filter(pk__gt=before[label]).order_by("pk"):
            new_ids[(label, obj.pk)] = f"new {label} {name_of(obj)}"
    stamps = set()
    history = []
    for model in history_models():
        rows = model.objects.filter(history_id__gt=before[model._meta.label])
        history += [(model, row) for row in rows.order_by("history_id")]
        stamps |= {row.history_date for row in rows}
    rank = {stamp: n for n, stamp in enumerate(sorted(stamps))}

    def normal(field, value):
        if isinstance(value, datetime.datetime):
            if value in rank:
                return f"import time {rank[value]}"
            return "during the test" if value >= started else "before the test"
        related = getattr(field, "related_model", None)
        if related is not None and value is not None:
            if related is get_user_model():
                return "the importing user" if value == user.pk else value
            return new_ids.get((related._meta.label, value), value)
        if isinstance(value, (datetime.date, datetime.time, Decimal)):
            return str(value)
        return value

    def text(value: str) -> str:
        # A citation's label names its record by id: a new record's id varies from run to run.
        def name(match):
            kind, pk = match.group(1), int(match.group(2))
            labels = [label for label, _pk in new_ids if label.lower().endswith(f".{kind}")]
            for label in labels:
                if (label, pk) in new_ids:
                    return f"cited for {kind} {new_ids[(label, pk)]}"
            return match.group(0)

        return re.sub(r"cited for (\w+) #(\d+)", name, value)

    history_names = {}
    out = []
    for n, (model, row) in enumerate(history):
        record = model.instance_type._meta.label
        history_names[(model.instance_type._meta.label_lower, row.history_id)] = n
        fields = {}
        for field in model._meta.concrete_fields:
            if field.attname == "history_id":
                continue
            value = getattr(row, field.attname)
            if field.attname == model.instance_type._meta.pk.attname:
                value = new_ids.get((record, value), value)
            elif field.attname == "history_user_id":
                value = "the importing user" if value == user.pk else value
            else:
                value = normal(field, value)
            fields[field.attname] = value
        out.append({"history": model._meta.label, "row": n, "fields": fields})
    for entry in Change.objects.filter(pk__gt=before[Change._meta.label]).order_by("pk"):
        model_label = apps.get_model(entry.model)._meta.label
        out.append(
            {
                "change": n_or(history_names, entry),
                "at": normal(None, entry.at),
                "action": entry.action,
                "model": entry.model,
                "record_type": entry.record_type,
                "record_id": new_ids.get((model_label, entry.record_id), entry.record_id),
                "label": text(entry.label),
                "page": entry.page,
                "incident_code": entry.incident_code,
                "fields": json.loads(text(json.dumps(entry.fields))),
                "reason": entry.reason,
                "user": "the importing user" if entry.user_id == user.pk else entry.user_id,
                "public": entry.public,
            }
        )
    return out


def n_or(history_names: dict, entry) -> object:
    """The captured history row the entry names (by its place in the list)."""
    return history_names.get((entry.model, entry.history_id), f"history {entry.history_id}")


def name_of(obj) -> str:
    """A record's key, which is the same in every run (new records' ids are not)."""
    opts = obj._meta
    for attr in ("code", "slug"):
        if hasattr(obj, attr):
            return getattr(obj, attr)
    if opts.model_name.endswith("citation"):
        parent = opts.model_name.removesuffix("citation")
        return f"{name_of(getattr(obj, parent))} cites {obj.source_id}"
    return str(obj.pk)


def written_by_imports() -> list:
    user = get_user_model().objects.create_user("snapshot-importer")
    before, started = marks(), timezone.now()
    run_imports(user)
    return capture(before, started, user)


def test_an_import_writes_exactly_the_history_and_change_log_it_wrote_before():
    expected = json.loads(SNAPSHOT.read_text())
    found = json.loads(json.dumps(written_by_imports(), default=str))
    assert len(found) == len(expected)
    for got, want in zip(found, expected, strict=True):
        assert got == want


def write_snapshot() -> None:
    """Write the expected rows (see the module's docstring), in a transaction rolled back."""
    from django.db import transaction

    with transaction.atomic():
        rows = written_by_imports()
        transaction.set_rollback(True)
    SNAPSHOT.parent.mkdir(exist_ok=True)
    SNAPSHOT.write_text(json.dumps(rows, indent=1, default=str, ensure_ascii=False) + "\n")
    sys.stdout.write(f"{len(rows)} rows written to {SNAPSHOT}\n")
