"""The stored action count (GPT.action_count) equals the GPT's actions after every kind of change."""

import copy
import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command

from actions.services import action_delete
from gpts.document.build import gpt_document
from gpts.importers import gpt_apply_document, gpt_restore_revision
from gpts.models import GPT
from tests.factories import CALENDAR_SCHEMA, NOTES_SCHEMA, make_action, make_gpt


def stored_and_actual(gpt) -> tuple[int, int]:
    fresh = GPT.objects.get(pk=gpt.pk)
    return fresh.action_count, fresh.actions.count()


def test_create_and_delete_keep_the_count(workspace, user):
    gpt = make_gpt(workspace=workspace, actor=user)
    assert stored_and_actual(gpt) == (0, 0)
    weather = make_action(gpt)
    make_action(GPT.objects.get(pk=gpt.pk), name="Calendar", schema_text=CALENDAR_SCHEMA)
    assert stored_and_actual(gpt) == (2, 2)
    action_delete(action=weather, actor=user)
    assert stored_and_actual(gpt) == (1, 1)


def test_an_import_that_replaces_the_actions_keeps_the_count(workspace, user):
    gpt = make_gpt(workspace=workspace, actor=user)
    make_action(gpt)
    document = gpt_document(GPT.objects.get(pk=gpt.pk))
    document["actions"] = [
        {**copy.deepcopy(document["actions"][0]), "name": "Calendar", "schema": CALENDAR_SCHEMA},
        {**copy.deepcopy(document["actions"][0]), "name": "Notes", "schema": NOTES_SCHEMA},
    ]
    fresh = GPT.objects.get(pk=gpt.pk)
    gpt_apply_document(
        gpt_or_none=fresh, workspace=workspace, document=document, actor=user, expected_version=fresh.version
    )
    assert stored_and_actual(gpt) == (2, 2)
    created = gpt_apply_document(gpt_or_none=None, workspace=workspace, document=document, actor=user).gpt
    assert stored_and_actual(created) == (2, 2)


def test_restoring_a_revision_restores_the_count(workspace, user):
    gpt = make_gpt(workspace=workspace, actor=user)
    make_action(gpt)
    with_one = GPT.objects.get(pk=gpt.pk).revisions.order_by("-number").first()
    make_action(GPT.objects.get(pk=gpt.pk), name="Calendar", schema_text=CALENDAR_SCHEMA)
    fresh = GPT.objects.get(pk=gpt.pk)
    gpt_restore_revision(gpt=fresh, revision=with_one, actor=user, expected_version=fresh.version)
    assert stored_and_actual(gpt) == (1, 1)


def test_revalidate_gpts_repairs_a_count_that_drifted(workspace, user):
    gpt = make_gpt(workspace=workspace, actor=user)
    make_action(gpt)
    GPT.objects.filter(pk=gpt.pk).update(action_count=7)  # e.g. rows changed behind the services' back
    call_command("revalidate_gpts", stdout=io.StringIO())
    assert stored_and_actual(gpt) == (1, 1)


@pytest.mark.django_db
def test_the_migration_counts_the_actions_of_existing_gpts(workspace, user):
    with_two = make_gpt(workspace=workspace, actor=user, name="Two")
    make_action(with_two)
    make_action(GPT.objects.get(pk=with_two.pk), name="Calendar", schema_text=CALENDAR_SCHEMA)
    without = make_gpt(workspace=workspace, actor=user, name="None")
    GPT.objects.update(action_count=0)  # as the column is right after AddField
    migration = importlib.import_module("gpts.migrations.0005_gpt_action_count")
    migration.count_actions(apps, schema_editor=None)
    assert stored_and_actual(with_two) == (2, 2)
    assert stored_and_actual(without) == (0, 0)
