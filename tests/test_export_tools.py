"""Every CSV export loads in researchers' tools without options, with the types the codebook
promises: pandas (`read_csv(path)`), and csvkit (whose dialect sniffer once took the claims file
for space-delimited). Checked on the seed, and on records with empty cells in every column that
may be empty.

The promise (codebook, "Types"): integer and number columns are read as numbers (as floats where
a column has empty cells, since pandas has no empty integer); boolean as bool (object where it
has empty cells); array (id lists, `[12, 40]`), string, date and time as text (object).
"""

import csv
import io
import json

import agate
import pandas
import pytest
from csvkit.utilities.csvjson import CSVJSON
from csvkit.utilities.csvstat import CSVStat
from pandas.api import types

from claims.models import Claim, Incident, Location
from exchange.catalogue import exports
from exchange.formats import ID_LIST
from groups.models import Group
from sources.models import Source

pytestmark = pytest.mark.django_db

CSV_NAMES = [name for name, spec in exports(None).items() if "csv" in spec.formats]


def download(client, name, tmp_path):
    response = client.get(f"/{name}/export.csv")
    assert response.status_code == 200
    path = tmp_path / f"{name}.csv"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def assert_promised_dtypes(spec, frame, raw):
    """Each column's pandas dtype is the one its Table Schema type promises."""
    assert list(frame.columns) == spec.header
    for column in spec.columns:
        dtype, empty = frame[column.name].dtype, (raw[column.name] == "").any()
        where = f"{spec.name}.{column.name} ({column.type}, {dtype})"
        if (raw[column.name] == "").all():
            # No value at all in this file (no archive URL recorded yet): nothing tells pandas
            # the type, and it reads empty numbers (as the codebook warns).
            assert frame[column.name].isna().all(), where
            continue
        if column.type in ("integer", "number"):
            assert types.is_numeric_dtype(dtype) and not types.is_bool_dtype(dtype), where
            if column.type == "integer" and not empty:
                assert types.is_integer_dtype(dtype), where
        elif column.type == "boolean":
            if empty:
                assert types.is_object_dtype(dtype), where
            else:
                assert types.is_bool_dtype(dtype), where
        else:  # array, string, date, time, datetime: text
            assert types.is_object_dtype(dtype) or types.is_string_dtype(dtype), where
            assert not types.is_numeric_dtype(dtype), where


def check_with_pandas(client, tmp_path):
    checked = 0
    for name in CSV_NAMES:
        spec = exports(None)[name]
        path = download(client, name, tmp_path)
        frame = pandas.read_csv(path)  # no options, as a researcher would
        raw = pandas.read_csv(path, dtype=str, keep_default_na=False)
        assert len(frame) == len(raw)
        if len(frame):
            assert_promised_dtypes(spec, frame, raw)
            checked += 1
    return checked


def test_pandas_reads_every_seed_export_with_the_promised_types(client, tmp_path):
    assert check_with_pandas(client, tmp_path) == len(CSV_NAMES)


@pytest.fixture
def with_empty_cells(db):
    """Published records leaving empty every column that may be empty: no coordinates, no
    figures, no claim date, no source cited."""
    day = Incident.objects.order_by("date").first().date
    site = Location.objects.create(
        status="published", name="Synthetic site", slug="empty-site", kind="town", country="IQ"
    )
    incident = Incident.objects.create(
        code="empty-cells-incident",
        title="Synthetic",
        date=day,
        country="IQ",
        location=site,
        status="published",
    )
    group = Group.objects.create(status="published", name="Synthetic group", slug="empty-group")
    Claim.objects.create(incident=incident, group=group)
    Source.objects.create(status="published", title="", url="https://example.org/empty")
    return incident


def test_pandas_reads_every_export_with_empty_cells_with_the_promised_types(
    client, tmp_path, with_empty_cells
):
    assert check_with_pandas(client, tmp_path) == len(CSV_NAMES)
    frame = pandas.read_csv(download(client, "incidents", tmp_path))
    row = frame[frame["code"] == "empty-cells-incident"].iloc[0]
    assert pandas.isna(row["killed_low"]) and pandas.isna(row["latitude"])
    assert row["source_ids"] == "[]"  # an empty list: the column stays text, never a float


def test_id_lists_read_as_lists_of_whole_numbers_in_every_file(client, tmp_path):
    """source_ids has one type in every export: a JSON list of whole numbers."""
    for name in CSV_NAMES:
        spec = exports(None)[name]
        if "source_ids" not in spec.header:
            continue
        column = next(c for c in spec.columns if c.name == "source_ids")
        assert column.values.startswith(ID_LIST) and column.type == "array"
        frame = pandas.read_csv(download(client, name, tmp_path), dtype={"source_ids": str})
        lists = [json.loads(cell) for cell in frame["source_ids"]]
        assert all(isinstance(i, int) for ids in lists for i in ids), name
        assert all(ids == sorted(set(ids)) for ids in lists), name


def test_csvkit_reads_every_exports_columns_and_cells(client, tmp_path, with_empty_cells):
    """csvstat and csvjson (agate's sniffer on the first 1024 bytes, csvkit's default) find the
    comma and every column, and read each cell as written."""
    for name in CSV_NAMES:
        spec = exports(None)[name]
        path = download(client, name, tmp_path)
        out = io.StringIO()
        CSVStat(["--csv", str(path)], output_file=out).run()
        stats = list(csv.DictReader(io.StringIO(out.getvalue())))
        assert [row["column_name"] for row in stats] == spec.header, name
        out = io.StringIO()
        CSVJSON(["--no-inference", str(path)], output_file=out).run()
        records = json.loads(out.getvalue())
        read = [{k: "" if v is None else v for k, v in r.items()} for r in records]
        with open(path, newline="", encoding="utf-8") as f:
            assert read == list(csv.DictReader(f)), name


def test_the_claims_file_is_sniffed_as_comma_delimited(client, tmp_path):
    """What was seen: a claim's text with 'quoted words' in the first row made the sniffer
    choose a space delimiter and an apostrophe for the quote."""
    path = download(client, "claims", tmp_path)
    sample = path.read_bytes().decode()[:1024]
    assert "'" in sample.split("\r\n", 2)[1]  # the first row has an apostrophe-quoted phrase
    dialect = agate.csv.Sniffer().sniff(sample)
    assert (dialect.delimiter, dialect.quotechar) == (",", '"')


def test_the_header_quotes_every_name(client):
    response = client.get("/sources/export.csv")
    header = b"".join(response.streaming_content).split(b"\r\n", 1)[0].decode()
    assert header == ",".join(f'"{name}"' for name in exports(None)["sources"].header)
