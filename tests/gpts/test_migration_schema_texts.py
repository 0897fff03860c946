"""The data migration that moves revisions' schema texts into SchemaText
(gpts/migrations/0007_revision_schemas_by_hash.py) holds one old revision in memory at a time.

Before it, every revision stored its actions' full schema texts (issue 12 measured two 15 MB
schemas: 30 MB a revision), so reading revisions in batches of hundreds needed gigabytes on
exactly the installations the migration is for.
"""

import importlib
import tracemalloc

from django.apps import apps

from gpts.document.build import gpt_document
from gpts.models import GPT, Revision, SchemaText
from tests.factories import big_schema, make_action

MIGRATION = importlib.import_module("gpts.migrations.0007_revision_schemas_by_hash")
SCHEMA_BYTES = 500_000
REVISIONS = 24


def _old_style_revisions(gpt) -> dict:
    """REVISIONS revisions as stored before the migration: full schema texts in the snapshot."""
    document = gpt_document(GPT.objects.get(pk=gpt.pk))
    Revision.objects.filter(gpt=gpt).delete()
    SchemaText.objects.filter(actions__isnull=True).delete()  # the action keeps its own
    Revision.objects.bulk_create(
        Revision(gpt=gpt, number=n, snapshot={**document, "description": f"Edit {n}"}) for n in range(1, REVISIONS + 1)
    )
    return document


def test_the_migration_reads_one_old_revision_at_a_time(gpt, user):
    make_action(gpt, actor=user, schema_text=big_schema(SCHEMA_BYTES, seed=7))
    document = _old_style_revisions(gpt)

    tracemalloc.start()
    try:
        MIGRATION.schemas_to_store(apps, None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # A few copies of one revision (the row, its decoded JSON, the update), never one per revision.
    assert peak < 8 * SCHEMA_BYTES, f"peak {peak:,} bytes for {REVISIONS} revisions of {SCHEMA_BYTES:,}"
    assert SchemaText.objects.count() == 1
    for revision in Revision.objects.filter(gpt=gpt).prefetch_related("schemas"):
        assert revision.document == {**document, "description": f"Edit {revision.number}"}
