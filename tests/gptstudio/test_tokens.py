"""Personal API tokens: created once in plaintext, stored hashed, expiring, revocable, use recorded."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gptstudio.models import APIToken
from gptstudio.services import LAST_USED_RESOLUTION, token_authenticate, token_create, token_revoke


def test_create_stores_only_the_digest(user):
    created = token_create(user=user, name="CI")
    stored = APIToken.objects.get()
    assert created.plaintext.startswith("gps_") and len(created.plaintext) > 40
    assert stored.digest == hashlib.sha256(created.plaintext.encode()).hexdigest()
    assert created.plaintext not in {stored.digest, stored.prefix, stored.name}
    assert created.plaintext.startswith(stored.prefix)


def test_two_tokens_differ(user):
    assert token_create(user=user, name="a").plaintext != token_create(user=user, name="b").plaintext


def test_authenticate_finds_the_user_and_records_use(user):
    created = token_create(user=user, name="CI")
    token = token_authenticate(created.plaintext)
    assert token.user == user
    assert APIToken.objects.get().last_used_at is not None


def test_last_use_is_written_at_most_once_per_resolution(user, django_assert_num_queries):
    created = token_create(user=user, name="CI")
    token_authenticate(created.plaintext)
    with django_assert_num_queries(1):  # The lookup only: no second write within the minute.
        token_authenticate(created.plaintext)
    APIToken.objects.update(last_used_at=timezone.now() - LAST_USED_RESOLUTION)
    with django_assert_num_queries(2):
        token_authenticate(created.plaintext)


def test_wrong_revoked_and_expired_tokens_do_not_authenticate(user):
    created = token_create(user=user, name="CI")
    assert token_authenticate(created.plaintext + "x") is None
    assert token_authenticate("not-a-token") is None
    token_revoke(token=created.token)
    assert token_authenticate(created.plaintext) is None
    soon = token_create(user=user, name="short", expires_at=timezone.now() + timedelta(seconds=60))
    APIToken.objects.filter(pk=soon.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert token_authenticate(soon.plaintext) is None


def test_inactive_users_tokens_do_not_authenticate(user):
    created = token_create(user=user, name="CI")
    user.is_active = False
    user.save()
    assert token_authenticate(created.plaintext) is None


def test_revoke_is_idempotent(user):
    token = token_create(user=user, name="CI").token
    first = token_revoke(token=token).revoked_at
    assert token_revoke(token=token).revoked_at == first


@pytest.mark.parametrize("name, expires_in", [("", None), ("x" * 101, None), ("ok", -60)])
def test_create_refuses_bad_input(user, name, expires_in):
    expires_at = timezone.now() + timedelta(seconds=expires_in) if expires_in else None
    with pytest.raises(ValidationError):
        token_create(user=user, name=name, expires_at=expires_at)
    assert not APIToken.objects.exists()


def test_the_tokens_page_creates_shows_once_and_revokes(client, user):
    """The browser's tokens page (gpts/views_tokens.py) runs on these services."""
    from django.urls import reverse

    client.force_login(user)
    response = client.post(reverse("gpts:tokens"), {"name": "CI", "expires_in": "30"})
    assert response.status_code == 200
    token = APIToken.objects.get()
    page = response.content.decode()
    plaintext = next(word for word in page.replace("<", " ").replace(">", " ").split() if word.startswith("gps_"))
    assert hashlib.sha256(plaintext.encode()).hexdigest() == token.digest
    assert token.expires_at is not None
    assert plaintext not in client.get(reverse("gpts:tokens")).content.decode()
    client.post(reverse("gpts:token_revoke", args=[token.pk]))
    assert token_authenticate(plaintext) is None
