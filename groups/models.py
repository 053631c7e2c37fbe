"""Actors: armed groups and other organisations, the brands they claim under, and how they relate.

This app is the lower layer of the domain: it knows nothing of incidents or claims.
"""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kb import constraints
from kb.countries import COUNTRIES
from kb.dates import DatedMixin, DatePrecision, format_date
from kb.visibility import (
    PublicationStatus,
    Publishable,
    PublishableQuerySet,
    VisibleQuerySet,
    publication_status,
    published,
)
from kb.vocab import Confidence
from sources.models import Citation, Source


class GroupKind(models.TextChoices):
    ARMED_GROUP = "armed_group", "armed group"
    FACADE_GROUP = "facade_group", "facade group (name used for claims, not a distinct force)"
    STATE = "state", "state"
    STATE_ORGAN = "state_organ", "state organ (ministry, armed force, agency)"
    POLITICAL_PARTY = "political_party", "political party or movement"
    MEDIA_OUTLET = "media_outlet", "media outlet"
    UNIDENTIFIED = "unidentified", "unidentified (named only vaguely by the source)"
    OTHER = "other", "other"


COUNT_FIELDS = ["published_incidents", "all_incidents"]


class Group(Publishable, DatedMixin, models.Model):
    """An organisation that acts or speaks: an armed group, a facade group, a state or state organ
    (e.g. the IRGC Quds Force), a party or a media outlet."""

    name = models.CharField(max_length=200, db_index=True)
    slug = models.SlugField(max_length=200, unique=True)
    arabic_name = models.CharField(max_length=200, blank=True)
    acronym = models.CharField(max_length=30, blank=True)
    kind = models.CharField(max_length=20, choices=GroupKind, default=GroupKind.ARMED_GROUP)
    country = models.CharField(
        max_length=2, choices=COUNTRIES, blank=True, help_text="Where it is based (ISO 3166)."
    )
    founded = models.DateField(null=True, blank=True)
    founded_precision = models.CharField(
        max_length=5, choices=DatePrecision, blank=True, default=""
    )
    description = models.TextField(blank=True)
    status = publication_status()
    # Derived (claims.derived): incidents it is named in by a current claim of responsibility or
    # attribution, published ones and all; lists read them instead of counting millions of claims.
    published_incidents = models.PositiveIntegerField(default=0, editable=False)
    all_incidents = models.PositiveIntegerField(default=0, editable=False)
    sources = models.ManyToManyField(Source, through="GroupCitation", related_name="groups")
    history = HistoricalRecords(excluded_fields=COUNT_FIELDS)

    objects = PublishableQuerySet.as_manager()
    used_by = ("claims__incident", "attributions_made__incident", "channels__claims__incident")

    date_fields = ("founded",)

    class Meta:
        ordering = ["name"]
        constraints = [
            constraints.not_blank("name", "group_name_required"),
            constraints.one_of("kind", GroupKind, "group_kind_valid"),
            constraints.country("country", "group_country_iso", blank=True),
            *constraints.dated("founded", "group"),
            constraints.one_of("status", PublicationStatus, "group_status_valid"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("group-detail", args=[self.slug])

    def publication_cascade(self) -> list:
        return actor_sources(self)

    @property
    def founded_display(self):
        return format_date(self.founded, self.founded_precision) if self.founded else ""


class Brand(Publishable, DatedMixin, models.Model):
    """A label under which operations are claimed, not a group: e.g. the Islamic Resistance in Iraq,
    under which several militias claim attacks while hiding which of them acted."""

    name = models.CharField(max_length=200, db_index=True)
    slug = models.SlugField(max_length=200, unique=True)
    arabic_name = models.CharField(max_length=200, blank=True)
    acronym = models.CharField(max_length=30, blank=True)
    launched = models.DateField(null=True, blank=True)
    launched_precision = models.CharField(
        max_length=5, choices=DatePrecision, blank=True, default=""
    )
    description = models.TextField(blank=True)
    status = publication_status()
    # Derived (claims.derived): incidents it is named in by a current claim of responsibility or
    # attribution, published ones and all; lists read them instead of counting millions of claims.
    published_incidents = models.PositiveIntegerField(default=0, editable=False)
    all_incidents = models.PositiveIntegerField(default=0, editable=False)
    sources = models.ManyToManyField(Source, through="BrandCitation", related_name="brands")
    history = HistoricalRecords(excluded_fields=COUNT_FIELDS)

    objects = PublishableQuerySet.as_manager()
    used_by = ("claims__incident", "channels__claims__incident")

    date_fields = ("launched",)

    class Meta:
        ordering = ["name"]
        constraints = [
            constraints.not_blank("name", "brand_name_required"),
            *constraints.dated("launched", "brand"),
            constraints.one_of("status", PublicationStatus, "brand_status_valid"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("brand-detail", args=[self.slug])

    def publication_cascade(self) -> list:
        return actor_sources(self)

    @property
    def launched_display(self):
        return format_date(self.launched, self.launched_precision) if self.launched else ""


def actor_sources(actor) -> list:
    """The sources a group's or a brand's page shows: its own, its channels', and those of its
    affiliations and relations that are public (their other end is published too)."""
    field = actor._meta.model_name  # "group" or "brand"
    ends = Q(relation__object_brand=actor)
    if field == "group":
        ends = Q(relation__subject=actor) | Q(relation__object_group=actor)
    citations = [
        ChannelCitation.objects.filter(**{f"channel__operated_by_{field}": actor}).filter(
            Channel.public_condition("channel__")
        ),
        AffiliationCitation.objects.filter(**{f"affiliation__{field}": actor}).filter(
            Affiliation.public_condition("affiliation__")
        ),
        RelationCitation.objects.filter(ends).filter(Relation.public_condition("relation__")),
    ]
    sources = {source.pk: source for source in actor.cited_sources()}
    for rows in citations:
        sources |= {c.source_id: c.source for c in rows.select_related("source")}
    return list(sources.values())


class AliasKind(models.TextChoices):
    TRANSLITERATION = "transliteration", "transliteration or spelling variant"
    ORIGINAL_SCRIPT = "original_script", "name in its original script"
    TRANSLATION = "translation", "translation"
    ACRONYM = "acronym", "acronym or abbreviation"
    FORMER_NAME = "former_name", "former or official name"
    OTHER = "other", "other"


class Alias(models.Model):
    """Another name of a group or a brand (a transliteration, the Arabic script, an acronym).
    Search matches every alias."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="aliases"
    )
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, null=True, blank=True, related_name="aliases"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=AliasKind, default=AliasKind.TRANSLITERATION)
    language = models.CharField(
        max_length=20, blank=True, help_text="BCP 47 language code, e.g. ar, en, fa."
    )
    script = models.CharField(
        max_length=4, blank=True, help_text="ISO 15924 script code, e.g. Latn, Arab."
    )
    history = HistoricalRecords()

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "aliases"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(group__isnull=False) & Q(brand__isnull=True))
                | (Q(group__isnull=True) & Q(brand__isnull=False)),
                name="alias_names_one_group_or_brand",
                violation_error_message="An alias belongs to one group or one brand.",
            ),
            constraints.not_blank("name", "alias_name_required"),
            constraints.one_of("kind", AliasKind, "alias_kind_valid"),
            models.UniqueConstraint(
                Lower("name"),
                "group",
                condition=Q(group__isnull=False),
                name="alias_unique_group",
                violation_error_message="This group already has this alias.",
            ),
            models.UniqueConstraint(
                Lower("name"),
                "brand",
                condition=Q(brand__isnull=False),
                name="alias_unique_brand",
                violation_error_message="This brand already has this alias.",
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def public_condition(cls, prefix: str = "") -> Q:
        """Public with its group or brand."""
        return published(f"{prefix}group__") | published(f"{prefix}brand__")

    @property
    def owner(self):
        return self.group or self.brand


class AffiliationStatus(models.TextChoices):
    ANNOUNCED = "announced", "announced (by the group or brand itself)"
    ASSESSED = "assessed", "assessed (by analysts or a government)"
    SUSPECTED = "suspected", "suspected"
    DENIED = "denied", "denied"
    ENDED = "ended", "ended"


# Affiliations that tie a group to a brand's claims (not denied, not ended).
LIVE_AFFILIATIONS = [
    AffiliationStatus.ANNOUNCED,
    AffiliationStatus.ASSESSED,
    AffiliationStatus.SUSPECTED,
]


class Affiliation(DatedMixin, models.Model):
    """A group operates under a brand: announced by itself, or assessed by someone, with a stated
    confidence, over a period."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="affiliations")
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="affiliations")
    status = models.CharField(max_length=10, choices=AffiliationStatus)
    confidence = models.CharField(
        max_length=20,
        choices=Confidence,
        blank=True,
        help_text="As the assessing party states it; empty when it is not stated.",
    )
    assessed_by = models.CharField(
        max_length=300,
        blank=True,
        help_text="Who says so: the group itself, a think tank, a government.",
    )
    start = models.DateField("from", null=True, blank=True)
    start_precision = models.CharField(max_length=5, choices=DatePrecision, blank=True, default="")
    end = models.DateField("until", null=True, blank=True)
    end_precision = models.CharField(max_length=5, choices=DatePrecision, blank=True, default="")
    note = models.TextField(blank=True)
    sources = models.ManyToManyField(
        Source, through="AffiliationCitation", related_name="affiliations"
    )
    history = HistoricalRecords()

    objects = VisibleQuerySet.as_manager()

    date_fields = ("start", "end")

    class Meta:
        ordering = ["brand__name", "group__name"]
        constraints = [
            constraints.one_of("status", AffiliationStatus, "affiliation_status_valid"),
            constraints.one_of(
                "confidence", Confidence, "affiliation_confidence_valid", blank=True
            ),
            *constraints.dated("start", "affiliation"),
            *constraints.dated("end", "affiliation"),
            constraints.not_before("end", "start", "affiliation_end_not_before_start"),
            models.UniqueConstraint(
                fields=["group", "brand", "status", "assessed_by"],
                name="affiliation_unique_per_assessor",
                violation_error_message=(
                    "This affiliation is already recorded with this status and assessor; "
                    "add a source to it instead."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.group} → {self.brand} ({self.get_status_display()})"

    @classmethod
    def public_condition(cls, prefix: str = "") -> Q:
        """Public when the group and the brand both are."""
        return published(f"{prefix}group__") & published(f"{prefix}brand__")


class RelationKind(models.TextChoices):
    COORDINATES = "coordinates", "coordinates"
    SPONSORS = "sponsors", "sponsors (funds, arms or trains)"
    SUBORDINATE_OF = "subordinate_of", "is subordinate to"
    SPLINTER_OF = "splinter_of", "is a splinter of"
    ALLIED_WITH = "allied_with", "is allied with"


class Relation(DatedMixin, models.Model):
    """A sourced relation from one actor to another group or to a brand, e.g. the IRGC Quds Force
    coordinates the factions of the Islamic Resistance in Iraq."""

    subject = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="relations")
    kind = models.CharField(max_length=20, choices=RelationKind)
    object_group = models.ForeignKey(
        Group, on_delete=models.PROTECT, null=True, blank=True, related_name="inbound_relations"
    )
    object_brand = models.ForeignKey(
        Brand, on_delete=models.PROTECT, null=True, blank=True, related_name="inbound_relations"
    )
    start = models.DateField("from", null=True, blank=True)
    start_precision = models.CharField(max_length=5, choices=DatePrecision, blank=True, default="")
    end = models.DateField("until", null=True, blank=True)
    end_precision = models.CharField(max_length=5, choices=DatePrecision, blank=True, default="")
    note = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, through="RelationCitation", related_name="relations")
    history = HistoricalRecords()

    objects = VisibleQuerySet.as_manager()

    date_fields = ("start", "end")

    class Meta:
        ordering = ["subject__name", "kind"]
        constraints = [
            constraints.one_of("kind", RelationKind, "relation_kind_valid"),
            models.CheckConstraint(
                condition=(Q(object_group__isnull=False) & Q(object_brand__isnull=True))
                | (Q(object_group__isnull=True) & Q(object_brand__isnull=False)),
                name="relation_object_one_group_or_brand",
                violation_error_message="A relation points to one group or one brand.",
            ),
            models.CheckConstraint(
                condition=Q(object_group__isnull=True) | ~Q(object_group=F("subject")),
                name="relation_not_to_itself",
                violation_error_message="A group cannot be related to itself.",
            ),
            *constraints.dated("start", "relation"),
            *constraints.dated("end", "relation"),
            constraints.not_before("end", "start", "relation_end_not_before_start"),
            models.UniqueConstraint(
                fields=["subject", "kind", "object_group"],
                condition=Q(object_group__isnull=False),
                name="relation_unique_to_group",
                violation_error_message="This relation is already recorded; add a source to it.",
            ),
            models.UniqueConstraint(
                fields=["subject", "kind", "object_brand"],
                condition=Q(object_brand__isnull=False),
                name="relation_unique_to_brand",
                violation_error_message="This relation is already recorded; add a source to it.",
            ),
        ]

    def __str__(self):
        return f"{self.subject} {self.get_kind_display()} {self.object}"

    @classmethod
    def public_condition(cls, prefix: str = "") -> Q:
        """Public when both ends are (the object is a group or a brand)."""
        return published(f"{prefix}subject__") & (
            published(f"{prefix}object_group__") | published(f"{prefix}object_brand__")
        )

    @property
    def object(self):
        return self.object_group or self.object_brand


class Platform(models.TextChoices):
    TELEGRAM = "telegram", "Telegram"
    X = "x", "X (Twitter)"
    WEBSITE = "website", "website"
    TV = "tv", "television"
    RADIO = "radio", "radio"
    OTHER = "other", "other"


class Channel(models.Model):
    """Where claims are published: a Telegram channel, an X account, a website, a TV station,
    operated by a brand or a group."""

    name = models.CharField(max_length=200)
    platform = models.CharField(max_length=10, choices=Platform)
    url = models.URLField("URL", max_length=2000, blank=True)
    operated_by_group = models.ForeignKey(
        Group, on_delete=models.PROTECT, null=True, blank=True, related_name="channels"
    )
    operated_by_brand = models.ForeignKey(
        Brand, on_delete=models.PROTECT, null=True, blank=True, related_name="channels"
    )
    description = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, through="ChannelCitation", related_name="channels")
    history = HistoricalRecords()

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            constraints.not_blank("name", "channel_name_required"),
            constraints.one_of("platform", Platform, "channel_platform_valid"),
            constraints.http_url("url", "channel_url_http"),
            models.CheckConstraint(
                condition=Q(operated_by_group__isnull=False) | Q(operated_by_brand__isnull=False),
                name="channel_has_operator",
                violation_error_message="Say which group or brand operates the channel.",
            ),
            models.UniqueConstraint(fields=["platform", "name"], name="channel_unique_name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_platform_display()})"

    def clean(self):
        self.url = constraints.lowercase_scheme(self.url)

    @classmethod
    def public_condition(cls, prefix: str = "") -> Q:
        """Public when each of its operators is."""
        condition = Q()
        for operator in ("operated_by_group", "operated_by_brand"):
            none = Q(**{f"{prefix}{operator}__isnull": True})
            condition &= none | published(f"{prefix}{operator}__")
        return condition

    @property
    def operator(self):
        return self.operated_by_brand or self.operated_by_group


class GroupCitation(Citation):
    record_field = "group"
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="citations")
    history = HistoricalRecords()

    class Meta:
        constraints = Citation.constraints_for("group", "groupcitation")


class BrandCitation(Citation):
    record_field = "brand"
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="citations")
    history = HistoricalRecords()

    class Meta:
        constraints = Citation.constraints_for("brand", "brandcitation")


class AffiliationCitation(Citation):
    record_field = "affiliation"
    affiliation = models.ForeignKey(Affiliation, on_delete=models.CASCADE, related_name="citations")
    history = HistoricalRecords()

    class Meta:
        constraints = Citation.constraints_for("affiliation", "affiliationcitation")


class RelationCitation(Citation):
    record_field = "relation"
    relation = models.ForeignKey(Relation, on_delete=models.CASCADE, related_name="citations")
    history = HistoricalRecords()

    class Meta:
        constraints = Citation.constraints_for("relation", "relationcitation")


class ChannelCitation(Citation):
    record_field = "channel"
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="citations")
    history = HistoricalRecords()

    class Meta:
        constraints = Citation.constraints_for("channel", "channelcitation")
