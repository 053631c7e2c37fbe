"""Answers that read many rows (a timeline over a million incidents, an exact count, the countries
in use), kept until the data changes.

Every change to a curated record writes one row to the change log (changes.Change), so the
latest entry's id and time identify the state of the data: a cached answer is keyed by it, and a
change makes every older answer unreachable (they expire from the cache on their own). Answers for
staff, who see drafts, are kept apart from the public's. Commands that change data without the
change log (`manage.py derived --rebuild`) clear the cache.
"""

import hashlib

from django.core.cache import cache

from kb.visibility import sees_drafts


def data_version() -> str:
    """The latest change's id and time ('' before any): one index lookup."""
    from changes.models import Change

    latest = Change.objects.order_by("-pk").values_list("pk", "at").first()
    return f"{latest[0]}@{latest[1].isoformat()}" if latest else ""


def cached(name: str, parts, request, compute):
    """`compute()`, or what it gave for the same name, parts and audience (the public, or staff)
    since the last change. The version is read once per request."""
    user = getattr(request, "user", None)
    audience = "staff" if sees_drafts(user) else "public"
    version = getattr(request, "_kb_data_version", None)
    if version is None:
        version = data_version()
        if request is not None:
            request._kb_data_version = version
    digest = hashlib.sha256(repr((name, parts, audience, version)).encode()).hexdigest()
    key = f"kb:{name}:{digest}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found)
    return found
