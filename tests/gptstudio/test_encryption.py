import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from actions.models import Action
from gptstudio.encryption import DecryptionError, Secret, decrypt, encrypt
from tests.factories import make_action

SECRET = "sk-live-4f9a8b7c6d5e"


def raw_column(action, column="api_key"):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM actions_action WHERE id = %s", [action.pk])
        return cursor.fetchone()[0]


def api_key_action(gpt, user, key=SECRET):
    return make_action(gpt, actor=user, auth_type="api_key", api_key_auth_type="bearer", api_key=key, name="Keyed")


def test_secret_round_trips_and_is_not_stored_in_plaintext(gpt, user):
    action = api_key_action(gpt, user)
    stored = raw_column(action)
    assert stored and SECRET not in stored
    assert Action.objects.get(pk=action.pk).api_key.reveal() == SECRET


def test_secret_never_prints_itself(gpt, user):
    action = api_key_action(gpt, user)
    loaded = Action.objects.get(pk=action.pk)
    assert SECRET not in repr(loaded.api_key)
    assert SECRET not in str(loaded.api_key)
    assert SECRET not in repr(loaded.__dict__)
    assert isinstance(loaded.api_key, Secret)


def test_assigning_a_plain_string_wraps_it_before_save(gpt, user):
    action = api_key_action(gpt, user)
    action.api_key = "another-key"
    assert isinstance(action.api_key, Secret)
    assert "another-key" not in repr(action.__dict__)


def test_empty_secret_is_stored_as_empty(gpt, user):
    action = make_action(gpt, actor=user)
    assert raw_column(action) == ""
    assert not Action.objects.get(pk=action.pk).has_api_key


def test_tampered_ciphertext_raises_a_clear_error(gpt, user):
    action = api_key_action(gpt, user)
    token = raw_column(action)
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE actions_action SET api_key = %s WHERE id = %s", [tampered, action.pk])
    with pytest.raises(DecryptionError, match="could not be decrypted"):
        Action.objects.get(pk=action.pk)


def test_a_key_removed_from_the_list_cannot_decrypt(settings):
    old = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    token = encrypt("hello")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(DecryptionError):
        decrypt(token)


def test_rotation_reencrypts_under_the_newest_key(settings, gpt, user):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    action = api_key_action(gpt, user)
    before = raw_column(action)

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_encryption_keys", stdout=io.StringIO())
    after = raw_column(action)
    assert after != before

    settings.FIELD_ENCRYPTION_KEYS = [new]  # The old key is gone: the secret must still read.
    assert Action.objects.get(pk=action.pk).api_key.reveal() == SECRET
    assert Fernet(new.encode()).decrypt(after.encode()).decode() == SECRET


def test_rotation_refuses_ciphertext_it_cannot_read(settings, gpt, user):
    from django.core.management.base import CommandError

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    api_key_action(gpt, user)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="api_key"):
        call_command("rotate_encryption_keys")


def test_an_invalid_key_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.FIELD_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ImproperlyConfigured):
        encrypt("x")


def test_production_settings_refuse_to_start_without_keys(monkeypatch):
    import importlib
    import sys

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("SECRET_KEY", "a-real-secret-key")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")  # Only read: nothing connects here.
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", "")
    sys.modules.pop("gptstudio.settings.production", None)
    sys.modules.pop("gptstudio.settings.base", None)
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        importlib.import_module("gptstudio.settings.production")
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    sys.modules.pop("gptstudio.settings.production", None)
    sys.modules.pop("gptstudio.settings.base", None)
    module = importlib.import_module("gptstudio.settings.production")
    assert module.FIELD_ENCRYPTION_KEYS
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", f"{Fernet.generate_key().decode()},not-a-key")
    sys.modules.pop("gptstudio.settings.production", None)
    sys.modules.pop("gptstudio.settings.base", None)
    with pytest.raises(ImproperlyConfigured, match="key 2 is not a Fernet key"):
        importlib.import_module("gptstudio.settings.production")
    sys.modules.pop("gptstudio.settings.production", None)
    sys.modules.pop("gptstudio.settings.base", None)


def test_a_deferred_secret_is_loaded_when_read(action, user):
    from actions.models import Action
    from actions.services import action_update

    action_update(
        action=action,
        actor=user,
        expected_version=1,
        auth_type="api_key",
        api_key_auth_type="bearer",
        api_key="sk-deferred",
    )
    deferred = Action.objects.defer("api_key").get(pk=action.pk)
    assert deferred.has_api_key is True
    assert deferred.api_key.reveal() == "sk-deferred"


