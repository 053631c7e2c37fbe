"""`manage.py generate_data`: synthetic data that keeps every rule the curated data keeps.

The test database holds the seed data (conftest.py), so the command must refuse it. To test the
generation itself, a module-scoped fixture opens a transaction, deletes every curated row, its
history and the change log with plain SQL (no signals, no history of the deletion), generates 300
incidents and yields a digest of what it wrote; each test then runs in a savepoint inside that
transaction (pytest-django's `db`), and the whole transaction is rolled back after the module, so
the seed is back for the other modules. This works alike on SQLite and PostgreSQL, without
`transaction=True` tests (which would flush the seed for everyone after them).
"""

import contextlib
import hashlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count, Q

from changes.models import Change
from claims import derived
from claims.models import Claim, ClaimCitation, Incident, IncidentCitation, Location
from groups.models import Affiliation, Alias, Brand, Channel, Group, Relation
from kb.roles import curated_models
from kb.synthetic.loader import Loader
from sources.models import Source

N, SEED = 300, 7
SYNTHETIC = "[synthetic]"


def written_models() -> list:
    history = [model.history.model for model in curated_models() if hasattr(model, "history")]
    return [*curated_models(), *history, Change]


def empty_database() -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in reversed(written_models()):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")


def digest() -> str:
    """A fingerprint of every row the command writes, in primary-key order."""
    sha = hashlib.sha256()
    for model in written_models():
        columns = [f.attname for f in model._meta.concrete_fields]
        for row in model._default_manager.order_by("pk").values_list(*columns):
            sha.update(repr(row).encode())
    return sha.hexdigest()


def generate(seed: int = SEED) -> None:
    call_command("generate_data", incidents=N, seed=seed, verbosity=0)


