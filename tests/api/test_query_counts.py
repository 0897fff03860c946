"""Every list endpoint (and the GPT detail) runs the same number of queries whatever the number
of rows: measured at two sizes with django_assert_max_num_queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gpts import services
from gpts.models import Job
from gptstudio.services import token_create
from tests.factories import UserFactory, make_action, make_gpt, make_workspace

# Session (force_authenticate: 0) + membership/role checks + the count + the page.
LISTS = {
    "/api/v1/workspaces/": 3,
    "/api/v1/gpts/": 3,
    "/api/v1/gpts/?search=gpt&has_errors=false&ordering=-updated&capability=canvas": 3,
    "/api/v1/actions/": 3,
    "/api/v1/jobs/": 4,  # + failing stale jobs (services.jobs_fail_stale)
    "/api/v1/tokens/": 3,
    "/api/v1/workspaces/acme/members/": 5,
    "/api/v1/gpts/{gpt}/knowledge/": 4,
    "/api/v1/gpts/{gpt}/revisions/": 4,
}


def _populate(workspace, user, rows):
    first = None
    for i in range(rows):
        gpt = make_gpt(workspace=workspace, actor=user, name=f"GPT {i}", conversation_starters=["a", "b"])
        make_action(gpt, actor=user, api_key="k", auth_type="api_key", api_key_auth_type="bearer")
        Job.objects.create(workspace=workspace, gpt=gpt, kind=Job.Kind.SCHEMA_IMPORT, created_by=user)
        services.membership_set(workspace=workspace, user=UserFactory(), role="viewer")
        token_create(user=user, name=f"t{i}")
        make_workspace(owner=user, name=f"Team {i}")
        first = first or gpt
    for i in range(rows):
        services.knowledge_file_add(
            gpt=first.__class__.objects.get(pk=first.pk),
            actor=user,
            upload=SimpleUploadedFile(f"f{i}.txt", f"file {i}".encode()),
        )
    return first


@pytest.mark.parametrize("rows", [2, 12])
@pytest.mark.parametrize("url, queries", LISTS.items())
def test_list_query_count_is_constant(api, workspace, user, rows, url, queries, django_assert_max_num_queries):
    first = _populate(workspace, user, rows)
    with django_assert_max_num_queries(queries):
        response = api.get(url.format(gpt=first.pk))
    assert response.status_code == 200
    assert response.json()["count"] >= rows


@pytest.mark.parametrize("rows", [1, 8])
def test_gpt_detail_query_count_is_constant(api, workspace, user, rows, django_assert_max_num_queries):
    gpt = make_gpt(workspace=workspace, actor=user, name="Big", conversation_starters=[f"s{i}" for i in range(rows)])
    for i in range(rows):
        make_action(gpt, actor=user, name=f"A{i}")
        services.knowledge_file_add(
            gpt=gpt.__class__.objects.get(pk=gpt.pk), actor=user, upload=SimpleUploadedFile(f"{i}.txt", b"x" * i)
        )
    # The GPT with its workspace and your role, then its starters, files and actions.
    with django_assert_max_num_queries(4):
        response = api.get(f"/api/v1/gpts/{gpt.pk}/")
    assert len(response.json()["actions"]) == rows


@pytest.mark.parametrize("rows", [1, 8])
def test_token_clients_add_one_query(bearer_client, workspace, user, rows, django_assert_max_num_queries):
    _populate(workspace, user, rows)
    client = bearer_client(user)
    client.get("/api/v1/gpts/")  # The first use records last_used_at; later ones within a minute do not.
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/gpts/").status_code == 200


def test_every_page_is_counted_and_a_page_past_the_end_is_not_found(api, workspace, user):
    _populate(workspace, user, 5)
    names = [g["name"] for g in api.get("/api/v1/gpts/?page_size=50").json()["results"]]
    pages = [api.get(f"/api/v1/gpts/?page_size=2&page={n}").json() for n in (1, 2, 3)]
    assert [p["count"] for p in pages] == [5, 5, 5]
    assert [g["name"] for p in pages for g in p["results"]] == names
    last = api.get("/api/v1/gpts/?page_size=2&page=last").json()
    assert [g["name"] for g in last["results"]] == names[4:]
    assert api.get("/api/v1/gpts/?page_size=2&page=4").status_code == 404
    assert api.get("/api/v1/gpts/?page_size=5&page=2").status_code == 404
    assert api.get("/api/v1/gpts/?page=999999999999999999").status_code == 404
    empty = api.get("/api/v1/gpts/?search=nothing-matches").json()
    assert (empty["count"], empty["results"]) == (0, [])
