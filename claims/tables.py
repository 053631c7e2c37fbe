import re

import django_tables2 as tables
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from claims.models import Claim, Incident, Location
from kb.tables import KEY, NARROW, KBTable, bdi, link, links

UNKNOWN = mark_safe('<span class="unknown">unknown</span>')
# A day, a month or a year as the dates module writes them ("7 Feb 2024", "Feb 2024", "2024").
ONE_DATE = re.compile(r"(?:\d{1,2} )?(?:[A-Z][a-z]{2} )?\d{4}")


def unbroken_dates(text):
    """A date as text, each date in it kept on one line and the line free to break between them
    ("17 Oct 2023 –" / "18 Oct 2023"): a narrow column instead of one as wide as a range."""
    parts, end = [], 0
    for match in ONE_DATE.finditer(text):
        parts.append(conditional_escape(text[end : match.start()]))
        parts.append(format_html('<span class="nowrap">{}</span>', match.group()))
        end = match.end()
    parts.append(conditional_escape(text[end:]))
    return mark_safe("".join(parts))


def actor_link(table, claim):
    """The claimant of a claim: group, brand, or 'group under brand', as (url, name) pairs."""
    parts = []
    if claim.group_id:
        parts.append((table.page_url("group-detail", claim.group.slug), claim.group.name))
    if claim.brand_id:
        parts.append((table.page_url("brand-detail", claim.brand.slug), claim.brand.name))
    return parts


class IncidentTable(KBTable):
    date = tables.Column(accessor="date", verbose_name="Date", order_by=("date",))
    title = tables.Column(attrs=KEY)  # a link, and a draft marker for staff: see render_title
    location = tables.Column(verbose_name="Place", order_by=("location__name",))
    country = tables.Column(
        order_by=("country",), attrs={"th": NARROW["th"], "td": {"class": "country narrow"}}
    )
    weapon = tables.Column(order_by=("weapon",))
    claimants = tables.Column(empty_values=(), orderable=False, verbose_name="Claimed by")
    attributions = tables.Column(empty_values=(), orderable=False, verbose_name="Attributed to")
    killed = tables.Column(empty_values=(), order_by=("killed_low",), attrs=NARROW)
    injured = tables.Column(empty_values=(), order_by=("injured_low",), attrs=NARROW)
    confirmation = tables.Column(order_by=("confirmation",), verbose_name="Confirmed", attrs=NARROW)

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
        return unbroken_dates(record.date_display)

    def render_title(self, record):
        title = link(self.page_url("incident-detail", record.code), record.title)
        if record.status == "draft":
            return format_html('{} <span class="draft">draft</span>', title)
        return title

    def render_location(self, record):
        if record.location_id:
            location = record.location
            return link(self.page_url("location-detail", location.slug), location.name)
        return bdi(record.place) or "—"

    def render_country(self, value, record):
        return format_html('<abbr title="{}">{}</abbr>', value, record.country)  # value: its name

    def render_claimants(self, record):
        return links([pair for claim in record.claimants for pair in actor_link(self, claim)])

    def render_attributions(self, record):
        if not record.attributions:
            return "—"
        return format_html(
            "; ".join(["{}"] * len(record.attributions)),
            *[attribution_text(self, claim) for claim in record.attributions],
        )

    def render_killed(self, record):
        return record.killed_display or UNKNOWN

    def render_injured(self, record):
        return record.injured_display or UNKNOWN


def attribution_text(table, claim):
    by = claim.attributed_by.name if claim.attributed_by_id else claim.attributed_by_detail
    return format_html("{} <small>(by {})</small>", links(actor_link(table, claim)), bdi(by))


class ClaimTable(KBTable):
    incident_date = tables.Column(
        accessor="incident__date", verbose_name="Incident date", order_by=("incident__date",)
    )
    incident = tables.Column(orderable=False, attrs=KEY)
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
        incident = record.incident
        url = self.page_url("incident-detail", incident.code)
        return link(f"{url}#claim-{record.pk}", incident.title)

    def render_claimant(self, record):
        if record.kind == "attribution":
            return attribution_text(self, record)
        return links(actor_link(self, record))

    def render_date(self, record):
        return record.date_display or "—"

    def render_channel(self, record):
        return bdi(record.channel.name if record.channel_id else record.channel_detail) or "—"

    def render_status(self, record):
        return format_html('<span class="status-{}">{}</span>', record.status, record.status)


class LocationTable(KBTable):
    name = tables.Column(order_by=("name",), attrs=KEY)
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
        return link(self.page_url("location-detail", record.slug), record.name)

    def render_admin1(self, value):
        return bdi(value)

    def render_coordinates(self, record):
        if record.latitude is None:
            return mark_safe('<span class="unknown">not published</span>')
        return f"{record.latitude:.4f}, {record.longitude:.4f}"
