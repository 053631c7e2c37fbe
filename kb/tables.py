"""What every list's table shares. Rows arrive already sorted by the list's FilterSet (so that the
page and its export agree); the table only shows which column is sorted and links to re-sort.

Text people typed is bidi-isolated wherever a table shows it (a link with dir="auto", or <bdi>):
a right-to-left override in one name must not reorder the rest of the row.

The rows of a page are rendered here in Python, one string per row (`KBTable.body_html`), as
django-tables2's template would render them cell by cell: that template, with a signature
inspected and attributes computed for every cell, took most of a list page's time."""

from urllib.parse import quote

import django_tables2 as tables
from django.db.models import Model
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.formats import localize
from django.utils.hashable import make_hashable
from django.utils.html import format_html, format_html_join
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe
from django_tables2.utils import Accessor, OrderBy, OrderByTuple, signature

from kb.renderers import text  # a value as {{ value }} shows it

# Stands for the key in a reversed URL: valid for every path converter the record pages use.
URL_KEY = "1234567890"
URL_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what reverse() leaves unquoted

# What a table's render_FOO method (or a column's render) may ask for that is the same in every
# row; `value` and `record` are the row's own.
CELL_ARGUMENTS = {"value", "record", "column", "bound_column", "table"}


class KBTable(tables.Table):
    def __init__(self, *args, sorted_by=(), **kwargs):
        kwargs.setdefault("order_by_field", "sort")
        kwargs.setdefault("template_name", "includes/table.html")
        super().__init__(*args, **kwargs)
        valid = [s for s in sorted_by or () if OrderBy(s).bare in self.columns]
        self._order_by = OrderByTuple(valid)  # display only: never re-sorts the rows
        self._url_patterns = {}

    def page_url(self, view_name, key):
        """reverse(view_name, args=[key]) for a row's record (a slug, a code or an id), with one
        reverse() per table and view instead of one per row."""
        pattern = self._url_patterns.get(view_name)
        if pattern is None:
            pattern = reverse(view_name, args=[URL_KEY]).rsplit(URL_KEY, 1)
            self._url_patterns[view_name] = pattern
        prefix, suffix = pattern
        return f"{prefix}{quote(str(key), safe=URL_SAFE)}{suffix}"

    class Meta:
        attrs = {"class": "data"}

    def body_html(self):
        """The <tr>s of this page (or the empty text), as django-tables2's table.html renders
        them: each cell's value or its default, its render method, its <td> attributes."""
        columns = [(column, cell_function(self, column)) for column in self.columns]
        rows = []
        for row in self.paginated_rows:
            cells = []
            for column, cell in columns:
                if cell is None:  # a column this module does not render: django-tables2's way
                    column.current_value = row.get_cell(column.name)
                    column.current_record = row.record
                    td, content = column.attrs["td"].as_html(), column.current_value
                    if column.localize is not None:  # the |localize or |unlocalize filter
                        content = str(localize(content, use_l10n=column.localize))
                else:
                    td, content = cell(row.record)
                cells.append(format_html("<td {}>{}</td>", td, text(content)))
            cells = mark_safe("\n".join(cells))  # each escaped by format_html
            rows.append(format_html("<tr {}>\n{}\n</tr>", row.attrs.as_html(), cells))
        if not rows and self.empty_text:
            return format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), self.empty_text)
        return mark_safe("\n".join(rows))


# The column that names the row (a title, a name): kept in view when a narrow screen scrolls the
# table sideways (kb.css), and given room enough to read in a few lines on a laptop.
KEY = {"th": {"class": "key"}, "td": {"class": "key"}}
# A column of short values (a code, a figure, one word): as narrow as they are, leaving the room
# to the columns of names.
NARROW = {"th": {"class": "narrow"}, "td": {"class": "narrow"}}


def cell_function(table, bound_column):
    """A function of a record giving its cell's <td> attributes and content, with what is the
    same in every row worked out once (None for a column it cannot render so: django-tables2's
    own, a link, localize, or attributes computed per cell)."""
    column = bound_column.column
    attrs = {**table.attrs, **column.attrs}
    td_attrs = attrs.get("td", attrs.get("cell", {}))
    if (
        type(column) is not tables.Column
        or column.link
        or column.localize is not None
        or any(callable(value) for value in td_attrs.values())
    ):
        return None
    td = bound_column.attrs["td"].as_html()
    value_of = value_function(table, bound_column)
    render, default, empty = bound_column.render, bound_column.default, column.empty_values
    wanted, catch_all = signature(render)
    if catch_all or not set(wanted) <= CELL_ARGUMENTS:
        return None
    fixed = {"column": column, "bound_column": bound_column, "table": table}
    fixed = {name: value for name, value in fixed.items() if name in wanted}
    takes_value, takes_record = "value" in wanted, "record" in wanted

    def cell(record):
        value = value_of(record)
        if value in empty:
            return td, default
        kwargs = dict(fixed)
        if takes_value:
            kwargs["value"] = value
        if takes_record:
            kwargs["record"] = record
        return td, render(**kwargs)

    return cell


def value_function(table, bound_column):
    """The value django-tables2 gives a cell: the label of a field with choices (what
    get_FOO_display() gives), else what the accessor reaches (None if it reaches nothing)."""
    accessor = Accessor(bound_column.accessor)
    path, _, name = accessor.rpartition(accessor.SEPARATOR)
    owner_of = Accessor(path)
    field = accessor.get_field(table._meta.model)
    if field is not None and field.choices and field.name == name:
        labels = dict(field.flatchoices)

        def label(record):
            owner = owner_of.resolve(record, quiet=True)
            if not isinstance(owner, Model):
                return resolve(record)
            value = getattr(owner, field.attname)
            return force_str(labels.get(make_hashable(value), value), strings_only=True)

        return label

    def resolve(record):
        try:
            return accessor.resolve(record)
        except Exception:
            return None

    return resolve


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
