"""Actions reference their schema text in gpts.SchemaText (stored once by content) instead of
holding a copy: add the reference, fill it from each action's text, drop the old column.

Reversible: backwards, each action's text is copied back from the row it references. One action's
text is in memory at a time (schemas go up to 15 MB)."""

import hashlib

import django.db.models.deletion
from django.db import migrations, models


def texts_to_store(apps, schema_editor):
    Action = apps.get_model("actions", "Action")
    SchemaText = apps.get_model("gpts", "SchemaText")
    for pk in Action.objects.order_by("pk").values_list("pk", flat=True):
        text = Action.objects.values_list("schema_text", flat=True).get(pk=pk)
        encoded = text.encode("utf-8", "surrogatepass")
        digest = hashlib.sha256(encoded).hexdigest()
        SchemaText.objects.get_or_create(sha256=digest, defaults={"text": text, "size": len(encoded)})
        Action.objects.filter(pk=pk).update(schema_id=digest)


def texts_to_actions(apps, schema_editor):
    Action = apps.get_model("actions", "Action")
    SchemaText = apps.get_model("gpts", "SchemaText")
    for pk, digest in Action.objects.order_by("pk").values_list("pk", "schema_id"):
        text = SchemaText.objects.values_list("text", flat=True).get(sha256=digest)
        Action.objects.filter(pk=pk).update(schema_text=text)


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0007_upstream_connections"),
        ("gpts", "0007_revision_schemas_by_hash"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="schema",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="actions",
                to="gpts.schematext",
            ),
        ),
        migrations.RunPython(texts_to_store, texts_to_actions),
        migrations.RemoveField(model_name="action", name="schema_text"),
        migrations.AlterField(
            model_name="action",
            name="schema",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="actions", to="gpts.schematext"
            ),
        ),
    ]
