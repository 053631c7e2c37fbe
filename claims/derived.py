"""Facts derived from an incident and its claims, stored on the incident so that a page over a
million incidents reads indexed columns instead of recomputing them from every row:

- `first_day`, `last_day`: its possible dates (kb.dates.possible_range);
- its current claimants, from its current claims of responsibility: `claimant_count` distinct
  (group, brand) pairs (0: unclaimed; 2 or more: competing claims), the pair when there is one
  (`claimant_group`, `claimant_brand`), and the distinct groups among them (`claim_group_count`,
  and `claim_group` when there is one);
- `search_text`: what the incident is found by: its text and its location's names, folded as
  names are (kb.names.document_terms: no case, diacritics, apostrophes or hyphens, and the
  skeleton of each longer word, so that any transliteration of a name finds it), and a token per
  group or brand any of its claims names, `actorg12`, `actorb3`; on PostgreSQL a trigger keeps
  `search_vector` = to_tsvector('english', search_text), under a GIN index. Folding is done in
  Python only (one definition): the PostgreSQL rebuild loads the texts into a temporary table.

And, on each group, brand and location, the incidents it is named in by a current claim of
responsibility or attribution (a location: the incidents there), `published_incidents` and
`all_incidents`, which the lists show and sort by.

Kept on every write path: `Incident.save()` sets the dates; a save of an incident, a claim or a
location (signals, connected in ClaimsConfig.ready) refreshes the incidents it touches. A bulk
write that bypasses the ORM (the synthetic-data generator) calls `rebuild()`. `verify()` compares
what is stored with what `compute()` gives; `manage.py derived --check` and `--rebuild`.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, F, Q

from kb.dates import possible_range
from kb.names import document_terms

RESPONSIBILITY, CURRENT = "responsibility", "current"
SUMMARY_FIELDS = [
    "claimant_count",
    "claimant_group_id",
    "claimant_brand_id",
    "claim_group_count",
    "claim_group_id",
]
FIELDS = ["first_day", "last_day", *SUMMARY_FIELDS, "search_text"]
TEXT_FIELDS = ["title", "code", "summary", "place", "facility", "weapon_detail", "target_detail"]
CHUNK = 2000


def actor_token(kind: str, pk: int) -> str:
    """The search token of a group ('g') or a brand ('b') that a claim names."""
    return f"actor{kind}{pk}"


def dates(date, precision, end) -> tuple:
    return possible_range(date, precision, end) if date else (None, None)


def summary(pairs: Iterable[tuple[int | None, int | None]]) -> dict:
    """The claimant fields from the (group, brand) pairs of current claims of responsibility."""
    pairs = set(pairs)
    groups = {group for group, _ in pairs if group is not None}
    single = next(iter(pairs)) if len(pairs) == 1 else (None, None)
    return {
        "claimant_count": len(pairs),
        "claimant_group_id": single[0],
        "claimant_brand_id": single[1],
        "claim_group_count": len(groups),
        "claim_group_id": next(iter(groups)) if len(groups) == 1 else None,
    }


def text(values: dict, location: tuple[str, str] | None, tokens: Iterable[str]) -> str:
    """The search text: the incident's text fields and its location's names as a search document
    keeps them (kb.names.document_terms), then its actor tokens, sorted."""
    parts = [values[name] or "" for name in TEXT_FIELDS]
    if location is not None:
        parts += [name or "" for name in location]
    return " ".join(filter(None, [document_terms(" ".join(parts)), *sorted(set(tokens))]))


# What the derived fields are computed from, on the incident itself.
SOURCE_FIELDS = ["date", "date_precision", "date_end", "location_id", *TEXT_FIELDS]


def compute(incident_ids: Iterable[int]) -> dict[int, dict]:
    """What the derived fields should hold, for these incidents, in three queries."""
    from claims.models import Incident

    rows = Incident.objects.filter(pk__in=incident_ids).values("pk", *SOURCE_FIELDS)
    return derive({row["pk"]: row for row in rows})


def compute_for(incidents: list) -> dict[int, dict]:
    """compute() for these incident instances as they are, saved or not (their claims and
    location as stored): the importer writes an updated incident with its derived fields."""
    return derive({o.pk: {name: getattr(o, name) for name in SOURCE_FIELDS} for o in incidents})


def derive(incidents: dict[int, dict]) -> dict[int, dict]:
    """compute() from the incidents' SOURCE_FIELDS (pk -> values), in two queries."""
    from claims.models import Claim, Location

    location_ids = {row["location_id"] for row in incidents.values()} - {None}
    locations = {
        pk: (name, alternate_names)
        for pk, name, alternate_names in Location.objects.filter(pk__in=location_ids).values_list(
            "pk", "name", "alternate_names"
        )
    }
    pairs, tokens = defaultdict(set), defaultdict(set)
    claims = Claim.objects.filter(incident_id__in=incidents).values_list(
        "incident_id", "kind", "status", "group_id", "brand_id"
    )
    for incident_id, kind, status, group_id, brand_id in claims:
        if kind == RESPONSIBILITY and status == CURRENT:
            pairs[incident_id].add((group_id, brand_id))
        if group_id:
            tokens[incident_id].add(actor_token("g", group_id))
        if brand_id:
            tokens[incident_id].add(actor_token("b", brand_id))
    result = {}
    for pk, row in incidents.items():
        first, last = dates(row["date"], row["date_precision"], row["date_end"])
        location = locations.get(row["location_id"])
        result[pk] = {
            "first_day": first,
            "last_day": last,
            **summary(pairs[pk]),
            "search_text": text(row, location, tokens[pk]),
        }
    return result


