"""What issue 12 saw the importer do, and what it does now: a round trip of the seed through every
table's export restores the whole database (affiliations, relations, citations with their quotes,
alias kinds); text is never changed silently; a row is refused rather than half-read; a key is
given once per file, and rows without a key are matched by the documented rule (BLANK_KEY), never
duplicated; claim lineages stay consistent; every error is reported once, where it is, without a
traceback; a dry run writes nothing; the change log never shows a server path."""

import ast
import datetime
import re
from collections import Counter
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.urls import reverse

from changes.models import Change
from claims import derived
from claims.models import (
    Claim,
    ClaimCitation,
    Incident,
    IncidentCitation,
    Location,
    LocationCitation,
)
from exchange.importer import (
    BLANK_KEY,
    MAX_ERRORS,
    TABLES,
    id_list,
    import_file,
    import_many,
    rules,
)
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
from sources.models import Source
from tests.test_import import (
    KEYS,
    ORDER,
    TOWER_22,
    database_state,
    delete_curated_records,
    export,
    failing_command,
    history_counts,
    rows_of,
    run_command,
    to_csv,
    write,
)
from tests.test_import_columns import CHANGES, DEFAULT_ROW, as_key, resolve

pytestmark = pytest.mark.django_db

HARIR = "2023-10-18-harir-drone"  # claim 50 supersedes claim 49 (the seed's one lineage)


@pytest.fixture
def staff(client, django_user_model):
    """Staff see drafts, so their exports hold every record."""
    client.force_login(django_user_model.objects.create(username="rules", is_staff=True))
    return client


def one(tmp_path, name: str, header, rows, filename=None):
    """Import rows (dicts) into one table from a file; the Result."""
    path = write(tmp_path, filename or f"{name}.csv", to_csv(header, rows))
    return import_file(name, path)


def exported(client, name: str, **where) -> tuple[list[str], list[dict]]:
    """An export's header and its rows, or only those whose columns have the given values."""
    rows = rows_of(export(client, name))
    picked = [r for r in rows if all(r[c] == v for c, v in where.items())]
    return list(rows[0]), picked


# --- 1. The round trip restores the whole database ------------------------------------------------

# Another record is named by its key (sources and claims by their ids, which the exports carry).
NATURAL = {
    Source: ["id"],
    Group: ["slug"],
    Brand: ["slug"],
    Location: ["slug"],
    Incident: ["code"],
    Claim: ["id"],
    Channel: ["platform", "name"],
    Alias: ["group__slug", "brand__slug", "name"],
    Affiliation: ["group__slug", "brand__slug", "status", "assessed_by"],
    Relation: ["subject__slug", "kind", "object_group__slug", "object_brand__slug"],
}
CITATIONS = [
    IncidentCitation,
    ClaimCitation,
    GroupCitation,
    BrandCitation,
    LocationCitation,
    AffiliationCitation,
    RelationCitation,
    ChannelCitation,
]
WHEN_WRITTEN = {"created", "updated", "search_vector"}  # when a row was written, the search index


def columns_of(model) -> list[str]:
    columns = []
    for model_field in model._meta.concrete_fields:
        if model_field.name in WHEN_WRITTEN:
            continue
        if model_field.primary_key and model not in (Source, Claim):
            continue
        if model_field.is_relation:
            keys = NATURAL[model_field.related_model]
            columns += [f"{model_field.name}__{key}" for key in keys]
        else:
            columns.append(model_field.name)
    return columns


ACTOR = re.compile(r"actor([gb])(\d+)")  # the search index names groups and brands by id


def searchable(text: str) -> tuple:
    """An incident's search text, with its actor tokens (claims.derived) named by slug."""
    slugs = {
        "g": dict(Group.objects.values_list("pk", "slug")),
        "b": dict(Brand.objects.values_list("pk", "slug")),
    }
    actors = sorted(f"actor{m[1]}:{slugs[m[1]][int(m[2])]}" for m in ACTOR.finditer(text))
    return ACTOR.sub("", text).strip(), actors


def curated_database() -> dict[str, list]:
    """Every curated row and citation, every stored field (derived ones included), foreign keys
    by the key of the record they name."""
    state = {}
    for model in [*NATURAL, *CITATIONS]:
        columns = columns_of(model)
        rows = model._default_manager.values_list(*columns)
        if "search_text" in columns:
            at = columns.index("search_text")
            rows = [(*r[:at], searchable(r[at]), *r[at + 1 :]) for r in rows]
        state[model.__name__] = sorted(rows, key=repr)
    return state


