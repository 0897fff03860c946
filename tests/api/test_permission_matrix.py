"""The permission matrix: every API endpoint × every role (owner, editor, viewer) × an outsider.

Outsiders get 404 for anything in the workspace (lists simply do not show it); members get the
endpoint's success status when their role allows the access it needs, else 403 with nothing
changed. `test_the_matrix_covers_every_routed_endpoint` fails when a route is added without a row.
"""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator

from gpts import services
from gpts.document.build import gpt_document
from gpts.document.render import render_document
from gpts.models import GPT, Job, KnowledgeFile
from gpts.permissions import Access, allows
from tests.api.conftest import SecretGuardClient
from tests.factories import UserFactory, make_action, make_gpt, make_workspace

VIEW, EDIT, MANAGE = Access.VIEW, Access.EDIT, Access.MANAGE


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # OpenAPI path; {placeholders} filled from the world below
    needed: Access
    success: int
    body: object = None
    multipart: bool = False  # the body's Upload values become files
    list_of: str = ""  # for list endpoints: the key of the world object that must be listed
    query: str = ""

    def __str__(self):
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Upload:
    name: str
    content: str  # the key of world["files"] with its bytes


GPT_PUT = {
    "name": "Replaced",
    "description": "",
    "instructions": "",
    "conversation_starters": [],
    "capabilities": {"web_search": True, "canvas": True, "image_generation": True, "code_interpreter": False},
    "recommended_model": "",
    "visibility": "invite_only",
    "category": "",
    "use_conversation_data": True,
}
ACTION_PUT = {
    "name": "Replaced",
    "schema_text": "{}",
    "auth_type": "none",
    "privacy_policy_url": "",
    "api_key_auth_type": "",
    "api_key_custom_header": "",
    "oauth_client_id": "",
    "oauth_authorization_url": "",
    "oauth_token_url": "",
    "oauth_scope": "",
    "oauth_token_exchange_method": "default_post",
}
W = "/api/v1/workspaces/{slug}/"
M = "/api/v1/workspaces/{workspace_slug}/members/"
G = "/api/v1/gpts/{id}/"
K = "/api/v1/gpts/{gpt_id}/knowledge/"
R = "/api/v1/gpts/{gpt_id}/revisions/"
A = "/api/v1/actions/{id}/"

MATRIX = [
    Row("GET", "/api/v1/workspaces/", VIEW, 200, list_of="workspace"),
    Row("GET", W, VIEW, 200),
    Row("PUT", W, MANAGE, 200, {"name": "Renamed"}),
    Row("PATCH", W, MANAGE, 200, {"name": "Renamed"}),
    Row("DELETE", W, MANAGE, 204),
    Row("POST", W + "import/", EDIT, 201, {"file": Upload("matrix.gpt.yaml", "document")}, multipart=True),
    Row("GET", M, VIEW, 200),
    Row("POST", M, MANAGE, 202, {"username": "newcomer", "role": "viewer"}),
    Row("GET", M + "{user_id}/", VIEW, 200),
    Row("PUT", M + "{user_id}/", MANAGE, 200, {"role": "editor"}),
    Row("PATCH", M + "{user_id}/", MANAGE, 200, {"role": "editor"}),
    Row("DELETE", M + "{user_id}/", MANAGE, 204),
    Row("GET", "/api/v1/gpts/", VIEW, 200, list_of="gpt"),
    Row("POST", "/api/v1/gpts/", EDIT, 201, {"workspace": "{slug}", "name": "Created"}),
    Row("GET", G, VIEW, 200),
    Row("PUT", G, EDIT, 200, GPT_PUT),
    Row("PATCH", G, EDIT, 200, {"name": "Patched"}),
    Row("DELETE", G, MANAGE, 204),
    Row("GET", G + "validate/", VIEW, 200),
    Row("GET", G + "export/", VIEW, 200, query="target=chatgpt&force=true"),
    Row("GET", G + "migration/", VIEW, 200),
    Row("POST", G + "fetch-profile-picture/", EDIT, 202),
    Row("POST", G + "knowledge-pending-clear/", EDIT, 200, {}),
    Row("GET", K, VIEW, 200),
    Row("POST", K, EDIT, 201, {"file": Upload("new.txt", "knowledge")}, multipart=True),
    Row("GET", K + "{id}/", VIEW, 200),
    Row("DELETE", K + "{id}/", EDIT, 204),
    Row("GET", R, VIEW, 200),
    Row("GET", R + "{number}/", VIEW, 200),
    Row("GET", R + "{number}/diff/", VIEW, 200),
    Row("POST", R + "{number}/restore/", EDIT, 200, {}),
    Row("GET", "/api/v1/actions/", VIEW, 200, list_of="action"),
    Row("POST", "/api/v1/actions/", EDIT, 201, {"gpt": "{gpt_id}", "name": "Created"}),
    Row("POST", "/api/v1/actions/import/", EDIT, 202, {"gpt": "{gpt_id}", "url": "https://example.com/s.json"}),
    Row("GET", A, VIEW, 200),
    Row("PUT", A, EDIT, 200, ACTION_PUT),
    Row("PATCH", A, EDIT, 200, {"name": "Patched"}),
    Row("DELETE", A, EDIT, 204),
    Row("GET", A + "validate/", VIEW, 200),
    Row("GET", A + "operations/", VIEW, 200),
    # As a job whose task is not run: nothing is fetched (the call itself: tests/api/test_action_calls.py).
    Row("POST", A + "call/", EDIT, 202, {"operation": "getCurrent", "arguments": {"city": "Oslo"}}, query="async=true"),
    Row("GET", "/api/v1/jobs/", VIEW, 200, list_of="job"),
    Row("GET", "/api/v1/jobs/{id}/", VIEW, 200),
]
# Not about a workspace: any signed-in user may, and only about their own things (tested in
# test_auth.py and test_actions.py).
UNSCOPED = {
    ("POST", "/api/v1/workspaces/"),
    ("GET", "/api/v1/tokens/"),
    ("POST", "/api/v1/tokens/"),
    ("GET", "/api/v1/tokens/{id}/"),
    ("DELETE", "/api/v1/tokens/{id}/"),
    ("POST", "/api/v1/validate/schema/"),
}
# Routed but left out of the schema on purpose: benchmarks/api.py's trivial view, only routed with
# BENCHMARK_ENDPOINTS=true (any signed-in user; it reads nothing).
UNDOCUMENTED = {("GET", "/api/v1/bench/trivial/")} if settings.BENCHMARK_ENDPOINTS else set()
UNSCOPED |= UNDOCUMENTED
ROLES = ["owner", "editor", "viewer", "outsider"]


