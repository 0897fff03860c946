"""The API tokens page: create (shown once), list, revoke; only your own tokens."""

import pytest
from django.urls import reverse

from gptstudio import services
from gptstudio.models import APIToken
from tests.factories import UserFactory


def test_tokens_page_requires_login(client, db):
    response = client.get(reverse("gpts:tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_create_shows_the_token_once_and_stores_only_its_digest(client, user):
    client.force_login(user)
    response = client.post(reverse("gpts:tokens"), {"name": "CI export", "expires_in": "30"})
    html = response.content.decode()
    token = APIToken.objects.get(user=user)
    plaintext = html.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert plaintext.startswith(APIToken.PREFIX) and token.digest == services.token_digest(plaintext)
    assert plaintext not in token.digest and token.expires_at is not None
    assert response["Cache-Control"] == "no-store"
    assert plaintext not in client.get(reverse("gpts:tokens")).content.decode()  # never again
    assert services.token_authenticate(plaintext) == token


def test_token_name_is_required(client, user):
    client.force_login(user)
    response = client.post(reverse("gpts:tokens"), {"name": "", "expires_in": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not APIToken.objects.exists()


def test_revoke_stops_the_token_and_only_the_owner_can(client, user):
    created = services.token_create(user=user, name="Old script")
    url = reverse("gpts:token_revoke", args=[created.token.pk])
    client.force_login(UserFactory())
    assert client.post(url).status_code == 404
    client.force_login(user)
    assert client.post(url).status_code == 302
    assert services.token_authenticate(created.plaintext) is None
    assert "revoked" in client.get(reverse("gpts:tokens")).content.decode()


@pytest.mark.parametrize("count", [1, 12])
def test_tokens_page_query_count_is_constant(client, user, count, django_assert_max_num_queries):
    for i in range(count):
        services.token_create(user=user, name=f"token {i}")
    client.force_login(user)
    with django_assert_max_num_queries(4):
        html = client.get(reverse("gpts:tokens")).content.decode()
    assert html.count("Revoke<span") == count
