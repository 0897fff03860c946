"""API test fixtures. Every response of every API test passes through `SecretGuardClient`,
which fails the test if a seeded secret (anything containing SECRET_MARKER) appears in a body."""

import pytest
from rest_framework.test import APIClient

from gpts import services
from gptstudio.services import token_create
from tests.factories import UserFactory, make_action, make_gpt, make_workspace

SECRET_MARKER = "sk-SEEDED-SECRET"
API_KEY = f"{SECRET_MARKER}-api-key-3b1f"
CLIENT_SECRET = f"{SECRET_MARKER}-client-secret-77c0"


class SecretGuardClient(APIClient):
    """An APIClient that asserts no seeded secret leaks into any response body or header (a
    compressed zip member is not visible here: the export tests unzip and look themselves)."""

    def request(self, **kwargs):
        response = super().request(**kwargs)
        if response.streaming:
            body = b"".join(response.streaming_content)
            response.streaming_content = [body]  # Read once here; the test reads it again.
        else:
            body = response.content
        headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())
        assert SECRET_MARKER.encode() not in body, f"a secret leaked in {kwargs.get('PATH_INFO')}: {body[:300]!r}"
        assert SECRET_MARKER not in headers
        return response


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counters live in the cache; user ids repeat across tests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def api(user):
    """A client signed in (force-authenticated) as the workspace owner `user`."""
    client = SecretGuardClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def anon(db):
    return SecretGuardClient()


@pytest.fixture
def client_for():
    def make(user):
        client = SecretGuardClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def bearer_client():
    """A client authenticating with a fresh personal API token of `user`."""

    def make(user, **kwargs):
        created = token_create(user=user, name="tests", **kwargs)
        client = SecretGuardClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {created.plaintext}")
        client.token = created
        return client

    return make


@pytest.fixture
def member_of(workspace):
    """A new user with `role` in the fixture workspace."""

    def make(role):
        member = UserFactory()
        services.membership_set(workspace=workspace, user=member, role=role)
        return member

    return make


@pytest.fixture
def secret_action(gpt, user):
    """An action holding a seeded API key."""
    return make_action(gpt, actor=user, auth_type="api_key", api_key_auth_type="bearer", api_key=API_KEY)


@pytest.fixture
def oauth_action(gpt, user):
    return make_action(
        gpt,
        actor=user,
        name="Calendar",
        auth_type="oauth",
        oauth_client_id="client-123",
        oauth_client_secret=CLIENT_SECRET,
        oauth_authorization_url="https://auth.example.com/authorize",
        oauth_token_url="https://auth.example.com/token",
    )


@pytest.fixture
def foreign_gpt(other_user):
    """A GPT in a workspace the fixture `user` is not a member of."""
    return make_gpt(workspace=make_workspace(owner=other_user, name="Elsewhere"), actor=other_user, name="Theirs")