def test_the_comparison_covers_every_curated_model():
    from django.apps import apps

    curated = {
        model
        for model in apps.get_models()
        if model._meta.app_label in ("sources", "groups", "claims")
        and not model.__name__.startswith("Historical")
    }
    assert curated == {*NATURAL, *CITATIONS}


def round_trip(staff, tmp_path) -> dict:
    files = {name: export(staff, name) for name in ORDER}
    delete_curated_records()
    sources = [(name, write(tmp_path, f"{name}.csv", files[name])) for name in ORDER]
    results = import_many(sources, reason="Round trip of the seed")
    assert {name: r.errors for name, r in results.items() if r.error_count} == {}
    return results


def test_every_table_exported_and_imported_into_an_empty_database_gives_the_same_database(
    staff, tmp_path
):
    before = curated_database()
    round_trip(staff, tmp_path)
    after = curated_database()
    for model in before:
        assert after[model] == before[model], model
    assert all(before.values())  # every curated table holds rows in the seed


def test_the_round_trip_restores_what_issue_12_saw_lost(staff, tmp_path):
    """Affiliations (with citations), relations, channel citations, citation quotes and alias
    kinds had no import path."""
    kinds = Counter(Alias.objects.values_list("kind", flat=True))
    quotes = {
        model.__name__: sorted(model.objects.exclude(quote="").values_list("quote", flat=True))
        for model in CITATIONS
    }
    members = sorted(Brand.objects.get(slug="islamic-resistance-in-iraq").affiliations.values_list(
        "group__slug", flat=True
    ))  # fmt: skip
    assert len(kinds) > 1 and any(quotes.values()) and members
    round_trip(staff, tmp_path)
    assert (Affiliation.objects.count(), AffiliationCitation.objects.count()) == (12, 12)
    assert (Relation.objects.count(), ChannelCitation.objects.count()) == (4, 3)
    assert Counter(Alias.objects.values_list("kind", flat=True)) == kinds
    assert {
        model.__name__: sorted(model.objects.exclude(quote="").values_list("quote", flat=True))
        for model in CITATIONS
    } == quotes
    brand = Brand.objects.get(slug="islamic-resistance-in-iraq")
    assert sorted(brand.affiliations.values_list("group__slug", flat=True)) == members


# --- 2. Text is never changed silently --------------------------------------------------------

QUOTED_TITLE = "'Synthetic Brand' added to a synthetic list"  # the issue's case, made up


def test_a_title_starting_with_an_apostrophe_survives_export_and_import(client, tmp_path):
    source = Source.objects.get(pk=87)
    Source.objects.filter(pk=87).update(title=QUOTED_TITLE)
    header, rows = exported(client, "sources", source_id="87")
    assert rows[0]["title"] == QUOTED_TITLE  # not guarded: it is not a formula
    assert f",{QUOTED_TITLE},".encode() in export(client, "sources")
    Source.objects.filter(pk=87).update(title=source.title)
    result = one(tmp_path, "sources", header, rows)
    assert result.errors == []
    assert result.updated == 1
    assert Source.objects.get(pk=87).title == QUOTED_TITLE


def row_text(header, row) -> str:
    return ",".join(f'"{row[c]}"' if "," in row[c] or '"' in row[c] else row[c] for c in header)


@pytest.mark.parametrize("shape", ["a cell short", "200,000 cells long"])
def test_a_row_with_too_few_or_too_many_cells_is_an_error_and_nothing_is_written(
    client, tmp_path, shape
):
    header, rows = exported(client, "incidents", code=TOWER_22)
    rows[0]["title"] = "A changed title"
    line = to_csv(header, rows).decode().splitlines()[1]
    if shape == "a cell short":
        line = line.rsplit(",", 1)[0]  # the last cell is missing
    else:
        line += "," * 200_000
    path = write(tmp_path, "incidents.csv", ",".join(header) + "\r\n" + line + "\r\n")
    state = database_state()
    result = import_file("incidents", path)
    assert [(row, column) for row, column, _ in result.errors] == [(2, "(row)")]
    message = result.errors[0][2]
    cells = len(header) - 1 if shape == "a cell short" else len(header) + 200_000
    assert f"the row has {cells} cells, the header {len(header)}" in message
    assert database_state() == state


# --- 3. Keys: once per file; rows without one matched by the documented rule -------------------


