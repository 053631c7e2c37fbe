"""The importer (`manage.py import_csv KIND FILE`, `exchange.importer.import_file`) reads the
exports' own files back: an export imported into an emptied database exports again byte for byte;
importing a file twice changes nothing the second time; every row is validated and every error
reported with its row and column, and then nothing at all is imported; the exports' formula
neutralisation is undone; and every column the codebook marks as imported really is read."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from claims.models import (
    Claim,
    ClaimCitation,
    Incident,
    IncidentCitation,
    Location,
    LocationCitation,
)
from exchange.catalogue import exports
from exchange.importer import TABLES, import_file
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
from kb.roles import CURATED_APPS
from sources.models import Source

pytestmark = pytest.mark.django_db

# The order in which the files can be loaded: each refers only to the ones before it.
ORDER = [
    "sources",
    "groups",
    "brands",
    "aliases",
    "channels",
    "locations",
    "incidents",
    "claims",
    "affiliations",
    "relations",
    "incident_citations",
    "claim_citations",
    "group_citations",
    "brand_citations",
    "location_citations",
    "affiliation_citations",
    "relation_citations",
    "channel_citations",
]
KEYS = {name: table.key for name, table in TABLES.items()}
TOWER_22 = "2024-01-28-tower-22-drone"
# The seed's rows in each table (fixtures/): 12 affiliations, 4 relations, 3 channel citations...
COUNTS = {
    "sources": 157,
    "groups": 10,
    "brands": 1,
    "aliases": 58,
    "channels": 1,
    "locations": 21,
    "incidents": 46,
    "claims": 50,
    "affiliations": 12,
    "relations": 4,
    "incident_citations": 161,
    "claim_citations": 92,
    "group_citations": 43,
    "brand_citations": 8,
    "location_citations": 17,
    "affiliation_citations": 12,
    "relation_citations": 5,
    "channel_citations": 3,
}
BOM = b"\xef\xbb\xbf"


# --- Helpers ------------------------------------------------------------------------------------


def export(client, name) -> bytes:
    response = client.get(f"/{name}/export.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def rows_of(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def to_csv(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def write(tmp_path, name, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def history_models():
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in CURATED_APPS and model.__name__.startswith("Historical")
    ]


def history_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in history_models()}


def database_state() -> dict[str, list[dict]]:
    """Every row of every curated table (history included), for before/after comparisons."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label in CURATED_APPS
    }


def delete_curated_records():
    """Every curated row, in an order the PROTECT foreign keys allow."""
    for model in (
        ClaimCitation,
        IncidentCitation,
        LocationCitation,
        GroupCitation,
        BrandCitation,
        AffiliationCitation,
        RelationCitation,
        ChannelCitation,
    ):
        model.objects.all().delete()
    Claim.objects.update(supersedes=None)
    for model in (
        Claim,
        Incident,
        Affiliation,
        Relation,
        Channel,
        Alias,
        Group,
        Brand,
        Location,
        Source,
    ):
        model.objects.all().delete()
        assert not model.objects.exists()


def run_command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_csv", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing_command(*args) -> tuple[str, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_csv", *args, stdout=io.StringIO(), stderr=err)
    return str(raised.value), err.getvalue()


# --- The round trip ------------------------------------------------------------------------------


def test_exported_files_imported_into_an_empty_database_export_byte_for_byte(client, tmp_path):
    first = {name: export(client, name) for name in ORDER}
    counts = {name: len(rows_of(first[name])) for name in ORDER}
    delete_curated_records()
    for name in ORDER:
        assert len(rows_of(export(client, name))) == 0
    for name in ORDER:
        result = import_file(name, write(tmp_path, f"{name}.csv", first[name]))
        assert result.errors == [], name
        if name.endswith("_citations"):
            # The records' source_ids made most citations (not a channel's: channels have no
            # source_ids); these files add what they say of each.
            assert result.rows == counts[name], name
            assert result.created == (counts[name] if name == "channel_citations" else 0), name
        else:
            assert (result.created, result.updated, result.unchanged) == (counts[name], 0, 0), name
    for name in ORDER:
        assert export(client, name) == first[name], name
    assert counts == COUNTS