def refresh(incident_ids: Iterable[int]) -> None:
    """Store what compute() gives for these incidents (an UPDATE each: no history row)."""
    from claims.models import Incident

    ids = sorted(set(incident_ids) - {None})
    for start in range(0, len(ids), CHUNK):
        for pk, values in compute(ids[start : start + CHUNK]).items():
            Incident.objects.filter(pk=pk).update(**values)


def refresh_bulk(incident_ids: Iterable[int], write=None) -> None:
    """refresh(), as one prepared UPDATE run for every incident (the importer's batches), or by
    `write(Incident, fields, rows)` with rows (pk, *values of FIELDS) if given (the importer's
    bulk writer, exchange.bulk.update_rows)."""
    from claims.models import Incident

    ids = sorted(set(incident_ids) - {None})
    table = Incident._meta.db_table
    quote = connection.ops.quote_name
    columns = [Incident._meta.get_field(name).column for name in FIELDS]
    sets = ", ".join(f"{quote(column)} = %s" for column in columns)
    statement = f"UPDATE {quote(table)} SET {sets} WHERE {quote('id')} = %s"
    for start in range(0, len(ids), CHUNK):
        computed = compute(ids[start : start + CHUNK])
        if write is not None:
            # Only the incidents whose derived fields change (a claim's note changes none).
            held = stored(computed)
            fields = [Incident._meta.get_field(name) for name in FIELDS]
            rows = [
                (pk, *(values[name] for name in FIELDS))
                for pk, values in computed.items()
                if held.get(pk) != {name: values[name] for name in FIELDS}
            ]
            write(Incident, fields, rows)
            continue
        adapt = connection.ops.adapt_datefield_value
        params = [
            [adapt(v) if name in ("first_day", "last_day") else v for name, v in values.items()]
            + [pk]
            for pk, values in (
                (pk, {n: values[n] for n in FIELDS}) for pk, values in computed.items()
            )
        ]
        with connection.cursor() as cursor:
            cursor.executemany(statement, params)


# --- Counts on groups, brands and locations -------------------------------------------------------

NAMING = ("responsibility", "attribution")


