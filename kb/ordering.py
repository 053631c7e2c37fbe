"""One sort rule for every list page and export, giving the same order on SQLite and PostgreSQL.

- Unknowns come last, sorting up or down: NULL, and empty text (text that was not recorded).
- Text is compared by Unicode code point after turning A-Z into a-z (only those: "Émile" and
  "émile" differ, and both come after "zeta"; Arabic and other scripts by code point). Neither
  database's collation is used: PostgreSQL's may be linguistic (en_US ignores hyphens and case
  at first), SQLite's is BINARY. On PostgreSQL the text is compared COLLATE "C", under which
  lower() changes A-Z only, as SQLite's lower() does.
- Rows equal in every key are in the order of their id (ascending), unless the order names pk.

`ordering()` writes such an order for `QuerySet.order_by()` from fields named as order_by names
them (`"-published"`, `"title"`, `"group__slug"`); `fold()` is the text rule in Python.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, Expression, F, Func, OrderBy, TextField, Value
from django.db.models.functions import Lower, NullIf

# A-Z to a-z, and nothing else (the databases' lower() under a byte-wise collation).
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(text: str | None) -> str | None:
    """The text rule in Python: None for unknown (None or empty), else A-Z as a-z; Python
    compares the result by code point, as the databases do."""
    return text.translate(_ASCII_LOWER) if text else None


class CodePoints(Func):
    """Text compared by code point: COLLATE "C" on PostgreSQL, BINARY (its default) on SQLite."""

    template = '(%(expressions)s) COLLATE "C"'
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="(%(expressions)s) COLLATE BINARY", **extra_context
        )


def text_key(field: str | Expression) -> Expression:
    """A text sort key by the rule: empty as unknown (NULL), A-Z as a-z, by code point."""
    expression = F(field) if isinstance(field, str) else field
    return Lower(NullIf(CodePoints(expression), Value(""), output_field=TextField()))


def field_at(model, path: str):
    """The field at this lookup path (e.g. 'location__name'), and whether it may be NULL there
    (itself, or a relation on the way); (None, True) for the pk or an annotation (a count)."""
    nullable = False
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None, part != "pk"
        nullable = nullable or field.null
        model = field.related_model or model
    return field, nullable


def is_text(model, path: str) -> bool:
    """Is the field at this lookup path a text field?"""
    return isinstance(field_at(model, path)[0], CharField | TextField)


def sort_key(model, field: str, descending: bool = False) -> OrderBy:
    """One key of an order: text by the rule, unknowns last whichever the direction.

    A column that is never NULL is ordered plainly ("at DESC", not "at DESC NULLS LAST": the
    same order), so that an index on it serves the order read backwards."""
    found, nullable = field_at(model, field)
    if isinstance(found, CharField | TextField):
        expression = text_key(field)  # empty text is unknown: NULL, whatever the column holds
    elif not nullable:
        return F(field).desc() if descending else F(field).asc()
    else:
        expression = F(field)
    return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)


def ordering(model, *fields: str) -> list[OrderBy]:
    """`order_by()` arguments for `fields` ("-published", "title"), by the rule, ending with the
    id unless the last field is the id."""
    keys = [sort_key(model, field.lstrip("-"), field.startswith("-")) for field in fields]
    if not fields or fields[-1].lstrip("-") not in ("pk", "id"):
        keys.append(F("pk").asc())
    return keys
