"""Restore never loses a secret silently (issue 12, point 1).

An action's secrets follow its name within the GPT across revisions: a restore that removes an
action keeps its secret aside (encrypted), and one that brings the action back brings the secret
back. A secret cleared on purpose stays cleared. The history page's restore question and the
API's `secrets_to_enter` name exactly the secrets that must be typed again.
"""

import html
import io

import pytest
from django.db import connection
from django.urls import reverse

from actions import services as action_services
from actions.models import Action, RetiredActionSecret
from gpts import services
from gpts.importers import gpt_restore_revision, restore_secrets_check, secrets_to_enter
from gpts.models import GPT
from tests.factories import make_action

API_KEY = "sk-live-restore-0123456789"
CLIENT_SECRET = "oauth-secret-restore-9876543210"
OAUTH = {
    "auth_type": "oauth",
    "oauth_client_id": "client-1",
    "oauth_authorization_url": "https://auth.example.com/authorize",
    "oauth_token_url": "https://auth.example.com/token",
}
AUTH_KINDS = {
    "api_key": ({"auth_type": "api_key", "api_key_auth_type": "bearer", "api_key": API_KEY}, "api_key", API_KEY),
    "oauth": ({**OAUTH, "oauth_client_secret": CLIENT_SECRET}, "oauth_client_secret", CLIENT_SECRET),
}
FIELD_LABEL = {"api_key": "API Key", "oauth_client_secret": "Client Secret"}


def restore(gpt, number, user):
    gpt = GPT.objects.get(pk=gpt.pk)
    revision = gpt.revisions.get(number=number)
    return gpt_restore_revision(gpt=gpt, revision=revision, actor=user, expected_version=gpt.version)


def stored_secret(gpt, field):
    return getattr(Action.objects.get(gpt=gpt), field).reveal()


@pytest.mark.parametrize("kind", AUTH_KINDS)
def test_restoring_forward_brings_back_the_secret_of_a_removed_action(gpt, user, kind):
    fields, field, secret = AUTH_KINDS[kind]
    make_action(gpt, actor=user, **fields)
    with_action = GPT.objects.get(pk=gpt.pk).version

    without = restore(gpt, 1, user)  # revision 1 has no action: the restore deletes it
    assert not without.actions.exists()
    restored = restore(gpt, with_action, user)

    assert stored_secret(restored, field) == secret
    assert secrets_to_enter(restored) == []


@pytest.mark.parametrize("kind", AUTH_KINDS)
def test_a_secret_cleared_on_purpose_is_not_brought_back_by_a_restore(gpt, user, kind):
    fields, field, _ = AUTH_KINDS[kind]
    action = make_action(gpt, actor=user, **fields)
    with_secret = GPT.objects.get(pk=gpt.pk).version
    action_services.action_update(action=action, actor=user, expected_version=action.version, **{field: ""})
    restore(gpt, 1, user)

    restored = restore(gpt, with_secret, user)

    assert stored_secret(restored, field) == ""
    assert secrets_to_enter(restored)[0].field == FIELD_LABEL[field]
    assert not RetiredActionSecret.objects.exists()


def test_clearing_a_secret_the_action_no_longer_holds_still_forgets_the_retired_one(gpt, user):
    """The key went aside when the auth type changed; clearing it then (nothing changes on the
    action) must still keep a later restore from bringing it back."""
    action = make_action(gpt, actor=user, **AUTH_KINDS["api_key"][0])
    with_key = GPT.objects.get(pk=gpt.pk).version
    action = action_services.action_update(action=action, actor=user, expected_version=1, auth_type="none")
    assert RetiredActionSecret.objects.get().api_key.reveal() == API_KEY
    action_services.action_update(action=action, actor=user, expected_version=action.version, api_key="")

    restored = restore(gpt, with_key, user)

    assert stored_secret(restored, "api_key") == ""


def test_changing_the_auth_type_keeps_the_key_for_a_restore(gpt, user):
    action = make_action(gpt, actor=user, **AUTH_KINDS["api_key"][0])
    with_key = GPT.objects.get(pk=gpt.pk).version
    action_services.action_update(action=action, actor=user, expected_version=1, **OAUTH)
    assert stored_secret(gpt, "api_key") == ""  # the action holds no stale credential

    restored = restore(gpt, with_key, user)

    assert stored_secret(restored, "api_key") == API_KEY
    assert Action.objects.get(gpt=gpt).auth_type == "api_key"


def test_an_oauth_secret_comes_back_only_for_the_same_client(gpt, user):
    make_action(gpt, actor=user, **AUTH_KINDS["oauth"][0])
    with_client_1 = GPT.objects.get(pk=gpt.pk).version
    restore(gpt, 1, user)
    make_action(gpt, actor=user, **{**OAUTH, "oauth_client_id": "client-2"})
    with_client_2 = GPT.objects.get(pk=gpt.pk).version
    restore(gpt, 1, user)

    assert secrets_to_enter(restore(gpt, with_client_2, user))[0].field == "Client Secret"
    assert stored_secret(restore(gpt, with_client_1, user), "oauth_client_secret") == CLIENT_SECRET


def test_an_explicit_new_key_wins_over_a_retired_one(gpt, user):
    action = make_action(gpt, actor=user, **AUTH_KINDS["api_key"][0])
    with_key = GPT.objects.get(pk=gpt.pk).version
    action_services.action_delete(action=action, actor=user)
    make_action(gpt, actor=user, auth_type="api_key", api_key_auth_type="bearer", api_key="sk-new")
    assert not RetiredActionSecret.objects.exists()  # superseded by the key entered again

    assert stored_secret(restore(gpt, with_key, user), "api_key") == "sk-new"


