from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_actions(apps, schema_editor):
    """Existing GPTs get their current number of actions (new saves keep it current)."""
    GPT = apps.get_model("gpts", "GPT")
    Action = apps.get_model("actions", "Action")
    counts = Action.objects.filter(gpt_id=OuterRef("pk")).order_by().values("gpt_id").annotate(n=Count("*")).values("n")
    GPT.objects.update(action_count=Coalesce(Subquery(counts), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("gpts", "0004_gpt_name_order_index"),
        ("actions", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="gpt",
            name="action_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(count_actions, migrations.RunPython.noop),
    ]
