"""History: revision list, diff between any two revisions, restore as a new revision."""

import pytest
from django.urls import reverse

from gpts import services
from gpts.models import GPT
from tests.factories import make_action


def history_url(gpt):
    return reverse("gpts:history", args=[gpt.workspace.slug, gpt.slug])


def diff_url(gpt):
    return reverse("gpts:history_diff", args=[gpt.workspace.slug, gpt.slug])


def restore_url(gpt, number):
    return reverse("gpts:history_restore", args=[gpt.workspace.slug, gpt.slug, number])


@pytest.fixture
def edited_gpt(gpt, user):
    services.gpt_update(gpt=gpt, actor=user, expected_version=1, instructions="Line one\nLine two", name="Weather Pal")
    services.gpt_update(gpt=gpt, actor=user, expected_version=2, instructions="Line one\nLine 2", canvas=False)
    return GPT.objects.get(pk=gpt.pk)


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("editor", 200), ("viewer", 200), ("outsider", 404)])
def test_history_pages_status_per_role(login_as, client, edited_gpt, role, status):
    login_as(role)
    assert client.get(history_url(edited_gpt)).status_code == status
    assert client.get(diff_url(edited_gpt), {"from": 1, "to": 3}).status_code == status


def test_history_lists_revisions_newest_first_with_restore_for_editors(login_as, client, edited_gpt):
    login_as("editor")
    html = client.get(history_url(edited_gpt)).content.decode()
    assert html.index("Changed instructions; Changed capabilities") < html.index("Created")
    assert 'form="restore-1"' in html and 'form="restore-3"' not in html  # the current one needs no restore
    login_as("viewer")
    assert 'form="restore-1"' not in client.get(history_url(edited_gpt)).content.decode()


def test_diff_between_any_two_revisions_is_readable(client, user, edited_gpt):
    client.force_login(user)
    html = client.get(diff_url(edited_gpt), {"from": 1, "to": 3}).content.decode()
    assert "Version 1 → version 3" in html
    assert '<span class="add">+Line 2</span>' in html
    assert "Weather Buddy" in html and "Weather Pal" in html
    assert "canvas: Off" in html
    # Reversed order is normalised; unknown revisions are 404.
    assert "Version 1 → version 3" in client.get(diff_url(edited_gpt), {"from": 3, "to": 1}).content.decode()
    assert client.get(diff_url(edited_gpt), {"from": 99}).status_code == 404
    assert client.get(diff_url(edited_gpt), {"from": "x"}).status_code == 404


def test_diff_shows_operations_added_to_actions(client, user, gpt):
    make_action(gpt, actor=user)
    client.force_login(user)
    html = client.get(diff_url(gpt), {"from": 1, "to": 2}).content.decode()
    assert "Weather" in html and ">added<" in html


def test_restore_creates_a_new_revision(client, user, edited_gpt):
    client.force_login(user)
    response = client.post(restore_url(edited_gpt, 1), {"version": 3})
    assert response.status_code == 302
    restored = GPT.objects.get(pk=edited_gpt.pk)
    assert (restored.version, restored.name, restored.instructions) == (4, "Weather Buddy", "")
    assert restored.revisions.first().summary == "Restored revision 1"
    assert restored.revisions.count() == 4


def test_restore_from_a_stale_page_is_refused(client, user, edited_gpt):
    client.force_login(user)
    response = client.post(restore_url(edited_gpt, 1), {"version": 2}, follow=True)
    assert "changed since you opened the history" in response.content.decode()
    assert GPT.objects.get(pk=edited_gpt.pk).version == 3


def test_viewer_cannot_restore(login_as, client, edited_gpt):
    login_as("viewer")
    assert client.post(restore_url(edited_gpt, 1), {"version": 3}).status_code == 403
    assert GPT.objects.get(pk=edited_gpt.pk).version == 3


@pytest.mark.parametrize("edits", [2, 20])
def test_history_query_count_is_constant(client, user, gpt, edits, django_assert_max_num_queries):
    for n in range(edits):
        services.gpt_update(gpt=gpt, actor=user, expected_version=n + 1, instructions=f"v{n}")
    client.force_login(user)
    url = history_url(gpt)
    # 13 at both sizes: the page, plus three for the restore questions (current and retired
    # secrets, the revisions' actions).
    with django_assert_max_num_queries(13):
        response = client.get(url)
    assert response.content.decode().count("<tr>") == edits + 2


@pytest.mark.parametrize(("data", "message"), [({}, "did not say which version"), ({"version": "x"}, "not a whole")])
def test_restore_without_a_usable_version_is_refused(client, user, edited_gpt, data, message):
    client.force_login(user)
    response = client.post(restore_url(edited_gpt, 1), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert GPT.objects.get(pk=edited_gpt.pk).version == 3