def test_retired_secrets_are_encrypted_and_go_with_the_gpt(gpt, user):
    make_action(gpt, actor=user, **AUTH_KINDS["api_key"][0])
    make_action(gpt, actor=user, name="Calendar", **AUTH_KINDS["oauth"][0])
    restore(gpt, 1, user)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT api_key, oauth_client_secret FROM {RetiredActionSecret._meta.db_table}")
        raw = " ".join(" ".join(row) for row in cursor.fetchall())
    assert RetiredActionSecret.objects.count() == 2
    assert API_KEY not in raw and CLIENT_SECRET not in raw and raw.strip()
    for revision in GPT.objects.get(pk=gpt.pk).revisions.all():
        assert API_KEY not in str(revision.snapshot) and CLIENT_SECRET not in str(revision.snapshot)

    services.gpt_delete(gpt=GPT.objects.get(pk=gpt.pk))

    assert not RetiredActionSecret.objects.exists()


@pytest.mark.parametrize("clear_first", [False, True])
def test_the_restore_check_names_what_the_restore_then_reports(gpt, user, clear_first):
    make_action(gpt, actor=user, **AUTH_KINDS["api_key"][0])
    calendar = make_action(gpt, actor=user, name="Calendar", **AUTH_KINDS["oauth"][0])
    both = GPT.objects.get(pk=gpt.pk).version
    if clear_first:
        action_services.action_update(
            action=calendar, actor=user, expected_version=calendar.version, oauth_client_secret=""
        )
    restore(gpt, 1, user)
    gpt = GPT.objects.get(pk=gpt.pk)

    predicted = restore_secrets_check(gpt)(gpt.revisions.get(number=both).document["actions"])
    restored = restore(gpt, both, user)

    assert predicted == secrets_to_enter(restored)
    assert [(s.action, s.field) for s in predicted] == ([("Calendar", "Client Secret")] if clear_first else [])


def test_history_restore_question_names_the_secrets_to_enter_again(client, gpt, user):
    weather = make_action(gpt, actor=user, **AUTH_KINDS["api_key"][0])
    with_key = GPT.objects.get(pk=gpt.pk).version
    action_services.action_update(action=weather, actor=user, expected_version=weather.version, api_key="")
    restore(gpt, 1, user)
    client.force_login(user)

    page = html.unescape(client.get(reverse("gpts:history", args=[gpt.workspace.slug, gpt.slug])).content.decode())

    assert "nothing is lost" not in page
    assert f"Restore version {with_key}? It becomes a new version" in page
    assert "enter these again afterwards: the API Key of action “Weather”." in page
    assert 'Restore version 1? It becomes a new version; the current one stays in the history."' in page


def test_restoring_from_the_history_page_brings_the_key_back(client, gpt, user):
    make_action(gpt, actor=user, **AUTH_KINDS["api_key"][0])
    with_key = GPT.objects.get(pk=gpt.pk).version
    restore(gpt, 1, user)
    client.force_login(user)
    url = reverse("gpts:history", args=[gpt.workspace.slug, gpt.slug])
    page = html.unescape(client.get(url).content.decode())
    assert f'Restore version {with_key}? It becomes a new version; the current one stays in the history."' in page

    response = client.post(
        reverse("gpts:history_restore", args=[gpt.workspace.slug, gpt.slug, with_key]),
        {"version": GPT.objects.get(pk=gpt.pk).version},
    )

    assert response.status_code == 302
    assert stored_secret(gpt, "api_key") == API_KEY


def test_the_diff_pages_restore_question_names_the_secrets_too(client, gpt, user):
    make_action(gpt, actor=user, **AUTH_KINDS["oauth"][0])
    with_secret = GPT.objects.get(pk=gpt.pk).version
    restore(gpt, 1, user)
    make_action(gpt, actor=user, **{**OAUTH, "oauth_client_id": "client-2"})  # the retired secret is client-1's
    other_client = GPT.objects.get(pk=gpt.pk).version
    restore(gpt, 1, user)
    client.force_login(user)
    url = reverse("gpts:history_diff", args=[gpt.workspace.slug, gpt.slug])

    page = html.unescape(client.get(url, {"from": other_client}).content.decode())
    unchanged = html.unescape(client.get(url, {"from": with_secret}).content.decode())

    assert "enter these again afterwards: the Client Secret of action “Weather”." in page
    assert f'data-confirm="Restore version {with_secret}? It becomes a new version; the current' in unchanged
    assert "enter these again" not in unchanged


def test_dumpdata_never_writes_a_retired_secret(gpt, user):
    from django.core.management import CommandError, call_command

    from gptstudio.encryption import SecretNotSerializable

    make_action(gpt, actor=user, **AUTH_KINDS["api_key"][0])
    restore(gpt, 1, user)  # the action is gone; its key is kept aside
    out = io.StringIO()

    with pytest.raises((CommandError, SecretNotSerializable), match=r"secrets in actions\.RetiredActionSecret \(#\d+"):
        call_command("dumpdata", "actions.RetiredActionSecret", stdout=out)
    call_command("dumpdata", "actions", "--exclude", "actions.RetiredActionSecret", stdout=out)

    assert API_KEY not in out.getvalue()
