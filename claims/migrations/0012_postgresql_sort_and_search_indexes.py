"""PostgreSQL: indexes for the incident list's most asked sorts over every row (killed, title:
the exact expressions kb.filters.SortFilter orders by, both ways), and for the full-text search
of sources (the expression kb.search.text_search builds for sources.models.SOURCE_TEXT_FIELDS).
SQLite runs the same queries without them."""

from django.contrib.postgres.search import SearchVector
from django.db import migrations

SORTS = {
    "incident_killed_desc": "killed_low DESC NULLS LAST, killed_high DESC NULLS LAST, id",
    "incident_killed_asc": "killed_low ASC NULLS LAST, killed_high ASC NULLS LAST, id",
    "incident_title_asc": "lower(nullif(title, '')) ASC NULLS LAST, id",
    "incident_title_desc": "lower(nullif(title, '')) DESC NULLS LAST, id",
}
SOURCE_TEXT_FIELDS = ["title", "publisher", "url", "author", "notes"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in SORTS.items():
        schema_editor.execute(f"CREATE INDEX {name} ON claims_incident (status, {columns})")
    # The vector expression exactly as the ORM writes it, so that the planner matches it.
    Source = apps.get_model("sources", "Source")
    query = Source.objects.annotate(v=SearchVector(*SOURCE_TEXT_FIELDS, config="english")).query
    compiler = query.get_compiler(connection=schema_editor.connection)
    sql, params = query.annotations["v"].as_sql(compiler, schema_editor.connection)
    expression = schema_editor.connection.ops.compose_sql(sql, params)
    expression = expression.replace('"sources_source".', "")
    schema_editor.execute(
        f"CREATE INDEX source_search ON sources_source USING gin (({expression}))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [*SORTS, "source_search"]:
        schema_editor.execute(f"DROP INDEX {name}")


class Migration(migrations.Migration):
    dependencies = [("claims", "0011_list_and_tally_indexes"), ("sources", "0004_list_index")]

    operations = [migrations.RunPython(create, drop)]