def oauth_action(gpt, user, secret=SECRET):
    return make_action(
        gpt,
        actor=user,
        name="OAuth",
        auth_type="oauth",
        oauth_client_id="client-1",
        oauth_authorization_url="https://auth.example.com/authorize",
        oauth_token_url="https://auth.example.com/token",
        oauth_client_secret=secret,
    )


def test_rotation_covers_the_oauth_client_secret(settings, gpt, user):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    action = oauth_action(gpt, user)
    before = raw_column(action, "oauth_client_secret")
    assert before and SECRET not in before

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_encryption_keys", stdout=io.StringIO())
    after = raw_column(action, "oauth_client_secret")
    assert after != before
    assert Fernet(new.encode()).decrypt(after.encode()).decode() == SECRET
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert Action.objects.get(pk=action.pk).oauth_client_secret.reveal() == SECRET


def test_a_secret_never_reaches_a_log_line_even_with_sql_logging(gpt, user, caplog):
    import logging

    from django.test.utils import CaptureQueriesContext

    from actions.services import action_update

    key, client_secret = "sk-log-probe-7d1e", "cs-log-probe-9b3f"
    # CaptureQueriesContext turns on the debug cursor, which logs every statement with its
    # parameters to django.db.backends, as DEBUG=True would.
    with (
        caplog.at_level(logging.DEBUG),
        caplog.at_level(logging.DEBUG, logger="django.db.backends"),
        CaptureQueriesContext(connection),
    ):
        action = api_key_action(gpt, user, key=key)
        action = action_update(action=action, actor=user, expected_version=1, api_key=key + "-2")
        oauth_action(gpt, user, secret=client_secret)
        Action.objects.get(pk=action.pk).api_key.reveal()
    sql_lines = [r.getMessage() for r in caplog.records if r.name == "django.db.backends"]
    assert any("INSERT INTO" in line and "actions_action" in line for line in sql_lines)  # SQL really was logged
    assert raw_column(action) in caplog.text  # ...with the stored (encrypted) value as a parameter
    for plaintext in (key, key + "-2", client_secret):
        assert plaintext not in caplog.text


def test_dumpdata_refuses_a_stored_secret_instead_of_writing_it_empty(gpt, user):
    from django.core.management.base import CommandError

    api_key_action(gpt, user)
    with pytest.raises(CommandError, match=r"Nothing was written: .* stored secrets in actions.Action \(#\d+"):
        call_command("dumpdata", "actions", stdout=io.StringIO())


@pytest.mark.parametrize(
    "labels, options",
    [((), {}), (("actions",), {}), (("actions.Action",), {}), (("gpts", "actions.action"), {"exclude": ["gpts"]})],
)
def test_dumpdata_refuses_before_writing_a_byte(gpt, user, tmp_path, labels, options):
    """Earlier rows (the GPT, a secret-free action) are not written before the refusal."""
    from django.core.management.base import CommandError

    make_action(gpt, actor=user, name="Plain")
    api_key_action(gpt, user)
    output, stdout = tmp_path / "dump.json", io.StringIO()
    with pytest.raises(CommandError, match=r"--exclude actions\.Action"):
        call_command("dumpdata", *labels, output=str(output), stdout=stdout, **options)
    assert not output.exists() and stdout.getvalue() == ""
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("dumpdata", *labels, stdout=stdout, **options)
    assert stdout.getvalue() == ""


def test_dumpdata_without_the_secret_rows_writes_the_rest(gpt, user, tmp_path):
    import json

    action = api_key_action(gpt, user)
    plain = make_action(gpt, actor=user, name="Plain")
    output = tmp_path / "dump.json"
    call_command("dumpdata", "actions", "gpts", exclude=["actions.Action"], output=str(output))
    assert any(row["model"] == "gpts.gpt" for row in json.loads(output.read_text()))
    out = io.StringIO()
    call_command("dumpdata", "actions.Action", primary_keys=str(plain.pk), stdout=out)
    assert [row["pk"] for row in json.loads(out.getvalue())] == [plain.pk] and plain.pk != action.pk


def test_dumpdata_of_actions_without_secrets_round_trips(gpt, user):
    import json

    action = make_action(gpt, actor=user)
    out = io.StringIO()
    call_command("dumpdata", "actions", stdout=out)
    dumped = json.loads(out.getvalue())
    assert [(row["pk"], row["fields"]["api_key"], row["fields"]["oauth_client_secret"]) for row in dumped] == [
        (action.pk, "", "")
    ]
