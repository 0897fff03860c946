"""EMAIL_URL: console mail by default, SMTP from one URL. The settings module is loaded afresh with
the variable set, and the resulting mailer is built by Django itself (which refuses unknown
options), so a wrong option name fails here rather than on the first real email."""

import importlib.util
from pathlib import Path

import pytest
from django.core import mail

BASE_SETTINGS = Path(__file__).resolve().parents[2] / "gptstudio" / "settings" / "base.py"


def load_base_settings(monkeypatch, email_url=None):
    if email_url is None:
        monkeypatch.delenv("EMAIL_URL", raising=False)
    else:
        monkeypatch.setenv("EMAIL_URL", email_url)
    spec = importlib.util.spec_from_file_location("gptstudio_settings_under_test", BASE_SETTINGS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mailer(settings, monkeypatch, email_url):
    settings.MAILERS = load_base_settings(monkeypatch, email_url).MAILERS
    return mail.mailers.default


def test_without_email_url_mail_goes_to_the_console(settings, monkeypatch):
    assert load_base_settings(monkeypatch).MAILERS == {
        "default": {"BACKEND": "gptstudio.mail.EmailBackend", "OPTIONS": {}}
    }
    assert type(mailer(settings, monkeypatch, None)).__module__ == "gptstudio.mail"


def test_smtp_with_starttls_from_the_documented_example(settings, monkeypatch):
    backend = mailer(settings, monkeypatch, "smtp+tls://user:p%40ss%2Fword@smtp.example.com:587")
    assert type(backend).__module__ == "django.core.mail.backends.smtp"
    assert (backend.host, backend.port, backend.username, backend.password) == (
        "smtp.example.com",
        587,
        "user",
        "p@ss/word",  # percent-escapes in the URL are decoded
    )
    assert (backend.use_tls, backend.use_ssl) == (True, False)


def test_smtp_over_ssl_on_port_465(settings, monkeypatch):
    backend = mailer(settings, monkeypatch, "smtp+ssl://mailer:secret@mail.example.org:465")
    assert (backend.host, backend.port, backend.use_tls, backend.use_ssl) == ("mail.example.org", 465, False, True)


def test_smtp_without_credentials_sends_no_empty_login(settings, monkeypatch):
    config = load_base_settings(monkeypatch, "smtp://relay.internal:25").MAILERS["default"]
    assert config["OPTIONS"] == {"host": "relay.internal", "port": 25}
    backend = mailer(settings, monkeypatch, "smtp://relay.internal:25")
    assert (backend.username, backend.password, backend.use_tls) == (None, None, False)  # no AUTH attempted


def test_an_unknown_scheme_is_refused_at_start(monkeypatch):
    with pytest.raises(Exception, match="nosuchmail"):
        load_base_settings(monkeypatch, "nosuchmail://x")