@contextlib.contextmanager
def sequences_kept():
    """PostgreSQL's sequences as they were: the generator sets them past the rows it wrote, and
    setval() is not undone by a rollback, so the seed's next rows would reuse its ids."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname, sequencename FROM pg_sequences")
        names = [
            f"{connection.ops.quote_name(a)}.{connection.ops.quote_name(b)}" for a, b in cursor
        ]
        kept = {}
        for name in names:
            cursor.execute(f"SELECT last_value, is_called FROM {name}")
            kept[name] = cursor.fetchone()
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, (value, called) in kept.items():
                cursor.execute("SELECT setval(%s, %s, %s)", [name, value, called])


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), sequences_kept(), transaction.atomic():
        empty_database()
        generate()
        yield digest()
        transaction.set_rollback(True)


def test_refuses_a_database_that_holds_records(db):
    with pytest.raises(CommandError) as refused:
        call_command("generate_data", incidents=10, verbosity=0)
    message = str(refused.value)
    assert "already holds 46 incidents" in message
    assert "never mixed with real ones" in message
    assert Source.objects.filter(url__startswith="https://synthetic.invalid/").count() == 0


def test_after_a_rolled_back_generation_new_records_get_free_ids(db):
    # What the module's fixture relies on (and a browser test once tripped over on PostgreSQL).
    with sequences_kept(), transaction.atomic():
        empty_database()
        call_command("generate_data", incidents=20, seed=SEED, verbosity=0)
        transaction.set_rollback(True)
    assert Source.objects.count() == 157  # the seed's, back
    source = Source.objects.create(title="Entered after a generation", url="")
    assert source.pk > Source.objects.exclude(pk=source.pk).order_by("-pk").first().pk


def test_columns_the_generator_does_not_set_get_their_defaults():
    # How a column added later (a derived one, say) is filled: with its field's default.
    columns, defaults = Loader(connection).columns(Relation, ["id", "subject_id", "kind"])
    assert columns[:3] == ["id", "subject_id", "kind"]
    assert dict(zip(columns[3:], defaults, strict=True))["end_precision"] == ""
    assert dict(zip(columns[3:], defaults, strict=True))["note"] == ""


def test_the_query_planner_has_statistics_for_what_was_generated(generated, db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'claims_claim'")
        else:
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'claims_claim'")
        assert cursor.fetchone()[0] > 0


def test_every_constraint_holds(generated, db):
    connection.check_constraints()  # foreign keys, deferred until commit otherwise
    for model in curated_models():
        rows = model._default_manager.order_by("pk")
        total = rows.count()
        assert total, model
        step = max(1, total // 15)
        for record in rows[::step]:
            record.full_clean()


def test_counts_are_in_the_promised_ranges(generated, db):
    assert Incident.objects.count() == N
    assert 1.8 * N <= Claim.objects.count() <= 2.2 * N
    assert Location.objects.count() == 60
    assert Group.objects.count() == 15
    assert Group.objects.filter(kind="state").count() == 3
    assert Group.objects.filter(kind="facade_group").count() == 2
    assert Brand.objects.count() == 3
    assert Source.objects.count() == 150
    assert 0 < Incident.objects.drafts().count() <= 0.05 * N
    assert Affiliation.objects.exists() and Relation.objects.exists() and Channel.objects.exists()
    for owner in (Group, Brand):
        aliases = owner.objects.annotate(n=Count("aliases")).values_list("n", flat=True)
        assert set(aliases) <= {1, 2, 3, 4}
    assert Alias.objects.filter(script="Arab").exists()
    for model, record in ((IncidentCitation, "incident"), (ClaimCitation, "claim")):
        per_record = (
            model.objects.values(record).annotate(n=Count("id")).values_list("n", flat=True)
        )
        assert len(per_record) == model._meta.get_field(record).related_model.objects.count()
        assert set(per_record) <= {1, 2, 3}
    assert Incident.objects.filter(summary__contains="pipeline").count() <= 0.03 * N
    assert set(Incident.objects.values_list("date_precision", flat=True)) >= {"day", "month"}
    assert Incident.objects.filter(killed_low__isnull=True, killed_high__isnull=True).exists()
    history = (Incident.history.model, Claim.history.model)
    assert sum(model.objects.count() for model in history) == N + Claim.objects.count()
    assert Change.objects.count() == N + Claim.objects.count()


def test_the_same_seed_gives_the_same_data(generated, db):
    empty_database()
    generate()
    assert digest() == generated
    empty_database()
    generate(seed=SEED + 1)
    assert digest() != generated


def test_claim_lineage_is_consistent(generated, db):
    superseded = Claim.objects.filter(status="superseded")
    assert superseded.exists()
    for claim in superseded.select_related("superseded_by"):
        successor = claim.superseded_by
        assert successor.status == "current"
        assert successor.incident_id == claim.incident_id
    corrections = Claim.objects.filter(supersedes__isnull=False)
    assert corrections.count() == superseded.count()
    assert not corrections.exclude(supersedes__status="superseded").exists()
    assert Incident.objects.competing().exists() and Incident.objects.unclaimed().exists()
    attributions = Claim.objects.filter(kind="attribution")
    assert attributions.exists() and Claim.objects.filter(kind="denial").exists()
    assert not attributions.exclude(attributed_by__kind="state").exists()
    assert not attributions.filter(confidence="").exists()


def test_what_a_published_incident_uses_is_published(generated, db):
    draft = "draft"
    incidents = Incident.objects.published()
    claims = Claim.objects.filter(incident__status="published")
    assert not incidents.filter(location__status=draft).exists()
    for actor in ("group", "brand", "attributed_by", "channel__operated_by_group"):
        assert not claims.filter(**{f"{actor}__status": draft}).exists(), actor
    assert not claims.filter(channel__operated_by_brand__status=draft).exists()
    assert not IncidentCitation.objects.filter(
        incident__status="published", source__status=draft
    ).exists()
    assert not ClaimCitation.objects.filter(
        claim__incident__status="published", source__status=draft
    ).exists()
    # Drafts exist, unused by published incidents.
    for model in (Group, Location, Source):
        assert model.objects.drafts().exists(), model


def test_public_pages_answer_on_generated_data(generated, db, client):
    incident = Incident.objects.published().filter(claims__status="superseded").first()
    group = Group.objects.published().filter(claims__incident__status="published").first()
    for url in (
        "/incidents/",
        incident.get_absolute_url(),
        f"{incident.get_absolute_url()}history/",
        group.get_absolute_url(),
        "/changes/",
    ):
        assert client.get(url).status_code == 200, url
    changes = Change.objects.filter(incident_code=incident.code)
    assert changes.count() == 1 + incident.claims.count()
    assert changes.filter(public=True).count() == changes.count()


def test_every_generated_record_is_marked_synthetic(generated, db):
    assert not Source.objects.exclude(
        title__startswith="Synthetic source ", url__startswith="https://synthetic.invalid/"
    ).exists()
    marked = {
        Group: "description",
        Brand: "description",
        Channel: "description",
        Location: "notes",
        Affiliation: "note",
        Relation: "note",
        Incident: "summary",
        Claim: "note",
    }
    for model, field in marked.items():
        assert not model.objects.exclude(**{f"{field}__startswith": SYNTHETIC}).exists(), model
    for model in (Incident.history.model, Claim.history.model):
        assert not model.objects.exclude(history_change_reason="synthetic data").exists()
    assert not Change.objects.exclude(Q(reason="synthetic data") & Q(action="added")).exists()
    # Aliases and citations belong to synthetic records; nothing else is in the tables.
    other = [m for m in curated_models() if m not in marked and m not in (Source, Alias)]
    assert all(m._meta.model_name.endswith("citation") for m in other)
    assert apps.get_model("claims", "Incident") is Incident


def test_the_generated_incidents_derived_fields_and_folded_search_texts_are_right(generated, db):
    # The generator writes around the models and rebuilds the derived fields once, search texts
    # folded in Python included (claims.derived.rebuild).
    assert derived.verify() == []
    assert not Incident.objects.filter(search_text="").exists()
