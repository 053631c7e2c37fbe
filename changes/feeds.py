"""The change log as an Atom feed. Everything in it is editors' text, so it is sent as text
(`type="text"`), never as HTML a feed reader would render."""

import re

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from changes.models import Change
from changes.tables import shorten

LATEST = 50

# Characters XML 1.0 does not allow; a reason pasted from elsewhere may hold one.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    return NOT_XML.sub("", text)


class TextAtom1Feed(Atom1Feed):
    """Atom with plain-text summaries: Django's Atom1Feed declares `<summary type="html">`, which
    tells readers to render the editor-typed text as markup."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


def field_text(item):
    """One changed field as 'label: old → new', long values shortened, as plain text."""
    return f"{item['label']}: {shorten(item['old']) or '—'} → {shorten(item['new']) or '—'}"


class ChangesFeed(Feed):
    """The latest public changes as an Atom feed (never drafts, never editors' names)."""

    feed_type = TextAtom1Feed
    title = "Incident-claims knowledge base: changes"
    subtitle = "Records added, corrected, published, unpublished and deleted, with the reasons."

    def link(self):
        return reverse("changes")

    def items(self):
        return Change.objects.public().order_by("-at", "-pk")[:LATEST]

    def item_title(self, item):
        return xml_text(f"{item.action} {item.record_type}: {item.label}")

    def item_description(self, item):
        text = "; ".join(field_text(field) for field in item.fields)
        reason = f"Reason: {item.reason}" if item.reason else ""
        return xml_text(" ".join(part for part in (text, reason) if part) or item.label)

    def item_link(self, item):
        return item.page if item.page and item.action != "deleted" else reverse("changes")

    def item_guid(self, item):
        # The history row it comes from: unchanged even if the log is rebuilt.
        return f"tag:incident-claims-kb,2026:change:{item.model}:{item.history_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.at

    def item_updateddate(self, item):
        return item.at