def _world():
    owner = UserFactory()
    workspace = make_workspace(owner=owner, name="Matrix")
    gpt = make_gpt(workspace=workspace, actor=owner, name="Matrix GPT")
    # As after a rescue import from ChatGPT: a profile picture address to fetch.
    GPT.objects.filter(pk=gpt.pk).update(chatgpt_profile_picture_url="https://example.com/picture.png")
    action = make_action(gpt, actor=owner)
    knowledge = services.knowledge_file_add(
        gpt=GPT.objects.get(pk=gpt.pk), actor=owner, upload=SimpleUploadedFile("k.txt", b"k")
    )
    job = Job.objects.create(workspace=workspace, gpt=gpt, kind=Job.Kind.SCHEMA_IMPORT)
    target = UserFactory()
    services.membership_set(workspace=workspace, user=target, role="viewer")
    UserFactory(username="newcomer")
    users = {"owner": owner, "outsider": UserFactory()}
    for role in ("editor", "viewer"):
        users[role] = UserFactory()
        services.membership_set(workspace=workspace, user=users[role], role=role)
    gpt.refresh_from_db()
    return {
        "users": users,
        "workspace": workspace,
        "gpt": gpt,
        "action": action,
        "job": job,
        "knowledge": knowledge,
        "files": {"knowledge": b"new", "document": render_document(gpt_document(gpt), "yaml").encode()},
        "fill": {
            "slug": workspace.slug,
            "workspace_slug": workspace.slug,
            "gpt_id": gpt.pk,
            "user_id": target.pk,
            "number": 1,
        },
    }


def _url(row, world):
    ids = {
        W: {},
        G: {"id": world["gpt"].pk},
        A: {"id": world["action"].pk},
    }
    fill = dict(world["fill"])
    for prefix, extra in ids.items():
        if row.path.startswith(prefix):
            fill.update(extra)
    if row.path.startswith(K):
        fill["id"] = world["knowledge"].pk
    if row.path.startswith("/api/v1/jobs/"):
        fill["id"] = world["job"].pk
    url = row.path.format(**fill)
    return f"{url}?{row.query}" if row.query else url


def _body(row, world):
    if row.multipart:
        return {
            key: SimpleUploadedFile(value.name, world["files"][value.content]) if isinstance(value, Upload) else value
            for key, value in row.body.items()
        }
    if isinstance(row.body, dict):
        fill = world["fill"]
        return {k: fill.get(v[1:-1], v) if isinstance(v, str) and v.startswith("{") else v for k, v in row.body.items()}
    return row.body


def _current_etag(row, world) -> str:
    """The version a change starts from: the action's for an action, else its GPT's; `*` for a
    workspace or a member, which have none (a tag there matches nothing: 412)."""
    if row.path.startswith("/api/v1/workspaces/"):
        return "*"
    versioned = world["action"] if row.path.startswith(A) else world["gpt"]
    versioned.refresh_from_db()
    return f'"{versioned.version}"'


