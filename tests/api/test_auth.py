"""Auth: session and bearer tokens, the token endpoints' lifecycle, throttling of token clients."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gptstudio.models import APIToken
from tests.api.conftest import SecretGuardClient


def test_unauthenticated_requests_get_401_with_a_bearer_challenge(anon):
    response = anon.get("/api/v1/gpts/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "not_authenticated"


def test_session_login_works(client, user, gpt):
    client.login(username=user.username, password="correct-horse-battery")
    response = client.get("/api/v1/gpts/")
    assert response.status_code == 200
    assert [g["id"] for g in response.json()["results"]] == [gpt.pk]


def test_session_writes_need_the_csrf_token(user, gpt):
    client = SecretGuardClient(enforce_csrf_checks=True)
    client.login(username=user.username, password="correct-horse-battery")
    response = client.patch(f"/api/v1/gpts/{gpt.pk}/", {"name": "X"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]


def test_a_bearer_token_authenticates_and_records_its_use(bearer_client, user, gpt):
    client = bearer_client(user)
    assert client.get("/api/v1/gpts/").status_code == 200
    assert APIToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer gps_not-a-real-token", "Bearer", "Bearer a b", "Bearer \u00e9t\u00e9"],
)
def test_bad_bearer_headers_are_401(anon, header):
    anon.credentials(HTTP_AUTHORIZATION=header)
    response = anon.get("/api/v1/gpts/")
    assert response.status_code == 401
    assert response.json()["message"]


def test_revoked_and_expired_tokens_are_401(bearer_client, user):
    client = bearer_client(user)
    APIToken.objects.update(revoked_at=timezone.now())
    assert client.get("/api/v1/gpts/").status_code == 401
    expiring = bearer_client(user, expires_at=timezone.now() + timedelta(minutes=5))
    APIToken.objects.filter(pk=expiring.token.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert expiring.get("/api/v1/gpts/").status_code == 401


def test_token_lifecycle_over_the_api(api, user, anon):
    created = api.post("/api/v1/tokens/", {"name": "CI sync"}, format="json")
    assert created.status_code == 201
    body = created.json()
    plaintext = body["token"]
    assert plaintext.startswith(body["prefix"]) and body["active"] is True
    # Shown once: neither the list nor the detail repeat it.
    listed = api.get("/api/v1/tokens/")
    assert plaintext not in listed.content.decode()
    detail = api.get(f"/api/v1/tokens/{body['id']}/")
    assert detail.status_code == 200 and "token" not in detail.json()
    # It works...
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert anon.get("/api/v1/workspaces/").status_code == 200
    assert api.get(f"/api/v1/tokens/{body['id']}/").json()["last_used_at"] is not None
    # ...until revoked.
    assert api.delete(f"/api/v1/tokens/{body['id']}/").status_code == 204
    assert api.get(f"/api/v1/tokens/{body['id']}/").json()["active"] is False
    assert anon.get("/api/v1/workspaces/").status_code == 401


def test_token_with_expiry(api):
    expires = (timezone.now() + timedelta(days=30)).isoformat()
    body = api.post("/api/v1/tokens/", {"name": "month", "expires_at": expires}, format="json").json()
    assert body["expires_at"] is not None
    past = (timezone.now() - timedelta(days=1)).isoformat()
    response = api.post("/api/v1/tokens/", {"name": "past", "expires_at": past}, format="json")
    assert response.status_code == 400
    assert "expires_at" in response.json()["errors"]


def test_a_token_cannot_create_tokens(bearer_client, user):
    response = bearer_client(user).post("/api/v1/tokens/", {"name": "another"}, format="json")
    assert response.status_code == 403
    assert APIToken.objects.count() == 1


def test_a_token_can_list_and_revoke_its_users_tokens(bearer_client, user):
    client = bearer_client(user)
    [listed] = client.get("/api/v1/tokens/").json()["results"]
    assert client.delete(f"/api/v1/tokens/{listed['id']}/").status_code == 204
    assert client.get("/api/v1/tokens/").status_code == 401


def test_tokens_of_others_are_404(api, other_user, bearer_client):
    theirs = bearer_client(other_user).token.token
    assert api.get(f"/api/v1/tokens/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/v1/tokens/{theirs.pk}/").status_code == 404
    assert APIToken.objects.get(pk=theirs.pk).revoked_at is None


def test_token_clients_are_throttled_with_retry_after(bearer_client, user, settings):
    settings.API_TOKEN_THROTTLE_RATE = "3/minute"
    client = bearer_client(user)
    statuses = [client.get("/api/v1/workspaces/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/workspaces/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"


def test_sessions_are_not_throttled(api, settings):
    settings.API_TOKEN_THROTTLE_RATE = "1/minute"
    assert {api.get("/api/v1/workspaces/").status_code for _ in range(3)} == {200}
