"""Dates that carry their precision.

A fact's date is stored as a `DateField` plus a `<name>_precision` field. The date is normalised to
the first day of its month or year for month and year precision, so that sorting and range filters
work on one column, and it is always shown with its precision ("Oct 2023", never "1 Oct 2023").
"""

import datetime

from django.db import models


class DatePrecision(models.TextChoices):
    DAY = "day", "day"
    WEEK = "week", "week (in the seven days ending on the date)"
    MONTH = "month", "month"
    YEAR = "year", "year"


def normalise(date: datetime.date | None, precision: str) -> datetime.date | None:
    """Return the date reduced to what its precision claims to know."""
    if date is None:
        return None
    if precision == DatePrecision.MONTH:
        return date.replace(day=1)
    if precision == DatePrecision.YEAR:
        return date.replace(month=1, day=1)
    return date


def possible_range(
    date: datetime.date, precision: str, end: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """The first and last day the fact may fall on, given its precision (and end date)."""
    week = precision == DatePrecision.WEEK
    first = date - datetime.timedelta(days=6) if week and date.toordinal() > 6 else date
    if end:
        return first, end
    if precision == DatePrecision.MONTH:
        if (date.year, date.month) == (9999, 12):
            return first, datetime.date.max
        following = (date.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return first, following - datetime.timedelta(days=1)
    if precision == DatePrecision.YEAR:
        return first, date.replace(month=12, day=31)
    return first, date


def format_date(
    date: datetime.date | None, precision: str, end: datetime.date | None = None
) -> str:
    """Human-readable date with its precision: '18 Oct 2023', 'week to 21 Oct 2023', 'Oct 2023'."""
    if date is None:
        return "unknown"
    if precision == DatePrecision.YEAR:
        text = f"{date:%Y}"
    elif precision == DatePrecision.MONTH:
        text = f"{date:%b %Y}"
    elif precision == DatePrecision.WEEK:
        text = f"week to {date.day} {date:%b %Y}"
    else:
        text = f"{date.day} {date:%b %Y}"
    if end and end != date:
        text += f" – {end.day} {end:%b %Y}"
    return text


class DatedMixin:
    """Model mixin: `clean()` normalises each `<field>` named in `date_fields` to its precision."""

    date_fields: tuple[str, ...] = ()

    def clean(self):
        for field in self.date_fields:
            precision = getattr(self, f"{field}_precision")
            setattr(self, field, normalise(getattr(self, field), precision))
        super().clean()
