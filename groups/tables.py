import django_tables2 as tables

from groups.models import Brand, Group
from kb.tables import KEY, KBTable, arabic, bdi, link


class GroupTable(KBTable):
    name = tables.Column(order_by=("name",), attrs=KEY)
    arabic_name = tables.Column(verbose_name="Arabic", orderable=False)
    acronym = tables.Column(orderable=False)
    kind = tables.Column(order_by=("kind",))
    country = tables.Column(order_by=("country",))
    founded = tables.Column(order_by=("founded",))
    incident_count = tables.Column(verbose_name="Incidents", order_by=("incident_count",))

    class Meta(KBTable.Meta):
        model = Group
        fields = ()
        sequence = (
            "name",
            "arabic_name",
            "acronym",
            "kind",
            "country",
            "founded",
            "incident_count",
        )

    def render_name(self, record):
        return link(self.page_url("group-detail", record.slug), record.name)

    def render_arabic_name(self, value):
        return arabic(value)

    def render_acronym(self, value):
        return bdi(value)

    def render_founded(self, record):
        return record.founded_display


class BrandTable(KBTable):
    name = tables.Column(order_by=("name",), attrs=KEY)
    arabic_name = tables.Column(verbose_name="Arabic", orderable=False)
    acronym = tables.Column(orderable=False)
    launched = tables.Column(order_by=("launched",))
    member_count = tables.Column(verbose_name="Member groups", order_by=("member_count",))
    incident_count = tables.Column(verbose_name="Incidents", order_by=("incident_count",))

    class Meta(KBTable.Meta):
        model = Brand
        fields = ()
        sequence = (
            "name",
            "arabic_name",
            "acronym",
            "launched",
            "member_count",
            "incident_count",
        )

    def render_name(self, record):
        return link(self.page_url("brand-detail", record.slug), record.name)

    def render_arabic_name(self, value):
        return arabic(value)

    def render_acronym(self, value):
        return bdi(value)

    def render_launched(self, record):
        return record.launched_display
