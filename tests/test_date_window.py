"""Plausible dates everywhere, and visuals that never blow up.

Every stored date lies between 1900-01-01 and 2099-12-31 (a database constraint on every date
column, so no path can store 9999-12-15) and is not in the future; the admin and the importer say
so on the field. Independently, the timeline stays small whatever dates exist: it coarsens week →
month → year → decade → century until at most MAX_BUCKETS bars remain, says so, and never
overflows at the ends of the calendar.
"""

import csv
import datetime
import io
import json

import pytest
from django.db import IntegrityError, transaction

from claims import derived
from claims.models import Claim, Incident, Location
from claims.visuals import MAX_BUCKETS, Tally, timeline
from exchange.importer import import_rows
from groups.models import Affiliation, Brand, Group, Relation
from kb.dates import EARLIEST, LATEST, date_field_names
from sources.models import Source
from tests.test_admin import form_errors, resubmit

pytestmark = pytest.mark.django_db

DATED = [Incident, Claim, Source, Group, Brand, Affiliation, Relation]
TODAY = datetime.date.today()


def cases():
    return [(model, name) for model in DATED for name in date_field_names(model)]


def dated_at(model, name, value) -> dict:
    """The update that sets the field to the value and breaks no other rule: every date of the
    record on that day (an end is not before its start), each with a precision."""
    fields = dict.fromkeys(date_field_names(model), value)
    precisions = {f.name for f in model._meta.concrete_fields if f.name.endswith("_precision")}
    fields |= {
        f"{field}_precision": "day" for field in fields if f"{field}_precision" in precisions
    }
    assert name in fields
    return fields


@pytest.mark.parametrize(("model", "name"), cases(), ids=[f"{m.__name__}.{n}" for m, n in cases()])
@pytest.mark.parametrize(
    "value",
    ["9999-12-15", "0001-01-01", "1899-12-31", "2100-01-01"],
)
def test_the_database_refuses_a_date_outside_the_window_on_every_date_column(model, name, value):
    record = model.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        # An update bypasses every form and model check: only the constraint stands.
        day = datetime.date.fromisoformat(value)
        model.objects.filter(pk=record.pk).update(**dated_at(model, name, day))


@pytest.mark.parametrize(("model", "name"), cases(), ids=[f"{m.__name__}.{n}" for m, n in cases()])
def test_the_window_s_own_ends_are_accepted_by_the_database(model, name):
    record = model.objects.first()
    for end in (EARLIEST, LATEST):
        model.objects.filter(pk=record.pk).update(**dated_at(model, name, end))
        assert getattr(model.objects.get(pk=record.pk), name) == end


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9999-12-15", "9999-12-15 is outside the dates this knowledge base holds"),
        ("1899-12-31", "1899-12-31 is outside the dates this knowledge base holds"),
        (
            (TODAY + datetime.timedelta(days=30)).isoformat(),
            "is in the future: record what has happened.",
        ),
    ],
)
def test_the_admin_refuses_an_implausible_incident_date_on_the_field(editor_client, typed, message):
    location = Location.objects.first()
    url = "/admin/claims/incident/add/"
    data = resubmit(
        editor_client.get(url),
        code="implausible-date",
        title="Implausible",
        date=typed,
        date_precision="day",
        country=location.country,
        location=location.pk,
    )
    response = editor_client.post(url, data)
    assert response.status_code == 200, "saved"
    assert message in " ".join(response.context["adminform"].form.errors["date"])
    assert not Incident.objects.filter(code="implausible-date").exists()


