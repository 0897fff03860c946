"""The API tokens page is for signed-in users only."""

from django.urls import reverse


def test_tokens_page_requires_login(client, db):
    response = client.get(reverse("gpts:tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_tokens_page_opens_for_a_signed_in_user(client, user):
    client.force_login(user)
    response = client.get(reverse("gpts:tokens"))
    assert response.status_code == 200
    assert "<h1>API tokens</h1>" in response.content.decode()
