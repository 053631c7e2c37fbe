"""The change log: one row per change to a curated record, derived from the records' history.

The history tables (django-simple-history) are the truth: full snapshots, one table per model. The
log reads them once, when each history row is written, and keeps what readers need in one indexed
table: what changed, in which fields (old and new value, as text), when, by whom, why, on which
public page, and whether the public may see it. `manage.py rebuild_changes` regenerates it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from kb import constraints
from kb.visibility import sees_drafts


class Action(models.TextChoices):
    ADDED = "added", "added"
    CHANGED = "changed", "changed"
    DELETED = "deleted", "deleted"
    PUBLISHED = "published", "published"
    UNPUBLISHED = "unpublished", "unpublished"
    SUPERSEDED = "superseded", "superseded (corrected by a later claim)"
    RETRACTED = "retracted", "retracted"


class ChangeQuerySet(models.QuerySet):
    def public(self):
        return self.filter(public=True)

    def visible_to(self, user):
        return self if sees_drafts(user) else self.public()


class Change(models.Model):
    at = models.DateTimeField(help_text="When the change was saved (UTC).")
    action = models.CharField(max_length=12, choices=Action)
    model = models.CharField(max_length=60, help_text="app_label.model_name of the record.")
    record_type = models.CharField(max_length=60, help_text="What kind of record, e.g. 'claim'.")
    record_id = models.BigIntegerField(help_text="The record's id; stable, never reused.")
    label = models.CharField(max_length=500, help_text="The record as it read after the change.")
    page = models.CharField(
        max_length=300, blank=True, help_text="The public page that shows the record."
    )
    incident_code = models.CharField(
        max_length=100, blank=True, help_text="The incident the record belongs to, if any."
    )
    fields = models.JSONField(
        default=list,
        blank=True,
        help_text="For changes: [{field, label, old, new}], values as text.",
    )
    reason = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    public = models.BooleanField(
        help_text="Shown to the public: not a change to a draft incident or to its claims."
    )
    history_id = models.BigIntegerField(help_text="The row in the record's history table.")

    objects = ChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["public", "at"], name="change_public_at"),
            models.Index(fields=["incident_code", "at"], name="change_incident_at"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["model", "history_id"], name="change_history_row"),
            constraints.one_of("action", Action, "change_action_valid"),
            models.CheckConstraint(condition=~Q(model=""), name="change_model_required"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.record_type} {self.label}"

    @property
    def field_names(self) -> list[str]:
        return [item["field"] for item in self.fields]