def test_the_admin_accepts_today(editor_client):
    location = Location.objects.first()
    url = "/admin/claims/incident/add/"
    data = resubmit(
        editor_client.get(url),
        code="today-s-incident",
        title="Today",
        date=TODAY.isoformat(),
        date_precision="day",
        country=location.country,
        location=location.pk,
        not_a_duplicate="on",
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, form_errors(response)


def imported(kind, text):
    return import_rows(kind, csv.DictReader(io.StringIO(text)), "test import")


def test_the_importer_reports_each_implausible_date_with_its_row_and_column():
    far = (TODAY + datetime.timedelta(days=400)).isoformat()
    result = imported(
        "sources",
        "source_id,title,url,kind,published,published_precision,accessed,reliability\n"
        ",Far,https://example.org/far,news,9999-12-15,day,,F\n"
        f",Future,https://example.org/future,news,2024-01-01,day,{far},F\n",
    )
    assert [(row, column) for row, column, _ in result.errors] == [
        (2, "published"),
        (3, "accessed"),
    ]
    assert (
        "outside the dates this knowledge base holds (1900-01-01 to 2099-12-31)"
        in (result.errors[0][2])
    )
    assert not Source.objects.filter(title__in=["Far", "Future"]).exists()


def test_an_incident_s_end_date_is_held_to_the_window_too():
    result = imported(
        "incidents",
        "code,title,date,date_precision,date_end,country\n"
        "2024-01-01-far-end,Far end,2024-01-01,day,9999-12-31,IQ\n",
    )
    assert [(row, column) for row, column, _ in result.errors] == [(2, "date_end")]


# The timeline, whatever dates exist --------------------------------------------------------------


def rows_on(*days):
    """One incident on each of these days (as the database would count them, at day level)."""
    return [Tally(first=day, last=day, key="rocket", count=1) for day in days]


def test_the_ends_of_the_calendar_give_a_bounded_timeline_without_overflow():
    selected = rows_on(datetime.date.min, datetime.date(2024, 1, 17), datetime.date.max)
    for interval in ("week", "month"):
        data = timeline(None, interval, "weapon", counted=selected)
        assert data["interval"] == "century" and data["coarsened"]
        assert data["asked_interval"] == interval
        assert len(data["buckets"]) <= MAX_BUCKETS
        assert data["buckets"][0]["start"] == "0001-01-01"
        assert data["buckets"][-1]["end"] == "9999-12-31"
        assert sum(b["total"] for b in data["buckets"]) == data["total"] == 3
        assert len(json.dumps(data)) < 100_000


@pytest.mark.parametrize(
    ("first", "last", "asked", "drawn"),
    [
        ("2023-10-02", "2026-01-12", "week", "week"),  # 120 weeks: drawn as asked
        ("2023-10-02", "2026-01-19", "week", "month"),  # 121 weeks
        ("1990-01-01", "1999-12-31", "month", "month"),  # 120 months
        ("1990-01-01", "2000-01-01", "month", "year"),  # 121 months
        ("1900-01-01", "2099-12-31", "week", "decade"),  # the whole window: 200 years
    ],
)
def test_too_many_bars_are_coarsened_to_the_first_interval_that_fits(first, last, asked, drawn):
    selected = rows_on(datetime.date.fromisoformat(first), datetime.date.fromisoformat(last))
    data = timeline(None, asked, "weapon", counted=selected)
    assert data["interval"] == drawn
    assert data["coarsened"] == (drawn != asked)
    assert len(data["buckets"]) <= MAX_BUCKETS
    starts = [datetime.date.fromisoformat(b["start"]) for b in data["buckets"]]
    ends = [datetime.date.fromisoformat(b["end"]) for b in data["buckets"]]
    assert all(e + datetime.timedelta(days=1) == s for e, s in zip(ends, starts[1:], strict=False))
    assert starts[0] <= datetime.date.fromisoformat(first) and ends[-1] >= (
        datetime.date.fromisoformat(last)
    )


def test_the_page_says_when_its_bars_were_coarsened(client):
    early = Incident.objects.published().order_by("date").first()
    Incident.objects.filter(pk=early.pk).update(date=datetime.date(1990, 1, 1), date_end=None)
    derived.refresh([early.pk])  # a bulk update bypasses the signals that keep them
    response = client.get("/incidents/", {"interval": "week"})
    assert response.status_code == 200
    data = response.context["timeline"]
    assert (data["interval"], data["asked_interval"]) == ("year", "week")
    assert "too many weeks for one bar each: one bar per year" in response.text
    # The chart asks its endpoint for what the reader asked, and gets the same bars.
    assert "interval=week" in response.text
    answer = client.get("/incidents/timeline.json", {"interval": "week"}).json()
    assert answer["buckets"] == data["buckets"]