def test_round_trip_through_the_management_command_reports_what_it_created(client, tmp_path):
    first = {name: export(client, name) for name in ORDER}
    delete_curated_records()
    for name in ORDER:
        out, err = run_command(name, str(write(tmp_path, f"{name}.csv", first[name])))
        count = len(rows_of(first[name]))
        if name.endswith("_citations") and name != "channel_citations":
            # The records' source_ids made the citations; these files add their quotes.
            counts = re.search(r": 0 created, (\d+) updated, (\d+) unchanged\.", out)
            assert counts and sum(map(int, counts.groups())) == count, out
        else:
            assert f"{name}: {count} created, 0 updated, 0 unchanged." in out
        assert err == ""
    assert export(client, "incidents") == first["incidents"]
    assert export(client, "claims") == first["claims"]


def test_records_created_after_an_import_with_explicit_ids_get_free_ids(client, tmp_path):
    """Sources and claims keep their ids; the next record created must not collide with them."""
    top = Source.objects.order_by("-pk").first().pk
    rows = [
        {"source_id": str(top + n), "title": f"Imported source {n}", "kind": "news"}
        for n in (1, 2, 3)
    ]
    path = write(tmp_path, "sources.csv", to_csv(["source_id", "title", "kind"], rows))
    assert import_file("sources", path).created == 3
    assert Source.objects.create(title="Entered by hand").pk > top + 3
    claim = rows_of(export(client, "claims"))[0]
    claim_top = Claim.objects.order_by("-pk").first().pk
    claim["claim_id"] = str(claim_top + 1)
    path = write(tmp_path, "claims.csv", to_csv(list(claim), [claim]))
    assert import_file("claims", path).created == 1
    incident = Incident.objects.get(code=claim["incident_code"])
    copy = Claim.objects.create(incident=incident, group=Group.objects.get(slug="iran"))
    assert copy.pk > claim_top + 1


# --- Idempotent ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ORDER)
def test_importing_an_export_again_changes_nothing_and_writes_no_history(client, tmp_path, name):
    path = write(tmp_path, f"{name}.csv", export(client, name))
    count = len(rows_of(path.read_bytes()))
    for _ in range(2):
        history, state = history_counts(), database_state()
        result = import_file(name, path)
        assert result.errors == []
        assert (result.created, result.updated, result.unchanged) == (0, 0, count)
        assert history_counts() == history
        assert database_state() == state


def test_the_second_import_of_a_changed_file_changes_nothing(client, tmp_path):
    rows = rows_of(export(client, "incidents"))
    next(r for r in rows if r["code"] == TOWER_22)["title"] = "Tower 22: a new title"
    path = write(tmp_path, "incidents.csv", to_csv(list(rows[0]), rows))
    first = import_file("incidents", path)
    assert (first.created, first.updated, first.unchanged) == (0, 1, len(rows) - 1)
    history, state = history_counts(), database_state()
    second = import_file("incidents", path)
    assert (second.created, second.updated, second.unchanged) == (0, 0, len(rows))
    assert history_counts() == history
    assert database_state() == state


# --- Updates and new records ----------------------------------------------------------------------


def test_a_changed_title_updates_that_incident_only_with_the_file_as_reason(client, tmp_path):
    rows = rows_of(export(client, "incidents"))
    next(r for r in rows if r["code"] == TOWER_22)["title"] = "Tower 22: a new title"
    path = write(tmp_path, "incidents.csv", to_csv(list(rows[0]), rows))
    titles = dict(Incident.objects.values_list("code", "title"))
    history = history_counts()
    result = import_file("incidents", path)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 1, len(rows) - 1)
    now = dict(Incident.objects.values_list("code", "title"))
    assert now == {**titles, TOWER_22: "Tower 22: a new title"}
    latest = Incident.objects.get(code=TOWER_22).history.latest()
    assert latest.title == "Tower 22: a new title"
    assert latest.history_change_reason == "imported from incidents.csv"  # never a path
    assert latest.history_type == "~"
    added = {k: v - history[k] for k, v in history_counts().items() if v != history[k]}
    assert added == {"HistoricalIncident": 1}


def test_the_command_records_the_reason_given(client, tmp_path):
    rows = rows_of(export(client, "incidents"))
    next(r for r in rows if r["code"] == TOWER_22)["title"] = "Tower 22 (renamed)"
    path = write(tmp_path, "incidents.csv", to_csv(list(rows[0]), rows))
    out, _ = run_command("incidents", str(path), "--reason", "Fix the Tower 22 title")
    assert f"incidents: 0 created, 1 updated, {len(rows) - 1} unchanged." in out
    latest = Incident.objects.get(code=TOWER_22).history.latest()
    assert (latest.title, latest.history_change_reason) == (
        "Tower 22 (renamed)",
        "Fix the Tower 22 title",
    )


