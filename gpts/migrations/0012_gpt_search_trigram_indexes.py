"""Trigram indexes for the GPT list's search on PostgreSQL.

The search (`gpts.selectors.gpt_filter`) is `icontains` over name, description and instructions,
which Django writes on PostgreSQL as `UPPER("gpts_gpt"."<field>"::text) LIKE UPPER(%s)`. A
trigram GIN index on exactly `UPPER(<field>::text)` lets the planner answer each with a bitmap
index scan instead of reading every row. SQLite has no such index: nothing happens there.

Built CONCURRENTLY (so outside a transaction) not to block writes to a large table meanwhile.
The reverse drops the indexes and leaves the pg_trgm extension, which other objects may use.
"""

from django.db import migrations

SEARCHED_FIELDS = ("name", "description", "instructions")


def _index_name(field: str) -> str:
    return f"gpt_{field}_trgm"


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("gpts", "GPT")._meta.db_table)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for field in SEARCHED_FIELDS:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {schema_editor.quote_name(_index_name(field))} "
            f"ON {table} USING gin ((UPPER({schema_editor.quote_name(field)}::text)) gin_trgm_ops)"
        )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for field in SEARCHED_FIELDS:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(_index_name(field))}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction.

    dependencies = [
        ("gpts", "0011_studio_caps_for_name_and_description"),
    ]

    operations = [
        migrations.RunPython(create_search_indexes, drop_search_indexes),
    ]
