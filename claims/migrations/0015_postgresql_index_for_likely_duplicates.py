"""PostgreSQL: a GiST index on (location, possible days), which answers "the incidents at this
location whose possible dates overlap these" (the importer's and the admin's likely duplicates) by
one index probe. The B-tree on the location alone made the database read every incident recorded
at the place, and a busy place holds thousands; the GiST index on the days alone reads every
incident of those days anywhere. A GiST index over an integer column needs the btree_gist
extension, part of PostgreSQL's standard contrib modules and trusted (a database owner may create
it). SQLite runs the same test on the location's B-tree."""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

INDEX = (
    "CREATE INDEX incident_place_and_days ON claims_incident "
    "USING gist (location_id, daterange(first_day, last_day, '[]'))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS incident_place_and_days")


class Migration(migrations.Migration):
    dependencies = [("claims", "0014_postgresql_indexes_for_the_sort_rule")]

    operations = [BtreeGistExtension(), migrations.RunPython(create, drop)]
