"""Controlled vocabularies shared by more than one app."""

from django.db import models
from django.db.models import Case, IntegerField, Value, When


class Confidence(models.TextChoices):
    """How sure the assessing party is, on the scale of words of estimative probability."""

    ALMOST_CERTAIN = "almost_certain", "almost certain"
    VERY_LIKELY = "very_likely", "very likely"
    LIKELY = "likely", "likely"
    ROUGHLY_EVEN = "roughly_even", "roughly even chance"
    UNLIKELY = "unlikely", "unlikely"

    @classmethod
    def rank(cls, field: str = "confidence"):
        """An expression that orders rows from most to least sure (unstated last)."""
        return Case(
            *(When(**{field: value}, then=Value(i)) for i, value in enumerate(cls.values)),
            default=Value(len(cls.values)),
            output_field=IntegerField(),
        )
