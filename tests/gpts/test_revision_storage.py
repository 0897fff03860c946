"""A revision costs what changed (issue 12, point 5).

Schema texts are stored once by content (SchemaText) and referenced from revisions and actions; a
revision's document is rebuilt on read, and API reads carry a schema's text only when it changed or
when asked with `?include=schemas`.
"""

import json

import pytest
from django.db import connection

from actions import services as action_services
from actions.models import Action
from gpts import services
from gpts.document.build import gpt_document
from gpts.importers import gpt_restore_revision
from gpts.models import GPT, Revision, SchemaText
from tests.factories import big_schema, make_action, make_gpt, make_workspace

ONE_MB = 1_000_000
GROWTH_LIMIT = 100_000


@pytest.fixture
def big_gpt(gpt, user):
    make_action(gpt, actor=user, schema_text=big_schema(ONE_MB, seed=1))
    return GPT.objects.get(pk=gpt.pk)


def bytes_in_use() -> int:
    """What the database holds: SQLite's pages in use, or PostgreSQL's size of the tables a
    description edit writes to (revisions, their schema links, schema texts, the GPT row) and of
    the actions (which reference their text)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            values = {}
            for pragma in ("page_count", "freelist_count", "page_size"):
                cursor.execute(f"PRAGMA {pragma}")
                values[pragma] = cursor.fetchone()[0]
            return (values["page_count"] - values["freelist_count"]) * values["page_size"]
        tables = [model._meta.db_table for model in (Revision, Revision.schemas.through, SchemaText, GPT, Action)]
        cursor.execute(
            "SELECT SUM(pg_total_relation_size(quote_ident(t)::regclass)) FROM unnest(%s::text[]) AS t", [tables]
        )
        return int(cursor.fetchone()[0])


def describe(gpt, user, text):
    gpt = GPT.objects.get(pk=gpt.pk)
    return services.gpt_update(gpt=gpt, actor=user, expected_version=gpt.version, description=text)


def test_a_description_edit_on_a_gpt_with_a_1_mb_schema_adds_under_100_kb(big_gpt, user):
    describe(big_gpt, user, "warm-up edit")  # the first edit may allocate pages for new indexes
    before = bytes_in_use()

    describe(big_gpt, user, "A description edit")

    grown = bytes_in_use() - before
    assert grown < GROWTH_LIMIT, f"one description edit grew the database by {grown} bytes"
    assert SchemaText.objects.count() == 1  # the action and every revision reference the one stored text
    assert Action.objects.get().schema_id == SchemaText.objects.get().sha256


def test_a_1_mb_schema_is_stored_once_for_the_action_and_its_revision(gpt, user):
    before = bytes_in_use()
    make_action(gpt, actor=user, schema_text=big_schema(ONE_MB, seed=4))

    grown = bytes_in_use() - before
    assert ONE_MB <= grown < ONE_MB + GROWTH_LIMIT, f"adding a 1 MB schema grew the database by {grown} bytes"


def test_actions_in_different_gpts_with_the_same_schema_share_one_stored_text(workspace, user, other_user):
    text = big_schema(20_000, seed=5)
    first = make_action(make_gpt(workspace=workspace, actor=user), actor=user, schema_text=text)
    second = make_action(make_gpt(workspace=make_workspace(owner=other_user), actor=other_user), schema_text=text)

    assert first.schema_id == second.schema_id
    assert list(SchemaText.objects.values_list("text", flat=True)) == [text]
    assert [a.schema_text for a in Action.objects.select_related("schema")] == [text, text]


def test_revisions_rebuild_the_exact_document(big_gpt, user):
    describe(big_gpt, user, "Edited")
    gpt = GPT.objects.get(pk=big_gpt.pk)
    latest = gpt.revisions.first()

    assert Revision.objects.get(pk=latest.pk).document == gpt_document(gpt)
    assert len(json.dumps(latest.snapshot)) < 5_000  # the schema is a hash in the snapshot
    assert latest.snapshot["actions"][0]["schema"] == SchemaText.objects.get().sha256


def test_a_changed_schema_is_stored_once_more_and_diffed_as_before(gpt, user):
    action = make_action(gpt, actor=user, schema_text=big_schema(20_000, seed=1))
    action_services.action_update(
        action=action, actor=user, expected_version=action.version, schema_text=big_schema(20_000, seed=2)
    )
    gpt = GPT.objects.get(pk=gpt.pk)
    new, old = gpt.revisions.all()[:2]

    assert SchemaText.objects.count() == 2
    assert old.document["actions"][0]["schema"] == big_schema(20_000, seed=1)
    assert new.document["actions"][0]["schema"] == big_schema(20_000, seed=2)
    assert new.summary == "Changed action Weather"


def test_deleting_a_gpt_deletes_the_schema_texts_only_it_referenced(workspace, user):
    shared, own = big_schema(5_000, seed=1), big_schema(5_000, seed=2)
    first, second = make_gpt(workspace=workspace, actor=user), make_gpt(workspace=workspace, actor=user, name="Two")
    make_action(first, actor=user, schema_text=shared)
    make_action(first, actor=user, name="Own", schema_text=own)
    make_action(second, actor=user, schema_text=shared)

    services.gpt_delete(gpt=GPT.objects.get(pk=first.pk))

    assert list(SchemaText.objects.values_list("text", flat=True)) == [shared]
    services.workspace_delete(workspace=workspace)
    assert not SchemaText.objects.exists()


def test_a_text_only_an_action_references_is_kept_when_another_gpt_goes(workspace, user):
    """An action's reference alone keeps a text (revisions aside): another GPT's deletion, which
    makes it a candidate, does not take it."""
    shared = big_schema(5_000, seed=1)
    first, second = make_gpt(workspace=workspace, actor=user), make_gpt(workspace=workspace, actor=user, name="Two")
    make_action(first, actor=user, schema_text=shared)
    kept = make_action(second, actor=user, schema_text=shared)
    second.revisions.all().delete()  # now only the action of `second` (and `first`) reference it

    services.gpt_delete(gpt=GPT.objects.get(pk=first.pk))

    assert Action.objects.select_related("schema").get(pk=kept.pk).schema_text == shared


def test_deleting_an_action_or_replacing_its_schema_prunes_what_nothing_else_holds(gpt, user):
    """Revisions normally keep an old schema; with them gone (as after a GPT's history is
    dropped), the action's own reference was the last and its change prunes the text."""
    old, new = big_schema(5_000, seed=1), big_schema(5_000, seed=2)
    action = make_action(gpt, actor=user, schema_text=old)
    gpt.revisions.all().delete()

    replaced = action_services.action_update(
        action=action, actor=user, expected_version=action.version, schema_text=new
    )
    assert list(SchemaText.objects.values_list("text", flat=True)) == [new]

    gpt.revisions.all().delete()
    action_services.action_delete(action=replaced, actor=user)
    assert not SchemaText.objects.exists()


