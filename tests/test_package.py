"""The whole-dataset package (`manage.py export_dataset`, `/dataset.zip`, `manage.py
import_dataset`): Frictionless validates it; its schemas are the catalogue's columns, keys and
references; the download and the command write the same bytes; its version names the state of the
data; drafts stay out of the public package; and a package of the seed, imported into an emptied
database, gives back every curated row and citation."""

import io
import json
import zipfile

import frictionless
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.models import (
    ClaimStatus,
    Incident,
    Weapon,
)
from exchange.catalogue import exports
from exchange.package import CODEBOOK, DESCRIPTOR
from sources.models import Credibility, Source
from tests.test_import import delete_curated_records
from tests.test_import_rules import curated_database

pytestmark = pytest.mark.django_db

SITE = "http://testserver"  # the test client's host: the command's permalinks match the download's
TOWER_22 = "2024-01-28-tower-22-drone"


@pytest.fixture(autouse=True)
def _package_cache(settings, tmp_path):
    settings.DATASET_CACHE_DIR = tmp_path / "cache"


def export_dataset(out, *options) -> str:
    err = io.StringIO()
    call_command("export_dataset", str(out), "--site-url", SITE, *options, stdout=io.StringIO(),
                 stderr=err)  # fmt: skip
    return err.getvalue()


def zip_files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def descriptor_of(files: dict[str, bytes]) -> dict:
    return json.loads(files[DESCRIPTOR])