def test_an_incident_code_given_twice_is_an_error_naming_both_lines(client, tmp_path):
    header, rows = exported(client, "incidents", code=TOWER_22)
    twice = [rows[0], {**rows[0], "title": "The last row used to win"}]
    state = database_state()
    result = one(tmp_path, "incidents", header, twice)
    assert [(row, column) for row, column, _ in result.errors] == [(3, "code")]
    assert "the same key as line 2" in result.errors[0][2]
    assert database_state() == state


# With batches of two rows: the same batch, the next one (kept in memory), and batches later
# (a temporary table: memory stays flat in the file's length).
@pytest.mark.parametrize("later", [1, 3, 9, 40])
def test_a_code_given_again_batches_later_is_an_error_naming_both_lines(
    client, tmp_path, monkeypatch, later
):
    monkeypatch.setattr("exchange.importer.BATCH", 2)
    header, rows = exported(client, "incidents")
    assert len(rows) > later
    again = {**rows[0], "title": "The last row used to win"}
    state = database_state()
    result = one(tmp_path, "incidents", header, [*rows[:later], again, *rows[later:]])
    assert [(row, column) for row, column, _ in result.errors] == [(later + 2, "code")]
    assert "the same key as line 2" in result.errors[0][2]
    assert database_state() == state


def test_a_claim_id_given_twice_is_an_error_and_no_claim_moves(client, tmp_path):
    header, rows = exported(client, "claims", incident_code=TOWER_22)
    moved = {**rows[0], "incident_code": "2024-01-28-al-tanf-drone-claim"}
    state = database_state()
    result = one(tmp_path, "claims", header, [rows[0], moved])
    assert [(row, column) for row, column, _ in result.errors] == [(3, "claim_id")]
    assert "the same key as line 2" in result.errors[0][2]
    assert database_state() == state


SYNTHETIC = "A synthetic claimant (test data)"


def new_claims(tmp_path, filename="claims.csv"):
    """Two new claims without claim_id (synthetic: a denial and an attribution)."""
    header = ["claim_id", "incident_code", "kind", "group", "claimant_as_named",
              "attributed_by_detail", "source_ids"]  # fmt: skip
    rows = [
        {"claim_id": "", "incident_code": TOWER_22, "kind": "denial", "group": "iran",
         "claimant_as_named": SYNTHETIC, "attributed_by_detail": "", "source_ids": "83"},
        {"claim_id": "", "incident_code": TOWER_22, "kind": "attribution",
         "group": "harakat-hezbollah-al-nujaba", "claimant_as_named": SYNTHETIC,
         "attributed_by_detail": "A synthetic analyst", "source_ids": "83"},
    ]  # fmt: skip
    return write(tmp_path, filename, to_csv(header, rows))


def test_a_file_with_blank_claim_ids_imported_twice_creates_its_claims_once(tmp_path):
    assert "exactly one" in BLANK_KEY["claims"]
    path = new_claims(tmp_path)
    claims = Claim.objects.count()
    first = import_file("claims", path)
    assert first.errors == []
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    history, state = history_counts(), database_state()
    second = import_file("claims", path)
    assert second.errors == []
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert Claim.objects.count() == claims + 2
    assert (history_counts(), database_state()) == (history, state)


def test_a_blank_claim_id_matching_several_claims_is_refused(tmp_path):
    import_file("claims", new_claims(tmp_path))
    denial = Claim.objects.get(claimant_as_named=SYNTHETIC, kind="denial")
    copy = Claim.objects.create(
        incident=denial.incident, kind="denial", group=denial.group, claimant_as_named=SYNTHETIC
    )
    result = import_file("claims", new_claims(tmp_path, "again.csv"))
    assert [(row, column) for row, column, _ in result.errors] == [(2, "claim_id")]
    assert f"#{denial.pk}, #{copy.pk}" in result.errors[0][2]


def test_two_rows_without_claim_id_for_the_same_claim_are_refused(tmp_path):
    header = ["claim_id", "incident_code", "kind", "group", "claimant_as_named", "source_ids"]
    row = {"claim_id": "", "incident_code": TOWER_22, "kind": "denial", "group": "iran",
           "claimant_as_named": SYNTHETIC, "source_ids": "83"}  # fmt: skip
    claims = Claim.objects.count()
    result = one(tmp_path, "claims", header, [row, row])
    assert [(r, c) for r, c, _ in result.errors] == [(3, "claim_id")]
    assert "the same claim as line 2" in result.errors[0][2]
    assert Claim.objects.count() == claims


SOURCE_HEADER = ["source_id", "title", "url", "publisher", "published", "published_precision",
                 "notes"]  # fmt: skip


