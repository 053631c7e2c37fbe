"""Importing a table in the admin: a publisher uploads a CSV file with a reason, sees what the
import would do (nothing is written), and confirms; the confirmation imports the same file, kept on
the server, and the history carries the uploader and the reason, never a file name or path. Bad
files are form errors, never a 500; errors leave nothing to confirm; only the uploader confirms.
The import templates (/codebook/templates/<table>.csv) hold a table's imported columns and one
real example row, and import as they are."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from changes.models import Change
from exchange.catalogue import exports
from exchange.importer import Result
from exchange.importing import TABLES, run_import
from exchange.models import PendingImport
from kb.roles import PUBLISHERS, curated_models
from sources.models import Source
from tests.test_admin_csp import assert_keeps_to_the_policy

pytestmark = pytest.mark.django_db

URL = "/admin/import/"
REASON = "Added the synthetic source of the admin import test"
NEW_TITLE = "Synthetic source made up for the admin import test"
NEW_URL = "https://example.org/synthetic/admin-import-test"


# --- Helpers -------------------------------------------------------------------------------------


def template(client, table) -> bytes:
    response = client.get(f"/codebook/templates/{table}.csv")
    assert response.status_code == 200
    return response.content


def rows_of(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


def csv_file(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def new_source_file(client) -> bytes:
    """The sources template with its example row (a seed source, unchanged) and one new,
    made-up source."""
    example = rows_of(template(client, "sources"))[0]
    new = dict.fromkeys(example, "")
    new.update(title=NEW_TITLE, url=NEW_URL, kind="other", status="published", reliability="F")
    return csv_file([example, new])


def upload(client, content: bytes, table="sources", reason=REASON, name="sources.csv"):
    return client.post(
        URL,
        {"table": table, "reason": reason, "file": SimpleUploadedFile(name, content, "text/csv")},
    )


def curated_counts() -> dict:
    """Rows of every curated table and of their histories, and of the change log."""
    counts = {model._meta.label: model.objects.count() for model in curated_models()}
    counts |= {f"{m._meta.label} history": m.history.count() for m in curated_models()}
    counts["change log"] = Change.objects.count()
    return counts


def form_errors(response) -> str:
    return " ".join(
        str(error) for errors in response.context["form"].errors.values() for error in errors
    )


@pytest.fixture
def other_publisher(db):
    user = get_user_model().objects.create_user("other-publisher", is_staff=True)
    user.groups.add(AuthGroup.objects.get(name=PUBLISHERS))
    client = Client()
    client.force_login(user)
    return client


# --- Preview and confirm -------------------------------------------------------------------------


def test_the_preview_shows_what_the_import_would_do_and_writes_nothing(pub, publisher):
    content = new_source_file(pub)
    before = curated_counts()
    response = upload(pub, content)
    assert response.status_code == 200
    assert curated_counts() == before
    assert not Source.objects.filter(url=NEW_URL).exists()
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged, result.error_count) == (1, 0, 1, 0)
    assert "Confirm the import" in response.text
    # The file waits on the server, for its uploader, with the reason given.
    pending = PendingImport.objects.get()
    assert (pending.uploader, pending.table, pending.reason) == (publisher, "sources", REASON)
    assert bytes(pending.content) == content


def test_confirming_imports_the_previewed_file_with_the_uploader_and_the_reason(pub, publisher):
    upload(pub, new_source_file(pub))
    pending = PendingImport.objects.get()
    response = pub.post(f"/admin/import/{pending.pk}/confirm/")
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged, result.error_count) == (1, 0, 1, 0)
    source = Source.objects.get(url=NEW_URL)
    assert source.title == NEW_TITLE
    record = source.history.get()
    assert record.history_user == publisher
    assert record.history_change_reason == REASON
    assert not PendingImport.objects.exists()


def test_the_public_change_log_shows_the_reason_and_no_file_name_or_path(pub, publisher, client):
    upload(pub, new_source_file(pub), name="my-sources.csv")
    pub.post(f"/admin/import/{PendingImport.objects.get().pk}/confirm/")
    source = Source.objects.get(url=NEW_URL)
    change = Change.objects.get(model="sources.source", record_id=source.pk)
    assert (change.reason, change.user) == (REASON, publisher)
    exported = b"".join(client.get("/changes/export.csv").streaming_content).decode()
    assert REASON in exported
    page = client.get("/changes/").text
    assert REASON in page
    for shown in (exported, page):
        assert (
            "my-sources.csv" not in shown and "/tmp" not in shown and "Imported from" not in shown
        )


def test_a_confirmation_runs_again_and_reports_what_changed_in_between(pub):
    upload(pub, new_source_file(pub))
    pending = PendingImport.objects.get()
    # Someone adds the same source, as a draft, between the preview and the confirmation: the
    # confirmation matches it (by its URL) and publishes it instead of adding it again.
    Source.objects.create(title=NEW_TITLE, url=NEW_URL, kind="other", reliability="F")
    response = pub.post(f"/admin/import/{pending.pk}/confirm/")
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Source.objects.get(url=NEW_URL).is_published


def test_a_file_is_confirmed_once(pub):
    upload(pub, new_source_file(pub))
    pending = PendingImport.objects.get()
    assert pub.post(f"/admin/import/{pending.pk}/confirm/").status_code == 200
    assert pub.post(f"/admin/import/{pending.pk}/confirm/").status_code == 404
    assert Source.objects.filter(url=NEW_URL).count() == 1


def test_another_publisher_cannot_confirm_someone_elses_import(pub, other_publisher):
    upload(pub, new_source_file(pub))
    pending = PendingImport.objects.get()
    before = curated_counts()
    assert other_publisher.post(f"/admin/import/{pending.pk}/confirm/").status_code == 404
    assert curated_counts() == before
    assert PendingImport.objects.filter(pk=pending.pk).exists()  # its uploader still can


def test_an_unconfirmed_upload_expires(pub):
    upload(pub, new_source_file(pub))
    pending = PendingImport.objects.get()
    PendingImport.objects.update(created=timezone.now() - datetime.timedelta(days=2))
    assert pub.post(f"/admin/import/{pending.pk}/confirm/").status_code == 404
    assert not Source.objects.filter(url=NEW_URL).exists()
    upload(pub, new_source_file(pub))  # the next upload purges the expired one
    assert list(PendingImport.objects.values_list("pk", flat=True)) != [pending.pk]
    assert PendingImport.objects.count() == 1


def test_the_confirmation_is_a_post(pub):
    upload(pub, new_source_file(pub))
    pending = PendingImport.objects.get()
    assert pub.get(f"/admin/import/{pending.pk}/confirm/").status_code == 405
    assert not Source.objects.filter(url=NEW_URL).exists()


def test_the_preview_lists_each_row_and_the_likely_duplicate_incidents(pub, monkeypatch):
    """What the importer reports row by row is shown with its line, and each likely duplicate
    links to the incident it may repeat (the report is the importer's; the page shows it)."""
    tower_22 = "2024-01-28-tower-22-drone"
    report = Result(
        "incidents",
        created=1,
        unchanged=1,
        actions=[(2, "unchanged", tower_22), (3, "created", "synthetic-drone-attack")],
        duplicates=[(3, "synthetic-drone-attack", tower_22)],
    )
    monkeypatch.setattr("exchange.admin.run_import", lambda *args, **kwargs: report)
    response = upload(pub, template(pub, "incidents"), table="incidents")
    rows = re.findall(r"<tr><td>(\d+)</td><td>(\w+)</td><td[^>]*>([^<]+)</td></tr>", response.text)
    assert rows == [("2", "unchanged", tower_22), ("3", "created", "synthetic-drone-attack")]
    assert f'<a href="/incidents/{tower_22}/">{tower_22}</a>' in response.text
    assert "Confirm the import" in response.text


# --- Errors --------------------------------------------------------------------------------------


def test_errors_are_all_shown_with_their_line_and_column_and_nothing_to_confirm(pub):
    example = rows_of(template(pub, "sources"))[0]
    bad = {**example, "source_id": "", "url": NEW_URL, "title": NEW_TITLE}
    bad |= {"kind": "no-such-kind", "published": "2023-02-30"}
    before = curated_counts()
    response = upload(pub, csv_file([example, bad]))
    assert response.status_code == 200
    result = response.context["result"]
    assert result.error_count >= 1
    assert {line for line, _column, _message in result.errors} == {3}
    assert "Confirm the import" not in response.text
    assert "/confirm/" not in response.text
    assert "nothing would be imported" in response.text
    for _line, column, _message in result.errors:
        assert str(column) in response.text
    assert curated_counts() == before
    assert not PendingImport.objects.exists()


def test_a_file_that_would_change_nothing_has_nothing_to_confirm(pub):
    response = upload(pub, template(pub, "sources"))
    assert response.context["result"].unchanged == 1
    assert "Nothing would change" in response.text
    assert "/confirm/" not in response.text
    assert not PendingImport.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "NUL byte"),
        ("source_id,title\r\n,Caf\u00e9 \u2013 synthetic\r\n".encode("cp1252"), "line 2"),
        ("source_id,title\r\n".encode("utf-16"), "not a UTF-8 text file"),
        (b"", "empty"),
    ],
    ids=["binary", "windows-1252", "utf-16", "empty"],
)
def test_a_file_that_is_not_utf8_text_is_a_form_error(pub, content, expected):
    before = curated_counts()
    response = upload(pub, content)
    assert response.status_code == 200
    assert expected in form_errors(response)
    assert curated_counts() == before
    assert not PendingImport.objects.exists()


