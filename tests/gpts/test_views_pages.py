"""Checks over every page of the studio, enumerated from the URL configuration (tests/studio_pages.py):
no inline code anywhere (the CSP would block it), then query counts, statuses and permissions of
the pages the per-area test files do not cover."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Action
from gpts import services
from gpts.models import GPT, Job, Workspace
from tests.factories import WEATHER_SCHEMA, UserFactory, make_action, make_gpt, make_workspace
from tests.studio_pages import inline_code, make_world, studio_routes

ROUTES = studio_routes()

# Answers that are not HTML, and why; every other route must end on an HTML page (after
# following redirects), so a new page cannot slip past the inline-code check.
NOT_HTML = {
    "gpts_export:document_schema": "the GPT document's JSON Schema",
    "gpts_export:export": "a download (zip or YAML)",
    "actions:schema_format": "JSON for the Format button",
    "mfa_download_recovery_codes": "a text file of recovery codes",
}


def test_the_enumeration_finds_the_studio_pages():
    names = {route.name for route in ROUTES}
    assert {"gpts:dashboard", "gpts:gpt_edit", "actions:action_edit", "gpts_export:paste", "rules"} <= names
    assert {"account_login", "mfa_index", "gpts:tokens", "gpts:invitation_accept"} <= names
    assert len(ROUTES) > 50
    assert not any(route.name.startswith(("admin:", "api")) for route in ROUTES)


def test_the_inline_code_finder_finds_what_the_csp_blocks():
    page = """<html><head><script src="/static/js/app.js"></script><script type="application/json">{"a": 1}</script>
    <script>alert(1)</script><style>p {}</style></head><body><p style="color: red" onclick="go()">x</p>
    <a href="javascript:void(0)">y</a><div hx-on:click="go()"></div><p>onclick= in text is fine</p></body></html>"""
    assert inline_code(page) == [
        "<script> without src",
        "inline script text 'alert(1)'",
        "<style> element",
        "<p style=…>",
        "<p onclick=…>",
        "<a href=javascript:…>",
        "<div hx-on:click=…>",
    ]


def _request(client, world, route, **headers):
    url = world.url(route)
    response = client.get(url, headers=headers)
    if response.status_code == 405:  # a form's target: submit it
        response = client.post(url, world.post_data(), headers=headers)
    return response


def _check_html(response, what):
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if "text/html" not in response.get("Content-Type", "") or response.streaming:
        return False
    html = response.content.decode()
    assert inline_code(html) == [], f"{what} ({response.status_code}) has inline code"
    return bool(html.strip())


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_every_page_renders_without_inline_script_style_or_handlers(client, db, route):
    world = make_world()
    client.force_login(world.owner)
    # The htmx variant first (a fragment where the view has one), then the whole page.
    _check_html(_request(client, world, route, HX_Request="true"), f"{route.name} (htmx)")
    response = _request(client, world, route)
    while response.status_code in (301, 302, 303) and response["Location"].startswith("/"):
        response = client.get(response["Location"])
    rendered = _check_html(response, route.name)
    assert rendered or route.name in NOT_HTML, f"{route.name} answered {response.status_code} without HTML"


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if r.name.startswith(("account_", "mfa_"))], ids=lambda route: route.name
)
def test_account_pages_for_visitors_have_no_inline_code(client, db, route):
    world = make_world()
    response = client.get(world.url(route), follow=True)
    assert _check_html(response, route.name) or route.name in NOT_HTML


def test_conflict_error_and_refusal_pages_have_no_inline_code(client, db):
    world = make_world()
    gpt, viewer = world.gpt, UserFactory()
    services.membership_set(workspace=world.workspace, user=viewer, role="viewer")
    services.gpt_update(gpt=gpt, actor=world.member, expected_version=gpt.version, name="Theirs")
    client.force_login(world.owner)
    edit = reverse("gpts:gpt_edit", args=[world.workspace.slug, gpt.slug])
    pages = {
        "conflict": client.post(edit, {**world.post_data(), "version": 1}),
        "editor with errors": client.post(edit, {**world.post_data(), "name": ""}),
        "action conflict": client.post(
            reverse("actions:action_edit", args=[world.workspace.slug, gpt.slug, world.action.slug]),
            {**world.post_data(), "version": 0},
        ),
        "not found": client.get("/no-such-page/"),
    }
    client.force_login(viewer)
    pages["forbidden"] = client.get(reverse("gpts:gpt_new", args=[world.workspace.slug]))
    statuses = {what: response.status_code for what, response in pages.items()}
    assert statuses == {
        "conflict": 409,
        "editor with errors": 400,
        "action conflict": 400,
        "not found": 404,
        "forbidden": 403,
    }
    for what, response in pages.items():
        assert _check_html(response, what), what


# --- Query counts (constant at two data sizes) -----------------------------------------------


def _grown(user, size):
    """`user` in `size` workspaces; the first holds a GPT with `size` actions, knowledge files,
    starters and revisions."""
    workspace = make_workspace(owner=user, name="Main")
    for i in range(size - 1):
        make_workspace(owner=user, name=f"Other {i}")
    gpt = make_gpt(workspace=workspace, actor=user, name="Big", conversation_starters=[f"s{i}" for i in range(size)])
    for i in range(size):
        schema = WEATHER_SCHEMA.replace("api.weather.example.com", f"api{i}.example.com")
        make_action(gpt, actor=user, name=f"Action {i}", schema_text=schema)
        services.knowledge_file_add(gpt=gpt, actor=user, upload=SimpleUploadedFile(f"f{i}.txt", b"x"))
    return workspace, GPT.objects.get(pk=gpt.pk)


SIZES = [1, 8]


@pytest.mark.parametrize("size", SIZES)
def test_home_and_workspace_new_query_counts(client, user, size, django_assert_max_num_queries):
    _grown(user, size)
    client.force_login(user)
    with django_assert_max_num_queries(3):
        assert client.get(reverse("gpts:home")).status_code == 302
    with django_assert_max_num_queries(2):
        html = client.get(reverse("gpts:workspace_new")).content.decode()
    assert "Workspace name" in html


@pytest.mark.parametrize("size", SIZES)
def test_gpt_new_and_import_page_query_counts(client, user, size, django_assert_max_num_queries):
    workspace, _ = _grown(user, size)
    client.force_login(user)
    with django_assert_max_num_queries(4):
        html = client.get(reverse("gpts:gpt_new", args=[workspace.slug])).content.decode()
    # The switcher lists every workspace, twice: the header's menu and the phone Menu (CSS shows one).
    assert html.count("· owner</span>") == 2 * size
    with django_assert_max_num_queries(5):
        assert client.get(reverse("gpts_export:import", args=[workspace.slug])).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_history_diff_query_count(client, user, size, django_assert_max_num_queries):
    workspace, gpt = _grown(user, size)
    client.force_login(user)
    # Beyond the documents: the schema texts the diff reads (stored by hash), and for the restore
    # question the action secrets held and retired (two).
    with django_assert_max_num_queries(13):
        response = client.get(reverse("gpts:history_diff", args=[workspace.slug, gpt.slug]), {"from": 1})
    assert response.content.decode().count(">added<") >= size  # every action shows as added


@pytest.mark.parametrize("size", SIZES)
def test_action_new_and_live_validation_query_counts(client, user, size, django_assert_max_num_queries):
    workspace, gpt = _grown(user, size)
    client.force_login(user)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("actions:action_new", args=[workspace.slug, gpt.slug])).status_code == 200
    # Runs on every pause in typing: the schema's size, not the GPT's, decides its cost.
    paths = ",".join(f'"/p{i}": {{"get": {{"operationId": "op{i}", "responses": {{}}}}}}' for i in range(size * 4))
    schema = f'{{"openapi": "3.1.0", "info": {{"title": "T", "version": "1"}}, "paths": {{{paths}}}}}'
    with django_assert_max_num_queries(4):
        html = client.post(
            reverse("actions:schema_validate", args=[workspace.slug, gpt.slug]),
            {"schema_text": schema},
            headers={"HX-Request": "true"},
        ).content.decode()
    assert html.count('<td class="method" data-label="Method">') == size * 4


@pytest.mark.parametrize("size", SIZES)
def test_import_job_poll_query_count(client, user, size, django_assert_max_num_queries):
    workspace, gpt = _grown(user, size)
    job = Job.objects.create(workspace=workspace, gpt=gpt, kind=Job.Kind.SCHEMA_IMPORT, action=gpt.actions.first())
    client.force_login(user)
    url = reverse("actions:schema_import_job", args=[workspace.slug, gpt.slug, job.pk])
    with django_assert_max_num_queries(4):  # polled every second while the job runs
        html = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in html


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("target", ["chatgpt", "document"])
def test_export_download_query_count(client, user, size, target, django_assert_max_num_queries):
    workspace, gpt = _grown(user, size)
    client.force_login(user)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("gpts_export:export", args=[workspace.slug, gpt.slug, target]))
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200 and body


@pytest.mark.parametrize("size", SIZES)
def test_invitation_page_query_count(client, user, size, django_assert_max_num_queries):
    workspace, _ = _grown(user, size)
    _, token = services.invitation_create(
        workspace=workspace, email="guest@example.com", role="viewer", invited_by=user
    )
    client.force_login(UserFactory(email="guest@example.com"))
    with django_assert_max_num_queries(3):
        html = client.get(reverse("gpts:invitation_accept", args=[token])).content.decode()
    assert "Join Main" in html


# --- Statuses and permissions ---------------------------------------------------------------


@pytest.mark.parametrize("target", ["chatgpt", "document"])
def test_export_download_is_404_for_an_outsider(login_as, client, gpt, target):
    login_as("outsider")
    assert client.get(reverse("gpts_export:export", args=[gpt.workspace.slug, gpt.slug, target])).status_code == 404


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("editor", 200), ("viewer", 403), ("outsider", 404)])
def test_action_new_status_per_role(login_as, client, gpt, role, status):
    login_as(role)
    url = reverse("actions:action_new", args=[gpt.workspace.slug, gpt.slug])
    assert client.get(url).status_code == status
    response = client.post(url, {"schema_text": WEATHER_SCHEMA, "auth_type": "none"})
    assert response.status_code == (302 if status == 200 else status)
    assert Action.objects.filter(gpt=gpt).exists() == (status == 200)


def test_workspace_new_sends_visitors_to_log_in(client, db):
    for response in (
        client.get(reverse("gpts:workspace_new")),
        client.post(reverse("gpts:workspace_new"), {"name": "X"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert not Workspace.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("viewer", 200), ("outsider", 404)])
def test_schema_format_is_read_only_for_viewers_and_hidden_from_outsiders(login_as, client, gpt, role, status):
    login_as(role)
    url = reverse("actions:schema_format", args=[gpt.workspace.slug, gpt.slug])
    response = client.post(url, {"schema_text": '{"openapi":"3.1.0"}'})
    assert response.status_code == status
    if status == 200:
        assert response.json() == {"text": '{\n  "openapi": "3.1.0"\n}\n', "format": "json"}
