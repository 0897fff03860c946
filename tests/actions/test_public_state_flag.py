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


def test_the_document_carries_the_flag_only_when_off_and_imports_round_trip_it(workspace, user, action):
    import io

    from actions.services import action_update
    from gpts.document.build import gpt_document
    from gpts.document.read import parse_document
    from gpts.document.render import render_document
    from gpts.uploads import gpt_import

    at_default = render_document(gpt_document(action.gpt))
    assert "changes_public_state" not in at_default  # existing documents keep their bytes
    action_update(action=action, actor=user, expected_version=action.version, changes_public_state=False)
    document = gpt_document(action.gpt)
    assert list(document["actions"][0]) == [
        "name",
        "domain",
        "privacy_policy_url",
        "authentication",
        "changes_public_state",
        "schema",
    ]
    text = render_document(document)
    parsed = parse_document(text)
    assert parsed.document is not None and not parsed.findings
    copy = gpt_import(workspace=workspace, actor=user, upload=io.BytesIO(text.encode()), filename="x.gpt.yaml").gpt
    assert copy.actions.get().changes_public_state is False
    assert render_document(gpt_document(copy)) == text
    # The document is the source of truth: importing the default turns the flag back on.
    gpt_import(
        workspace=workspace,
        actor=user,
        upload=io.BytesIO(at_default.encode()),
        filename="x.gpt.yaml",
        gpt=copy,
        expected_version=copy.version,
    )
    assert copy.actions.get().changes_public_state is True


def test_the_admin_edits_the_flag_through_the_service(client, action):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    client.force_login(get_user_model().objects.create_superuser("op", "op@example.com", "op-password-1"))
    url = reverse("admin:actions_action_change", args=[action.pk])
    assert 'name="changes_public_state"' in client.get(url).content.decode()
    data = {
        "name": action.name,
        "schema_text": action.schema_text,
        "privacy_policy_url": "",
        "auth_type": "none",
        "oauth_token_exchange_method": "default_post",
        "expected_version": action.version,
    }
    assert client.post(url, data).status_code == 302  # the box left unchecked
    stored = Action.objects.get(pk=action.pk)
    assert stored.changes_public_state is False and stored.version == action.version + 1
    assert (
        client.post(url, {**data, "expected_version": stored.version, "changes_public_state": "on"}).status_code == 302
    )
    assert Action.objects.get(pk=action.pk).changes_public_state is True
