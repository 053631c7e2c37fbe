"""What `benchmarks/bench.py` asks the benchmark database, run inside Django against it:

    DATABASE_URL=... SECRET_KEY=... python -m benchmarks.probe

prints one JSON object: concrete values for the parameterised URLs (the busiest published group,
brand and place, the commonest country and weapon, a group's alias, a month and a year inside the
data, an incident and a source), samples for the concurrent clients, and for every export of
exchange/catalogue.py the rows an anonymous reader gets and the SQL those rows are read with.

On PostgreSQL every export is served as `COPY (SELECT …) TO STDOUT` of its own cells
(exchange.sql): that SELECT is the one compared. Otherwise (an export that Python renders), the
export's SQL is taken from the export itself, not rewritten: the export is built as
exchange/views.export builds it for an anonymous reader (its FilterSet, without parameters, over
`spec.base_queryset(user)`), then `spec.rows()` is called with `QuerySet.iterator` replaced by a
stub that records the queryset it is called on: the queryset whose rows the CSV columns are made
from (its annotations and `select_related` joins hold every column's value). Its
`query.sql_with_params()`, with the parameters bound as psycopg binds them, is what bench.py runs
as `COPY (...) TO STDOUT`. An export whose rows do not come from exactly one queryset is reported
as such (`sql` is null, `note` says why) instead of being compared with something else.
"""

import datetime
import json
import math
import os
import random
import sys
from unittest import mock

WORD = "pipeline"  # the example; the generator writes it into about 1 incident in 200
FALLBACK_WORD = "drone"
KILLED_MIN = 10
PER_PAGE = 25
SAMPLE = 500  # incident codes (and at most as many places) for the concurrent clients


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
    import django

    django.setup()
    json.dump({"params": params(), "samples": samples(), "exports": exports()}, sys.stdout)
    sys.stdout.write("\n")


def params() -> dict:
    from django.db.models import Count

    from claims.models import Incident, IncidentCitation, Location
    from groups.models import Alias, Brand, Group
    from kb.views import MAX_PAGED_ROWS
    from sources.models import Source

    incidents = Incident.objects.published()
    total = incidents.count()

    def busiest(model):
        return model.objects.published().order_by("-published_incidents", "slug").first()

    def commonest(field):
        counted = incidents.order_by().values(field).annotate(n=Count("pk"))
        return counted.order_by("-n", field).values_list(field, flat=True).first()

    group, brand, location = busiest(Group), busiest(Brand), busiest(Location)
    middle = incidents.order_by("date", "code")[total // 2]
    aliases = Alias.objects.filter(group=group).exclude(name__iexact=group.name)
    alias = (
        aliases.filter(script="Latn").order_by("name").first() or aliases.order_by("name").first()
    )
    # A source the incident cites (any published one if it cites none).
    cited = IncidentCitation.objects.filter(incident=middle, source__status="published")
    source = cited.order_by("pk").values_list("source_id", flat=True).first()
    if source is None:
        published = Source.objects.published().order_by("pk")
        source = published.values_list("pk", flat=True)[published.count() // 2]
    word = WORD if incidents.filter(search_text__icontains=WORD).exists() else FALLBACK_WORD
    year, month = middle.date.year, middle.date.month
    next_month = (middle.date.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return {
        "published_incidents": total,
        "group": group.slug,
        "group_incidents": group.published_incidents,
        "brand": brand.slug,
        "location": location.slug,
        "country": commonest("country"),
        "weapon": commonest("weapon"),
        "alias": alias.name if alias else group.name,
        "word": word,
        "word_incidents": incidents.filter(search_text__icontains=word).count(),
        "killed_min": KILLED_MIN,
        "month_from": f"{year:04d}-{month:02d}-01",
        "month_to": (next_month - datetime.timedelta(days=1)).isoformat(),
        "year_from": f"{year:04d}-01-01",
        "year_to": f"{year:04d}-12-31",
        # The deepest page the list serves: 400 once there are 10,000 rows or more.
        "last_page": max(1, math.ceil(min(MAX_PAGED_ROWS, total) / PER_PAGE)),
        "incident": middle.code,
        "source": source,
    }


def samples() -> dict:
    """Published records for the concurrent clients to pick from at random (fixed seed)."""
    from claims.models import Incident, Location
    from groups.models import Brand, Group

    incidents = Incident.objects.published()
    bounds = incidents.order_by("pk").values_list("pk", flat=True)
    first, last = bounds.first(), bounds.last()
    rng = random.Random(1)
    ids = sorted({rng.randint(first, last) for _ in range(SAMPLE * 2)}) if first else []
    codes = list(incidents.filter(pk__in=ids).values_list("code", flat=True)[:SAMPLE])

    def slugs(model):
        busiest = model.objects.published().order_by("-published_incidents", "slug")
        return list(busiest.values_list("slug", flat=True)[:SAMPLE])

    return {
        "incidents": codes,
        "groups": slugs(Group),
        "brands": slugs(Brand),
        "locations": slugs(Location),
    }


def exports() -> dict:
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.db.models import QuerySet
    from django.http import QueryDict
    from django.test import RequestFactory

    from exchange.catalogue import exports as catalogue
    from exchange.sql import copies, select

    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1", secure=True)
    request.user = AnonymousUser()
    found = {}
    for name, spec in catalogue(request).items():
        filterset = spec.filterset_class(
            QueryDict(), queryset=spec.base_queryset(request.user), request=request
        )
        if not filterset.is_valid():
            raise SystemExit(f"{name}: the export's filters refuse no parameters")
        entry = {"rows": filterset.qs.count(), "sql": None, "note": ""}
        queryset = spec.ordered(filterset.qs)
        if copies(spec, queryset, "csv"):
            # The site serves this CSV as COPY of the export's own SELECT (exchange.sql), the
            # cells made by the database: that SELECT is what the export is compared with.
            sql, sql_params = select(spec, queryset).query.sql_with_params()
            entry["sql"] = connection.ops.compose_sql(sql, sql_params)
            entry["note"] = "served by COPY of this SELECT"
            found[name] = entry
            continue
        captured = []

        def record(queryset, *args, captured=captured, **kwargs):
            captured.append(queryset)
            return iter(())

        with mock.patch.object(QuerySet, "iterator", record):
            rows = spec.rows(filterset.qs, request)
            leftover = list(rows)  # a generator would only call .iterator() when read
        if len(captured) == 1 and not leftover:
            sql, sql_params = captured[0].query.sql_with_params()
            if connection.vendor == "postgresql":
                entry["sql"] = connection.ops.compose_sql(sql, sql_params)
            else:
                entry["note"] = "COPY is PostgreSQL's"
        else:
            entry["note"] = f"rows come from {len(captured)} querysets, not one: no COPY to compare"
        found[name] = entry
    return found


if __name__ == "__main__":
    main()
