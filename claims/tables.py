import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from claims.models import Claim, Incident, Location
from kb.tables import KBTable, bdi, link, links

UNKNOWN = mark_safe('<span class="unknown">unknown</span>')


def actor_link(claim):
    """The claimant of a claim: group, brand, or 'group under brand', as links."""
    parts = []
    if claim.group_id:
        parts.append((claim.group.get_absolute_url(), claim.group.name))
    if claim.brand_id:
        parts.append((claim.brand.get_absolute_url(), claim.brand.name))
    return parts


class IncidentTable(KBTable):
    date = tables.Column(accessor="date", verbose_name="Date", order_by=("date",))
    title = tables.Column()  # a link, and a draft marker for staff: see render_title
    location = tables.Column(verbose_name="Place", order_by=("location__name",))
    country = tables.Column(order_by=("country",), attrs={"td": {"class": "country"}})
    weapon = tables.Column(order_by=("weapon",))
    claimants = tables.Column(empty_values=(), orderable=False, verbose_name="Claimed by")
    attributions = tables.Column(empty_values=(), orderable=False, verbose_name="Attributed to")
    killed = tables.Column(empty_values=(), order_by=("killed_low",))
    injured = tables.Column(empty_values=(), order_by=("injured_low",))
    confirmation = tables.Column(order_by=("confirmation",), verbose_name="Confirmed")

    class Meta(KBTable.Meta):
        model = Incident
        fields = ()
        sequence = (
            "date",
            "title",
            "location",
            "country",
            "weapon",
            "claimants",
            "attributions",
            "killed",
            "injured",
            "confirmation",
        )

    def render_date(self, record):
        return format_html('<span class="nowrap">{}</span>', record.date_display)

    def render_title(self, record):
        title = link(record.get_absolute_url(), record.title)
        if record.status == "draft":
            return format_html('{} <span class="draft">draft</span>', title)
        return title

    def render_location(self, record):
        if record.location_id:
            return link(record.location.get_absolute_url(), record.location.name)
        return bdi(record.place) or "—"

    def render_country(self, record):
        return format_html(
            '<abbr title="{}">{}</abbr>', record.get_country_display(), record.country
        )

    def render_weapon(self, record):
        return record.get_weapon_display()

    def render_claimants(self, record):
        return links([pair for claim in record.claimants for pair in actor_link(claim)])

    def render_attributions(self, record):
        if not record.attributions:
            return "—"
        return format_html(
            "; ".join(["{}"] * len(record.attributions)),
            *[attribution_text(claim) for claim in record.attributions],
        )

    def render_killed(self, record):
        return record.killed_display or UNKNOWN

    def render_injured(self, record):
        return record.injured_display or UNKNOWN

    def render_confirmation(self, record):
        return record.get_confirmation_display()


def attribution_text(claim):
    by = claim.attributed_by.name if claim.attributed_by_id else claim.attributed_by_detail
    return format_html("{} <small>(by {})</small>", links(actor_link(claim)), bdi(by))


class ClaimTable(KBTable):
    incident_date = tables.Column(
        accessor="incident__date", verbose_name="Incident date", order_by=("incident__date",)
    )
    incident = tables.Column(orderable=False)
    kind = tables.Column(order_by=("kind",))
    claimant = tables.Column(empty_values=(), orderable=False)
    date = tables.Column(verbose_name="Claim date", order_by=("date",))
    channel = tables.Column(empty_values=(), orderable=False)
    medium = tables.Column(orderable=False)
    status = tables.Column(order_by=("status",))

    class Meta(KBTable.Meta):
        model = Claim
        fields = ()
        sequence = (
            "incident_date",
            "incident",
            "kind",
            "claimant",
            "date",
            "channel",
            "medium",
            "status",
        )

    def render_incident_date(self, record):
        return record.incident.date_display

    def render_incident(self, record):
        return link(
            f"{record.incident.get_absolute_url()}#claim-{record.pk}", record.incident.title
        )

    def render_kind(self, record):
        return record.get_kind_display()

    def render_claimant(self, record):
        text = links(actor_link(record))
        if record.kind == "attribution":
            return attribution_text(record)
        return text

    def render_date(self, record):
        return record.date_display or "—"

    def render_channel(self, record):
        return bdi(record.channel.name if record.channel_id else record.channel_detail) or "—"

    def render_medium(self, record):
        return record.get_medium_display()

    def render_status(self, record):
        return format_html('<span class="status-{}">{}</span>', record.status, record.status)


class LocationTable(KBTable):
    name = tables.Column(order_by=("name",))
    kind = tables.Column(order_by=("kind",))
    country = tables.Column(order_by=("country",))
    admin1 = tables.Column(verbose_name="Admin area", order_by=("admin1",))
    incident_count = tables.Column(verbose_name="Incidents", order_by=("incident_count",))
    coordinates = tables.Column(empty_values=(), orderable=False)

    class Meta(KBTable.Meta):
        model = Location
        fields = ()
        sequence = ("name", "kind", "country", "admin1", "incident_count", "coordinates")

    def render_name(self, record):
        return link(record.get_absolute_url(), record.name)

    def render_kind(self, record):
        return record.get_kind_display()

    def render_admin1(self, value):
        return bdi(value)

    def render_coordinates(self, record):
        if record.latitude is None:
            return mark_safe('<span class="unknown">not published</span>')
        return f"{record.latitude:.4f}, {record.longitude:.4f}"
