"""Pruning schema texts when a GPT is deleted never takes a text another GPT's save is linking at
that moment (PostgreSQL, two real transactions).

The delete's prune finds the texts no revision references, then deletes them with their links;
a save of another GPT with the same schema text that found the text stored and committed its
link in between must keep its text (before the fix, the prune's cascade deleted the new link
and the text: that revision's document could no longer be read).
"""

import threading

import pytest
from django.db import connection, transaction
from django.db.models.signals import pre_delete

from actions.services import action_create
from gpts import services
from gpts.models import GPT, SchemaText
from tests.factories import WEATHER_SCHEMA, UserFactory, make_action, make_gpt, make_workspace

# Long enough for the other save to finish when nothing holds it back.
OTHER_SAVE_WAIT_SECONDS = 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_save_that_links_a_text_while_a_delete_prunes_it_keeps_the_text():
    owner = UserFactory()
    workspace = make_workspace(owner=owner)
    doomed = make_gpt(workspace=workspace, actor=owner, name="Doomed")
    make_action(doomed, actor=owner)  # WEATHER_SCHEMA, referenced only by Doomed's revisions
    survivor = make_gpt(workspace=workspace, actor=owner, name="Survivor")
    outcome = {}

    def other_save():
        try:
            gpt = GPT.objects.get(pk=survivor.pk)
            outcome["action"] = action_create(gpt=gpt, actor=owner, name="Weather", schema_text=WEATHER_SCHEMA)
        except Exception as exc:  # reported by the assertion below
            outcome["error"] = exc
        finally:
            connection.close()

    saver = threading.Thread(target=other_save)

    def during_prune(sender, **kwargs):
        # The prune has chosen its texts; the other save runs now, in its own transaction.
        if saver.ident is None:
            saver.start()
            saver.join(OTHER_SAVE_WAIT_SECONDS)

    pre_delete.connect(during_prune, sender=SchemaText)
    try:
        with transaction.atomic():
            services.gpt_delete(gpt=GPT.objects.get(pk=doomed.pk))
    finally:
        pre_delete.disconnect(during_prune, sender=SchemaText)
    saver.join(30)
    assert not saver.is_alive()
    assert "error" not in outcome, outcome.get("error")
    revision = GPT.objects.get(pk=survivor.pk).revisions.order_by("-number").first()
    assert revision.document["actions"][0]["schema"] == WEATHER_SCHEMA
    assert SchemaText.objects.filter(text=WEATHER_SCHEMA).count() == 1
