"""The action's "changes third-party or public state" flag (the MCP export's openWorldHint):
on by default, edited in the action editor (as "calls only our own private system"), kept by a
post that leaves the box out, and recorded as a change of the GPT."""

import re

from actions.models import Action
from tests.factories import WEATHER_SCHEMA


def edit_url(action):
    return f"/w/{action.gpt.workspace.slug}/g/{action.gpt.slug}/actions/{action.slug}/"


def test_a_new_action_changes_public_state_by_default(action):
    assert action.changes_public_state is True


def test_the_editor_checkbox_turns_it_off_and_back_on(client, user, action):
    client.force_login(user)
    data = {"schema_text": WEATHER_SCHEMA, "auth_type": "none"}
    revisions = action.gpt.revisions.count()
    client.post(edit_url(action), {**data, "version": action.version, "private_system": "on"})
    stored = Action.objects.get(pk=action.pk)
    assert stored.changes_public_state is False and stored.version == action.version + 1
    assert stored.gpt.revisions.count() == revisions + 1
    checkbox = re.search(r'<input[^>]*name="private_system"[^>]*>', client.get(edit_url(action)).content.decode())
    assert checkbox and " checked" in checkbox.group(0)
    client.post(edit_url(action), {**data, "version": stored.version})
    assert Action.objects.get(pk=action.pk).changes_public_state is True
