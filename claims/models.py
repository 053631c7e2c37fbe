"""Incidents (attacks and strikes), where they happened, and who claimed, denied or was blamed for
them. Every incident and claim cites its sources; claims are superseded, never overwritten."""

import datetime

from django.contrib.postgres.fields import DateRangeField
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from psycopg.types.range import Range as DateRange
from simple_history.models import HistoricalRecords

from groups.models import COUNT_FIELDS, Brand, Channel, Group
from kb import constraints
from kb.countries import COUNTRIES
from kb.dates import DatedMixin, DatePrecision, format_date, possible_range
from kb.visibility import (
    PublicationStatus,
    Publishable,
    PublishableQuerySet,
    VisibleQuerySet,
    publication_status,
)
from kb.vocab import Confidence
from sources.models import Citation, Source


class LocationKind(models.TextChoices):
    AIR_BASE = "air_base", "air base"
    MILITARY_BASE = "military_base", "military base or outpost"
    AIRPORT = "airport", "airport"
    CAMP = "camp", "camp"
    CITY = "city", "city"
    TOWN = "town", "town or village"
    NEIGHBOURHOOD = "neighbourhood", "neighbourhood"
    OIL_FIELD = "oil_field", "oil field"
    GAS_FIELD = "gas_field", "gas field"
    BORDER_CROSSING = "border_crossing", "border crossing"
    OTHER = "other", "other"


class Location(Publishable, models.Model):
    """A named site that incidents happen at: a base, a town, an airport, a border post. Many
    incidents hit the same site, so it is recorded once, with its sources for the coordinates."""

    name = models.CharField(max_length=200, db_index=True)
    slug = models.SlugField(max_length=200, unique=True)
    arabic_name = models.CharField(max_length=200, blank=True)
    alternate_names = models.TextField(
        blank=True, help_text="Other names and spellings, one per line. Search matches them."
    )
    kind = models.CharField(max_length=20, choices=LocationKind)
    country = models.CharField(max_length=2, choices=COUNTRIES, help_text="ISO 3166-1 alpha-2.")
    admin1 = models.CharField(
        "first-level admin area", max_length=200, blank=True, help_text="Governorate, province."
    )
    latitude = models.DecimalField(max_digits=10, decimal_places=7, null=True, blank=True)
    longitude = models.DecimalField(max_digits=10, decimal_places=7, null=True, blank=True)
    notes = models.TextField(
        blank=True,
        help_text="What the coordinates refer to (the base, a nearby town) and conflicting values.",
    )
    status = publication_status()
    # Derived (claims.derived): the incidents at the site, published ones and all.
    published_incidents = models.PositiveIntegerField(default=0, editable=False)
    all_incidents = models.PositiveIntegerField(default=0, editable=False)
    sources = models.ManyToManyField(Source, through="LocationCitation", related_name="locations")
    history = HistoricalRecords(excluded_fields=COUNT_FIELDS)

    objects = PublishableQuerySet.as_manager()
    used_by = ("incidents",)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["country", "admin1"], name="location_country_admin1")]
        constraints = [
            constraints.not_blank("name", "location_name_required"),
            constraints.one_of("kind", LocationKind, "location_kind_valid"),
            constraints.country("country", "location_country_iso"),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__isnull=False) & Q(longitude__isnull=False)),
                name="location_lat_lng_together",
                violation_error_message="Give both latitude and longitude, or neither.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="location_latitude_in_range",
                violation_error_message="Latitude must be between -90 and 90.",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="location_longitude_in_range",
                violation_error_message="Longitude must be between -180 and 180.",
            ),
            constraints.one_of("status", PublicationStatus, "location_status_valid"),
        ]

    def __str__(self):
        return f"{self.name} ({self.country})"

    def get_absolute_url(self):
        return reverse("location-detail", args=[self.slug])

    def publication_cascade(self) -> list:
        return self.cited_sources()

    @property
    def alternate_name_list(self) -> list[str]:
        return [line.strip() for line in self.alternate_names.splitlines() if line.strip()]


class GeoPrecision(models.TextChoices):
    SITE = "site", "the site itself"
    NEAR_SITE = "near_site", "near a named site or town"
    TOWN = "town", "somewhere in a named town or city"
    ADMIN2 = "admin2", "district"
    ADMIN1 = "admin1", "first-level admin area (governorate)"
    COUNTRY = "country", "country only"


