"""Name matching that survives transliteration.

Arabic names reach English text in many spellings: Kata'ib Hezbollah, Kataib Hizballah, Kataeb
Hizbullah, Ketaib Hezbollah. `fold` removes what never distinguishes two names (case, diacritics,
apostrophes and ayn/hamza marks, hyphens, the Arabic definite article's spellings) and `skeleton`
keeps the consonants, which is what transliterations agree on. A query matches a name when its
skeleton occurs in the name's skeleton at word boundaries, or its folded form occurs in the name's
folded form from the start of a word. Arabic script is folded too (diacritics, alef, ta marbuta
and alef maqsura variants).

`document_terms` writes a text in the form a stored search document keeps (claims.derived): its
folded words, then the skeleton of each longer Latin word, marked so that it never meets an
ordinary word. A search then matches any spelling of a name: the query's folded words, and for
the words of actors' names, their skeletons.

Both forms are kept for the names and queries seen last: a search compares the query with every
group's and brand's names and aliases, and folding them again each time was most of its time.
"""

import functools
import re
import unicodedata

APOSTROPHES = "'’‘`´ʼʻʿʾ′"
ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})
LATIN_VOWELS = re.compile("[aeiou]")  # y is a consonant: Sayyid is not Asad
# Letters that transliteration systems swap for one another.
CONSONANT_VARIANTS = str.maketrans({"q": "k", "c": "k", "v": "w"})


# Names, aliases and recent queries: a few thousand short strings, a few hundred kilobytes.
REMEMBERED = 16_384


ARTICLES = {"al", "el", "il", "ul"}  # the Arabic article, however transliterated
SKELETON_MARK = "zz"  # starts every skeleton term of a document: no English word does
SHORTEST_SKELETON = 3


@functools.lru_cache(maxsize=REMEMBERED)
def fold(text: str) -> str:
    """Lower case, no diacritics or apostrophes, hyphens and punctuation as spaces."""
    return _fold(text)


def _fold(text: str) -> str:
    """fold(), unremembered: for documents, which are seen once."""
    if not text.isascii():  # ASCII has no diacritics, Arabic letters or compatibility forms
        text = ARABIC_DIACRITICS.sub("", text).translate(ARABIC_LETTERS)
        text = unicodedata.normalize("NFKD", text)
        if not text.isascii():
            text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower()
    for mark in APOSTROPHES:
        text = text.replace(mark, "")
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


@functools.lru_cache(maxsize=REMEMBERED)
def skeleton(text: str) -> str:
    """Each folded word's consonants, doubled ones once: 'kataib hizballah' -> 'ktb hzblh'."""
    return " ".join(word_skeleton(word) for word in fold(text).split() if word not in ARTICLES)


@functools.lru_cache(maxsize=REMEMBERED * 4)
def word_skeleton(word: str) -> str:
    """The skeleton of one folded word (Arabic script is left as folded)."""
    if not word.isascii():
        return word
    word = word.translate(CONSONANT_VARIANTS)
    word = word.replace("th", "t").replace("dh", "d").replace("kh", "k").replace("sh", "s")
    # Ta marbuta: Islamiya = Islamiyah; but the h of Allah, Hezbollah is a consonant.
    word = re.sub(r"(?<=[aeiou])(?<!ll[aeiou])h$", "", word)
    stripped = LATIN_VOWELS.sub("", word) or word
    return re.sub(r"(.)\1+", r"\1", stripped)


def words(text: str) -> list[str]:
    """The folded words of a query, without the article ('al-Harir' -> ['harir']); the article
    alone is kept, as the only word there is."""
    folded = fold(text).split()
    return [word for word in folded if word not in ARTICLES] or folded


def skeleton_term(word: str) -> str | None:
    """The document term that every spelling of this folded word shares, for Latin words of at
    least three consonants (fewer tell too little apart: 'KH' and 'key' share 'k'), else None."""
    if not (word.isascii() and word.isalpha()):  # numbers, codes and Arabic script: as folded
        return None
    consonants = word_skeleton(word)
    if len(consonants) < SHORTEST_SKELETON:
        return None
    return SKELETON_MARK + consonants


def document_terms(text: str) -> str:
    """A text as a search document keeps it: its folded words in order, then the skeleton terms
    of its words, each once ('Kata'ib Hizballah' -> 'kataib hizballah zzktb zzhzblh')."""
    folded = _fold(text)
    terms = sorted({term for word in set(folded.split()) if (term := skeleton_term(word))})
    return " ".join(filter(None, [folded, *terms]))


def matches(query: str, name: str) -> bool:
    """Does the query designate this name (or part of it)?"""
    folded_query, folded_name = fold(query), fold(name)
    if not folded_query:
        return False
    if f" {folded_query}" in f" {folded_name}":  # from the start of a word
        return True
    query_skeleton = skeleton(query)
    if len(query_skeleton.replace(" ", "")) < 2:
        return False
    return f" {query_skeleton} " in f" {skeleton(name)} " or (
        f" {query_skeleton}" in f" {skeleton(name)}" and len(query_skeleton) >= 4
    )
