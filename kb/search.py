"""Free-text search over a queryset: PostgreSQL full-text search with ranking, and a word-by-word
fallback for SQLite that finds the same kind of matches (every word somewhere in the fields)."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import F, FloatField, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat

CONFIG = "english"


def uses_postgres(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def text_search(
    queryset: QuerySet, query: str, fields: list[str], extra: Q | None = None, prefix=True
):
    """Rows matching the query, annotated with `search_rank` (higher is better).

    `extra` adds rows matched another way (e.g. by a claimant's alias); they rank after text hits.
    With `prefix`, text the first field starts a word with matches too (a name being typed), which
    PostgreSQL's full-text index cannot serve: off for large tables.
    """
    query = query.strip()
    if not query:
        return queryset
    if uses_postgres(queryset):
        vector = SearchVector(*fields, config=CONFIG)
        search = SearchQuery(query, search_type="websearch", config=CONFIG)
        # A prefix of the first field (a name being typed) also matches, as on SQLite.
        condition = Q(search_vector=search)
        if prefix:
            condition |= Q(**{f"{fields[0]}__icontains": query})
        queryset = queryset.annotate(search_vector=vector, search_rank=SearchRank(vector, search))
    else:
        condition = Q()
        for word in query.split():
            condition &= Q_any(fields, word)
        queryset = queryset.annotate(search_rank=Value(1.0, output_field=FloatField()))
    if extra is not None:
        condition |= extra
    return queryset.filter(condition)


def Q_any(fields: list[str], word: str) -> Q:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": word})
    return condition


def document_search(queryset: QuerySet, query: str, tokens: list[str]):
    """Rows whose stored search document matches the query, or holds one of `tokens` (words the
    document carries for what it names, e.g. `actorg12`), annotated with `search_rank`.

    PostgreSQL: the `search_vector` column (a trigger keeps it from `search_text`) under a GIN
    index, one `@@` for both. Elsewhere: every word of the query in `search_text`, or a token.
    """
    query = query.strip()
    if not query:
        return queryset
    if uses_postgres(queryset):
        search = SearchQuery(query, search_type="websearch", config=CONFIG)
        if tokens:
            search |= SearchQuery(" | ".join(tokens), search_type="raw", config=CONFIG)
        rank = SearchRank(F("search_vector"), search)
        return queryset.filter(search_vector=search).annotate(search_rank=rank)
    condition = Q()
    for word in query.split():
        condition &= Q(search_text__icontains=word)
    padded = Concat(Value(" "), "search_text", Value(" "), output_field=TextField())
    for token in tokens:
        condition |= Q(search_padded__contains=f" {token} ")
    return (
        queryset.alias(search_padded=padded)
        .filter(condition)
        .annotate(search_rank=Value(1.0, output_field=FloatField()))
    )
