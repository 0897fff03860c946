import pytest
from django.http import Http404

from gpts import selectors, services
from gpts.permissions import Access, AccessDenied, check_access
from tests.factories import make_gpt, make_workspace


def test_roles_map_to_access(workspace, user, other_user):
    assert check_access(user, workspace, Access.MANAGE) == "owner"
    services.membership_set(workspace=workspace, user=other_user, role="viewer")
    assert check_access(other_user, workspace, Access.VIEW) == "viewer"
    with pytest.raises(AccessDenied):
        check_access(other_user, workspace, Access.EDIT)
    services.membership_set(workspace=workspace, user=other_user, role="editor")
    assert check_access(other_user, workspace, Access.EDIT) == "editor"
    with pytest.raises(AccessDenied):
        check_access(other_user, workspace, Access.MANAGE)


def test_non_members_get_404(workspace, other_user):
    with pytest.raises(Http404):
        check_access(other_user, workspace, Access.VIEW)


def test_gpt_list_is_scoped_to_the_users_workspaces(gpt, other_user):
    foreign = make_gpt(workspace=make_workspace(owner=other_user, name="Theirs"), actor=other_user, name="Secret")
    assert list(selectors.gpt_list(user=gpt.created_by)) == [gpt]
    assert list(selectors.gpt_list(user=other_user)) == [foreign]
    with pytest.raises(Http404):
        selectors.gpt_get(user=other_user, workspace_slug=gpt.workspace.slug, gpt_slug=gpt.slug)


def test_gpt_list_filters_and_search(workspace, user):
    a = make_gpt(workspace=workspace, actor=user, name="Alpha", instructions="talks about rain", visibility="link")
    b = make_gpt(workspace=workspace, actor=user, name="Beta", capabilities={"code_interpreter": True})
    assert list(selectors.gpt_list(user=user, search="rain")) == [a]
    assert list(selectors.gpt_list(user=user, visibility="link")) == [a]
    assert list(selectors.gpt_list(user=user, capability="code_interpreter")) == [b]
    assert list(selectors.gpt_list(user=user, ordering="-name")) == [b, a]


@pytest.mark.parametrize("rows", [2, 12])
def test_gpt_list_query_count_is_constant(workspace, user, rows, django_assert_max_num_queries):
    for i in range(rows):
        make_gpt(workspace=workspace, actor=user, name=f"GPT {i}")
    with django_assert_max_num_queries(1):
        items = [
            (g.name, g.workspace.name, g.updated_by.username, g.action_count) for g in selectors.gpt_list(user=user)
        ]
    assert len(items) == rows


def test_workspaces_for_annotates_role_and_counts(gpt, user):
    [workspace] = selectors.workspaces_for(user)
    assert (workspace.user_role, workspace.member_count, workspace.gpt_count) == ("owner", 1, 1)


def test_the_export_read_decrypts_no_secret_and_the_export_needs_no_further_query(
    workspace, user, monkeypatch, django_assert_num_queries
):
    import io

    from gpts.exporters import gpt_export
    from gpts.models import GPT
    from gpts.validation import validate_gpt
    from gptstudio import encryption
    from tests.factories import make_rich_gpt

    rich = make_rich_gpt(workspace, user, api_key="sk-stored", client_secret="cs-stored")
    expected = {}
    for target in ("chatgpt", "document"):
        buffer = io.BytesIO()
        gpt_export(gpt=GPT.objects.get(pk=rich.pk), target=target).write_to(buffer)
        expected[target] = buffer.getvalue()
    decrypted = []
    monkeypatch.setattr(encryption, "decrypt", lambda token: decrypted.append(token) or "")
    with django_assert_num_queries(4):  # the GPT with its workspace, starters, knowledge, actions
        gpt = selectors.gpt_with_document(workspace_slug=workspace.slug, gpt_slug=rich.slug)
    with django_assert_num_queries(0):  # secrets deferred and never read: no query per action
        assert validate_gpt(gpt, secrets=False).valid  # as the exporters validate
        for target in ("chatgpt", "document"):
            buffer = io.BytesIO()
            gpt_export(gpt=gpt, target=target).write_to(buffer)
            assert buffer.getvalue() == expected[target]
    with django_assert_num_queries(1):  # whether the secrets are stored: one query for all actions
        assert validate_gpt(gpt).valid
    assert decrypted == []


