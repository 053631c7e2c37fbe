"""The tables render their rows in Python (kb.tables.KBTable.body_html) instead of cell by cell
in django-tables2's template: the page must be the same as with that template, for every list's
table, for the public and for staff (drafts, and the staff's own change table)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import get_template
from django.test import RequestFactory

from changes.models import Change
from changes.tables import StaffChangeTable
from claims import selectors
from claims.tables import ClaimTable, IncidentTable, LocationTable
from groups.tables import BrandTable, GroupTable
from sources.tables import SourceTable

pytestmark = pytest.mark.django_db


def tables(user):
    return {
        "incidents": IncidentTable(selectors.incidents(user).for_table().order_by("-date", "pk")),
        "claims": ClaimTable(selectors.claims(user).order_by("pk")),
        "locations": LocationTable(selectors.locations_with_counts(user).order_by("name", "pk")),
        "groups": GroupTable(selectors.groups_with_counts(user).order_by("name", "pk")),
        "brands": BrandTable(selectors.brands_with_counts(user).order_by("name", "pk")),
        "sources": SourceTable(selectors.sources(user).order_by("pk")),
        "changes": StaffChangeTable(Change.objects.order_by("-pk")),
        "empty": IncidentTable(selectors.incidents(user).none()),
    }


def rendered(table, template_name, request):
    html = get_template(template_name).render({"table": table}, request)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


@pytest.mark.parametrize("staff", [False, True], ids=["public", "staff"])
def test_tables_render_as_django_tables2_template_does(staff):
    user = get_user_model().objects.create(username="reader", is_staff=staff)
    request = RequestFactory().get("/", {"sort": "-date"})
    request.user = user
    theirs = tables(user)  # fresh tables: a table counts its rows (odd, even) across renders
    for name, table in tables(user).items():
        table.paginate(per_page=200)
        theirs[name].paginate(per_page=200)
        ours = rendered(table, table.template_name, request)
        assert ours == rendered(theirs[name], "django_tables2/table.html", request), name
        assert name == "empty" or '<tr class="even">' in ours, name
