"""Links from a public page to the admin, for the signed-in staff allowed to follow them: Edit a
record, Correct a current claim, Publish a draft. Anonymous visitors get nothing (and the page
costs no query more); staff pages are never cached for the public (kb.middleware)."""

from django import template
from django.urls import NoReverseMatch, reverse

from kb.roles import can_publish
from kb.visibility import sees_drafts

register = template.Library()


def admin_url(record, action: str) -> str | None:
    """The admin's URL for the action on the record, or None if its admin has no such page."""
    opts = record._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=[record.pk])
    except NoReverseMatch:
        return None


def staff_links(user, record) -> list[tuple[str, str]]:
    """(text, admin URL) for each action the user may take on the record."""
    if record is None or not sees_drafts(user):
        return []
    opts = record._meta
    what = f"claim #{record.pk}" if opts.model_name == "claim" else str(opts.verbose_name)
    may = {
        action: user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
        for action in ("add", "change")
    }
    wanted = []
    if may["change"]:
        wanted.append(("Edit", "change"))
        # A current claim is corrected by a new claim that supersedes it (ClaimAdmin.correct_view).
        if may["add"] and getattr(record, "status", None) == "current":
            wanted.append(("Correct", "correct"))
    if getattr(record, "is_published", True) is False and can_publish(user):
        wanted.append(("Publish", "publish"))
    links = []
    for verb, action in wanted:
        url = admin_url(record, action)
        if url:
            links.append((f"{verb} {what}", url))
    return links


@register.inclusion_tag("includes/staff_links.html", takes_context=True)
def admin_links(context, record):
    """`{% admin_links incident %}`: the record's admin links for the signed-in user, if any."""
    return {"links": staff_links(context.get("user"), record)}