def _snapshot():
    """What a refused request must leave unchanged."""
    return (
        list(GPT.objects.values_list("pk", "version", "name")),
        KnowledgeFile.objects.count(),
        sorted(services.Membership.objects.values_list("user_id", "role")),
        list(services.Workspace.objects.values_list("name", flat=True)),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", MATRIX, ids=str)
def test_permission_matrix(db, row, role, monkeypatch):
    from actions import tasks

    monkeypatch.setattr(tasks.schema_import_task, "delay", lambda job_id: None)  # Nothing is fetched.
    monkeypatch.setattr(tasks.action_call_task, "delay", lambda job_id: None)
    world = _world()
    client = SecretGuardClient()
    client.force_authenticate(world["users"][role])
    before = _snapshot()
    kwargs = {"format": "multipart" if row.multipart else "json"}
    body = _body(row, world)
    if body is not None:
        kwargs["data"] = body
    if row.method in ("PUT", "PATCH", "DELETE"):
        kwargs["HTTP_IF_MATCH"] = _current_etag(row, world)  # A change names its version (else 428).
    response = getattr(client, row.method.lower())(_url(row, world), **kwargs)

    if row.list_of:
        assert response.status_code == 200
        listed = {item["slug"] if row.list_of == "workspace" else item["id"] for item in response.json()["results"]}
        obj = world[row.list_of]
        key = obj.slug if row.list_of == "workspace" else obj.pk
        assert (key in listed) == (role != "outsider")
    elif role == "outsider":
        assert response.status_code == 404, response.content
        assert _snapshot() == before
    elif allows(role, row.needed):
        assert response.status_code == row.success, response.content
    else:
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "permission_denied"
        assert _snapshot() == before


# Methods every route answers without an endpoint's own handler: HEAD runs the GET handler (the
# GET row covers it), OPTIONS is the metadata (a read for every member, listing the writes the
# role allows: test_options_is_a_read_that_offers_only_the_writes_the_role_allows).
FRAMEWORK_METHODS = {"HEAD", "OPTIONS"}


def routed_operations() -> set[tuple[str, str]]:
    """Every (method, path) the API's URL resolver routes under /api/v1/, whether the OpenAPI
    schema shows it or not, with paths spelt as in the schema: `(?P<pk>...)` becomes `{id}`."""
    import re

    from django.urls import URLResolver, get_resolver

    prefix, v1 = get_resolver().namespace_dict["v1"]

    def walk(patterns, route):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route + str(pattern.pattern))
            else:
                yield route + str(pattern.pattern), pattern.callback

    operations = set()
    for route, callback in walk(v1.url_patterns, "/" + prefix):
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route.replace("^", "").replace("$", "")).replace("{pk}", "{id}")
        actions = getattr(callback, "actions", None)  # a viewset route: method -> action
        if actions is not None:
            methods = set(actions)
        else:  # an APIView: the handlers it defines
            view = callback.view_class
            methods = {m for m in view.http_method_names if m not in ("head", "options") and hasattr(view, m)}
        operations |= {(method.upper(), path) for method in methods if method.upper() not in FRAMEWORK_METHODS}
    return operations


def test_the_matrix_covers_every_routed_endpoint():
    """From the URL resolver, not the schema: an endpoint left out of the schema cannot escape."""
    routed = routed_operations()
    assert len(routed) > 40  # The enumeration found the API (not an empty resolver).
    covered = {(row.method, row.path) for row in MATRIX} | UNSCOPED
    assert routed - covered == set(), "endpoints without a row in the permission matrix"
    assert covered - routed == set(), "rows for endpoints that do not exist"


def test_every_routed_endpoint_is_in_the_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    documented = {
        (method.upper(), path) for path, item in schema["paths"].items() for method in item if method != "parameters"
    }
    assert routed_operations() - UNDOCUMENTED == documented


# Creates that name their workspace in the body: OPTIONS cannot know which one, so it offers the
# write to every member (the POST itself then checks the role there).
WORKSPACE_IN_BODY = {
    ("POST", "/api/v1/gpts/"),
    ("POST", "/api/v1/actions/"),
    ("POST", "/api/v1/actions/import/"),
}


@pytest.mark.parametrize("path", sorted({row.path for row in MATRIX}))
def test_options_is_a_read_that_offers_only_the_writes_the_role_allows(db, path):
    world = _world()
    rows = [row for row in MATRIX if row.path == path]
    url = _url(rows[0], world).partition("?")[0]
    described = {}
    for role in ("owner", "editor", "viewer"):
        client = SecretGuardClient()
        client.force_authenticate(world["users"][role])
        response = client.options(url)
        assert response.status_code == 200, (role, response.content)
        described[role] = response.json().get("actions", {})
        offered = {row.method for row in rows if row.method in ("PUT", "POST") and allows(role, row.needed)}
        offered |= {method for method, other in UNSCOPED | WORKSPACE_IN_BODY if other == path and method == "POST"}
        assert set(described[role]) == offered, role
    if path == W:  # A write is described by the serializer it validates, not the read one.
        assert set(described["owner"]["PUT"]) == {"name"}
