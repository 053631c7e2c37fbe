from django.http import Http404
from django.shortcuts import render

from changes.filtersets import ChangeFilterSet
from changes.models import Change
from changes.tables import ChangeTable, StaffChangeTable
from claims import selectors
from kb.ordering import ordering
from kb.query import read_only, takes
from kb.views import ListPage
from kb.visibility import sees_drafts

# The change log's order: newest first (kb.ordering's rule; the time is always known).
NEWEST_FIRST = ordering(Change, "-at", "-pk")


class ChangeList(ListPage):
    """Recent changes, newest first: public changes for everyone, drafts' too for staff."""

    filterset_class = ChangeFilterSet
    title = "Changes"
    template_name = "changes/change_list.html"
    export_name = "changes"

    @property
    def table_class(self):
        return StaffChangeTable if sees_drafts(self.request.user) else ChangeTable

    def get_queryset(self):
        changes = Change.objects.visible_to(self.request.user).order_by(*NEWEST_FIRST)
        if sees_drafts(self.request.user):
            changes = changes.select_related("user")
        return changes


@read_only
@takes()
def incident_history(request, code):
    """What changed in an incident, its claims and its citations, and when (and who, for staff)."""
    incident = selectors.incidents(request.user).filter(code=code).first()
    if incident is None:
        raise Http404("No such incident.")
    staff = sees_drafts(request.user)
    changes = Change.objects.visible_to(request.user).filter(incident_code=code)
    if staff:
        changes = changes.select_related("user")
    context = {
        "incident": incident,
        "entries": grouped(changes.order_by(*NEWEST_FIRST)),
        "staff": staff,
    }
    return render(request, "changes/incident_history.html", context)


def grouped(changes):
    """Changes in entries: consecutive additions or deletions saved together, for the same reason
    by the same editor, form one entry (an incident loaded with its claims and sources is one
    event); every other change is an entry of its own."""
    entries = []
    for change in changes:
        last = entries[-1] if entries else None
        if (
            last is not None
            and not change.fields
            and change.action in ("added", "deleted")
            and last.key == (change.action, change.reason, change.user_id, change.public)
            and (last.changes[0].at - change.at).total_seconds() < 60
        ):
            last.changes.append(change)
        else:
            entries.append(Entry(change))
    return entries


class Entry:
    def __init__(self, change):
        self.changes = [change]
        self.key = (change.action, change.reason, change.user_id, change.public)

    @property
    def first(self):
        return self.changes[0]
