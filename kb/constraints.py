"""Builders for the database constraints that several models share.

Invariants live in the database so that no path (admin, importer, shell, raw SQL) can break them.
"""

from django.db import models
from django.db.models import Q

from kb.countries import COUNTRIES
from kb.dates import EARLIEST, LATEST, DatePrecision


def one_of(field: str, choices: type[models.Choices], name: str, blank: bool = False):
    """The field holds one of a controlled vocabulary's values (or is empty, if `blank`)."""
    values = list(choices.values) + ([""] if blank else [])
    return models.CheckConstraint(condition=Q(**{f"{field}__in": values}), name=name)


def dated(field: str, prefix: str) -> list[models.CheckConstraint]:
    """A date and its precision: both set or both empty, the precision from the vocabulary, and
    the date in the window."""
    precision = f"{field}_precision"
    return [
        models.CheckConstraint(
            condition=(Q(**{f"{field}__isnull": True}) & Q(**{precision: ""}))
            | (Q(**{f"{field}__isnull": False}) & ~Q(**{precision: ""})),
            name=f"{prefix}_{field}_has_precision",
            violation_error_message=f"Give both a {field} and its precision, or neither.",
        ),
        one_of(precision, DatePrecision, f"{prefix}_{precision}_valid", blank=True),
        in_window(field, prefix),
    ]


def in_window(field: str, prefix: str) -> models.CheckConstraint:
    """A date, when given, lies in the window every date of the knowledge base keeps to."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__gte": EARLIEST, f"{field}__lte": LATEST}),
        name=f"{prefix}_{field}_in_window",
        violation_error_message=(
            f"The {field.replace('_', ' ')} must be between {EARLIEST} and {LATEST}."
        ),
    )


def not_before(end: str, start: str, name: str) -> models.CheckConstraint:
    """An end date, when given, is not before the start date."""
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True})
        | Q(**{f"{start}__isnull": True})
        | Q(**{f"{end}__gte": models.F(start)}),
        name=name,
        violation_error_message=f"The {end.replace('_', ' ')} cannot be before the {start}.",
    )


def http_url(field: str, name: str) -> models.CheckConstraint:
    """A URL field is empty or an http(s) URL: no javascript:, data: or file: links."""
    return models.CheckConstraint(
        condition=Q(**{field: ""})
        | Q(**{f"{field}__startswith": "http://"})
        | Q(**{f"{field}__startswith": "https://"}),
        name=name,
        violation_error_message="Only http:// and https:// links are allowed.",
    )


def lowercase_scheme(url: str) -> str:
    """'HTTPS://x' -> 'https://x'. `http_url` is case-sensitive on PostgreSQL but not on SQLite,
    so model validation normalises the scheme before the database sees it."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme.lower()}{sep}{rest}" if sep else url


def country(field: str, name: str, blank: bool = False) -> models.CheckConstraint:
    """The field holds an ISO 3166-1 alpha-2 code (or is empty, if `blank`)."""
    codes = [code for code, _ in COUNTRIES] + ([""] if blank else [])
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": codes}),
        name=name,
        violation_error_message="Use an ISO 3166-1 alpha-2 country code.",
    )


def not_blank(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=~Q(**{field: ""}), name=name, violation_error_message=f"{field} is required."
    )
