"""A file cannot break the numbering of sources and claims: the importer keeps a new record's
explicit source_id or claim_id and then moves the table's sequence past it, so one huge id
(9223372036854775807) used to exhaust the sequence, after which every source added in the admin
was a 500. A new record's id must now be a whole number >= 1 and at most 1,000,000 above the
largest id in use or given to a new row of the file with a smaller id (the file's new ids in
ascending order, whatever the row order); an existing id updates its record as before."""

import pytest
from django.db.models import Max
from django.urls import reverse

from claims.models import Claim, Incident
from exchange.importer import MAX_ID_JUMP, import_file
from groups.models import Group
from sources.models import Source
from tests.test_admin import form_errors, resubmit
from tests.test_import import (
    database_state,
    delete_curated_records,
    failing_command,
    history_counts,
    run_command,
    to_csv,
    write,
)

pytestmark = pytest.mark.django_db

HUGE = 9223372036854775807  # the largest 64-bit integer: the sequence's maximum
SOURCE_COLUMNS = ["source_id", "title", "kind"]


def largest(model) -> int:
    return model.objects.aggregate(largest=Max("pk"))["largest"] or 0


def sources_file(tmp_path, *ids):
    rows = [{"source_id": str(i), "title": f"Imported source {i}", "kind": "news"} for i in ids]
    return write(tmp_path, "sources.csv", to_csv(SOURCE_COLUMNS, rows))


def too_far(key, id_, in_use, name):
    return (
        f"{key} {id_} is too far above the ids in use ({in_use}): a new record's id may be at "
        f"most 1,000,000 above the largest id in use or earlier in the file. Leave {key} empty "
        f"to let the database number a new {name}."
    )


def claim_row(claim_id=""):
    """A valid new claim: a group's claim of responsibility for a seed incident, citing a source."""
    incident = Incident.objects.get(code="2024-01-28-tower-22-drone")
    return {
        "claim_id": str(claim_id),
        "incident_code": incident.code,
        "kind": "responsibility",
        "group": "kataib-hezbollah",
        "status": "current",
        "source_ids": str(Source.objects.order_by("pk").first().pk),
    }


def test_the_limit_is_a_million():
    assert MAX_ID_JUMP == 1_000_000


# --- Refused ------------------------------------------------------------------------------------


def test_a_huge_source_id_is_refused_naming_row_and_column_and_nothing_is_imported(tmp_path):
    top = largest(Source)
    rows = [
        {"source_id": "", "title": "A valid new source", "kind": "news"},
        {"source_id": str(HUGE), "title": "The huge one", "kind": "news"},
    ]
    path = write(tmp_path, "sources.csv", to_csv(SOURCE_COLUMNS, rows))
    history, state = history_counts(), database_state()
    message, err = failing_command("sources", str(path))
    assert "1 error(s); nothing was imported" in message
    expected = too_far("source_id", HUGE, f"largest: {top}", "source")
    assert f"{path}: line 3, column source_id: {expected}" in err
    assert (history_counts(), database_state()) == (history, state)
    assert largest(Source) == top


def test_a_huge_claim_id_is_refused_and_nothing_is_imported(tmp_path):
    top = largest(Claim)
    path = write(tmp_path, "claims.csv", to_csv(list(claim_row()), [claim_row(HUGE)]))
    state = database_state()
    result = import_file("claims", path)
    assert result.errors == [
        (2, "claim_id", too_far("claim_id", HUGE, f"largest: {top}", "claim")),
    ]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert database_state() == state


def test_an_id_beyond_the_databases_integers_is_refused_not_a_crash(tmp_path):
    result = import_file("sources", sources_file(tmp_path, 10**30))
    assert [(row, column) for row, column, _ in result.errors] == [(2, "source_id")]


def test_a_new_record_id_of_zero_is_refused(tmp_path):
    result = import_file("sources", sources_file(tmp_path, 0))
    assert result.errors == [(2, "source_id", "'0' is not a whole number >= 1")]


# --- The limit ----------------------------------------------------------------------------------


def test_an_id_exactly_a_million_above_the_largest_is_accepted(tmp_path):
    top = largest(Source)
    result = import_file("sources", sources_file(tmp_path, top + 1_000_000))
    assert result.errors == []
    assert result.created == 1
    assert Source.objects.filter(pk=top + 1_000_000).exists()


def test_one_more_is_refused(tmp_path):
    top = largest(Source)
    result = import_file("sources", sources_file(tmp_path, top + 1_000_001))
    assert result.errors == [
        (2, "source_id", too_far("source_id", top + 1_000_001, f"largest: {top}", "source")),
    ]