def counted(model_name: str, ids: Iterable[int]) -> dict[int, dict]:
    """What the counts of these groups, brands or locations should be."""
    from claims.models import Claim, Incident

    ids = set(ids) - {None}
    published = Q(status="published")
    if model_name == "location":
        rows = Incident.objects.filter(location_id__in=ids).values(key=F("location_id"))
        rows = rows.annotate(everything=Count("pk"), public=Count("pk", filter=published))
    else:
        field = f"{model_name}_id"
        named = Claim.objects.filter(**{f"{field}__in": ids}, status=CURRENT, kind__in=NAMING)
        rows = named.values(key=F(field)).annotate(
            everything=Count("incident", distinct=True),
            public=Count("incident", distinct=True, filter=Q(incident__status="published")),
        )
    found = {pk: {"published_incidents": 0, "all_incidents": 0} for pk in ids}
    for row in rows:
        found[row["key"]] = {
            "published_incidents": row["public"],
            "all_incidents": row["everything"],
        }
    return found


def count_models():
    from claims.models import Location
    from groups.models import Brand, Group

    return {"group": Group, "brand": Brand, "location": Location}


def refresh_counts(**ids_by_model: Iterable[int]) -> None:
    """Store what counted() gives, e.g. refresh_counts(group=[3], location=[12])."""
    models = count_models()
    for name, ids in ids_by_model.items():
        for pk, values in counted(name, ids).items():
            models[name].objects.filter(pk=pk).update(**values)


def verify_counts() -> list[str]:
    problems = []
    for name, model in count_models().items():
        rows = model.objects.values_list("pk", "published_incidents", "all_incidents")
        stored_counts = {pk: {"published_incidents": p, "all_incidents": a} for pk, p, a in rows}
        for pk, values in counted(name, stored_counts).items():
            if stored_counts[pk] != values:
                problems.append(f"{name} {pk}: incident counts")
    return problems


def stored(incident_ids: Iterable[int]) -> dict[int, dict]:
    from claims.models import Incident

    rows = Incident.objects.filter(pk__in=incident_ids).values("pk", *FIELDS)
    return {row.pop("pk"): row for row in rows}


def verify(limit: int | None = None) -> list[str]:
    """The incidents whose stored derived fields differ from what they should be, with the
    fields (all incidents, or the `limit` latest), and the groups, brands and locations whose
    counts do."""
    from claims.models import Incident

    ids = Incident.objects.order_by("-pk").values_list("pk", flat=True)
    ids = list(ids[:limit] if limit else ids.iterator(chunk_size=CHUNK))
    problems = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        expected, found = compute(chunk), stored(chunk)
        for pk, values in expected.items():
            wrong = [name for name, value in values.items() if found[pk][name] != value]
            if wrong:
                problems.append(f"incident {pk}: {', '.join(wrong)}")
    return problems + verify_counts()


def rebuild() -> None:
    """Recompute every incident's derived fields: on PostgreSQL, the dates and claimants in one
    statement and the search texts (folded in Python) through a temporary table; chunk by chunk
    elsewhere."""
    from claims.models import Incident

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in REBUILD_SQL:
                cursor.execute(statement)
        store_search_texts()
    else:
        refresh(Incident.objects.values_list("pk", flat=True).iterator(chunk_size=CHUNK))
    refresh_counts(
        **{
            name: model.objects.values_list("pk", flat=True)
            for name, model in (count_models().items())
        }
    )