NEW_INCIDENT = "2024-03-10-new-minimal-incident"


def minimal_incident_file(source_id: int) -> str:
    return (
        "code,title,date,date_precision,country,source_ids\r\n"
        f"{NEW_INCIDENT},A minimal new incident,2024-03-10,day,IQ,{source_id}\r\n"
    )


def test_a_file_with_some_columns_creates_an_incident_citing_its_source(tmp_path):
    source = Source.objects.get(pk=87)
    path = write(tmp_path, "new.csv", minimal_incident_file(source.pk))
    out, _ = run_command("incidents", str(path))
    assert f"incidents: 1 created, 0 updated, {0} unchanged." in out
    incident = Incident.objects.get(code=NEW_INCIDENT)
    assert incident.title == "A minimal new incident"
    assert str(incident.date) == "2024-03-10"
    assert (incident.date_precision, incident.country) == ("day", "IQ")
    assert list(incident.citations.values_list("source_id", flat=True)) == [source.pk]
    assert incident.location is None
    assert incident.history.latest().history_change_reason == "imported from new.csv"


def test_source_urls_are_derived_and_cite_nothing(tmp_path):
    """source_ids is the only way to cite: the urls only show what the ids name."""
    source = Source.objects.get(pk=87)
    text = minimal_incident_file("").replace("source_ids", "source_ids,source_urls")
    text = text.replace(",IQ,\r\n", f",IQ,,{source.url}\r\n")
    result = import_file("incidents", write(tmp_path, "new.csv", text))
    assert result.errors == []
    assert not Incident.objects.get(code=NEW_INCIDENT).citations.exists()


# --- Errors: every one reported, nothing imported -------------------------------------------------

BAD_INCIDENTS = """\
code,title,date,date_precision,country,killed_low,killed_high,location,source_ids
2024-09-01-valid-row,A valid row,2024-09-01,day,IQ,,,,87
2024-09-02-bad-date,Bad date,2024-02-30,day,IQ,,,,
2024-09-03-bad-country,Bad country,2024-09-03,day,XX,,,,
2024-09-04-negative,Negative dead,2024-09-04,day,IQ,-3,,,
2024-09-05-low-above-high,Low above high,2024-09-05,day,IQ,5,2,,
2024-09-06-no-such-place,Unknown place,2024-09-06,day,IQ,,,nowhere,
2024-09-07-no-such-source,Unknown source,2024-09-07,day,IQ,,,,99999
2024-09-08-valid-too,Another valid row,2024-09-08,day,SY,1,2,al-tanf-garrison,87 | 140
"""
# row number -> the column the error must name
BAD_INCIDENT_ERRORS = {
    3: "date",
    4: "country",
    5: "killed_low",
    7: "location",
    8: "source_ids",
}
LOW_ABOVE_HIGH_ROW = 6


def test_every_bad_incident_row_is_reported_with_row_and_column(tmp_path):
    result = import_file("incidents", write(tmp_path, "bad.csv", BAD_INCIDENTS))
    reported = {row: column for row, column, _ in result.errors}
    assert {row for row, _, _ in result.errors} == {*BAD_INCIDENT_ERRORS, LOW_ABOVE_HIGH_ROW}
    for row, column in BAD_INCIDENT_ERRORS.items():
        assert reported[row] == column, row
    messages = {row: message for row, _, message in result.errors}
    assert "2024-02-30" in messages[3]
    assert "XX" in messages[4]
    assert "-3" in messages[5]
    assert "nowhere" in messages[7]
    assert "99999" in messages[8]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)


def test_a_file_with_errors_imports_nothing_not_even_its_valid_rows(tmp_path):
    path = write(tmp_path, "bad.csv", BAD_INCIDENTS)
    history, state = history_counts(), database_state()
    message, err = failing_command("incidents", str(path))
    assert "6 error(s); nothing was imported" in message
    for row, column in BAD_INCIDENT_ERRORS.items():
        assert f"{path}: line {row}, column {column}: " in err
    assert f"line {LOW_ABOVE_HIGH_ROW}, column " in err
    assert not Incident.objects.filter(code__startswith="2024-09-").exists()
    assert history_counts() == history
    assert database_state() == state


def test_line_numbers_count_the_header_as_line_1(tmp_path):
    """Line 1 is the header; a lone bad record is line 2, as the command says."""
    path = write(
        tmp_path, "one.csv", "code,title,date,date_precision,country\r\nx,T,2024,day,IQ\r\n"
    )
    message, err = failing_command("incidents", str(path))
    assert "line 1 is the header; a line is the file's line where the row starts" in message
    assert "line 2, column date: '2024' is not a date written YYYY-MM-DD" in err


