from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("gpts", "0005_gpt_action_count"),
    ]

    operations = [
        migrations.CreateModel(
            name="SchemaText",
            fields=[
                ("sha256", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("text", models.TextField()),
                ("size", models.PositiveBigIntegerField(help_text="The text's length in UTF-8 bytes.")),
            ],
            options={"ordering": ["sha256"]},
        ),
        migrations.RenameField(model_name="revision", old_name="document", new_name="snapshot"),
        migrations.AlterField(
            model_name="revision",
            name="snapshot",
            field=models.JSONField(help_text="The GPT document with each action's schema replaced by its SHA-256."),
        ),
        migrations.AddField(
            model_name="revision",
            name="schemas",
            field=models.ManyToManyField(blank=True, related_name="revisions", to="gpts.schematext"),
        ),
    ]
