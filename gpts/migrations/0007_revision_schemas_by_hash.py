"""Move the schema texts of existing revisions into SchemaText, once per distinct text.

Forward: each action's `schema` in a revision's snapshot becomes the SHA-256 of its text, stored
once in SchemaText and referenced through `Revision.schemas`. Backward: the texts go back into the
snapshots (the documents as before)."""

import hashlib

from django.db import migrations

BATCH = 200


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def schemas_to_store(apps, schema_editor):
    Revision = apps.get_model("gpts", "Revision")
    SchemaText = apps.get_model("gpts", "SchemaText")
    Through = Revision.schemas.through
    known = set(SchemaText.objects.values_list("sha256", flat=True))
    ids = list(Revision.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        links = []
        # One snapshot at a time: before this migration a revision held every schema text in full
        # (tens of MB with big schemas), so a batch of rows read at once could need gigabytes.
        for pk in ids[start : start + BATCH]:
            snapshot = Revision.objects.filter(pk=pk).values_list("snapshot", flat=True).first()
            actions = (snapshot or {}).get("actions") or []
            hashes = []
            for entry in actions:
                text = entry["schema"]
                digest = _sha256(text)
                if digest not in known:
                    SchemaText.objects.create(sha256=digest, text=text, size=len(text.encode("utf-8", "surrogatepass")))
                    known.add(digest)
                entry["schema"] = digest
                hashes.append(digest)
            if actions:
                Revision.objects.filter(pk=pk).update(snapshot=snapshot)
            del snapshot, actions
            links += [Through(revision_id=pk, schematext_id=digest) for digest in dict.fromkeys(hashes)]
        Through.objects.bulk_create(links, ignore_conflicts=True)


def schemas_to_snapshots(apps, schema_editor):
    Revision = apps.get_model("gpts", "Revision")
    SchemaText = apps.get_model("gpts", "SchemaText")
    for revision in Revision.objects.order_by("pk").only("snapshot").iterator(chunk_size=BATCH):
        actions = revision.snapshot.get("actions") or []
        if not actions:
            continue
        texts = dict(SchemaText.objects.filter(sha256__in=[e["schema"] for e in actions]).values_list("sha256", "text"))
        for entry in actions:
            entry["schema"] = texts[entry["schema"]]
        Revision.objects.filter(pk=revision.pk).update(snapshot=revision.snapshot)
    Revision.schemas.through.objects.all().delete()
    SchemaText.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("gpts", "0006_schematext"),
    ]

    operations = [migrations.RunPython(schemas_to_store, schemas_to_snapshots)]
