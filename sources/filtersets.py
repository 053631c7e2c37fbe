from kb.filters import ChoicesFilter, SortFilter, StrictFilterSet, TextFilter, viewer
from kb.search import text_search
from sources.models import SOURCE_TEXT_FIELDS, Reliability, Source, SourceKind


class SourceFilterSet(StrictFilterSet):
    q = TextFilter(method="search", label="Text")
    kind = ChoicesFilter(choices=SourceKind.choices)
    reliability = ChoicesFilter(choices=Reliability.choices)
    language = TextFilter(lookup_expr="iexact", max_length=20)
    publisher = TextFilter(lookup_expr="icontains")
    sort = SortFilter(
        default="newest first",
        fields={
            "title": ["title", "url"],
            "publisher": ["publisher"],
            "published": ["published"],
            "reliability": ["reliability"],
            "kind": ["kind"],
        },
    )

    default_order = ("-published", "title")

    class Meta:
        model = Source
        fields = []

    def search(self, queryset, name, value):
        # Sources sit below groups: the actors' names are read when a search asks for them.
        from groups.search import match_actors

        return search_sources(queryset, value, match_actors(value, viewer(self.request)))


def search_sources(queryset, query, actors):
    """Sources by their text, an actor's name in any spelling (groups.search.match_actors)."""
    return text_search(
        queryset,
        query,
        SOURCE_TEXT_FIELDS,
        prefix=False,
        names=actors.names,
        spellings=actors.spellings,
    )
