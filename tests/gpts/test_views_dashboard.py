"""Home, workspace creation, the dashboard, sign-up's personal workspace, CSP."""

import pytest
from django.urls import reverse

from gpts.models import Workspace
from tests.conftest import ROLES
from tests.factories import make_gpt


def dashboard_url(workspace):
    return reverse("gpts:dashboard", args=[workspace.slug])


def test_anonymous_visitors_are_sent_to_log_in(client, workspace):
    response = client.get(dashboard_url(workspace))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_home_redirects_to_the_first_workspace(client, user, workspace):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == dashboard_url(workspace)


def test_home_without_a_workspace_offers_to_create_one(client, other_user):
    client.force_login(other_user)
    response = client.get("/")
    assert response["Location"] == reverse("gpts:workspace_new")
    response = client.post(reverse("gpts:workspace_new"), {"name": "Team Rocket"})
    workspace = Workspace.objects.get(name="Team Rocket")
    assert response["Location"] == dashboard_url(workspace)
    assert workspace.memberships.get().role == "owner"
    assert client.get("/")["Location"] == dashboard_url(workspace)


def test_workspace_name_is_required(client, other_user):
    client.force_login(other_user)
    response = client.post(reverse("gpts:workspace_new"), {"name": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Workspace.objects.filter(memberships__user=other_user).exists()


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("editor", 200), ("viewer", 200), ("outsider", 404)])
def test_dashboard_status_per_role(login_as, client, gpt, role, status):
    login_as(role)
    response = client.get(dashboard_url(gpt.workspace))
    assert response.status_code == status
    if status == 200:
        assert "Weather Buddy" in response.content.decode()


@pytest.mark.parametrize("role", ROLES[:3])
def test_only_editors_and_owners_see_create_controls(login_as, client, workspace, role):
    login_as(role)
    html = client.get(dashboard_url(workspace)).content.decode()
    assert ("+ New GPT" in html) == (role != "viewer")
    assert (f'href="/w/{workspace.slug}/import/">Import</a>' in html) == (role != "viewer")
    assert (f'href="/w/{workspace.slug}/import/from-chatgpt/">Bring your GPTs' in html) == (role != "viewer")


def test_dashboard_shows_readiness_last_edit_and_editor(client, user, workspace):
    make_gpt(workspace=workspace, actor=user, name="Alpha", visibility="link")
    client.force_login(user)
    html = client.get(dashboard_url(workspace)).content.decode()
    assert "Ready" in html and "for Anyone with the link" in html
    assert f"by {user.username}" in html


def test_dashboard_filters_search_and_sorts(client, user, workspace):
    make_gpt(workspace=workspace, actor=user, name="Alpha", instructions="rain and snow", visibility="link")
    make_gpt(workspace=workspace, actor=user, name="Beta", capabilities={"code_interpreter": True})
    client.force_login(user)
    url = dashboard_url(workspace)

    def names(**params):
        html = client.get(url, params).content.decode()
        return [n for n in ("Alpha", "Beta") if f">{n}</a>" in html]

    assert names(q="snow") == ["Alpha"]
    assert names(visibility="link") == ["Alpha"]
    assert names(capability="code_interpreter") == ["Beta"]
    assert names(readiness="errors") == []
    html = client.get(url, {"sort": "-name"}).content.decode()
    assert html.index(">Beta</a>") < html.index(">Alpha</a>")
    assert "No GPT matches these filters." in client.get(url, {"q": "nothing-like-this"}).content.decode()


def test_unknown_filter_values_are_ignored(client, user, gpt):
    client.force_login(user)
    response = client.get(dashboard_url(gpt.workspace), {"visibility": "bogus", "sort": "password", "capability": "x"})
    assert response.status_code == 200
    assert "Weather Buddy" in response.content.decode()


def _three_dated_gpts(workspace, user):
    """Alpha created first but edited last; Beta and Gamma in between; Gamma has errors."""
    import datetime

    from gpts.models import GPT

    day = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    for name, created, updated in (("Alpha", 1, 9), ("Beta", 2, 3), ("Gamma", 3, 5)):
        gpt = make_gpt(workspace=workspace, actor=user, name=name)
        GPT.objects.filter(pk=gpt.pk).update(
            created_at=day + datetime.timedelta(days=created), updated_at=day + datetime.timedelta(days=updated)
        )
    GPT.objects.filter(name="Gamma").update(readiness="errors", error_count=1)


