"""Name matching that survives transliteration.

Arabic names reach English text in many spellings: Kata'ib Hezbollah, Kataib Hizballah, Kataeb
Hizbullah, Ketaib Hezbollah. `fold` removes what never distinguishes two names (case, diacritics,
apostrophes and ayn/hamza marks, hyphens, the Arabic definite article's spellings) and `skeleton`
keeps the consonants, which is what transliterations agree on. A query matches a name when its
skeleton occurs in the name's skeleton at word boundaries, or its folded form occurs in the name's
folded form from the start of a word. Arabic script is folded too (diacritics, alef, ta marbuta
and alef maqsura variants).

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


@functools.lru_cache(maxsize=REMEMBERED)
def fold(text: str) -> str:
    """Lower case, no diacritics or apostrophes, hyphens and punctuation as spaces."""
    text = ARABIC_DIACRITICS.sub("", text).translate(ARABIC_LETTERS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower()
    for mark in APOSTROPHES:
        text = text.replace(mark, "")
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


@functools.lru_cache(maxsize=REMEMBERED)
def skeleton(text: str) -> str:
    """Each folded word's consonants, doubled ones once: 'kataib hizballah' -> 'ktb hzblh'."""
    words = []
    for word in fold(text).split():
        if word in {"al", "el", "il", "ul"}:  # the article, however transliterated
            continue
        if word.isascii():
            word = word.translate(CONSONANT_VARIANTS)
            word = word.replace("th", "t").replace("dh", "d").replace("kh", "k").replace("sh", "s")
            # Ta marbuta: Islamiya = Islamiyah; but the h of Allah, Hezbollah is a consonant.
            word = re.sub(r"(?<=[aeiou])(?<!ll[aeiou])h$", "", word)
            stripped = LATIN_VOWELS.sub("", word) or word
            word = re.sub(r"(.)\1+", r"\1", stripped)
        words.append(word)
    return " ".join(words)


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
