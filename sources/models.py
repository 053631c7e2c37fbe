"""Sources: where every fact in the knowledge base comes from.

This is the lowest layer: groups and claims both cite sources, and a source knows nothing of them.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kb import constraints
from kb.dates import DatedMixin, DatePrecision, format_date
from kb.visibility import (
    PublicationStatus,
    Publishable,
    PublishableQuerySet,
    VisibleQuerySet,
    publication_status,
    published,
)


class SourceKind(models.TextChoices):
    NEWS = "news", "news report"
    WIRE = "wire", "news agency (wire)"
    STATE_MEDIA = "state_media", "state-affiliated media"
    THINK_TANK = "think_tank", "think tank or research institute"
    GOVERNMENT = "government", "government statement or document"
    MONITOR = "monitor", "conflict monitor or NGO"
    CLAIM_POST = "claim_post", "claim channel post (primary)"
    ACADEMIC = "academic", "academic publication"
    REFERENCE = "reference", "encyclopedia or reference work"
    OTHER = "other", "other"


class Reliability(models.TextChoices):
    """Source reliability on the Admiralty (NATO) scale."""

    A = "A", "A – completely reliable"
    B = "B", "B – usually reliable"
    C = "C", "C – fairly reliable"
    D = "D", "D – not usually reliable"
    E = "E", "E – unreliable"
    F = "F", "F – reliability cannot be judged"


class Credibility(models.IntegerChoices):
    """Credibility of one cited piece of information on the Admiralty (NATO) scale."""

    CONFIRMED = 1, "1 – confirmed by other sources"
    PROBABLY_TRUE = 2, "2 – probably true"
    POSSIBLY_TRUE = 3, "3 – possibly true"
    DOUBTFUL = 4, "4 – doubtful"
    IMPROBABLE = 5, "5 – improbable"
    CANNOT_JUDGE = 6, "6 – truth cannot be judged"


# What a source is found by (PostgreSQL indexes exactly this list's search vector).
SOURCE_TEXT_FIELDS = ["title", "publisher", "url", "author", "notes"]


class Source(Publishable, DatedMixin, models.Model):
    """A document that states facts: a news article, a think-tank report, a government statement,
    a post on a claim channel. Graded for reliability on the Admiralty scale."""

    title = models.CharField(
        max_length=500, blank=True, help_text="Empty only when the page title was not recorded."
    )
    url = models.URLField("URL", max_length=2000, blank=True, help_text="http:// or https:// only.")
    archive_url = models.URLField(
        "archive URL", max_length=2000, blank=True, help_text="A saved copy, e.g. on a web archive."
    )
    publisher = models.CharField(max_length=300, blank=True, db_index=True)
    author = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=20, choices=SourceKind, default=SourceKind.NEWS)
    language = models.CharField(
        max_length=20, blank=True, help_text="BCP 47 language code of the text, e.g. en, ar, de."
    )
    published = models.DateField("published on", null=True, blank=True)
    published_precision = models.CharField(
        max_length=5, choices=DatePrecision, blank=True, default=""
    )
    accessed = models.DateField("accessed on", null=True, blank=True)
    reliability = models.CharField(
        max_length=1,
        choices=Reliability,
        default=Reliability.F,
        help_text="Admiralty scale; F when it cannot be judged.",
    )
    notes = models.TextField(blank=True)
    status = publication_status()
    history = HistoricalRecords()

    objects = PublishableQuerySet.as_manager()
    used_by = ("incidentcitations__incident", "claimcitations__claim__incident")

    date_fields = ("published",)

    class Meta:
        ordering = ["-published", "title"]
        # The list's default order, newest first.
        indexes = [models.Index(fields=["status", "-published", "title", "id"], name="source_list")]
        constraints = [
            constraints.http_url("url", "source_url_http"),
            constraints.http_url("archive_url", "source_archive_url_http"),
            models.CheckConstraint(
                condition=~Q(title="") | ~Q(url=""),
                name="source_has_title_or_url",
                violation_error_message="Give the source a title or a URL.",
            ),
            constraints.one_of("kind", SourceKind, "source_kind_valid"),
            constraints.one_of("reliability", Reliability, "source_reliability_valid"),
            *constraints.dated("published", "source"),
            constraints.in_window("accessed", "source"),
            constraints.one_of("status", PublicationStatus, "source_status_valid"),
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="source_url_unique",
                violation_error_message="A source with this URL already exists.",
            ),
        ]

    def __str__(self):
        label = self.title or self.url
        return f"{self.publisher}: {label}" if self.publisher else label

    def get_absolute_url(self):
        return reverse("source-detail", args=[self.pk])

    def clean(self):
        self.url = constraints.lowercase_scheme(self.url)
        self.archive_url = constraints.lowercase_scheme(self.archive_url)
        super().clean()

    @property
    def published_display(self):
        return format_date(self.published, self.published_precision) if self.published else ""


class Citation(models.Model):
    """One source cited for one record, with where in the source and how credible this piece is.

    Concrete subclasses add the foreign key to the record they support (incident, claim, ...).
    """

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="%(class)ss")
    quote = models.TextField(blank=True, help_text="The passage that supports the record.")
    locator = models.CharField(
        max_length=200, blank=True, help_text="Where in the source: page, paragraph, timestamp."
    )
    credibility = models.PositiveSmallIntegerField(
        choices=Credibility, default=Credibility.CANNOT_JUDGE
    )

    record_field = ""  # the concrete citation's foreign key to the record it supports

    objects = VisibleQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return str(self.source)

    @classmethod
    def public_condition(cls, prefix: str = "") -> Q:
        """Public when its source is published and the record it supports is public."""
        record = cls._meta.get_field(cls.record_field).related_model
        return published(f"{prefix}source__") & record.public_condition(
            f"{prefix}{cls.record_field}__"
        )

    @classmethod
    def constraints_for(cls, record: str, prefix: str) -> list:
        return [
            models.UniqueConstraint(
                fields=[record, "source"],
                name=f"{prefix}_cites_source_once",
                violation_error_message="This source is already cited here.",
            ),
            models.CheckConstraint(
                condition=Q(credibility__gte=1) & Q(credibility__lte=6),
                name=f"{prefix}_credibility_1_to_6",
            ),
        ]