def source_row(**values):
    return {column: values.get(column, "") for column in SOURCE_HEADER}


def test_a_blank_source_id_is_matched_by_url(tmp_path):
    source = Source.objects.get(pk=87)
    sources = Source.objects.count()
    row = source_row(
        title=source.title,
        url=source.url,
        publisher=source.publisher,
        published=str(source.published or ""),
        published_precision=source.published_precision,
        notes="Matched by its url.",
    )
    result = one(tmp_path, "sources", SOURCE_HEADER, [row])
    assert result.errors == []
    assert (result.created, result.updated) == (0, 1)
    assert Source.objects.get(pk=87).notes == "Matched by its url."
    assert Source.objects.count() == sources


def test_a_blank_source_id_without_url_is_matched_by_title_publisher_and_date(tmp_path):
    import datetime

    synthetic = Source.objects.create(
        title="A synthetic report",
        publisher="Synthetic Press",
        published=datetime.date(2024, 1, 2),
        published_precision="day",
    )
    sources = Source.objects.count()
    rows = [
        source_row(title="A synthetic report", publisher="Synthetic Press", published="2024-01-02",
                   published_precision="day", notes="Matched."),
        source_row(title="A synthetic report", publisher="Synthetic Press", published="2024-01-03",
                   published_precision="day", notes="Another date: another source."),
    ]  # fmt: skip
    result = one(tmp_path, "sources", SOURCE_HEADER, rows)
    assert result.errors == []
    assert (result.created, result.updated) == (1, 1)
    assert Source.objects.get(pk=synthetic.pk).notes == "Matched."
    assert Source.objects.count() == sources + 1
    again = one(tmp_path, "sources", SOURCE_HEADER, rows, "again.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_blank_source_id_without_url_or_title_is_refused(tmp_path):
    state = database_state()
    result = one(tmp_path, "sources", SOURCE_HEADER, [source_row(publisher="Synthetic Press")])
    assert [(row, column) for row, column, _ in result.errors] == [(2, "source_id, url, title")]
    assert database_state() == state


# --- 4. Claim lineage ---------------------------------------------------------------------------


def test_a_current_claim_that_another_supersedes_is_refused(client, tmp_path):
    header, rows = exported(client, "claims", claim_id="49")
    rows[0]["status"] = "current"
    state = database_state()
    result = one(tmp_path, "claims", header, rows)
    assert result.errors == [
        (2, "status, supersedes_claim_id",
         "A later claim supersedes this claim, so its status is 'superseded', not 'current'."),
    ]  # fmt: skip
    assert database_state() == state


def test_a_superseded_claim_that_nothing_supersedes_is_refused(client, tmp_path):
    header, rows = exported(client, "claims", claim_id="50")
    rows[0]["supersedes_claim_id"] = ""  # 49 is left 'superseded' by nothing
    state = database_state()
    result = one(tmp_path, "claims", header, rows)
    assert [(row, column) for row, column, _ in result.errors] == [
        (2, "status, supersedes_claim_id")
    ]
    assert "claim #49" in result.errors[0][2]
    assert "'superseded' only when a later claim supersedes it" in result.errors[0][2]
    assert database_state() == state


def test_a_lineage_error_is_found_and_placed_on_its_line_in_a_long_file(
    client, tmp_path, monkeypatch
):
    """The claims a file wrote are kept out of memory once they are more than a batch (here, of
    two rows): the check at the end still finds claim 49 made 'current' and names its line."""
    monkeypatch.setattr("exchange.importer.BATCH", 2)
    header, rows = exported(client, "claims")
    at = next(i for i, row in enumerate(rows) if row["claim_id"] == "49")
    assert len(rows) > 10
    rows.append(rows.pop(at))  # the last line, well after the first batches
    rows[-1]["status"] = "current"
    for row in rows:  # every row writes
        row["note"] = f"{row['note']} (changed by a test)"
    state = database_state()
    result = one(tmp_path, "claims", header, rows)
    assert result.errors == [
        (len(rows) + 1, "status, supersedes_claim_id",
         "A later claim supersedes this claim, so its status is 'superseded', not 'current'."),
    ]  # fmt: skip
    assert database_state() == state


def test_a_lineage_made_in_one_file_is_accepted(client, tmp_path):
    """The later claim names the earlier one and the earlier one becomes 'superseded', in any
    row order."""
    header, rows = exported(client, "claims", incident_code=TOWER_22)
    earlier, later = rows[0], rows[1]
    later["supersedes_claim_id"] = earlier["claim_id"]
    earlier["status"] = "superseded"
    result = one(tmp_path, "claims", header, [later, earlier])
    assert result.errors == []
    assert Claim.objects.get(pk=later["claim_id"]).supersedes_id == int(earlier["claim_id"])
    assert Claim.objects.get(pk=earlier["claim_id"]).status == "superseded"


def test_the_model_refuses_an_inconsistent_status_on_every_path():
    from django.core.exceptions import ValidationError

    earlier = Claim.objects.get(pk=49)
    earlier.status = "current"
    with pytest.raises(ValidationError, match="A later claim supersedes this claim"):
        earlier.full_clean()
    lonely = Claim.objects.get(pk=50)
    lonely.status = "superseded"
    with pytest.raises(ValidationError, match="only when a later claim supersedes it"):
        lonely.full_clean()


def test_the_admins_correction_still_keeps_the_lineage_consistent(editor_client):
    from tests.test_admin import resubmit

    claim = Claim.objects.get(pk=50)
    url = reverse("admin:claims_claim_correct", args=[claim.pk])
    page = editor_client.get(url)
    response = editor_client.post(url, resubmit(page, change_reason="A synthetic correction"))
    assert response.status_code == 302
    successor = Claim.objects.get(supersedes=claim)
    claim.refresh_from_db()
    assert (claim.status, successor.status) == ("superseded", "current")
    from claims.models import lineage_problems

    assert lineage_problems([claim.pk, successor.pk, 49]) == {}


def test_the_admin_refuses_to_save_a_claim_whose_status_disagrees_with_its_lineage(editor_client):
    """A claim left 'superseded' by nothing (as old imports could) cannot be saved in the admin
    until its lineage is mended: the form says why; no crash."""
    from tests.test_admin import form_errors, resubmit

    Claim.objects.filter(pk=50).update(supersedes=None)  # 49 is 'superseded' by nothing now
    url = reverse("admin:claims_claim_change", args=[49])
    page = editor_client.get(url)
    response = editor_client.post(url, resubmit(page, note="Edited", change_reason="A test"))
    assert response.status_code == 200
    assert "only when a later claim supersedes it" in str(form_errors(response))
    assert "only when a later claim supersedes it" in response.content.decode()
    assert Claim.objects.get(pk=49).note != "Edited"


# --- 6. Error messages --------------------------------------------------------------------------


def test_every_bad_cell_of_a_row_is_reported(tmp_path):
    header = ["code", "title", "date", "date_precision", "country", "killed_low"]
    row = {"code": "2024-09-01-synthetic", "title": "Synthetic", "date": "2024-13-01",
           "date_precision": "day", "country": "IQ", "killed_low": "many"}  # fmt: skip
    result = one(tmp_path, "incidents", header, [row])
    assert [(r, c) for r, c, _ in result.errors] == [(2, "date"), (2, "killed_low")]


def test_a_bad_channel_platform_is_reported_in_channel_platform(client, tmp_path):
    claim = Claim.objects.exclude(channel=None).order_by("pk").first()
    header, rows = exported(client, "claims", claim_id=str(claim.pk))
    rows[0]["channel_platform"] = "myspace"
    result = one(tmp_path, "claims", header, rows)
    assert len(result.errors) == 1
    line, column, message = result.errors[0]
    assert (line, column) == (2, "channel_platform")
    assert "'myspace' is not one of the allowed values: telegram, x, website" in message


def test_a_bad_vocabulary_value_lists_the_allowed_values(tmp_path):
    header = ["code", "title", "date", "date_precision", "country", "weapon"]
    row = {"code": "2024-09-01-synthetic", "title": "Synthetic", "date": "2024-09-01",
           "date_precision": "day", "country": "IQ", "weapon": "catapult"}  # fmt: skip
    result = one(tmp_path, "incidents", header, [row])
    assert result.errors == [
        (2, "weapon", "'catapult' is not one of the allowed values: "
         + ", ".join(value for value, _ in Incident._meta.get_field("weapon").flatchoices)),
    ]  # fmt: skip


def test_february_30_is_called_an_impossible_date(tmp_path):
    header = ["code", "title", "date", "date_precision", "country"]
    row = {"code": "2024-09-01-synthetic", "title": "Synthetic", "date": "2023-02-30",
           "date_precision": "day", "country": "IQ"}  # fmt: skip
    result = one(tmp_path, "incidents", header, [row])
    assert result.errors == [
        (2, "date", "'2023-02-30' is an impossible date: February 2023 has 28 days")
    ]


def test_a_windows_1252_byte_is_reported_with_its_line_and_the_utf8_hint(tmp_path):
    text = (
        b"code,title,date,date_precision,country\r\n"
        b"2024-09-01-synthetic,A valid row,2024-09-01,day,IQ\r\n"
        b"2024-09-02-synthetic,The group\x92s claim,2024-09-02,day,IQ\r\n"
    )
    path = write(tmp_path, "cp1252.csv", text)
    message, err = failing_command("incidents", str(path))
    assert "1 error(s); nothing was imported" in message
    assert "line 3, column (file): line 3 is not UTF-8 (byte 0x92" in err
    assert "save the file as UTF-8" in err
    assert not Incident.objects.filter(code__endswith="-synthetic").exists()


HEADER = "code,title,date,date_precision,country\r\n"


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (f"2024-09-01-synthetic,{'x' * 1_000_000},2024-09-01,day,IQ\r\n", "longer than 100,000"),
        ('2024-09-01-synthetic,"never closed,2024-09-01,day,IQ\r\n', "never closed"),
        ("2024-09-01-synthetic,A NUL \x00 here,2024-09-01,day,IQ\r\n", "NUL character"),
    ],
    ids=["1 MB cell", "unterminated quote", "NUL"],
)
def test_a_huge_cell_an_unterminated_quote_or_a_nul_is_a_row_error(tmp_path, body, said):
    path = write(tmp_path, "bad.csv", HEADER + body)
    state = database_state()
    message, err = failing_command("incidents", str(path))
    assert "error(s); nothing was imported" in message
    assert "line 2, column " in err
    assert said in err
    assert "Traceback" not in err
    assert database_state() == state


