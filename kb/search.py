"""Free-text search that does not depend on how a name is spelt.

A query is read as its folded words (kb.names.words: no case, diacritics, apostrophes, hyphens or
article), which must all match. A word that is a word of an actor's name (its skeleton term is
among `spellings`, from groups.search.match_actors) is matched in any transliteration; and text
naming an actor the query designates, by any of its names (`names`, each as a phrase), matches
too, so that an Arabic name finds what its Latin spellings find.

Two kinds of rows are searched:
- incidents, by their stored search document (claims.derived: folded text with skeleton terms,
  under a GIN index on PostgreSQL): `document_search`;
- smaller tables (claims, locations, sources), by their own fields: `text_search`, where a word
  is matched in the spellings the actors' names give it.
PostgreSQL uses full-text search with ranking; SQLite finds the same kind of matches (every word
somewhere in the fields).
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import F, FloatField, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat

from kb.names import SKELETON_MARK, fold, skeleton, skeleton_term, words

CONFIG = "english"
# An actor's names searched as the query: past this many (a one-letter query designates dozens
# of actors), only the rows naming the actors are found.
MOST_NAMES = 200
# SQLite finds a word at the start of a word (drone, drones), a shorter one only as a whole word.
WHOLE_WORDS_BELOW = 4


def uses_postgres(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def query_words(query: str, spellings: dict, *, document: bool) -> list[set[str]]:
    """The query's words, each as the terms any of which matches it: the folded word, and for a
    word of an actor's name, its known spellings (other text) or, in a document, its skeleton
    term when the names spell it in more than one way.

    Words joined by punctuation without a space (an incident's code, a date, 'US-led') are one
    term, a phrase: those words in that order, as the text writes them (articles too), not each
    anywhere. Both databases read a term of several words as a phrase."""
    if len(query.split()) == 1 and len(words(query)) > 1:
        return [{fold(query)}]
    found = []
    for word in words(query):
        terms, term = {word}, skeleton_term(word)
        if term in spellings and not document:
            terms |= spellings[term]
        elif term in spellings and len({fold(known) for known in spellings[term]}) > 1:
            # A word the names spell in more ways than one (Hezbollah, Hizballah): any spelling.
            # Not one they spell one way ('Flood', whose skeleton is also that of 'field').
            terms.add(term)
        found.append(terms)
    return found


def is_a_name(query: str, names) -> bool:
    """Is the query one of these names, in some spelling? Then it is searched as they are (each
    a phrase), not as words anywhere in the text: 'Kataib Hezbollah' finds what 'كتائب حزب الله'
    finds, not texts naming 'Kataib' somewhere and 'Hezbollah' elsewhere."""
    return any(skeleton(name) == skeleton(query) for name in names)


def name_phrases(names, spellings: dict) -> list[list[set[str]]]:
    """Each name as a phrase of a document's folded words, each word in any of its known folded
    spellings ('Iraqi Hezbollah' is found in '... iraqi hizballah ...', not in 'iraqi army ...
    hezbollah')."""
    if len(names) > MOST_NAMES:
        return []
    phrases = []
    for name in sorted(names):
        phrase = []
        for word in words(name):
            known = spellings.get(skeleton_term(word), ())
            phrase.append({word} | {spelling for spelling in known if fold(spelling) == spelling})
        if phrase and phrase not in phrases:  # two spellings of a name: one phrase
            phrases.append(phrase)
    return phrases


def text_search(
    queryset: QuerySet,
    query: str,
    fields: list[str],
    extra: Q | None = None,
    prefix=True,
    names=(),
    spellings=None,
):
    """Rows matching the query, annotated with `search_rank` (higher is better).

    `extra` adds rows matched another way (e.g. by a claimant's alias); they rank after text hits.
    With `prefix`, text the first field starts a word with matches too (a name being typed), which
    PostgreSQL's full-text index cannot serve: off for large tables.
    """
    query = query.strip()
    if not query:
        return queryset
    names = sorted(names) if len(names) <= MOST_NAMES else []
    found = [] if is_a_name(query, names) else query_words(query, spellings or {}, document=False)
    if uses_postgres(queryset):
        vector = SearchVector(*fields, config=CONFIG)

        def phrase(text):
            return SearchQuery(text, search_type="phrase", config=CONFIG)

        search = any_of(
            [
                all_of(any_of(phrase(term) for term in sorted(terms)) for terms in found),
                *(phrase(name) for name in names),
            ]
        )
        condition = Q(search_vector=search) if search is not None else Q(pk__in=[])
        if prefix:
            condition |= Q(**{f"{fields[0]}__icontains": query})
        rank = SearchRank(vector, search) if search is not None else Value(0.0)
        queryset = queryset.annotate(search_vector=vector, search_rank=rank)
    else:
        condition = any_of(
            [
                all_of(any_of(Q_any(fields, term) for term in sorted(terms)) for terms in found),
                *(Q_any(fields, name) for name in names),
            ]
        )
        condition = condition if condition is not None else Q(pk__in=[])
        queryset = queryset.annotate(search_rank=Value(1.0, output_field=FloatField()))
    if extra is not None:
        condition |= extra
    return queryset.filter(condition)


def any_of(parts):
    """The parts that are not None joined by | (None without any)."""
    joined = None
    for part in parts:
        if part is not None:
            joined = part if joined is None else joined | part
    return joined


def all_of(parts):
    """parts joined by & (None without any)."""
    joined = None
    for part in parts:
        joined = part if joined is None else joined & part
    return joined


def Q_any(fields: list[str], text: str) -> Q:
    """The text at the start of a word of any of the fields (SQLite)."""
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__iregex": starts_a_word(text)})
    return condition


def starts_a_word(text: str) -> str:
    """A regular expression for the text at the start of a word, its words apart by any
    punctuation ('Kataib Hezbollah' in '.../kataib-hezbollah-in-baghdad'), or the whole word if
    it is short (an acronym: 'KH' is not the start of 'Khadra')."""
    end = r"(\W|$)" if len(text) < WHOLE_WORDS_BELOW else ""
    return r"(^|\W)" + r"\W+".join(map(re.escape, text.split())) + end


def document_search(queryset: QuerySet, query: str, tokens: list[str], names=(), spellings=None):
    """Rows whose stored search document matches the query (or names one of `names`), or holds
    one of `tokens` (words the document carries for what it names, e.g. `actorg12`), annotated
    with `search_rank`.

    PostgreSQL: the `search_vector` column (a trigger keeps it from `search_text`) under a GIN
    index, one `@@` for all. Elsewhere: every word in `search_text`, a name, or a token.
    """
    query = query.strip()
    if not query:
        return queryset
    spellings = spellings or {}
    phrases = name_phrases(names, spellings)
    found = [] if is_a_name(query, names) else query_words(query, spellings, document=True)
    if uses_postgres(queryset):

        def either(terms):
            return "(" + " | ".join(f"'{term}'" for term in sorted(terms)) + ")"

        parts = [" & ".join(either(terms) for terms in found)] if found else []
        parts += [" <-> ".join(either(terms) for terms in phrase) for phrase in phrases]
        parts += tokens
        if not parts:
            return queryset.none().annotate(search_rank=Value(0.0, output_field=FloatField()))
        raw = " | ".join(f"({part})" for part in parts)
        search = SearchQuery(raw, search_type="raw", config=CONFIG)
        rank = SearchRank(F("search_vector"), search)
        return queryset.filter(search_vector=search).annotate(search_rank=rank)
    padded = Concat(Value(" "), "search_text", Value(" "), output_field=TextField())

    def has(term):
        # A skeleton term or a short word is a whole word of the document; others start one.
        if term.startswith(SKELETON_MARK) or len(term) < WHOLE_WORDS_BELOW:
            return Q(search_padded__contains=f" {term} ")
        return Q(search_padded__contains=f" {term}")

    def said(phrase):
        words = " ".join("(" + "|".join(map(re.escape, sorted(terms))) + ")" for terms in phrase)
        return Q(search_padded__regex=f" {words} ")

    condition = any_of(
        [
            all_of(any_of(has(term) for term in sorted(terms)) for terms in found),
            *(said(phrase) for phrase in phrases),
            *(Q(search_padded__contains=f" {token} ") for token in tokens),
        ]
    )
    condition = condition if condition is not None else Q(pk__in=[])
    return (
        queryset.alias(search_padded=padded)
        .filter(condition)
        .annotate(search_rank=Value(1.0, output_field=FloatField()))
    )
