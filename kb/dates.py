"""Dates that carry their precision, within a plausible window.

A fact's date is stored as a `DateField` plus a `<name>_precision` field. The date is normalised to
the first day of its month or year for month and year precision, so that sorting and range filters
work on one column, and it is always shown with its precision ("Oct 2023", never "1 Oct 2023").

Every stored date (an incident's and its end date, a claim's, a source's publication and access,
a group's founding, a brand's launch, an affiliation's and a relation's start and end) lies in
`EARLIEST`–`LATEST` (a database constraint, so no path can store 9999-12-15) and is not later than
tomorrow (UTC, so that a date typed east of Greenwich on its own today is fine): everything this
knowledge base records has already happened.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2099, 12, 31)


def latest_allowed() -> datetime.date:
    """The last day a date may be today: tomorrow in UTC, for time zones ahead of it."""
    return timezone.now().date() + datetime.timedelta(days=1)


def implausible(value: datetime.date | None) -> str:
    """Why a stored date cannot be right ('' when it can)."""
    if value is None:
        return ""
    if not EARLIEST <= value <= LATEST:
        return (
            f"{value.isoformat()} is outside the dates this knowledge base holds "
            f"({EARLIEST.isoformat()} to {LATEST.isoformat()})."
        )
    if value > latest_allowed():
        return f"{value.isoformat()} is in the future: record what has happened."
    return ""


def date_field_names(model) -> list[str]:
    """The dates people enter (not derived ones, which follow them)."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateField)
        and not isinstance(f, models.DateTimeField)
        and f.editable
    ]


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
    """Model mixin: `clean()` normalises each `<field>` named in `date_fields` to its precision,
    and refuses any date of the model outside the plausible window."""

    date_fields: tuple[str, ...] = ()

    def clean(self):
        for field in self.date_fields:
            precision = getattr(self, f"{field}_precision")
            setattr(self, field, normalise(getattr(self, field), precision))
        errors = {name: implausible(getattr(self, name)) for name in date_field_names(type(self))}
        if any(errors.values()):
            raise ValidationError({name: message for name, message in errors.items() if message})
        super().clean()
