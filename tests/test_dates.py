"""Dates are shown and stored with their precision."""

import datetime

import pytest

from claims.models import casualty_display
from kb.dates import DatePrecision, format_date, normalise, possible_range

D = datetime.date


@pytest.mark.parametrize(
    ("date", "precision", "end", "shown"),
    [
        (D(2023, 10, 18), DatePrecision.DAY, None, "18 Oct 2023"),
        (D(2023, 10, 21), DatePrecision.WEEK, None, "week to 21 Oct 2023"),
        (D(2023, 10, 1), DatePrecision.MONTH, None, "Oct 2023"),
        (D(2003, 1, 1), DatePrecision.YEAR, None, "2003"),
        (D(2023, 10, 17), DatePrecision.DAY, D(2023, 10, 18), "17 Oct 2023 – 18 Oct 2023"),
        (None, DatePrecision.DAY, None, "unknown"),
    ],
)
def test_a_date_is_shown_with_its_precision(date, precision, end, shown):
    assert format_date(date, precision, end) == shown


def test_month_and_year_precision_keep_only_what_is_known():
    assert normalise(D(2023, 10, 30), DatePrecision.MONTH) == D(2023, 10, 1)
    assert normalise(D(2023, 10, 30), DatePrecision.YEAR) == D(2023, 1, 1)
    assert normalise(D(2023, 10, 30), DatePrecision.WEEK) == D(2023, 10, 30)


@pytest.mark.parametrize(
    ("low", "high", "shown"),
    [
        (3, 3, "3"),
        (34, 47, "34–47"),
        (2, None, "at least 2"),
        (None, 5, "up to 5"),
        (None, None, ""),
    ],
)
def test_casualties_show_ranges_and_unknowns(low, high, shown):
    assert casualty_display(low, high) == shown


@pytest.mark.django_db
def test_model_validation_normalises_a_month_precision_date():
    from groups.models import Brand

    brand = Brand(name="Test brand", slug="test-brand", launched=D(2023, 10, 30))
    brand.launched_precision = DatePrecision.MONTH
    brand.full_clean()
    assert brand.launched == D(2023, 10, 1)


@pytest.mark.parametrize(
    ("date", "precision", "end", "first", "last"),
    [
        (D(2023, 10, 18), DatePrecision.DAY, None, D(2023, 10, 18), D(2023, 10, 18)),
        (D(2023, 10, 21), DatePrecision.WEEK, None, D(2023, 10, 15), D(2023, 10, 21)),
        (D(2024, 2, 1), DatePrecision.MONTH, None, D(2024, 2, 1), D(2024, 2, 29)),
        (D(2023, 12, 1), DatePrecision.MONTH, None, D(2023, 12, 1), D(2023, 12, 31)),
        (D(2003, 1, 1), DatePrecision.YEAR, None, D(2003, 1, 1), D(2003, 12, 31)),
        (D(2023, 10, 17), DatePrecision.DAY, D(2023, 10, 18), D(2023, 10, 17), D(2023, 10, 18)),
    ],
)
def test_the_possible_range_of_a_date_follows_its_precision(date, precision, end, first, last):
    assert possible_range(date, precision, end) == (first, last)