def test_errors_are_capped_and_counted(tmp_path):
    body = "".join(f"2024-09-01-synthetic-{n},T,2024-02-30,day,IQ\r\n" for n in range(250))
    path = write(tmp_path, "many.csv", HEADER + body)
    result = import_file("incidents", path)
    assert (len(result.errors), result.error_count) == (MAX_ERRORS, 250)
    message, err = failing_command("incidents", str(path))
    assert "250 error(s); nothing was imported" in message
    assert f"... and {250 - MAX_ERRORS} more error(s) (the first {MAX_ERRORS} shown)" in err


# --- Preview ------------------------------------------------------------------------------------


def test_a_dry_run_writes_nothing_and_says_what_it_would_do(client, tmp_path):
    header, rows = exported(client, "incidents")
    tower = next(r for r in rows if r["code"] == TOWER_22)
    tower["title"] = "A changed title"
    twin = {**tower, "code": "2024-01-28-synthetic-twin", "source_ids": "87"}
    path = write(tmp_path, "incidents.csv", to_csv(header, [*rows, twin]))
    history, state = history_counts(), database_state()
    result = import_file("incidents", path, dry_run=True)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (1, 1, len(rows) - 1)
    assert result.duplicates == [(len(rows) + 2, "2024-01-28-synthetic-twin", TOWER_22)]
    assert (history_counts(), database_state()) == (history, state)
    out, _ = run_command("incidents", str(path), "--dry-run")
    assert f"incidents: would be 1 created, 1 updated, {len(rows) - 1} unchanged." in out
    assert "Dry run: nothing was written." in out
    assert f"2024-01-28-synthetic-twin is a likely duplicate of {TOWER_22}" in out
    assert (history_counts(), database_state()) == (history, state)


