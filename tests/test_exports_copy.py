"""Every CSV export, as served, is byte for byte what the Python rendering makes of the same rows.

On PostgreSQL the site serves CSV made by the database (exchange.sql: each cell in SQL, the file
by COPY); everywhere else, and for JSON, Python renders the rows. The two must never differ: not
in a quote, a line end, an empty cell, a neutralised formula, a date or a sorted list. Compared
on the seed, as the public and as staff (drafts), filtered and not, and on records whose text is
built to trip a formatter.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import RequestFactory, override_settings

from claims.models import Claim, Incident, IncidentCitation, Location
from exchange.catalogue import exports
from exchange.formats import csv_lines
from exchange.sql import copies
from groups.models import Alias, Group
from sources.models import Source

pytestmark = pytest.mark.django_db

NAMES = [name for name, spec in exports(None).items() if "csv" in spec.formats]
FILTERS = {
    "incidents": {"country": "IQ", "sort": "-killed"},
    "claims": {"claim_kind": "attribution"},
    "groups": {"q": "hezbollah"},
    "brands": {"q": "resistance"},
    "locations": {"country": "SY"},
    "sources": {"q": "drone"},
    "affiliations": {"status": "assessed"},
    "changes": {"since": "2024-01-01"},
}
TRICKY = [
    "=SUM(A1:A9)",
    "-5 dead",
    "+1 claimed",
    "@channel",
    "\tindented",
    "\rcarriage",
    "'already quoted",
    'He said "we did it", then\nanother line\r\nand a CRLF',
    "Ø Σ العربية 😀",
    " spaced ",
    "\\.",
    "a, b; c",
]


def python_rendering(name, user, params) -> bytes:
    request = RequestFactory().get(f"/{name}/export.csv", params)
    request.user = user
    spec = exports(request)[name]
    filterset = spec.filterset_class(
        request.GET, queryset=spec.base_queryset(user), request=request
    )
    assert filterset.is_valid(), filterset.errors
    queryset = spec.ordered(filterset.qs)
    assert copies(spec, queryset, "csv") == (connection.vendor == "postgresql")
    return "".join(csv_lines(spec, spec.rows(queryset, request))).encode()


def served(client, name, params) -> bytes:
    response = client.get(f"/{name}/export.csv", params)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def assert_same(client, user, name, params):
    expected = python_rendering(name, user, params)
    got = served(client, name, params)
    assert got.count(b"\r\n") >= 2, f"{name}: no rows to compare"
    differing = [
        (served_line, rendered_line)
        for served_line, rendered_line in zip(
            got.split(b"\r\n"), expected.split(b"\r\n"), strict=False
        )
        if served_line != rendered_line
    ]
    assert got == expected, differing[:2]


@pytest.mark.parametrize("name", NAMES)
def test_the_public_csv_is_the_python_rendering(client, name):
    from django.contrib.auth.models import AnonymousUser

    assert_same(client, AnonymousUser(), name, {})


# The exports of a list page with filters, filtered (the tables without a page take none).
@pytest.mark.parametrize("name", sorted(FILTERS))
def test_the_public_filtered_csv_is_the_python_rendering(client, name):
    from django.contrib.auth.models import AnonymousUser

    assert_same(client, AnonymousUser(), name, FILTERS[name])


@pytest.mark.parametrize("name", NAMES)
def test_the_staff_csv_with_drafts_is_the_python_rendering(editor_client, editor, name):
    assert_same(editor_client, editor, name, {})


@pytest.fixture
def tricky(db):
    """Published records whose every text field holds text built to trip a formatter."""
    texts = iter(TRICKY * 10)
    location = Location.objects.create(
        status="published",
        name=next(texts),
        slug="tricky-site",
        kind="town",
        country="IQ",
        latitude=Decimal("0.0000001"),
        longitude=Decimal("-45.5000000"),
        alternate_names="first\r\nsecond\u2028third\x85fourth\n\n  \u3000padded\u3000 \n=formula",
        notes=next(texts),
    )
    Location.objects.create(  # whole degrees, and zero: no trailing zeros, no sign, no exponent
        status="published",
        name="Tricky whole degrees",
        slug="tricky-whole",
        kind="town",
        country="IQ",
        latitude=Decimal("30.0000000"),
        longitude=Decimal("-0.0000000"),
    )
    group = Group.objects.create(status="published", name=next(texts), slug="tricky-group")
    for alias in ("zeta", "Zebra", "éclair", "=alias", "zet"):
        Alias.objects.create(group=group, name=alias)
    source = Source.objects.create(
        status="published", title=next(texts), url="", publisher=next(texts), notes=next(texts)
    )
    latest = Incident.objects.order_by("-date").first().date
    incident = Incident.objects.create(
        code="tricky-incident",
        title=next(texts),
        date=latest,
        date_note=next(texts),
        time_of_day=datetime.time(23, 59, 1, 5),
        location=location,
        country="IQ",
        admin1=next(texts),
        place=next(texts),
        facility=next(texts),
        weapon_detail=next(texts),
        target_detail=next(texts),
        casualty_note=next(texts),
        summary=next(texts),
        killed_low=0,
        status="published",
    )
    IncidentCitation.objects.create(incident=incident, source=source, quote=next(texts))
    Claim.objects.create(
        incident=incident,
        group=group,
        claimant_as_named=next(texts),
        original_text=next(texts),
        english_text=next(texts),
        note=next(texts),
    )
    return incident


@pytest.mark.parametrize("name", NAMES)
def test_text_built_to_trip_a_formatter_comes_out_the_same(client, tricky, name):
    from django.contrib.auth.models import AnonymousUser

    assert_same(client, AnonymousUser(), name, {})


def test_the_tricky_texts_are_in_the_files_as_entered(client, tricky):
    import csv
    import io

    body = served(client, "incidents", {}).decode()
    row = next(r for r in csv.DictReader(io.StringIO(body)) if r["code"] == "tricky-incident")
    assert row["location_name"] == "'=SUM(A1:A9)"  # neutralised: one apostrophe, dropped on import
    assert row["title"] == "'already quoted"  # its own apostrophe: no guard to add
    assert row["date_note"] == 'He said "we did it", then\nanother line\r\nand a CRLF'
    assert row["time_of_day"] == "23:59:01.000005"
    assert row["latitude"] == "0.0000001"  # all seven stored decimals, no exponent
    assert row["longitude"] == "-45.5"  # as stored, without trailing zeros
    assert row["source_ids"] == f"[{tricky.citations.get().source_id}]"
    assert row["claimant_groups"] == "'+1 claimed"  # the group's name
    body = served(client, "locations", {}).decode()
    row = next(r for r in csv.DictReader(io.StringIO(body)) if r["slug"] == "tricky-site")
    assert row["alternate_names"] == "first | second | third | fourth | padded | =formula"
    assert row["source_ids"] == "[]"  # no sources: an empty list, not an empty cell
    row = next(r for r in csv.DictReader(io.StringIO(body)) if r["slug"] == "tricky-whole")
    assert (row["latitude"], row["longitude"]) == ("30", "0")
    body = served(client, "groups", {}).decode()
    row = next(r for r in csv.DictReader(io.StringIO(body)) if r["slug"] == "tricky-group")
    assert row["aliases"] == "'=alias | Zebra | zet | zeta | éclair"


@override_settings(SIMPLE_HISTORY_ENABLED=True)
def test_a_change_with_details_comes_out_the_same(client, tricky):
    from django.contrib.auth.models import AnonymousUser

    tricky.title = 'New "title"\nwith a line break and \u0007 a bell'
    tricky.save()
    assert_same(client, AnonymousUser(), "changes", {})


def test_the_copy_paths_white_space_is_what_python_strips():
    from exchange.sql import WHITE_SPACE

    assert "".join(chr(c) for c in range(0x110000) if chr(c).isspace()) == WHITE_SPACE