class Weapon(models.TextChoices):
    ONE_WAY_DRONE = "one_way_drone", "one-way attack drone"
    ARMED_DRONE_STRIKE = "armed_drone_strike", "strike by an armed drone"
    AIR_STRIKE = "air_strike", "air strike by aircraft"
    ROCKET = "rocket", "rocket"
    BALLISTIC_MISSILE = "ballistic_missile", "ballistic missile"
    CRUISE_MISSILE = "cruise_missile", "cruise missile"
    MORTAR = "mortar", "mortar"
    IED = "ied", "improvised explosive device"
    SMALL_ARMS = "small_arms", "small arms"
    MIXED = "mixed", "several weapon types"
    UNKNOWN = "unknown", "not specified"
    OTHER = "other", "other"


class Target(models.TextChoices):
    FOREIGN_FORCES = "foreign_forces", "US or coalition forces"
    PARTNER_FORCES = "partner_forces", "local partner forces"
    ARMED_GROUP = "armed_group", "armed group facilities or fighters"
    ARMED_GROUP_LEADER = "armed_group_leader", "armed group leader (targeted killing)"
    GOVERNMENT = "government", "government or state forces"
    CIVILIANS = "civilians", "civilians"
    INFRASTRUCTURE = "infrastructure", "infrastructure"
    UNKNOWN = "unknown", "not specified"
    OTHER = "other", "other"


class Confirmation(models.TextChoices):
    """Did the targeted side (or the responsible government) officially confirm the incident?"""

    CONFIRMED = "confirmed", "confirmed"
    DENIED = "denied", "denied"
    NO_COMMENT = "no_comment", "no comment"
    UNKNOWN = "unknown", "unknown"


def casualty_range(name: str) -> list[models.CheckConstraint]:
    """The low figure is not above the high one (PositiveIntegerField checks that both are >= 0)."""
    low, high = f"{name}_low", f"{name}_high"
    return [
        models.CheckConstraint(
            condition=Q(**{f"{low}__isnull": True})
            | Q(**{f"{high}__isnull": True})
            | Q(**{f"{low}__lte": F(high)}),
            name=f"incident_{name}_low_not_above_high",
            violation_error_message=f"The low {name} figure cannot be above the high one.",
        ),
    ]


def casualty_display(low: int | None, high: int | None) -> str:
    """'3', '34–47', 'at least 2', 'up to 5', or '' (unknown)."""
    if low is None and high is None:
        return ""
    if high is None:
        return f"at least {low}"
    if low is None:
        return f"up to {high}"
    return str(low) if low == high else f"{low}–{high}"


class IncidentQuerySet(PublishableQuerySet):
    def for_table(self):
        """What a table row shows, in a fixed number of queries whatever the page size."""
        current = Claim.objects.filter(status=ClaimStatus.CURRENT).select_related(
            "group", "brand", "attributed_by"
        )
        return (
            self.select_related("location")
            .defer("search_text", "search_vector")
            .prefetch_related(models.Prefetch("claims", queryset=current, to_attr="current_claims"))
        )

    def competing(self):
        """Two current claims of responsibility by different claimants (claims.derived keeps
        the count; competing_claims() says the same from the claims themselves)."""
        return self.filter(claimant_count__gte=2)

    def not_competing(self):
        return self.filter(claimant_count__lt=2)

    def unclaimed(self):
        """No current claim of responsibility (attributions and denials do not count)."""
        return self.filter(claimant_count=0)

    def claimed(self):
        return self.filter(claimant_count__gt=0)

    def overlapping(self, start: datetime.date | None, end: datetime.date | None):
        """Incidents whose possible dates (`first_day` to `last_day`, claims.derived) overlap
        [start, end]; either end may be open. PostgreSQL reads a GiST index of the range."""
        if start is None and end is None:
            return self
        queryset = self
        if end is not None and end < LAST_WEEK_START:
            # Implied (a date is at most six days after its first possible day), and what lets
            # a list sorted by date start at the range's end instead of at today.
            queryset = queryset.filter(date__lte=end + datetime.timedelta(days=6))
        if connections[self.db].vendor == "postgresql":
            days = PossibleDays("first_day", "last_day")
            return queryset.alias(days=days).filter(days__overlap=DateRange(start, end, "[]"))
        condition = models.Q()
        if start:
            condition &= models.Q(last_day__gte=start)
        if end:
            condition &= models.Q(first_day__lte=end)
        return queryset.filter(condition)


