"""Find groups and brands by any of their names, however transliterated (see kb.names)."""

from collections import defaultdict
from dataclasses import dataclass, field

from groups.models import Alias, Brand, Group
from kb.names import fold, matches, skeleton_term


@dataclass
class ActorMatches:
    group_ids: set[int] = field(default_factory=set)
    brand_ids: set[int] = field(default_factory=set)
    # Every name and alias of the groups and brands found: a text naming one of them is found.
    names: set[str] = field(default_factory=set)
    # The spellings of the words of every visible actor's names, by their skeleton term
    # (kb.names.skeleton_term): a query word sharing one is a name, matched in any spelling.
    spellings: dict[str, set[str]] = field(default_factory=dict)

    def __bool__(self):
        return bool(self.group_ids or self.brand_ids)


def match_actors(query: str, user=None) -> ActorMatches:
    """Groups and brands the viewer may see (the public, without a user) whose name, acronym,
    Arabic name or any alias the query designates, with their names, and the spellings of every
    name's words.

    Names are compared in Python (kb.names): actors number in the hundreds, not millions, and the
    comparison must be the same on SQLite and PostgreSQL. Three queries, whatever the query.
    """
    found = ActorMatches()
    names_of = defaultdict(set)  # ("g" or "b", pk) -> its names
    columns = ("pk", "name", "acronym", "arabic_name")
    for pk, *names in Group.objects.visible_to(user).values_list(*columns):
        names_of["g", pk].update(filter(None, names))
    for pk, *names in Brand.objects.visible_to(user).values_list(*columns):
        names_of["b", pk].update(filter(None, names))
    aliases = Alias.objects.visible_to(user).values_list("group_id", "brand_id", "name")
    for group_id, brand_id, name in aliases:
        names_of["g" if group_id else "b", group_id or brand_id].add(name)
    spellings = defaultdict(set)
    for (kind, pk), names in names_of.items():
        for name in names:
            for spelling in name.split():
                for word in fold(spelling).split():
                    if term := skeleton_term(word):
                        # The name's own spelling too, for text not folded ('Kata'ib').
                        spellings[term].update(
                            {word, spelling} if fold(spelling) == word else {word}
                        )
        if any(matches(query, name) for name in names):
            (found.group_ids if kind == "g" else found.brand_ids).add(pk)
            found.names.update(names)
    found.spellings = dict(spellings)
    return found