def test_the_importer_and_the_admin_flag_the_same_likely_duplicates(client, tmp_path):
    """The same place and overlapping possible dates, however long before the new incident the
    recorded one began: one with an end date 800 days on covers a day 500 days after its date
    (synthetic dates, on a seed incident changed for the test)."""
    header, rows = exported(client, "incidents", code=TOWER_22)
    tower = Incident.objects.get(code=TOWER_22)
    end = tower.date + datetime.timedelta(days=800)
    Incident.objects.filter(pk=tower.pk).update(date_end=end)
    derived.refresh([tower.pk])
    for day, flagged in [(tower.date + datetime.timedelta(days=500), True), (end, True),
                         (end + datetime.timedelta(days=1), False)]:  # fmt: skip
        twin = {**rows[0], "code": "2030-01-01-synthetic-twin", "date": day.isoformat(),
                "date_precision": "day", "date_end": ""}  # fmt: skip
        path = write(tmp_path, "twin.csv", to_csv(header, [twin]))
        result = import_file("incidents", path, dry_run=True)
        assert result.errors == []
        assert result.duplicates == ([(2, twin["code"], TOWER_22)] if flagged else [])
        candidate = Incident(location_id=tower.location_id, date=day, date_precision="day")
        assert candidate.likely_duplicates() == ([tower] if flagged else [])


