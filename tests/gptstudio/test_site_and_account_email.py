"""Account emails name the configured site (SITE_NAME / SITE_DOMAIN, not "example.com"), and the
console backend of local development prints their links whole (not quoted-printable wrapped)."""

import io
import re

from django.contrib.sites.models import Site
from django.core import mail
from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend

from gptstudio.mail import EmailBackend as ReadableConsoleBackend
from gptstudio.site import site_sync_from_settings

CONFIRM_LINK = re.compile(r"http://testserver/accounts/confirm-email/\S+/")


def sign_up(client, username):
    response = client.post(
        "/accounts/signup/",
        {
            "email": f"{username}@example.org",
            "username": username,
            "password1": "Un1que-pass-9",
            "password2": "Un1que-pass-9",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    (message,) = mail.outbox
    return message


def test_migrate_sets_site_one_from_the_settings(db):
    site = Site.objects.get(pk=1)
    assert (site.name, site.domain) == ("GPT Studio", "127.0.0.1:8000")  # The local defaults, not example.com.


def test_the_sign_up_email_names_the_configured_site(client, db, settings):
    settings.SITE_NAME, settings.SITE_DOMAIN = "Acme GPT Studio", "studio.acme.example"
    site_sync_from_settings()
    message = sign_up(client, "acme-newcomer")
    assert message.subject.startswith("[Acme GPT Studio]")
    assert "example.com" not in message.subject + message.body
    assert CONFIRM_LINK.search(message.body)


def test_the_console_prints_the_sign_up_link_whole(client, db):
    message = sign_up(client, "console-newcomer")
    link = CONFIRM_LINK.search(message.body).group(0)
    assert len(link) > 76  # Long enough for quoted-printable to break it.

    wire = io.StringIO()
    DjangoConsoleBackend(stream=wire).send_messages([message])
    assert link not in wire.getvalue()  # What Django's own console backend does to it.

    readable = io.StringIO()
    ReadableConsoleBackend(stream=readable).send_messages([message])
    printed = readable.getvalue()
    assert link in printed and "=\n" not in printed
    assert f"Subject: {message.subject}" in printed and "To: console-newcomer@example.org" in printed
    assert client.get(link.removeprefix("http://testserver")).status_code == 200