def store_search_texts() -> None:
    """Recompute every incident's search text (what compute() gives), writing only those that
    differ. On PostgreSQL the texts are copied into a temporary table, chunk by chunk, and stored
    by one UPDATE; elsewhere, refresh()."""
    from claims.models import Incident

    ids = list(Incident.objects.order_by("pk").values_list("pk", flat=True))
    if connection.vendor != "postgresql":
        refresh(ids)
        return
    with transaction.atomic(), connection.cursor() as cursor:
        # Dropped at the end, not only on commit: a rebuild inside a longer transaction (a test,
        # or two rebuilds in one atomic block) must find no table left by the previous one.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.incident_search_text")
        cursor.execute(
            "CREATE TEMPORARY TABLE incident_search_text (id bigint, search_text text) "
            "ON COMMIT DROP"
        )
        for start in range(0, len(ids), CHUNK):
            computed = compute(ids[start : start + CHUNK])
            with cursor.copy("COPY incident_search_text (id, search_text) FROM STDIN") as copy:
                for pk, values in computed.items():
                    copy.write_row((pk, values["search_text"]))
        cursor.execute("ANALYZE incident_search_text")
        cursor.execute(
            "UPDATE claims_incident i SET search_text = t.search_text "
            "FROM incident_search_text t "
            "WHERE i.id = t.id AND i.search_text IS DISTINCT FROM t.search_text"
        )
        cursor.execute("DROP TABLE incident_search_text")


# One statement, so that each incident is rewritten once (its search text follows, from Python:
# store_search_texts()).
REBUILD_SQL = [
    """
    WITH pairs AS (
      SELECT DISTINCT incident_id, group_id, brand_id FROM claims_claim
      WHERE kind = 'responsibility' AND status = 'current'
    ), summary AS (
      SELECT incident_id, count(*) AS n,
        CASE WHEN count(*) = 1 THEN min(group_id) END AS g,
        CASE WHEN count(*) = 1 THEN min(brand_id) END AS b,
        count(DISTINCT group_id) AS gn,
        CASE WHEN count(DISTINCT group_id) = 1 THEN min(group_id) END AS gg
      FROM pairs GROUP BY incident_id
    )
    UPDATE claims_incident i SET
      first_day = CASE WHEN i.date_precision = 'week' THEN i.date - 6 ELSE i.date END,
      last_day = COALESCE(i.date_end, CASE i.date_precision
        WHEN 'month' THEN (date_trunc('month', i.date) + interval '1 month - 1 day')::date
        WHEN 'year' THEN make_date(extract(year FROM i.date)::int, 12, 31)
        ELSE i.date END),
      claimant_count = coalesce(s.n, 0), claimant_group_id = s.g, claimant_brand_id = s.b,
      claim_group_count = coalesce(s.gn, 0), claim_group_id = s.gg
    FROM claims_incident i2
      LEFT JOIN summary s ON s.incident_id = i2.id
    WHERE i.id = i2.id
    """,
]


# --- Signals ---------------------------------------------------------------------------------


def claim_moving(sender, instance, raw=False, **kwargs):
    """Remember what a claim leaves (its incident, group, brand), so that both sides are
    refreshed."""
    if instance.pk and not raw:
        previous = (
            type(instance)
            .objects.filter(pk=instance.pk)
            .values_list("incident_id", "group_id", "brand_id")
        )
        instance._previous = previous.first()


def claim_saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: the seed loader rebuilds once it is all in
        return
    incident, group, brand = getattr(instance, "_previous", None) or (None, None, None)
    refresh([instance.incident_id, incident])
    refresh_counts(group=[instance.group_id, group], brand=[instance.brand_id, brand])


def claim_deleted(sender, instance, **kwargs):
    refresh([instance.incident_id])
    refresh_counts(group=[instance.group_id], brand=[instance.brand_id])


def incident_moving(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        previous = type(instance).objects.filter(pk=instance.pk).values_list("location_id")
        instance._previous_location = (previous.first() or (None,))[0]


def incident_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    refresh([instance.pk])
    claims = instance.claims.values_list("group_id", "brand_id")
    refresh_counts(
        group=[group for group, _ in claims],
        brand=[brand for _, brand in claims],
        location=[instance.location_id, getattr(instance, "_previous_location", None)],
    )


def incident_deleted(sender, instance, **kwargs):
    refresh_counts(location=[instance.location_id])


def location_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh(instance.incidents.values_list("pk", flat=True))