# --- 9. The change log's reason ----------------------------------------------------------------


def test_the_reason_is_the_file_name_never_its_directory(client, tmp_path):
    header, rows = exported(client, "incidents", code=TOWER_22)
    rows[0]["title"] = "A changed title"
    path = write(tmp_path, "tower.csv", to_csv(header, rows))
    run_command("incidents", str(path))
    latest = Incident.objects.get(code=TOWER_22).history.latest()
    assert latest.history_change_reason == "imported from tower.csv"
    entry = Change.objects.order_by("-pk").first()
    assert entry.reason == "imported from tower.csv"
    assert not Change.objects.filter(reason__contains=str(tmp_path)).exists()
    page = client.get("/changes/")
    assert page.status_code == 200
    assert b"imported from tower.csv" in page.content
    assert str(tmp_path).encode() not in page.content


def test_the_reason_given_is_the_reason_recorded(client, tmp_path):
    header, rows = exported(client, "incidents", code=TOWER_22)
    rows[0]["title"] = "A changed title"
    path = write(tmp_path, "tower.csv", to_csv(header, rows))
    run_command("incidents", str(path), "--reason", "A synthetic correction")
    assert Change.objects.order_by("-pk").first().reason == "A synthetic correction"


# --- 5. Codebook and importer agree -------------------------------------------------------------


def test_coordinates_on_an_incident_row_must_be_its_locations(client, tmp_path):
    header, rows = exported(client, "incidents", code=TOWER_22)
    assert rows[0]["latitude"]
    accepted = one(tmp_path, "incidents", header, rows)
    assert (accepted.errors, accepted.unchanged) == ([], 1)
    rows[0]["latitude"] = "1"
    rows[0]["longitude"] = ""  # empty is accepted
    state = database_state()
    refused = one(tmp_path, "incidents", header, rows)
    assert refused.errors == [
        (2, "latitude", "latitude must be empty or the location's latitude (set it in locations)")
    ]
    assert database_state() == state


def test_without_a_status_column_new_records_are_drafts_as_the_codebook_says(tmp_path):
    assert "if the column is absent, a new record gets 'draft'" in rules("incidents")["status"]
    assert "if the column is absent, a new record gets 'draft'" in rules("sources")["status"]
    header = ["code", "title", "date", "date_precision", "country"]
    row = {"code": "2024-09-01-synthetic", "title": "Synthetic", "date": "2024-09-01",
           "date_precision": "day", "country": "IQ"}  # fmt: skip
    assert one(tmp_path, "incidents", header, [row]).errors == []
    assert Incident.objects.get(code="2024-09-01-synthetic").status == "draft"
    assert one(tmp_path, "sources", ["title"], [{"title": "A synthetic source"}]).errors == []
    assert Source.objects.get(title="A synthetic source").status == "draft"


# --- The codebook's rules are the importer's behaviour -------------------------------------------

RULED = [(name, column) for name in TABLES for column in rules(name)]
NO_SUCH = "no-such-record"


@contextmanager
def undone():
    """Run a check, then roll back what it wrote (the next check starts from the seed)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def the_row(client, name, row_key=None) -> tuple[list[str], dict]:
    key = KEYS[name]
    wanted = as_key(resolve(row_key or DEFAULT_ROW[name]))
    header, rows = exported(client, name)
    return header, next(r for r in rows if tuple(r[c] for c in key) == wanted)


def change_for(name: str, column: str) -> tuple:
    """test_import's replacement for a column: (value, value shown, row key)."""
    change = CHANGES[name][column]
    if not isinstance(change, tuple):
        change = (change, change)
    value, shown, row_key = (*change, DEFAULT_ROW[name])[:3]
    return resolve(value), resolve(shown), row_key


def row_of(client, name, key_values: tuple) -> dict | None:
    _, rows = exported(client, name)
    return next((r for r in rows if tuple(r[c] for c in KEYS[name]) == key_values), None)


def check_ignored(client, tmp_path, name, column):
    header, row = the_row(client, name)
    state = database_state()
    result = one(tmp_path, name, header, [{**row, column: row[column] + "1"}])
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert database_state() == state


def check_compared(client, tmp_path, name, column):
    header, rows = exported(client, name)
    row = next(r for r in rows if r[column])
    assert one(tmp_path, name, header, [row]).errors == []
    state = database_state()
    refused = one(tmp_path, name, header, [{**row, column: "1"}], "other.csv")
    assert [(line, col) for line, col, _ in refused.errors] == [(2, column)]
    assert database_state() == state