def _listed(client, workspace, params):
    html = client.get(dashboard_url(workspace), params).content.decode()
    names = [n for n in ("Alpha", "Beta", "Gamma") if f">{n}</a>" in html]
    return sorted(names, key=lambda n: html.index(f">{n}</a>")), html


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("name", ["Alpha", "Beta", "Gamma"]),
        ("-name", ["Gamma", "Beta", "Alpha"]),
        ("-updated", ["Alpha", "Gamma", "Beta"]),
        ("updated", ["Beta", "Gamma", "Alpha"]),
        ("-created", ["Gamma", "Beta", "Alpha"]),
        ("created", ["Alpha", "Beta", "Gamma"]),  # not one of the page's sorts: by name
        ("", ["Alpha", "Beta", "Gamma"]),
    ],
)
def test_dashboard_sorts_by_the_sort_parameter(client, user, workspace, sort, expected):
    _three_dated_gpts(workspace, user)
    client.force_login(user)
    names, html = _listed(client, workspace, {"sort": sort})
    assert names == expected
    selected = sort if sort in ("name", "-name", "-updated", "updated", "-created") else "name"
    assert f'<option value="{selected}" selected>' in html


def test_dashboard_filters_by_readiness_and_keeps_the_choices_in_the_form(client, user, workspace):
    _three_dated_gpts(workspace, user)
    client.force_login(user)
    names, html = _listed(client, workspace, {"readiness": "errors", "sort": "-name", "q": "  gam  "})
    assert names == ["Gamma"]
    assert '<option value="errors" selected>' in html and '<option value="-name" selected>' in html
    assert 'value="gam"' in html  # the search as read: stripped
    assert "1 GPT matches the filters." in html
    names, html = _listed(client, workspace, {"readiness": "ready"})
    assert names == ["Alpha", "Beta"]


def test_dashboard_search_reads_the_first_200_characters(client, user, workspace):
    make_gpt(workspace=workspace, actor=user, name="Alpha", instructions="x" * 200)
    client.force_login(user)
    names, _ = _listed(client, workspace, {"q": "x" * 200 + "y"})
    assert names == ["Alpha"]
    names, _ = _listed(client, workspace, {"q": "x" * 199 + "y"})
    assert names == []


def test_dashboard_ignores_a_bad_value_but_applies_the_others(client, user, workspace):
    _three_dated_gpts(workspace, user)
    client.force_login(user)
    names, html = _listed(client, workspace, {"readiness": "bogus", "q": "a", "sort": "-name"})
    assert names == ["Gamma", "Beta", "Alpha"]
    readiness_select = html[
        html.index('<select id="readiness"') : html.index("</select>", html.index('id="readiness"'))
    ]
    assert " selected" not in readiness_select  # "Any"


def test_htmx_request_gets_only_the_list_fragment(client, user, gpt):
    client.force_login(user)
    response = client.get(dashboard_url(gpt.workspace), {"q": "Weather"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="gpt-list"')
    assert "<html" not in html
    assert "Weather Buddy" in html


@pytest.mark.parametrize("rows", [2, 15])
def test_dashboard_query_count_is_constant(client, user, workspace, rows, django_assert_max_num_queries):
    for i in range(rows):
        make_gpt(workspace=workspace, actor=user, name=f"GPT {i}", conversation_starters=["a", "b"])
    client.force_login(user)
    with django_assert_max_num_queries(6):
        response = client.get(dashboard_url(workspace))
    assert response.content.decode().count('class="gpt-name"') == rows


def sign_up(client, *, username, email):
    password = "a-long-Passphrase-9"
    return client.post(
        reverse("account_signup"),
        {"email": email, "username": username, "password1": password, "password2": password},
    )


def test_sign_up_creates_a_personal_workspace(client, db):
    response = sign_up(client, username="ada", email="ada@example.com")
    assert response.status_code == 302
    workspace = Workspace.objects.get(memberships__user__username="ada")
    assert workspace.name == "ada's workspace"
    assert workspace.memberships.get().role == "owner"
    assert client.get("/")["Location"] == dashboard_url(workspace)


def test_sign_up_refuses_a_username_with_at(client, db):
    from django.contrib.auth import get_user_model

    response = sign_up(client, username="alice@corp.example", email="mallory@example.com")
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [
        'A username cannot contain "@" (so it is never mistaken for an email address).'
    ]
    assert not get_user_model().objects.exists()


def test_pages_send_a_strict_content_security_policy(client, user, workspace):
    client.force_login(user)
    policy = client.get(dashboard_url(workspace))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy and "http" not in policy


def test_account_pages_render_in_the_site_layout(client, user):
    from django.core import mail

    assert "GPT Studio" in client.get(reverse("account_signup")).content.decode()
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert mail.outbox[-1].to == [user.email] and "/accounts/password/reset/key/" in mail.outbox[-1].body
    client.force_login(user)
    html = client.get(reverse("mfa_index")).content.decode()
    assert "Authenticator App" in html and 'class="site-header"' in html