def test_the_export_read_of_an_unknown_gpt_is_none(gpt):
    assert selectors.gpt_with_document(workspace_slug=gpt.workspace.slug, gpt_slug="no-such-gpt") is None
    assert selectors.gpt_with_document(workspace_slug="no-such-workspace", gpt_slug=gpt.slug) is None


def _export_read_fixture(workspace, user, *, extra_actions: int = 0):
    """A rich GPT whose rows were written out of their document order: actions moved by position,
    knowledge files added in reverse name order (the read must order them, not the insert order)."""
    from django.core.files.base import ContentFile

    from actions.models import Action
    from actions.services import action_create
    from tests.factories import make_rich_gpt

    rich = make_rich_gpt(workspace, user, api_key="sk-stored", client_secret="cs-stored")
    for index in range(extra_actions):
        action_create(
            gpt=rich,
            actor=user,
            name=f"Extra {index}",
            schema_text='{"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, '
            f'"servers": [{{"url": "https://api{index}.extra.example"}}], "paths": {{}}}}',
        )
    first = Action.objects.filter(gpt=rich).order_by("position", "id").first()
    Action.objects.filter(pk=first.pk).update(position=99)  # the first action created is now the last
    for name in ("zeta.txt", "alpha.txt"):
        services.knowledge_file_add(gpt=rich, actor=user, upload=ContentFile(name.encode(), name=name))
    return rich


def test_the_export_read_gives_the_same_document_as_the_related_managers(workspace, user):
    from gpts.document.build import gpt_document
    from gpts.models import GPT
    from gpts.validation import validate_gpt

    rich = _export_read_fixture(workspace, user)
    plain = GPT.objects.get(pk=rich.pk)  # no prefetch: every related manager queries
    gpt = selectors.gpt_with_document(workspace_slug=workspace.slug, gpt_slug=rich.slug)
    assert gpt_document(gpt) == gpt_document(plain)
    assert [k["name"] for k in gpt_document(gpt)["knowledge"]] == ["alpha.txt", "zeta.txt"]
    assert gpt_document(gpt)["actions"][-1]["name"] == "Weather"  # moved to position 99
    assert validate_gpt(gpt).as_dict() == validate_gpt(plain).as_dict()
    for field in GPT._meta.concrete_fields:
        assert getattr(gpt, field.attname) == getattr(plain, field.attname), field.name
    assert (gpt.workspace.pk, gpt.workspace.name, gpt.workspace.slug) == (workspace.pk, workspace.name, workspace.slug)
    assert gpt.workspace.created_at == workspace.created_at  # not read for an export: loaded on access


def test_the_export_read_loads_no_secret_column(workspace, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rich = _export_read_fixture(workspace, user)
    with CaptureQueriesContext(connection) as queries:
        gpt = selectors.gpt_with_document(workspace_slug=workspace.slug, gpt_slug=rich.slug)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "api_key" in sql  # the non-secret api_key_* columns are read...
    assert '"api_key"' not in sql and "oauth_client_secret" not in sql  # ...the secrets are not
    for action in gpt.actions.all():
        assert {"api_key", "oauth_client_secret"} <= action.get_deferred_fields()


def test_the_export_read_fills_the_related_caches(workspace, user, django_assert_num_queries):
    rich = _export_read_fixture(workspace, user)
    gpt = selectors.gpt_with_document(workspace_slug=workspace.slug, gpt_slug=rich.slug)
    with django_assert_num_queries(0):
        actions = list(gpt.actions.all())
        assert all(action.gpt is gpt for action in actions)  # as after prefetch_related
        assert [s.text for s in gpt.conversation_starters.all()] == ["What's on today?", "Plan my week", "Yes"]
        assert len(gpt.knowledge_files.all()) == 2
        assert gpt.workspace.slug == workspace.slug
    # Anything but all() still queries the database.
    assert list(gpt.actions.filter(name="Notes")) == [a for a in actions if a.name == "Notes"]


@pytest.mark.parametrize("extra_actions", [0, 7])
def test_the_export_read_query_count_is_constant(workspace, user, extra_actions, django_assert_max_num_queries):
    import io

    from gpts.exporters import gpt_export

    rich = _export_read_fixture(workspace, user, extra_actions=extra_actions)
    with django_assert_max_num_queries(4):  # the GPT with its workspace, starters, knowledge, actions
        gpt = selectors.gpt_with_document(workspace_slug=workspace.slug, gpt_slug=rich.slug)
    with django_assert_max_num_queries(0):
        gpt_export(gpt=gpt, target="chatgpt", force=True).write_to(io.BytesIO())
    assert len(gpt.actions.all()) == 3 + extra_actions
