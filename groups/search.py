"""Find groups and brands by any of their names, however transliterated (see kb.names)."""

from dataclasses import dataclass, field

from groups.models import Alias, Brand, Group
from kb.names import matches


@dataclass
class ActorMatches:
    group_ids: set[int] = field(default_factory=set)
    brand_ids: set[int] = field(default_factory=set)

    def __bool__(self):
        return bool(self.group_ids or self.brand_ids)


def match_actors(query: str, user=None) -> ActorMatches:
    """Groups and brands the viewer may see (the public, without a user) whose name, acronym,
    Arabic name or any alias the query designates.

    Names are compared in Python (kb.names): actors number in the hundreds, not millions, and the
    comparison must be the same on SQLite and PostgreSQL. Three queries, whatever the query.
    """
    found = ActorMatches()
    names = ("pk", "name", "acronym", "arabic_name")
    for pk, *names_of in Group.objects.visible_to(user).values_list(*names):
        if any(name and matches(query, name) for name in names_of):
            found.group_ids.add(pk)
    for pk, *names_of in Brand.objects.visible_to(user).values_list(*names):
        if any(name and matches(query, name) for name in names_of):
            found.brand_ids.add(pk)
    aliases = Alias.objects.visible_to(user).values_list("group_id", "brand_id", "name")
    for group_id, brand_id, name in aliases:
        if matches(query, name):
            (found.group_ids if group_id else found.brand_ids).add(group_id or brand_id)
    return found