def check_read(client, tmp_path, name, column):
    value, _shown, row_key = change_for(name, column)
    header, row = the_row(client, name, row_key)
    state = database_state()
    result = one(tmp_path, name, header, [{**row, column: value}])
    assert result.errors == []
    assert (result.created, result.updated) == (0, 1)
    assert database_state() != state


def check_key(client, tmp_path, name, column, said):
    key = KEYS[name]
    header, row = the_row(client, name)
    with undone():
        same = one(tmp_path, name, header, [row])
        assert (same.errors, same.created, same.unchanged) == ([], 0, 1)
    with undone():
        value, _shown, row_key = change_for(name, column)
        header, row_ = the_row(client, name, row_key)
        new = one(tmp_path, name, header, [{**row_, column: value}])
        assert (new.errors, new.created, new.updated) == ([], 1, 0)
        if "keeps its id" in said:
            assert TABLES[name].model.objects.filter(pk=int(value)).exists()
    other_case = row[column].swapcase()
    if other_case != row[column]:
        with undone():
            result = one(tmp_path, name, header, [{**row, column: other_case}])
            matched = result.error_count == 0 and result.created == 0
            assert matched == ("without letter case" in said), (name, column, result.errors)
    assert column in key


def check_reference(client, tmp_path, name, column):
    header, row = the_row(client, name)
    state = database_state()
    unknown = "999999999" if row[column].isdigit() else NO_SUCH
    result = one(tmp_path, name, header, [{**row, column: unknown}])
    assert result.error_count >= 1
    assert any(column in named.split(", ") for _line, named, _m in result.errors), result.errors
    assert database_state() == state


def check_sources(client, tmp_path, name):
    header, row = the_row(client, name)
    assert id_list(row["source_ids"]) != [1]
    result = one(tmp_path, name, header, [{**row, "source_ids": "1"}])
    assert result.errors == []
    key = tuple(row[c] for c in KEYS[name])
    assert id_list(row_of(client, name, key)["source_ids"]) == [1]


def check_default(client, tmp_path, name, column, said):
    default = ast.literal_eval(said.split("if the column is absent, a new record gets ")[1])
    key = KEYS[name]
    value, _shown, row_key = change_for(name, key[0])
    header, row = the_row(client, name, row_key)
    new = {**row, key[0]: value}
    kept = [c for c in header if c != column]
    result = one(tmp_path, name, kept, [{c: new[c] for c in kept}])
    assert (result.errors, result.created) == ([], 1)
    assert row_of(client, name, tuple(new[c] for c in key))[column] == str(default)


def check_any_order(client, tmp_path, name, column):
    """Two new claims, the first naming the second (a later row) as the one it supersedes."""
    header, row = the_row(client, name)
    top = Claim.objects.order_by("-pk").first().pk
    later = {**row, "claim_id": str(top + 1), "status": "current", column: str(top + 2)}
    earlier = {**row, "claim_id": str(top + 2), "status": "superseded", column: ""}
    result = one(tmp_path, name, header, [later, earlier])
    assert result.errors == []
    assert Claim.objects.get(pk=top + 1).supersedes_id == top + 2


@pytest.mark.parametrize(("name", "column"), RULED)
def test_each_columns_rule_in_the_codebook_is_what_the_importer_does(staff, tmp_path, name, column):
    said = rules(name)[column]
    checked = 0
    if said.startswith("no (derived"):
        check_ignored(staff, tmp_path, name, column)
        return
    if said.startswith("checked, not imported"):
        check_compared(staff, tmp_path, name, column)
        return
    if said == "yes" or said.startswith("yes;"):
        with undone():
            check_read(staff, tmp_path, name, column)
        checked += 1
    if said.startswith("key"):
        check_key(staff, tmp_path, name, column, said)
        checked += 1
    if "names a row of" in said:
        with undone():
            check_reference(staff, tmp_path, name, column)
        checked += 1
    if "cites exactly these sources" in said:
        with undone():
            check_sources(staff, tmp_path, name)
        checked += 1
    if "if the column is absent, a new record gets" in said:
        with undone():
            check_default(staff, tmp_path, name, column, said)
        checked += 1
    if "any row order within the file" in said:
        with undone():
            check_any_order(staff, tmp_path, name, column)
        checked += 1
    assert checked, f"no check for the rule of {name}.{column}: {said!r}"
