"""Fill the incidents' new derived fields (claims/derived.py), and on PostgreSQL keep the search
vector with a trigger and index it (GIN), and index the possible dates as a range (GiST), which
the date filter's overlap test uses."""

from collections import defaultdict

from django.db import migrations

from claims.derived import REBUILD_SQL, dates, summary, text

POSTGRES = [
    (
        """
        CREATE TRIGGER claims_incident_search_vector
        BEFORE INSERT OR UPDATE ON claims_incident FOR EACH ROW
        EXECUTE FUNCTION tsvector_update_trigger(search_vector, 'pg_catalog.english', search_text)
        """,
        "DROP TRIGGER claims_incident_search_vector ON claims_incident",
    ),
    (
        "CREATE INDEX claims_incident_search ON claims_incident USING gin (search_vector)",
        "DROP INDEX claims_incident_search",
    ),
    (
        "CREATE INDEX claims_incident_possible_days ON claims_incident "
        "USING gist (daterange(first_day, last_day, '[]'))",
        "DROP INDEX claims_incident_possible_days",
    ),
]


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for create, _ in POSTGRES:
            schema_editor.execute(create)
        for statement in REBUILD_SQL:
            schema_editor.execute(statement)
        return
    Incident = apps.get_model("claims", "Incident")
    Claim = apps.get_model("claims", "Claim")
    pairs, tokens = defaultdict(set), defaultdict(set)
    for claim in Claim.objects.all():
        if claim.kind == "responsibility" and claim.status == "current":
            pairs[claim.incident_id].add((claim.group_id, claim.brand_id))
        if claim.group_id:
            tokens[claim.incident_id].add(f"actorg{claim.group_id}")
        if claim.brand_id:
            tokens[claim.incident_id].add(f"actorb{claim.brand_id}")
    for incident in Incident.objects.select_related("location"):
        first, last = dates(incident.date, incident.date_precision, incident.date_end)
        location = incident.location
        names = (location.name, location.alternate_names) if location else None
        values = vars(incident)
        Incident.objects.filter(pk=incident.pk).update(
            first_day=first,
            last_day=last,
            **summary(pairs[incident.pk]),
            search_text=text(values, names, tokens[incident.pk]),
        )


def unfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for _, drop in reversed(POSTGRES):
            schema_editor.execute(drop)


class Migration(migrations.Migration):
    dependencies = [("claims", "0008_incident_derived_fields")]

    operations = [migrations.RunPython(fill, unfill)]
