import django_tables2 as tables
from django.utils.html import format_html

from kb.tables import KBTable, bdi, link
from sources.models import Source


class SourceTable(KBTable):
    title = tables.Column(empty_values=(), order_by=("title",))
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
        return link(self.page_url("source-detail", record.pk), record.title or record.url)

    def render_publisher(self, value):
        return bdi(value)

    def render_published(self, record):
        return record.published_display

    def render_language(self, value):
        return bdi(value)

    def render_reliability(self, value, record):
        return format_html('<abbr title="{}">{}</abbr>', value, record.reliability)  # value: label