def download(client) -> bytes:
    response = client.get("/dataset.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return b"".join(response.streaming_content)


def problems(report) -> list[str]:
    return [
        f"{task.name}: {error.type}: {error.note}" for task in report.tasks for error in task.errors
    ] + [f"{error.type}: {error.note}" for error in report.errors]


# --- Validity and schema -------------------------------------------------------------------------


def test_frictionless_validates_the_seeds_package_as_a_directory_and_as_a_zip(tmp_path):
    export_dataset(tmp_path / "package")
    export_dataset(tmp_path / "package.zip")
    for path in (tmp_path / "package" / DESCRIPTOR, tmp_path / "package.zip"):
        report = frictionless.validate(str(path))
        assert report.valid, problems(report)
        # Every table and the codebook were read, not only the descriptor.
        assert len(report.tasks) == len(exports(None)) + 1


def test_frictionless_notices_a_file_changed_after_the_package_was_written(tmp_path):
    export_dataset(tmp_path)
    groups = tmp_path / "groups.csv"
    groups.write_bytes(groups.read_bytes().replace(b"kataib-hezbollah", b"kataib-hezbollax", 1))
    report = frictionless.validate(str(tmp_path / DESCRIPTOR))
    found = problems(report)
    assert any(problem.startswith("groups: hash-count") for problem in found), found
    # ... and the records naming the group no longer find it.
    assert any("foreign-key" in problem and "kataib-hezbollah" in problem for problem in found)


def test_each_table_is_described_by_the_catalogues_columns_keys_and_references(tmp_path):
    export_dataset(tmp_path)
    package = json.loads((tmp_path / DESCRIPTOR).read_text())
    specs = exports(None)
    resources = {resource["name"]: resource for resource in package["resources"]}
    assert list(resources) == [*specs, CODEBOOK]
    for name, spec in specs.items():
        schema = resources[name]["schema"]
        assert [(f["name"], f["type"]) for f in schema["fields"]] == [
            (c.name, c.type) for c in spec.columns
        ], name
        assert resources[name]["path"] == f"{name}.csv"
        # A key with a part that may be empty is a unique key, never a primary key.
        keys = schema.get("primaryKey") or schema["uniqueKeys"][0]
        assert keys == list(spec.key), name
        references = [
            (tuple(fk["fields"]), ref["resource"] or name, tuple(ref["fields"]))
            for fk in schema.get("foreignKeys", [])
            for ref in [fk["reference"]]
        ]
        assert references == list(spec.references), name
    assert resources["incidents"]["schema"]["primaryKey"] == ["code"]
    assert "primaryKey" not in resources["aliases"]["schema"]  # a group's OR a brand's
    assert resources["aliases"]["schema"]["uniqueKeys"] == [["group", "brand", "name"]]


def test_vocabulary_columns_allow_exactly_the_models_choices(tmp_path):
    export_dataset(tmp_path)
    package = json.loads((tmp_path / DESCRIPTOR).read_text())
    fields = {
        (resource["name"], field["name"]): field
        for resource in package["resources"]
        for field in resource["schema"]["fields"]
    }
    assert fields["incidents", "weapon"]["constraints"]["enum"] == list(Weapon.values)
    assert fields["claims", "status"]["constraints"]["enum"] == list(ClaimStatus.values)
    credibility = fields["incident_citations", "credibility"]
    assert (credibility["type"], credibility["constraints"]["enum"]) == (
        "integer",
        list(Credibility.values),
    )
    assert "constraints" not in fields["incidents", "title"]


def test_the_package_states_its_version_date_citation_and_that_no_licence_is_set(tmp_path):
    warning = export_dataset(tmp_path)
    package = json.loads((tmp_path / DESCRIPTOR).read_text())
    version = package["version"]
    day, change = version.split(".")
    assert package["created"].startswith(day)
    assert int(change) > 0
    assert version in package["citation"]
    assert "licenses" not in package  # none is stated: the package does not invent one
    readme = (tmp_path / "README.md").read_text()
    assert package["citation"] in readme
    assert "No licence has been stated" in readme
    assert "DATASET_LICENSE" in warning
    codebook = (tmp_path / "codebook.md").read_text()
    assert codebook.startswith("# Codebook")


def test_a_stated_licence_is_in_the_descriptor_and_the_readme(tmp_path, settings):
    settings.DATASET_LICENSE = "CC-BY-4.0"
    settings.DATASET_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
    assert export_dataset(tmp_path) == ""
    package = json.loads((tmp_path / DESCRIPTOR).read_text())
    assert package["licenses"] == [
        {"name": "CC-BY-4.0", "title": "CC-BY-4.0", "path": settings.DATASET_LICENSE_URL}
    ]
    assert (
        "CC-BY-4.0 (https://creativecommons.org/licenses/by/4.0/)"
        in (tmp_path / "README.md").read_text()
    )
    assert frictionless.validate(str(tmp_path / DESCRIPTOR)).valid


# --- The download and the command ----------------------------------------------------------------


def test_the_download_and_the_command_write_the_same_bytes(client, tmp_path):
    downloaded = download(client)
    export_dataset(tmp_path / "command.zip")
    assert downloaded == (tmp_path / "command.zip").read_bytes()
    export_dataset(tmp_path / "folder")
    files = zip_files(downloaded)
    assert sorted(files) == sorted(path.name for path in (tmp_path / "folder").iterdir())
    for name, data in files.items():
        assert (tmp_path / "folder" / name).read_bytes() == data, name


def test_the_packages_tables_are_the_exports_downloads(client):
    files = zip_files(download(client))
    for name in ("incidents", "claims", "aliases", "claim_citations", "changes"):
        response = client.get(f"/{name}/export.csv")
        assert files[f"{name}.csv"] == b"".join(response.streaming_content), name


def test_the_download_is_named_by_its_version_and_linked_from_the_codebook(client):
    response = client.get("/dataset.zip")
    version = response["X-Dataset-Version"]
    assert f'filename="incident-claims-kb-{version}.zip"' in response["Content-Disposition"]
    assert descriptor_of(zip_files(b"".join(response.streaming_content)))["version"] == version
    assert b'href="/dataset.zip"' in client.get("/codebook/").content


def test_the_download_refuses_parameters_and_other_methods(client):
    assert client.get("/dataset.zip?drafts=1").status_code == 400
    assert client.post("/dataset.zip").status_code == 405


# --- Versions ------------------------------------------------------------------------------------


def retitle(code: str, title: str) -> None:
    incident = Incident.objects.get(code=code)
    incident.title = title
    incident._change_reason = "Package test: a new title"
    incident.save()


def test_the_version_changes_with_the_data_and_only_then(client, tmp_path):
    first = download(client)
    assert download(client) == first  # the same state: the same file
    export_dataset(tmp_path / "again.zip")
    assert (tmp_path / "again.zip").read_bytes() == first
    before = descriptor_of(zip_files(first))["version"]
    retitle(TOWER_22, "Tower 22 drone attack (retitled by the package test)")
    second = zip_files(download(client))
    after = descriptor_of(second)["version"]
    assert after != before
    assert int(after.split(".")[1]) > int(before.split(".")[1])
    assert b"retitled by the package test" in second["incidents.csv"]
    assert b"retitled by the package test" not in zip_files(first)["incidents.csv"]


def draft_source() -> Source:
    return Source.objects.create(
        title="Synthetic draft source for the package test",
        url="https://synthetic.invalid/package-test",
        status="draft",
    )


def test_drafts_are_not_in_the_public_package_and_do_not_change_its_version(
    client, admin_client, tmp_path
):
    public = zip_files(download(client))
    draft_source()
    for reader in (client, admin_client):  # staff download the public package too
        files = zip_files(download(reader))
        assert b"Synthetic draft source" not in files["sources.csv"]
        assert files == public
    export_dataset(tmp_path / "staff", "--drafts")
    staff = json.loads((tmp_path / "staff" / DESCRIPTOR).read_text())
    assert b"Synthetic draft source" in (tmp_path / "staff" / "sources.csv").read_bytes()
    assert staff["version"] != descriptor_of(public)["version"]
    assert frictionless.validate(str(tmp_path / "staff" / DESCRIPTOR)).valid


# --- The round trip ------------------------------------------------------------------------------

# Every curated row and citation by natural keys (tests/test_import_rules.py's comparison: the
# search text with its actor ids named by slug, since an import renumbers them).
curated_state = curated_database


def test_a_package_of_the_seed_imports_back_into_an_empty_database(tmp_path):
    before = curated_state()
    assert all(before.values())  # every curated table holds rows in the seed
    export_dataset(tmp_path / "package.zip", "--drafts")
    delete_curated_records()
    out = io.StringIO()
    call_command("import_dataset", str(tmp_path / "package.zip"), stdout=out, stderr=io.StringIO())
    assert curated_state() == before
    assert f"incidents: {len(before['Incident'])} created, 0 updated, 0 unchanged." in (
        out.getvalue()
    )


def test_a_dry_run_of_a_package_writes_nothing(tmp_path):
    export_dataset(tmp_path)
    delete_curated_records()
    out = io.StringIO()
    call_command("import_dataset", str(tmp_path), "--dry-run", stdout=out, stderr=io.StringIO())
    assert not Incident.objects.exists()
    assert not Source.objects.exists()
    assert "Dry run: nothing was written" in out.getvalue()


class Outcome:
    """What the importer's import_many gives for one table."""

    def __init__(self, errors=()):
        self.created, self.updated, self.unchanged = 2, 1, 0
        self.errors, self.error_count = list(errors), len(errors)


@pytest.fixture
def importer_calls(monkeypatch):
    """import_dataset's calls of exchange.importer.import_many, which answers as `outcome` says;
    this checks the command's part (which files, in which order, with which reason), not the
    importer's."""
    import exchange.importer

    calls, outcome = [], {}

    def import_many(files, *, reason, user=None, dry_run=False, progress=None):
        calls.append(([(table, data.read()) for table, data in files], reason, dry_run))
        return {table: outcome.get(table, Outcome()) for table, _data in files}

    monkeypatch.setattr(exchange.importer, "import_many", import_many)
    return calls, outcome


def test_import_dataset_gives_every_table_to_the_importer_at_once_in_the_packages_order(
    tmp_path, importer_calls
):
    calls, _outcome = importer_calls
    export_dataset(tmp_path / "package.zip")
    files = zip_files((tmp_path / "package.zip").read_bytes())
    version = descriptor_of(files)["version"]
    out = io.StringIO()
    call_command("import_dataset", str(tmp_path / "package.zip"), "--dry-run", stdout=out)
    [(given, reason, dry_run)] = calls  # one call: all tables in one transaction
    tables = [name for name in exports(None) if name != "changes"]
    assert [table for table, _data in given] == tables
    assert all(data == files[f"{table}.csv"] for table, data in given)
    assert (reason, dry_run) == (
        f"Imported dataset package incident-claims-kb version {version}",
        True,
    )
    assert "incidents: 2 created, 1 updated, 0 unchanged." in out.getvalue()
    assert "Not imported (documentation, or derived): changes, codebook." in out.getvalue()


def test_import_dataset_reports_the_importers_errors_and_refuses_paths_outside_the_package(
    tmp_path, importer_calls
):
    _calls, outcome = importer_calls
    export_dataset(tmp_path)
    outcome["claims"] = Outcome([(3, "kind", "'claimed' is not one of: responsibility, denial")])
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_dataset", str(tmp_path), stdout=io.StringIO(), stderr=err)
    assert "claims: line 3, column kind: 'claimed' is not one of" in err.getvalue()
    package = json.loads((tmp_path / DESCRIPTOR).read_text())
    package["resources"][0]["path"] = "../sources.csv"
    (tmp_path / DESCRIPTOR).write_text(json.dumps(package))
    with pytest.raises(CommandError, match="must be a file in the package"):
        call_command("import_dataset", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())