def test_existing_ids_and_free_ids_below_the_largest_are_not_limited(tmp_path):
    """An id in use updates its record; a free id below the largest fills the gap."""
    top = largest(Source)
    assert import_file("sources", sources_file(tmp_path, top + 1_000_000)).created == 1
    rows = [
        {"source_id": "87", "title": "Renamed", "kind": "news"},
        {"source_id": str(top + 500), "title": "In the gap", "kind": "news"},
    ]
    result = import_file("sources", write(tmp_path, "more.csv", to_csv(SOURCE_COLUMNS, rows)))
    assert result.errors == []
    assert (result.created, result.updated) == (1, 1)
    assert Source.objects.get(pk=87).title == "Renamed"
    assert Source.objects.get(pk=top + 500).title == "In the gap"


# --- The file's ids in ascending order ------------------------------------------------------------


def test_in_an_empty_table_ids_may_climb_a_million_at_a_time_in_any_row_order(tmp_path):
    delete_curated_records()
    result = import_file("sources", sources_file(tmp_path, 1_700_000, 5, 900_000, 1))
    assert result.errors == []
    assert sorted(Source.objects.values_list("pk", flat=True)) == [1, 5, 900_000, 1_700_000]


def test_in_an_empty_table_a_first_id_above_a_million_is_refused(tmp_path):
    delete_curated_records()
    result = import_file("sources", sources_file(tmp_path, 3_000_000))
    assert result.errors == [
        (2, "source_id", too_far("source_id", 3_000_000, "none yet", "source")),
    ]
    assert not Source.objects.exists()


def test_an_id_is_measured_from_the_largest_smaller_new_id_of_the_file(tmp_path):
    top = largest(Source)
    first, second, third = top + 900_000, top + 1_800_000, top + 2_800_001
    result = import_file("sources", sources_file(tmp_path, third, second, first))
    # Rows 2, 3, 4 hold third, second, first: second builds on first, third is too far.
    assert result.errors == [
        (2, "source_id", too_far("source_id", third, f"largest: {second}, in line 3", "source")),
    ]
    assert not Source.objects.filter(pk__gt=top).exists()


def test_a_refused_id_does_not_raise_the_limit_for_larger_ones(tmp_path):
    top = largest(Source)
    result = import_file("sources", sources_file(tmp_path, top + 3_000_000, top + 3_500_000))
    assert [row for row, _, _ in result.errors] == [2, 3]
    assert f"(largest: {top})" in result.errors[1][2]


def test_the_command_reports_every_refused_row(tmp_path):
    top = largest(Source)
    path = sources_file(tmp_path, top + 1, HUGE, top + 5_000_000)
    message, err = failing_command("sources", str(path))
    assert "2 error(s); nothing was imported" in message
    assert f"line 3, column source_id: source_id {HUGE} is too far above" in err
    assert f"line 4, column source_id: source_id {top + 5_000_000} is too far above" in err


# --- After the largest import allowed, the admin still adds records -----------------------------


def test_after_importing_the_largest_ids_allowed_the_admin_adds_a_source_and_a_claim(tmp_path, pub):
    """On SQLite and PostgreSQL alike: the sequence continues after the imported ids. (A
    publisher: the new source is a draft, which only a publisher may cite on a published
    incident, publishing it.)"""
    editor_client = pub
    source_id = largest(Source) + 1_000_000
    out, _ = run_command("sources", str(sources_file(tmp_path, source_id)))
    assert "sources: 1 created" in out
    claim_id = largest(Claim) + 1_000_000
    path = write(tmp_path, "claims.csv", to_csv(list(claim_row()), [claim_row(claim_id)]))
    out, _ = run_command("claims", str(path))
    assert "claims: 1 created" in out

    url = reverse("admin:sources_source_add")
    data = resubmit(
        editor_client.get(url), title="Entered in the admin", change_reason="typed in by hand"
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    source = Source.objects.get(title="Entered in the admin")
    assert source.pk == source_id + 1
    assert source.history.latest().history_change_reason == "typed in by hand"

    url = reverse("admin:claims_claim_add")
    data = resubmit(
        editor_client.get(url),
        incident=Incident.objects.get(code="2024-01-28-tower-22-drone").pk,
        group=Group.objects.get(slug="kataib-hezbollah").pk,
        change_reason="typed in by hand",
        **{
            "citations-TOTAL_FORMS": "1",
            "citations-0-source": source.pk,
            "citations-0-credibility": "2",
        },
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    claim = Claim.objects.get(citations__source=source)
    assert claim.pk == claim_id + 1
    assert claim.history.latest().history_change_reason == "typed in by hand"


def test_a_refused_file_leaves_the_numbering_where_it_was(tmp_path):
    """Its valid rows are rolled back, and so must be the sequence: PostgreSQL does not undo a
    sequence moved inside a transaction that is rolled back."""
    before = Source.objects.create(title="Entered before").pk
    result = import_file("sources", sources_file(tmp_path, before + 1_000_000, HUGE))
    assert [row for row, _, _ in result.errors] == [3]
    assert Source.objects.create(title="Entered after").pk == before + 1