def test_a_restore_brings_back_the_schema_of_an_old_revision(gpt, user):
    action = make_action(gpt, actor=user, schema_text=big_schema(20_000, seed=1))
    first_schema = GPT.objects.get(pk=gpt.pk).version
    action_services.action_update(
        action=action, actor=user, expected_version=action.version, schema_text=big_schema(20_000, seed=2)
    )
    gpt = GPT.objects.get(pk=gpt.pk)

    restored = gpt_restore_revision(
        gpt=gpt, revision=gpt.revisions.get(number=first_schema), actor=user, expected_version=gpt.version
    )

    assert restored.actions.get().schema_text == big_schema(20_000, seed=1)
    assert restored.actions.get().schema_id == SchemaText.of(big_schema(20_000, seed=1)).sha256
    assert SchemaText.objects.count() == 2  # the restore's revision references the stored text


def test_other_workspaces_gpts_share_no_more_than_identical_text(user, other_user):
    """Content addressing across workspaces stores one copy; each workspace's revisions still
    rebuild their own documents."""
    text = big_schema(5_000, seed=3)
    for owner in (user, other_user):
        make_action(make_gpt(workspace=make_workspace(owner=owner), actor=owner), actor=owner, schema_text=text)
    assert SchemaText.objects.count() == 1
    assert all(r.document["actions"][0]["schema"] == text for r in Revision.objects.filter(number=2))
