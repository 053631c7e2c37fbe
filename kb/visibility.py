"""Who may see what: the public sees what a publisher published, staff see drafts too.

Incidents, and the groups, brands, locations and sources an editor enters, start as drafts and
carry their own publication status. What hangs on them has none of its own: an alias is public
with its group or brand, a channel with its operators, an affiliation or a relation when both
ends are, a citation when its record and its source are, a claim with its incident. Each model
says so in one place, `public_condition(prefix)`, a `Q` that composes across relations
(`Claim.public_condition()` is its incident's, read through `incident__`), so that lists, counts,
searches, filter choices, exports and the change log all apply the same rule.
"""

from django.db import models
from django.db.models import Q


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "draft"
    PUBLISHED = "published", "published"


def sees_drafts(user) -> bool:
    """Drafts are for staff signed in to the admin; everyone else sees published records."""
    return user is not None and user.is_authenticated and user.is_staff


def published(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": PublicationStatus.PUBLISHED})


def publication_status(default=PublicationStatus.DRAFT) -> models.CharField:
    """The status field of a record a publisher publishes."""
    return models.CharField(
        "publication status",
        max_length=10,
        choices=PublicationStatus,
        default=default,
        help_text="Drafts are seen by staff only; a publisher publishes them.",
    )


class VisibleQuerySet(models.QuerySet):
    """The rows a viewer may see, by the model's `public_condition()`."""

    def public(self):
        return self.filter(self.model.public_condition())

    def visible_to(self, user):
        return self if sees_drafts(user) else self.public()


class PublishableQuerySet(VisibleQuerySet):
    def published(self):
        return self.filter(status=PublicationStatus.PUBLISHED)

    def drafts(self):
        return self.filter(status=PublicationStatus.DRAFT)


class Publishable:
    """Model mixin for a record with a publication status of its own: a `status` field made by
    `publication_status()`, and `objects = PublishableQuerySet.as_manager()`."""

    @classmethod
    def public_condition(cls, prefix: str = "") -> Q:
        return published(prefix)

    # Lookups from the record to the incidents that use it (read by `published_users()`).
    used_by: tuple[str, ...] = ()

    @property
    def is_published(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED

    def published_users(self, limit: int = 20) -> list[str]:
        """The codes of (some of) the published incidents that use this record."""
        codes = set()
        for path in self.used_by:
            rows = type(self).objects.filter(pk=self.pk, **{f"{path}__status": "published"})
            codes |= set(rows.values_list(f"{path}__code", flat=True).distinct()[:limit])
        return sorted(codes)[:limit]

    def publication_cascade(self) -> list:
        """The records published along with this one (drafts among them are published too)."""
        return []

    def cited_sources(self) -> list:
        """The sources this record's own citations cite."""
        citations = getattr(self, "citations", None)
        return [c.source for c in citations.select_related("source")] if citations else []


def publish(record, reason: str) -> list:
    """Publish the record and, with it, the drafts it uses (`record.publication_cascade()`: an
    incident's location, claimants and cited sources; a group's cited sources…), each with its
    own history row and change-log entry. Returns what was published, the record first."""
    done, pending = [], [record]
    seen = set()
    while pending:
        item = pending.pop(0)
        key = (item._meta.label_lower, item.pk)
        if key in seen:
            continue
        seen.add(key)
        if not item.is_published:
            item.status = PublicationStatus.PUBLISHED
            item._change_reason = reason if item is record else f"{reason} (with {record})"
            item.save()
            done.append(item)
        pending += [used for used in item.publication_cascade() if not used.is_published]
    return done


def drafts_used(record) -> list:
    """The drafts that publishing the record (or keeping it published) would publish with it."""
    return [used for used in record.publication_cascade() if not used.is_published]
