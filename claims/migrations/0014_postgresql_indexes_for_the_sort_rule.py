"""PostgreSQL: indexes on the exact expressions the lists order by under kb.ordering's rule
(text as `lower(NULLIF((col) COLLATE "C", ''))`, unknowns last), so that a page of the newest
incidents, of incidents by title or of the newest sources reads the first rows of an index instead
of sorting every row. The sort indexes of 0012 were made for the expressions used before that
rule (`lower(nullif(title, ''))`), which no query writes any more: they are replaced.

Each index's columns are compiled from kb.ordering itself, as the ORM writes them, so that the
planner matches them. SQLite runs the same queries without them."""

from django.db import migrations

from kb.ordering import ordering

# name: (app, model, the order as order_by names it); each index leads with the status column,
# which the public's queries fix to 'published'.
SORTS = {
    "incident_newest": ("claims", "Incident", ("-date", "code")),
    "incident_by_title": ("claims", "Incident", ("title",)),
    "incident_by_title_desc": ("claims", "Incident", ("-title",)),
    "source_newest": ("sources", "Source", ("-published", "title")),
}
# 0012's, as it made them (put back when this migration is reversed).
REPLACED = {
    "incident_title_asc": "lower(nullif(title, '')) ASC NULLS LAST, id",
    "incident_title_desc": "lower(nullif(title, '')) DESC NULLS LAST, id",
}


def order_columns(model, fields, connection) -> str:
    """The ORDER BY list kb.ordering gives for `fields`, as index columns."""
    query = model.objects.order_by(*ordering(model, *fields)).query
    compiler = query.get_compiler(connection=connection)
    parts = [
        connection.ops.compose_sql(sql, params) for _, (sql, params, _) in compiler.get_order_by()
    ]
    return ", ".join(parts).replace(f'"{model._meta.db_table}".', "")


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    for name in REPLACED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for name, (app, model_name, fields) in SORTS.items():
        model = apps.get_model(app, model_name)
        columns = order_columns(model, fields, connection)
        table = model._meta.db_table
        schema_editor.execute(f"CREATE INDEX {name} ON {table} (status, {columns})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in SORTS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for name, columns in REPLACED.items():
        schema_editor.execute(f"CREATE INDEX {name} ON claims_incident (status, {columns})")


class Migration(migrations.Migration):
    dependencies = [("claims", "0013_fold_search_text"), ("sources", "0004_list_index")]

    operations = [migrations.RunPython(create, drop)]