def test_a_constraint_error_names_the_columns_it_concerns(tmp_path):
    """Every error is reported with its column: the low figure above the high one concerns
    killed_low/killed_high, a claim naming neither group nor brand concerns group/brand."""
    result = import_file("incidents", write(tmp_path, "bad.csv", BAD_INCIDENTS))
    column = next(c for row, c, _ in result.errors if row == LOW_ABOVE_HIGH_ROW)
    assert set(column.split(", ")) == {"killed_low", "killed_high"}, column
    claims = import_file("claims", write(tmp_path, "claims.csv", BAD_CLAIMS))
    column = next(c for row, c, _ in claims.errors if row == 3)
    assert set(column.split(", ")) == {"group", "brand"}, column


BAD_CLAIMS = f"""\
claim_id,incident_code,kind,group,brand,status,source_ids
,{TOWER_22},responsibility,kataib-hezbollah,,current,83
,{TOWER_22},responsibility,,,current,
,2099-01-01-no-such-incident,responsibility,kataib-hezbollah,,current,
,{TOWER_22},attribution,iran,,current,
,{TOWER_22},responsibility,,no-such-brand,current,
"""


def test_every_bad_claim_row_is_reported_and_nothing_is_imported(tmp_path):
    path = write(tmp_path, "claims.csv", BAD_CLAIMS)
    claims, state = Claim.objects.count(), database_state()
    result = import_file("claims", path)
    errors = {row: (column, message) for row, column, message in result.errors}
    assert set(errors) == {3, 4, 5, 6}
    assert errors[4][0] == "incident_code"
    assert "2099-01-01-no-such-incident" in errors[4][1]
    assert errors[5][1] == "Say who made the attribution."
    assert errors[6] == ("brand", "no brand with brand 'no-such-brand' (in brands)")
    assert "group, a brand" in errors[3][1]
    assert Claim.objects.count() == claims
    assert database_state() == state
    message, err = failing_command("claims", str(path))
    assert "4 error(s)" in message
    assert "line 4, column incident_code: " in err


def test_a_partial_claims_file_leaves_what_it_does_not_mention_alone(tmp_path):
    """A file may carry only some columns (as for new incidents): a claim's channel, like its
    other fields, changes only if the file has the channel's columns."""
    claim = Claim.objects.exclude(channel=None).first()
    channel = claim.channel
    path = write(tmp_path, "retract.csv", f"claim_id,status_note\r\n{claim.pk},Taken down\r\n")
    result = import_file("claims", path)
    assert result.errors == []
    claim.refresh_from_db()
    assert claim.status_note == "Taken down"
    assert claim.channel == channel


def test_an_unknown_column_is_refused_naming_it(tmp_path):
    text = (
        f"code,title,date,date_precision,country,bogus\r\n{NEW_INCIDENT},T,2024-03-10,day,IQ,x\r\n"
    )
    path = write(tmp_path, "unknown.csv", text)
    result = import_file("incidents", path)
    columns = ", ".join(column.name for column in exports(None)["incidents"].columns)
    assert result.errors == [
        (1, "bogus", f"unknown column for incidents (the columns are: {columns})")
    ]
    message, err = failing_command("incidents", str(path))
    assert "1 error(s); nothing was imported" in message
    assert "line 1, column bogus: unknown column" in err
    assert not Incident.objects.filter(code=NEW_INCIDENT).exists()


def test_a_derived_column_is_accepted_and_ignored(client, tmp_path):
    rows = rows_of(export(client, "incidents"))
    tower = next(r for r in rows if r["code"] == TOWER_22)
    # (latitude and longitude are checked instead: tests/test_import_rules.py)
    tower["claim_count"], tower["location_name"] = "99", "Elsewhere"
    result = import_file("incidents", write(tmp_path, "i.csv", to_csv(list(rows[0]), rows)))
    assert result.errors == []
    assert result.updated == 0
    assert Location.objects.get(slug="tower-22").name == "Tower 22"


@pytest.mark.parametrize("name", [name for name in ORDER if not TABLES[name].explicit_id])
def test_a_file_without_its_key_columns_is_refused(client, tmp_path, name):
    key = KEYS[name]
    rows = rows_of(export(client, name))[:2]
    header = [c for c in rows[0] if c not in key]
    data = to_csv(header, [{c: r[c] for c in header} for r in rows])
    state = database_state()
    result = import_file(name, write(tmp_path, f"{name}.csv", data))
    assert result.errors == [(1, ", ".join(key), "the key column is missing from the header")]
    assert database_state() == state


