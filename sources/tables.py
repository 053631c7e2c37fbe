import django_tables2 as tables
from django.utils.html import format_html

from kb.tables import KEY, KBTable, bdi, link
from sources.models import Source

SHORT_URL = 70  # characters: a source known only by its address reads on at most three lines


def short_url(url):
    """An address as a title: without its scheme, cut short (its page shows it whole)."""
    bare = url.split("://", 1)[-1]
    return bare if len(bare) <= SHORT_URL else bare[: SHORT_URL - 1] + "…"


class SourceTable(KBTable):
    title = tables.Column(empty_values=(), order_by=("title",), attrs=KEY)
    publisher = tables.Column(order_by=("publisher",))
    kind = tables.Column(order_by=("kind",))
    published = tables.Column(order_by=("published",))
    language = tables.Column(orderable=False)
    reliability = tables.Column(order_by=("reliability",))

    class Meta(KBTable.Meta):
        model = Source
        fields = ()
        sequence = ("title", "publisher", "kind", "published", "language", "reliability")

    def render_title(self, record):
        return link(
            self.page_url("source-detail", record.pk), record.title or short_url(record.url)
        )

    def render_publisher(self, value):
        return bdi(value)

    def render_published(self, record):
        return record.published_display

    def render_language(self, value):
        return bdi(value)

    def render_reliability(self, value, record):
        return format_html('<abbr title="{}">{}</abbr>', value, record.reliability)  # value: label
