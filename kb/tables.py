"""What every list's table shares. Rows arrive already sorted by the list's FilterSet (so that the
page and its export agree); the table only shows which column is sorted and links to re-sort.

Text people typed is bidi-isolated wherever a table shows it (a link with dir="auto", or <bdi>):
a right-to-left override in one name must not reorder the rest of the row."""

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django_tables2.utils import OrderBy, OrderByTuple


class KBTable(tables.Table):
    def __init__(self, *args, sorted_by=(), **kwargs):
        kwargs.setdefault("order_by_field", "sort")
        kwargs.setdefault("template_name", "django_tables2/table.html")
        super().__init__(*args, **kwargs)
        valid = [s for s in sorted_by or () if OrderBy(s).bare in self.columns]
        self._order_by = OrderByTuple(valid)  # display only: never re-sorts the rows

    class Meta:
        attrs = {"class": "data"}


def links(items):
    """Comma-separated links for (url, text) pairs, escaped, each text isolated."""
    return format_html_join(", ", '<a href="{}" dir="auto">{}</a>', items) if items else "—"


def link(url, text):
    """A link whose text (a record's name or title) is isolated from the text around it."""
    return format_html('<a href="{}" dir="auto">{}</a>', url, text)


def bdi(text):
    """Inline text people typed, isolated from the text around it (empty stays empty)."""
    return format_html("<bdi>{}</bdi>", text) if text else ""


def arabic(text):
    """Arabic text, marked up so that it renders right to left."""
    return format_html('<span lang="ar" dir="rtl">{}</span>', text) if text else ""
