"""Controlled vocabularies shared by more than one app."""

from django.db import models


class Confidence(models.TextChoices):
    """How sure the assessing party is, on the scale of words of estimative probability."""

    ALMOST_CERTAIN = "almost_certain", "almost certain"
    VERY_LIKELY = "very_likely", "very likely"
    LIKELY = "likely", "likely"
    ROUGHLY_EVEN = "roughly_even", "roughly even chance"
    UNLIKELY = "unlikely", "unlikely"