def test_a_file_over_the_size_limit_is_a_form_error(pub, settings):
    settings.IMPORT_MAX_BYTES = 100
    response = upload(pub, new_source_file(pub))
    assert response.status_code == 200
    assert "at most 100" in form_errors(response)
    assert not PendingImport.objects.exists()


def test_table_file_and_reason_are_required(pub):
    response = pub.post(URL, {"table": "no-such-table"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"table", "file", "reason"}


def test_a_malformed_csv_is_reported_not_a_crash(pub):
    content = b'source_id,title\r\n,"' + b"x" * 200_000 + b"\r\n"
    response = upload(pub, content)
    assert response.status_code == 200
    assert response.context["result"].error_count >= 1
    assert "/confirm/" not in response.text


# --- Who may import ------------------------------------------------------------------------------


def test_an_editor_who_may_not_publish_gets_403(editor_client, pub):
    assert editor_client.get(URL).status_code == 403
    assert upload(editor_client, new_source_file(pub)).status_code == 403
    assert not PendingImport.objects.exists()
    upload(pub, new_source_file(pub))
    pending = PendingImport.objects.get()
    assert editor_client.post(f"/admin/import/{pending.pk}/confirm/").status_code == 403
    assert not Source.objects.filter(url=NEW_URL).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_admin_index_links_to_the_import_for_publishers_only(pub, editor_client):
    assert 'href="/admin/import/"' in pub.get("/admin/").text
    assert 'href="/admin/import/"' not in editor_client.get("/admin/").text


def test_the_import_pages_keep_to_the_content_security_policy(pub):
    assert_keeps_to_the_policy(pub.get(URL))
    assert_keeps_to_the_policy(upload(pub, new_source_file(pub)))


# --- Templates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES)
def test_a_template_has_exactly_the_imported_columns_and_one_real_example(client, table):
    content = template(client, table)
    header, *rows = list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))
    imported = [column.name for column in exports(None)[table].columns if column.imported]
    assert header == imported
    assert len(rows) == 1
    # The example is the first row of the public export, cell for cell: a real record.
    exported = rows_of(b"".join(client.get(f"/{table}/export.csv").streaming_content))[0]
    assert dict(zip(header, rows[0], strict=True)) == {name: exported[name] for name in header}


@pytest.mark.parametrize("table", TABLES)
def test_a_template_imports_as_it_is(client, table):
    result = run_import(table, template(client, table), reason="template", user=None, dry_run=True)
    assert result.errors == []
    assert result.created + result.updated + result.unchanged == 1


def test_the_templates_are_linked_from_the_codebook_and_the_import_page(client, pub):
    codebook = client.get("/codebook/").text
    page = pub.get(URL).text
    for table in TABLES:
        assert f'href="/codebook/templates/{table}.csv"' in codebook
        assert f'href="/codebook/templates/{table}.csv"' in page


def test_a_template_of_a_table_that_is_not_imported_is_404(client):
    assert client.get("/codebook/templates/changes.csv").status_code == 404
    assert client.get("/codebook/templates/nothing.csv").status_code == 404
