"""Rewrite every incident's search text in its folded form (claims.derived.text: folded words and
skeleton terms, so that any spelling of a name finds it). On PostgreSQL the texts are computed
chunk by chunk, copied into a temporary table and stored by one UPDATE of the rows that change
(the trigger recomputes their search vectors); elsewhere, chunk by chunk through the ORM."""

from django.db import migrations


def fold_search_texts(apps, schema_editor):
    from claims.derived import store_search_texts

    store_search_texts()


class Migration(migrations.Migration):
    dependencies = [("claims", "0012_postgresql_sort_and_search_indexes")]

    operations = [migrations.RunPython(fold_search_texts, migrations.RunPython.noop)]
