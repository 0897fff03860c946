"""Accounts (django-allauth): logging out, and two-factor authentication with an authenticator
app from activation to a login that asks for the code. Codes are computed with allauth's own TOTP
functions, as an authenticator app would compute them."""

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.urls import reverse

from tests.factories import UserFactory, make_workspace

PASSWORD = "correct-horse-battery"  # UserFactory's


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def log_in(client, user):
    return client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})


def test_log_out_ends_the_session(client, db):
    user = UserFactory()
    workspace = make_workspace(owner=user)
    dashboard = reverse("gpts:dashboard", args=[workspace.slug])
    assert log_in(client, user).status_code == 302
    assert client.get(dashboard).status_code == 200
    # GET only asks for confirmation: a link or an image cannot log anyone out.
    assert client.get(reverse("account_logout")).status_code == 200
    assert client.get(dashboard).status_code == 200
    response = client.post(reverse("account_logout"))
    assert response["Location"] == "/accounts/login/"
    assert client.get(dashboard)["Location"].startswith(reverse("account_login"))


def test_enabling_totp_then_logging_in_asks_for_a_code(client, db):
    user = UserFactory()
    make_workspace(owner=user)
    log_in(client, user)
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))  # the password again first
    client.post(response["Location"], {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    wrong = "000000" if totp_code(secret) != "000000" else "111111"
    response = client.post(reverse("mfa_activate_totp"), {"code": wrong})
    assert response.status_code == 200 and "Incorrect code." in response.content.decode()
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    client.post(reverse("account_logout"))

    response = log_in(client, user)
    assert response["Location"] == reverse("mfa_authenticate")  # the password alone is not enough
    assert client.get("/")["Location"].startswith(reverse("account_login"))
    response = client.post(reverse("mfa_authenticate"), {"code": "123"})
    assert response.status_code == 200 and "Incorrect code." in response.content.decode()
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/").status_code == 302 and client.get("/")["Location"].startswith("/w/")
