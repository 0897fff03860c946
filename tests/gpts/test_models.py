"""Database constraints hold even when code bypasses the services."""

import pytest
from django.db import IntegrityError, transaction

from actions.models import Action
from gpts.models import GPT, ConversationStarter, KnowledgeFile, Membership, Revision
from gptstudio import limits


def assert_refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_slug_is_unique_per_workspace(gpt):
    assert_refused(lambda: GPT.objects.create(workspace=gpt.workspace, name="Other", slug=gpt.slug))


def test_same_slug_in_another_workspace_is_fine(gpt, other_user):
    from tests.factories import make_workspace

    other = make_workspace(owner=other_user, name="Other")
    GPT.objects.create(workspace=other, name="Copy", slug=gpt.slug)


def test_unknown_visibility_is_refused_by_the_database(gpt):
    assert_refused(lambda: GPT.objects.filter(pk=gpt.pk).update(visibility="everyone"))


def test_membership_is_unique_per_user_and_workspace(workspace, user):
    assert_refused(lambda: Membership.objects.create(workspace=workspace, user=user, role="viewer"))


def test_unknown_role_is_refused(workspace, other_user):
    assert_refused(lambda: Membership.objects.create(workspace=workspace, user=other_user, role="admin"))


def test_starter_positions_are_unique_and_bounded(gpt):
    assert_refused(lambda: ConversationStarter.objects.create(gpt=gpt, position=0, text="dup"))
    assert_refused(lambda: ConversationStarter.objects.create(gpt=gpt, position=12, text="thirteenth"))


def test_api_key_auth_without_key_type_is_refused_by_the_database(action):
    assert_refused(lambda: Action.objects.filter(pk=action.pk).update(auth_type="api_key", api_key_auth_type=""))


def test_custom_api_key_without_header_is_refused_by_the_database(action):
    assert_refused(
        lambda: Action.objects.filter(pk=action.pk).update(
            auth_type="api_key", api_key_auth_type="custom", api_key_custom_header=""
        )
    )


def test_oauth_without_token_url_is_refused_by_the_database(action):
    assert_refused(
        lambda: Action.objects.filter(pk=action.pk).update(
            auth_type="oauth", oauth_client_id="id", oauth_authorization_url="https://a.example.com", oauth_token_url=""
        )
    )


def test_lists_have_a_stable_default_order(workspace, user):
    from tests.factories import make_gpt

    make_gpt(workspace=workspace, actor=user, name="beta")
    make_gpt(workspace=workspace, actor=user, name="Alpha")
    assert [g.name for g in GPT.objects.filter(workspace=workspace)] == ["Alpha", "beta"]


def knowledge_row(gpt, **fields):
    values = {
        "name": "notes.txt",
        "file": "knowledge/ab/abc",
        "size": 1,
        "sha256": "a" * 64,
        "media_type": "text/plain",
    }
    return KnowledgeFile.objects.create(gpt=gpt, **{**values, **fields})


def test_knowledge_names_are_unique_per_gpt(gpt, workspace, user):
    from tests.factories import make_gpt

    knowledge_row(gpt)
    assert_refused(lambda: knowledge_row(gpt))
    knowledge_row(make_gpt(workspace=workspace, actor=user, name="Other"))  # another GPT may reuse it


def test_knowledge_size_is_capped_by_the_database(gpt):
    maximum = limits.GPT_KNOWLEDGE_FILE_MAX_BYTES.value
    knowledge_row(gpt, name="at-limit.bin", size=maximum)
    assert_refused(lambda: knowledge_row(gpt, name="over.bin", size=maximum + 1))


def test_revision_numbers_are_unique_per_gpt(gpt, workspace, user):
    from tests.factories import make_gpt

    assert_refused(lambda: Revision.objects.create(gpt=gpt, number=1, snapshot={}))
    other = make_gpt(workspace=workspace, actor=user, name="Other")
    assert other.revisions.get().number == 1  # the same number on another GPT is fine


def test_action_slugs_are_unique_per_gpt(action, workspace, user):
    from tests.factories import make_gpt

    assert_refused(lambda: Action.objects.create(gpt=action.gpt, name="Copy", slug=action.slug, schema=action.schema))
    other = make_gpt(workspace=workspace, actor=user, name="Other")
    Action.objects.create(gpt=other, name="Copy", slug=action.slug, schema=action.schema)


def test_unknown_schema_format_is_refused_by_the_database(action):
    assert_refused(lambda: Action.objects.filter(pk=action.pk).update(schema_format="toml"))