LAST_WEEK_START = datetime.date.max - datetime.timedelta(days=6)


class PossibleDays(models.Func):
    """daterange(first_day, last_day, '[]'): the expression the GiST index is built on."""

    function = "daterange"
    template = "%(function)s(%(expressions)s, '[]')"
    output_field = DateRangeField()


DERIVED_FIELDS = [
    "first_day",
    "last_day",
    "claimant_count",
    "claimant_group",
    "claimant_brand",
    "claim_group_count",
    "claim_group",
    "search_text",
    "search_vector",
]


class Incident(Publishable, DatedMixin, models.Model):
    """An attack or strike on a date (with its precision) at a place, with what was used, what was
    hit, the casualties as sources give them, and whether it was officially confirmed."""

    code = models.SlugField(
        max_length=100,
        unique=True,
        help_text="Stable public identifier for URLs and exports, e.g. 2024-01-28-tower-22-drone.",
    )
    title = models.CharField(max_length=300)
    date = models.DateField(db_index=True, help_text="First (or only) day; see its precision.")
    date_precision = models.CharField(
        max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    date_end = models.DateField(
        "end date", null=True, blank=True, help_text="Last possible day when sources disagree."
    )
    date_note = models.TextField(blank=True, help_text="Why the date is uncertain.")
    time_of_day = models.TimeField(null=True, blank=True, help_text="Local time, when reported.")
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    country = models.CharField(max_length=2, choices=COUNTRIES, db_index=True)
    admin1 = models.CharField("first-level admin area", max_length=200, blank=True)
    place = models.CharField(max_length=300, blank=True, help_text="The place as sources give it.")
    facility = models.CharField(
        max_length=300, blank=True, help_text="The site or facility hit, as sources name it."
    )
    geo_precision = models.CharField(
        "geographic precision", max_length=10, choices=GeoPrecision, default=GeoPrecision.SITE
    )
    weapon = models.CharField(max_length=20, choices=Weapon, default=Weapon.UNKNOWN)
    weapon_detail = models.CharField(
        max_length=300, blank=True, help_text="Model or number, e.g. Qasef-2K; who says so."
    )
    target = models.CharField(max_length=20, choices=Target, default=Target.UNKNOWN)
    target_detail = models.CharField(max_length=300, blank=True)
    killed_low = models.PositiveIntegerField(
        "killed (low)", null=True, blank=True, help_text="Empty means unknown, which is not zero."
    )
    killed_high = models.PositiveIntegerField("killed (high)", null=True, blank=True)
    injured_low = models.PositiveIntegerField("injured (low)", null=True, blank=True)
    injured_high = models.PositiveIntegerField("injured (high)", null=True, blank=True)
    casualty_note = models.TextField(
        blank=True, help_text="Conflicting figures and vague words ('dozens'), with who said what."
    )
    confirmation = models.CharField(
        "official confirmation", max_length=10, choices=Confirmation, default=Confirmation.UNKNOWN
    )
    summary = models.TextField(blank=True)
    status = publication_status()
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    # Derived, never typed: kept by claims.derived on every write path, rebuilt and verified by
    # `manage.py derived`, left out of the history (they change when other records do).
    first_day = models.DateField(null=True, editable=False, help_text="First possible day.")
    last_day = models.DateField(null=True, editable=False, help_text="Last possible day.")
    claimant_count = models.PositiveSmallIntegerField(
        default=0,
        editable=False,
        help_text="Distinct claimants (group and brand) of current claims of responsibility.",
    )
    claimant_group = models.ForeignKey(
        Group, on_delete=models.SET_NULL, null=True, editable=False, related_name="+"
    )
    claimant_brand = models.ForeignKey(
        Brand, on_delete=models.SET_NULL, null=True, editable=False, related_name="+"
    )
    claim_group_count = models.PositiveSmallIntegerField(
        default=0,
        editable=False,
        help_text="Distinct groups named by current claims of responsibility.",
    )
    claim_group = models.ForeignKey(
        Group, on_delete=models.SET_NULL, null=True, editable=False, related_name="+"
    )
    search_text = models.TextField(blank=True, editable=False)
    # PostgreSQL: a trigger keeps it as to_tsvector('english', search_text); empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    sources = models.ManyToManyField(Source, through="IncidentCitation", related_name="incidents")
    history = HistoricalRecords(excluded_fields=DERIVED_FIELDS)

    objects = IncidentQuerySet.as_manager()

    date_fields = ("date",)

    class Meta:
        ordering = ["-date", "code"]
        permissions = [("publish_incident", "Can publish and unpublish incidents")]
        indexes = [
            # The list's default order, newest first (and the other way round, backwards).
            models.Index(fields=["status", "-date", "code"], name="incident_status_date_code"),
            # The timeline's and the map's counts, read from the index alone (PostgreSQL).
            models.Index(
                fields=["status", "first_day"],
                include=[
                    "last_day",
                    "claimant_count",
                    "claimant_group",
                    "claimant_brand",
                    "claim_group_count",
                    "claim_group",
                    "weapon",
                    "location",
                ],
                name="incident_tally",
            ),
            models.Index(fields=["country", "admin1"], name="incident_country_admin1"),
            models.Index(fields=["weapon"], name="incident_weapon"),
        ]
        constraints = [
            constraints.not_blank("code", "incident_code_required"),
            constraints.not_blank("title", "incident_title_required"),
            constraints.country("country", "incident_country_iso"),
            constraints.one_of("date_precision", DatePrecision, "incident_date_precision_valid"),
            constraints.not_before("date_end", "date", "incident_date_end_not_before_date"),
            constraints.in_window("date", "incident"),
            constraints.in_window("date_end", "incident"),
            constraints.one_of("geo_precision", GeoPrecision, "incident_geo_precision_valid"),
            constraints.one_of("weapon", Weapon, "incident_weapon_valid"),
            constraints.one_of("target", Target, "incident_target_valid"),
            constraints.one_of("confirmation", Confirmation, "incident_confirmation_valid"),
            constraints.one_of("status", PublicationStatus, "incident_status_valid"),
            *casualty_range("killed"),
            *casualty_range("injured"),
        ]

    def __str__(self):
        return f"{self.date_display}: {self.title}"

    def get_absolute_url(self):
        return reverse("incident-detail", args=[self.code])

    def clean(self):
        super().clean()
        if self.location_id and self.country and self.location.country != self.country:
            raise ValidationError(
                {"country": f"The location {self.location} is in {self.location.country}."}
            )

    @property
    def date_display(self):
        return format_date(self.date, self.date_precision, self.date_end)

    @property
    def requires_sources(self) -> bool:
        """A published incident, and each of its claims, keeps at least one cited source."""
        return self.is_published

    def publication_cascade(self) -> list:
        """What a published incident shows: its location, its claims' groups, brands,
        attributing groups and channels' operators, and the sources it and its claims cite."""
        used = [self.location] if self.location_id else []
        claims = self.claims.select_related(
            "group",
            "brand",
            "attributed_by",
            "channel__operated_by_group",
            "channel__operated_by_brand",
        )
        for claim in claims:
            used += [claim.group, claim.brand, claim.attributed_by]
            if claim.channel_id:
                used += [claim.channel.operated_by_group, claim.channel.operated_by_brand]
        # The cited sources' ids first, each from its citations by index: one query joining
        # both citation tables read all of them (seconds on a large database).
        cited = set(
            IncidentCitation.objects.filter(incident=self).values_list("source_id", flat=True)
        )
        cited |= set(
            ClaimCitation.objects.filter(claim__incident=self).values_list("source_id", flat=True)
        )
        sources = Source.objects.filter(pk__in=cited) if cited else Source.objects.none()
        return [record for record in used if record is not None] + list(sources)

    def publication_problems(self) -> list[str]:
        """What stops the incident being published: a missing source, for it or for a claim."""
        problems = []
        if not self.citations.exists():
            problems.append("The incident cites no source.")
        unsourced = self.claims.filter(citations__isnull=True).select_related(
            "incident", "group", "brand"
        )
        problems += [f"Claim #{claim.pk} ({claim}) cites no source." for claim in unsourced]
        return problems

    def likely_duplicates(self):
        """Other incidents at the same location whose possible dates overlap this one's."""
        if not (self.location_id and self.date and self.date_precision):
            return []
        first, last = possible_range(self.date, self.date_precision, self.date_end)
        # The importer's test too (exchange.importer), on the same derived days and index.
        return list(
            Incident.objects.filter(location_id=self.location_id)
            .overlapping(first, last)
            .exclude(pk=self.pk)
        )

    @property
    def claimants(self):
        """Current claims of responsibility (needs `for_table()`'s prefetch)."""
        return [c for c in self.current_claims if c.kind == ClaimKind.RESPONSIBILITY]

    @property
    def attributions(self):
        """Current attributions by third parties (needs `for_table()`'s prefetch)."""
        return [c for c in self.current_claims if c.kind == ClaimKind.ATTRIBUTION]

    @property
    def killed_display(self):
        return casualty_display(self.killed_low, self.killed_high)

    @property
    def injured_display(self):
        return casualty_display(self.injured_low, self.injured_high)


class ClaimKind(models.TextChoices):
    RESPONSIBILITY = "responsibility", "claim of responsibility"
    DENIAL = "denial", "denial of responsibility"
    ATTRIBUTION = "attribution", "attribution by a third party"


class ClaimStatus(models.TextChoices):
    CURRENT = "current", "current"
    SUPERSEDED = "superseded", "superseded by a later claim"
    RETRACTED = "retracted", "retracted"


class Medium(models.TextChoices):
    STATEMENT = "statement", "written statement"
    VIDEO = "video", "video"
    IMAGE = "image", "image"
    AUDIO = "audio", "audio"
    OTHER = "other", "other"


class Claim(DatedMixin, models.Model):
    """A statement about who is behind an incident: a group or brand claiming it, denying it, or a
    third party (a government, a think tank) attributing it. Corrections supersede, never erase."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="claims")
    kind = models.CharField(max_length=15, choices=ClaimKind, default=ClaimKind.RESPONSIBILITY)
    group = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        help_text="The group that claims, denies, or is blamed.",
    )
    brand = models.ForeignKey(
        Brand,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        help_text="The brand the claim is made under, or that is blamed.",
    )
    claimant_as_named = models.CharField(
        max_length=300, blank=True, help_text="The claimant's name exactly as the claim gives it."
    )
    date = models.DateField("claim date", null=True, blank=True)
    date_precision = models.CharField(max_length=5, choices=DatePrecision, blank=True, default="")
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    channel_detail = models.CharField(
        max_length=300, blank=True, help_text="How it was published, as sources report it."
    )
    medium = models.CharField(max_length=10, choices=Medium, default=Medium.STATEMENT)
    original_text = models.TextField(blank=True)
    original_language = models.CharField(max_length=20, blank=True, help_text="BCP 47 code.")
    english_text = models.TextField("English text", blank=True)
    attributed_by = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attributions_made",
        help_text="For attributions: the party that attributes.",
    )
    attributed_by_detail = models.CharField(
        max_length=300,
        blank=True,
        help_text="For attributions: who exactly, e.g. 'Pentagon deputy press secretary'.",
    )
    confidence = models.CharField(
        max_length=20,
        choices=Confidence,
        blank=True,
        help_text="For attributions: the confidence the attributing party states.",
    )
    status = models.CharField(max_length=10, choices=ClaimStatus, default=ClaimStatus.CURRENT)
    status_note = models.TextField(blank=True, help_text="Why it was superseded or retracted.")
    # RESTRICT: a superseded claim cannot be deleted on its own (its successor points to it),
    # but it goes with its incident when the whole incident is deleted.
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text="The earlier claim this one replaces.",
    )
    note = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    sources = models.ManyToManyField(Source, through="ClaimCitation", related_name="claims")
    history = HistoricalRecords()

    objects = VisibleQuerySet.as_manager()

    date_fields = ("date",)

    class Meta:
        ordering = ["incident", "date", "pk"]
        indexes = [
            models.Index(fields=["kind", "status"], name="claim_kind_status"),
            # Per-incident questions (current claimants, competing, unclaimed) in one seek.
            models.Index(fields=["incident", "kind", "status"], name="claim_incident_kind_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(group__isnull=False) | Q(brand__isnull=False),
                name="claim_names_group_or_brand",
                violation_error_message="A claim names a group, a brand, or both.",
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(supersedes=F("pk")),
                name="claim_not_superseding_itself",
                violation_error_message="A claim cannot supersede itself.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ClaimKind.ATTRIBUTION)
                | Q(attributed_by__isnull=False)
                | ~Q(attributed_by_detail=""),
                name="claim_attribution_names_attributor",
                violation_error_message="Say who made the attribution.",
            ),
            models.CheckConstraint(
                condition=Q(kind=ClaimKind.ATTRIBUTION)
                | (Q(attributed_by__isnull=True) & Q(attributed_by_detail="") & Q(confidence="")),
                name="claim_attributor_only_on_attributions",
                violation_error_message=(
                    "Attributing party and confidence are only for attributions."
                ),
            ),
            constraints.one_of("kind", ClaimKind, "claim_kind_valid"),
            constraints.one_of("status", ClaimStatus, "claim_status_valid"),
            constraints.one_of("medium", Medium, "claim_medium_valid"),
            constraints.one_of("confidence", Confidence, "claim_confidence_valid", blank=True),
            *constraints.dated("date", "claim"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.claimant_display} ({self.incident.code})"

    @classmethod
    def public_condition(cls, prefix: str = "") -> Q:
        """Public with its incident."""
        return Incident.public_condition(f"{prefix}incident__")

    def clean(self):
        super().clean()
        if not getattr(self, "_lineage_checked_later", False):
            problem = lineage_problem(self.status, self.pk and self.successor_exists())
            if problem:
                # The record's error, not the status field's: the admin's claim form does not
                # edit the status (the correction and retraction flows set it), and a form
                # cannot show an error keyed to a field it does not have (a ValueError, a 500).
                raise ValidationError(problem, code="lineage")
        if self.supersedes_id and self.pk and self.supersedes_id == self.pk:
            raise ValidationError({"supersedes": "A claim cannot supersede itself."})
        if (
            self.supersedes_id
            and self.incident_id
            and self.supersedes.incident_id != self.incident_id
        ):
            raise ValidationError(
                {"supersedes": "A claim can only supersede a claim about the same incident."}
            )

    def successor_exists(self) -> bool:
        return Claim.objects.filter(supersedes=self.pk).exists()

    @property
    def claimant_display(self) -> str:
        if self.group_id and self.brand_id:
            return f"{self.group} under {self.brand}"
        return str(self.group or self.brand)

    @property
    def date_display(self):
        return format_date(self.date, self.date_precision) if self.date else ""

    @property
    def requires_sources(self) -> bool:
        return bool(self.incident_id) and self.incident.is_published


def lineage_problem(status: str, superseded: bool) -> str:
    """The rule every path keeps (the admin's correction, the importer): a claim is 'superseded'
    exactly when a later claim supersedes it."""
    if superseded and status != ClaimStatus.SUPERSEDED:
        return (
            f"A later claim supersedes this claim, so its status is 'superseded', not '{status}'."
        )
    if status == ClaimStatus.SUPERSEDED and not superseded:
        return (
            "A claim is 'superseded' only when a later claim supersedes it: give that claim "
            "(its supersedes_claim_id), or another status."
        )
    return ""


def lineage_problems(claim_ids) -> dict[int, str]:
    """lineage_problem() for many claims, in two queries."""
    ids = set(claim_ids) - {None}
    superseded = set(
        Claim.objects.filter(supersedes__in=ids).values_list("supersedes_id", flat=True)
    )
    found = {}
    for pk, status in Claim.objects.filter(pk__in=ids).values_list("pk", "status"):
        problem = lineage_problem(status, pk in superseded)
        if problem:
            found[pk] = problem
    return found


def current_responsibility():
    return Claim.objects.filter(kind=ClaimKind.RESPONSIBILITY, status=ClaimStatus.CURRENT)


def competing_claims():
    """Current claims of responsibility for the outer incident that another current claim of
    responsibility for it contradicts (a different group and/or brand)."""
    keyed = current_responsibility().annotate(
        group_key=Coalesce("group_id", 0), brand_key=Coalesce("brand_id", 0)
    )
    others = keyed.filter(incident=models.OuterRef("incident")).exclude(
        group_key=models.OuterRef("group_key"), brand_key=models.OuterRef("brand_key")
    )
    return keyed.filter(incident=models.OuterRef("pk")).filter(models.Exists(others))


class LocationCitation(Citation):
    record_field = "location"
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="citations")
    history = HistoricalRecords()

    class Meta:
        constraints = Citation.constraints_for("location", "locationcitation")


class IncidentCitation(Citation):
    record_field = "incident"
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="citations")
    history = HistoricalRecords()

    class Meta:
        constraints = Citation.constraints_for("incident", "incidentcitation")


class ClaimCitation(Citation):
    record_field = "claim"
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="citations")
    history = HistoricalRecords()

    class Meta:
        constraints = Citation.constraints_for("claim", "claimcitation")