@pytest.mark.parametrize("name", ["sources", "claims"])
def test_without_an_id_column_rows_are_matched_by_the_documented_rule(client, tmp_path, name):
    """Sources and claims are numbered by the database: without their id, each row is matched
    as BLANK_KEY says (an exported row finds its own record), never duplicated."""
    key = KEYS[name]
    rows = rows_of(export(client, name))[:2]
    header = [c for c in rows[0] if c not in key]
    data = to_csv(header, [{c: r[c] for c in header} for r in rows])
    state = database_state()
    result = import_file(name, write(tmp_path, f"{name}.csv", data))
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert database_state() == state


# --- Formula neutralisation, BOM and encodings ---------------------------------------------------


def test_the_exports_apostrophe_before_a_formula_is_removed_on_import(client, tmp_path):
    tower = Incident.objects.get(code=TOWER_22)
    tower.title = "=1+1"
    tower.save()
    data = export(client, "incidents")
    row = next(r for r in rows_of(data) if r["code"] == TOWER_22)
    assert row["title"] == "'=1+1"
    Incident.objects.filter(code=TOWER_22).update(title="something else")
    result = import_file("incidents", write(tmp_path, "incidents.csv", data))
    assert result.errors == []
    assert result.updated == 1
    assert Incident.objects.get(code=TOWER_22).title == "=1+1"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "'=1+1", "'-2'"])
def test_text_survives_export_and_import_whatever_it_starts_with(client, tmp_path, value):
    """Neutralised or not, a title read back from its export is the title that was exported."""
    Incident.objects.filter(code=TOWER_22).update(title=value)
    row = next(r for r in rows_of(export(client, "incidents")) if r["code"] == TOWER_22)
    Incident.objects.filter(code=TOWER_22).update(title="something else")
    result = import_file("incidents", write(tmp_path, "tower.csv", to_csv(list(row), [row])))
    assert result.errors == []
    assert Incident.objects.get(code=TOWER_22).title == value


def test_a_file_with_a_byte_order_mark_imports_like_one_without(client, tmp_path):
    plain = export(client, "incidents")
    response = client.get("/incidents/export.csv?bom=1")
    with_bom = b"".join(response.streaming_content)
    assert with_bom == BOM + plain
    result = import_file("incidents", write(tmp_path, "bom.csv", with_bom))
    assert result.errors == []
    assert result.unchanged == len(rows_of(plain))
    new = BOM + minimal_incident_file(87).encode()
    out, _ = run_command("incidents", str(write(tmp_path, "new-bom.csv", new)))
    assert "incidents: 1 created" in out
    assert Incident.objects.filter(code=NEW_INCIDENT).exists()


def test_a_latin_1_file_gives_a_clear_error_with_its_line_and_imports_nothing(tmp_path):
    text = (
        "code,title,date,date_precision,country\r\n"
        f"{NEW_INCIDENT},A valid row,2024-03-10,day,IQ\r\n"
        "2024-03-11-cafe,Caf\xe9 attack,2024-03-11,day,IQ\r\n"
    )
    path = write(tmp_path, "latin1.csv", text.encode("latin-1"))
    message, err = failing_command("incidents", str(path))
    assert "1 error(s); nothing was imported" in message
    assert f"{path}: line 3, column (file): line 3 is not UTF-8 (byte 0xe9" in err
    assert "save the file as UTF-8" in err
    assert not Incident.objects.filter(code__in=[NEW_INCIDENT, "2024-03-11-cafe"]).exists()


def test_a_missing_file_gives_a_clear_error(tmp_path):
    message, _ = failing_command("incidents", str(tmp_path / "nowhere.csv"))
    assert message.startswith("Cannot read ")


def planner_statistics(table: str) -> int:
    """How many statistics rows the query planner holds for the table."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone()[0]:
                return 0
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        else:
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [table])
        return cursor.fetchone()[0]


def test_an_import_that_wrote_rows_refreshes_the_planners_statistics(client, tmp_path):
    # Without them SQLite planned a group's incidents as if every table were small: minutes for
    # one page at 100,000 incidents.
    sources = export(client, "sources")
    delete_curated_records()
    if connection.vendor == "sqlite":
        assert planner_statistics("sources_source") == 0
    run_command("sources", str(write(tmp_path, "sources.csv", sources)))
    assert planner_statistics("sources_source") > 0
