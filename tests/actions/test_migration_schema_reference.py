"""actions/migrations/0008: actions move their schema texts into gpts.SchemaText (one row per
distinct text, byte for byte), and back again when the migration is reversed."""

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("actions", "0007_upstream_connections")
AFTER = ("actions", "0008_action_schema_in_schema_text")
# Texts an export must paste back unchanged: CRLF, trailing spaces, non-ASCII, an empty schema.
SHARED = 'openapi: 3.1.0\r\ninfo:\r\n  title: "Météo ☂"   \r\n'
OWN = '{"openapi": "3.1.0", "info": {"title": "Own"}}\n\n'


def migrate(actions_target=None):
    """Migrate the actions app to `actions_target` (None: the latest), every other app to its latest;
    the models as they are then."""
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    targets = [node for node in leaves if actions_target is None or node[0] != "actions"]
    targets += [actions_target] if actions_target else []
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def at_0006():
    yield migrate(BEFORE)
    migrate()


@pytest.mark.django_db(transaction=True)
def test_actions_texts_move_into_schema_text_and_back(at_0006):
    apps = at_0006
    workspace = apps.get_model("gpts", "Workspace").objects.create(name="Acme", slug="acme")
    GPT = apps.get_model("gpts", "GPT")
    first = GPT.objects.create(workspace=workspace, name="One", slug="one")
    second = GPT.objects.create(workspace=workspace, name="Two", slug="two")
    Action = apps.get_model("actions", "Action")
    texts = {"shared 1": (first, SHARED), "own": (first, OWN), "shared 2": (second, SHARED), "empty": (second, "")}
    for name, (gpt, text) in texts.items():
        Action.objects.create(gpt=gpt, name=name, slug=name.replace(" ", "-"), schema_text=text)

    apps = migrate(AFTER)
    Action, SchemaText = apps.get_model("actions", "Action"), apps.get_model("gpts", "SchemaText")
    stored = {row.sha256: row for row in SchemaText.objects.all()}
    assert len(stored) == 3  # the shared text once
    for action in Action.objects.all():
        text = texts[action.name][1]
        row = stored[action.schema_id]
        assert action.schema_id == hashlib.sha256(text.encode()).hexdigest()
        assert (row.text, row.size) == (text, len(text.encode()))

    apps = migrate(BEFORE)
    Action = apps.get_model("actions", "Action")
    assert {a.name: a.schema_text for a in Action.objects.all()} == {name: text for name, (_, text) in texts.items()}
