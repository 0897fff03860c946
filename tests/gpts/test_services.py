"""The GPT write path: validation, revisions, conflicts, starters, knowledge files, members."""

import hashlib
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from gpts import services
from gpts.document_schema import DOCUMENT_FORMAT
from gpts.importers import gpt_restore_revision
from gpts.models import GPT, KnowledgeFile, Membership, Revision, Workspace
from gptstudio.errors import EditConflict
from tests.factories import make_action, make_gpt, make_workspace


def test_create_records_revision_one_with_the_document(gpt, user):
    revision = gpt.revisions.get()
    assert (revision.number, revision.author, revision.summary) == (1, user, "Created")
    assert revision.document["format"] == DOCUMENT_FORMAT
    assert revision.document["name"] == "Weather Buddy"
    assert revision.document["conversation_starters"] == ["Hi", "Rain?"]
    assert gpt.version == 1


def test_create_assigns_a_unique_slug(workspace, user):
    first = make_gpt(workspace=workspace, actor=user, name="Travel Pal")
    second = make_gpt(workspace=workspace, actor=user, name="Travel Pal")
    assert (first.slug, second.slug) == ("travel-pal", "travel-pal-2")


def test_a_taken_slug_is_refused_on_the_slug_field(workspace, user, gpt):
    other = make_gpt(workspace=workspace, actor=user, name="Other")
    message = "Another GPT in this workspace already uses the slug “weather-buddy”; choose another."
    with pytest.raises(ValidationError) as excinfo:
        services.gpt_create(workspace=workspace, actor=user, name="Copy", slug="weather-buddy")
    assert excinfo.value.message_dict == {"slug": [message]}
    with pytest.raises(ValidationError) as excinfo:
        services.gpt_update(gpt=other, actor=user, expected_version=1, slug="weather-buddy")
    assert excinfo.value.message_dict == {"slug": [message]}
    assert GPT.objects.get(pk=other.pk).slug == "other"
    assert GPT.objects.count() == 2


def test_a_gpt_may_keep_its_own_slug_and_reuse_one_from_another_workspace(gpt, user, other_user):
    services.gpt_update(gpt=gpt, actor=user, expected_version=1, slug="weather-buddy", name="Renamed")
    elsewhere = make_workspace(owner=other_user, name="Elsewhere")
    assert services.gpt_create(workspace=elsewhere, actor=other_user, name="W", slug="weather-buddy").slug == (
        "weather-buddy"
    )


@pytest.mark.parametrize("slug", sorted(services.RESERVED_SLUGS))
def test_reserved_slugs_are_refused_when_given_explicitly(workspace, user, gpt, slug):
    message = f"“{slug}” is reserved for a page of the studio; choose another slug."
    with pytest.raises(ValidationError) as excinfo:
        services.gpt_create(workspace=workspace, actor=user, name="Paths", slug=slug)
    assert excinfo.value.message_dict == {"slug": [message]}
    with pytest.raises(ValidationError) as excinfo:
        services.gpt_update(gpt=gpt, actor=user, expected_version=1, slug=slug)
    assert excinfo.value.message_dict == {"slug": [message]}
    assert list(GPT.objects.values_list("slug", flat=True)) == ["weather-buddy"]


@pytest.mark.parametrize("slug", ["-", "--", "Weather", "a b", "-edge", "edge-", "café", "_x"])
def test_slugs_that_are_not_one_clean_url_segment_are_refused(workspace, user, slug):
    with pytest.raises(ValidationError) as excinfo:
        services.gpt_create(workspace=workspace, actor=user, name="Odd", slug=slug)
    assert list(excinfo.value.message_dict) == ["slug"]
    assert excinfo.value.message_dict["slug"][0].startswith(f"“{slug}” is not a valid slug")
    assert not GPT.objects.exists()


def test_update_without_an_int_version_is_a_programming_error(gpt, user):
    for version in (None, "1", True):
        with pytest.raises(TypeError, match="expected_version must be the version"):
            services.gpt_update(gpt=gpt, actor=user, expected_version=version, name="Blind")
    with pytest.raises(TypeError):
        gpt_restore_revision(gpt=gpt, revision=gpt.revisions.get(), actor=user, expected_version=None)
    assert GPT.objects.get(pk=gpt.pk).name == "Weather Buddy"


def test_update_bumps_version_and_records_what_changed(gpt, user):
    updated = services.gpt_update(gpt=gpt, actor=user, expected_version=1, name="Weather Pal", instructions="Be brief.")
    assert updated.version == 2
    revision = updated.revisions.first()
    assert revision.number == 2
    assert revision.summary == "Changed name; Changed instructions"
    assert revision.document["instructions"] == "Be brief."
    assert GPT.objects.get(pk=gpt.pk).updated_by == user


def test_update_that_changes_nothing_records_no_revision(gpt, user):
    services.gpt_update(gpt=gpt, actor=user, expected_version=1, name="Weather Buddy")
    assert GPT.objects.get(pk=gpt.pk).version == 1
    assert gpt.revisions.count() == 1


def test_stale_update_is_refused_and_writes_nothing(gpt, user):
    services.gpt_update(gpt=gpt, actor=user, expected_version=1, name="First writer")
    with pytest.raises(EditConflict) as excinfo:
        services.gpt_update(gpt=gpt, actor=user, expected_version=1, name="Second writer")
    assert excinfo.value.current_version == 2
    stored = GPT.objects.get(pk=gpt.pk)
    assert (stored.name, stored.version) == ("First writer", 2)
    assert gpt.revisions.count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "x" * 501}, "name"),
        ({"name": "   "}, "name"),
        ({"description": "d" * 3001}, "description"),
        ({"visibility": "everyone"}, "visibility"),
        ({"instructions": "i" * 100_001}, "instructions"),
    ],
)
def test_invalid_fields_are_refused_with_a_field_message_and_change_nothing(gpt, user, fields, field):
    with pytest.raises(ValidationError) as excinfo:
        services.gpt_update(gpt=gpt, actor=user, expected_version=1, **fields)
    assert field in excinfo.value.message_dict
    stored = GPT.objects.get(pk=gpt.pk)
    assert (stored.name, stored.version, stored.visibility) == ("Weather Buddy", 1, "invite_only")
    assert gpt.revisions.count() == 1


def test_instructions_over_chatgpts_limit_are_kept_as_a_draft(gpt, user):
    long_text = "x" * 9000
    updated = services.gpt_update(gpt=gpt, actor=user, expected_version=1, instructions=long_text)
    assert len(updated.instructions) == 9000


def test_invalid_create_writes_nothing(workspace, user):
    with pytest.raises(ValidationError):
        services.gpt_create(workspace=workspace, actor=user, name="ok", visibility="public")
    assert not GPT.objects.exists()
    assert not Revision.objects.exists()


def test_starters_keep_order_drop_blanks_and_cap_at_twelve(gpt, user):
    updated = services.gpt_update(
        gpt=gpt, actor=user, expected_version=1, conversation_starters=[" b ", "", "a", "   ", "c"]
    )
    assert [s.text for s in updated.conversation_starters.all()] == ["b", "a", "c"]
    assert updated.revisions.first().summary == "Changed conversation starters"
    with pytest.raises(ValidationError) as excinfo:
        services.gpt_update(gpt=gpt, actor=user, expected_version=2, conversation_starters=[str(i) for i in range(13)])
    assert "conversation_starters" in excinfo.value.message_dict
    assert [s.text for s in GPT.objects.get(pk=gpt.pk).conversation_starters.all()] == ["b", "a", "c"]


@pytest.mark.parametrize(
    ("starters", "message"),
    [
        ("Hello there", "Conversation starters must be a list of texts, one per starter."),
        (b"Hello", "Conversation starters must be a list of texts, one per starter."),
        (None, "Conversation starters must be a list of texts, one per starter."),
        ({"a": "b"}, "Conversation starters must be a list of texts, one per starter."),
        (["Fine", 42], "Conversation starter 2 must be text, not int."),
        ([None], "Conversation starter 1 must be text, not NoneType."),
        ([["nested"]], "Conversation starter 1 must be text, not list."),
    ],
)
def test_starters_that_are_not_a_list_of_texts_are_refused(workspace, gpt, user, starters, message):
    with pytest.raises(ValidationError) as excinfo:
        services.gpt_update(gpt=gpt, actor=user, expected_version=1, conversation_starters=starters)
    assert excinfo.value.message_dict == {"conversation_starters": [message]}
    with pytest.raises(ValidationError) as excinfo:
        services.gpt_create(workspace=workspace, actor=user, name="New one", conversation_starters=starters)
    assert excinfo.value.message_dict == {"conversation_starters": [message]}
    assert [s.text for s in GPT.objects.get(pk=gpt.pk).conversation_starters.all()] == ["Hi", "Rain?"]
    assert GPT.objects.count() == 1


def test_capabilities_dict_sets_the_flags(gpt, user):
    updated = services.gpt_update(gpt=gpt, actor=user, expected_version=1, capabilities={"code_interpreter": True})
    assert updated.capabilities["code_interpreter"] is True
    with pytest.raises(ValidationError):
        services.gpt_update(gpt=gpt, actor=user, expected_version=2, capabilities={"memory": True})


def test_delete_removes_gpt_and_revisions(gpt):
    services.gpt_delete(gpt=gpt, expected_version=1)
    assert not GPT.objects.exists()
    assert not Revision.objects.exists()


def test_stale_delete_is_refused(gpt, user):
    services.gpt_update(gpt=gpt, actor=user, expected_version=1, name="Changed")
    with pytest.raises(EditConflict):
        services.gpt_delete(gpt=gpt, expected_version=1)
    assert GPT.objects.filter(pk=gpt.pk).exists()


def test_restore_brings_back_the_whole_revision_as_one_new_revision(gpt, user):
    services.gpt_update(gpt=gpt, actor=user, expected_version=1, name="Renamed", conversation_starters=["Only"])
    make_action(gpt, actor=user)
    first = gpt.revisions.get(number=1)
    restored = gpt_restore_revision(gpt=gpt, revision=first, actor=user, expected_version=3)
    assert restored.version == 4
    assert restored.name == "Weather Buddy"
    assert [s.text for s in restored.conversation_starters.all()] == ["Hi", "Rain?"]
    assert not restored.actions.exists()
    assert restored.revisions.first().summary == "Restored revision 1"
    assert restored.revisions.first().document == first.document


# --- Knowledge files ------------------------------------------------------------------------------


def upload(name="notes.txt", content=b"hello knowledge", content_type="text/plain"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_knowledge_file_records_size_hash_type_and_a_revision(gpt, user):
    knowledge = services.knowledge_file_add(gpt=gpt, actor=user, upload=upload())
    assert (knowledge.name, knowledge.size, knowledge.media_type) == ("notes.txt", 15, "text/plain")
    assert knowledge.sha256 == hashlib.sha256(b"hello knowledge").hexdigest()
    assert knowledge.file.read() == b"hello knowledge"
    gpt.refresh_from_db()
    assert gpt.version == 2
    assert gpt.revisions.first().document["knowledge"][0]["name"] == "notes.txt"


def test_identical_bytes_are_stored_once_and_kept_while_referenced(gpt, user, workspace):
    other = make_gpt(workspace=workspace, actor=user, name="Other")
    first = services.knowledge_file_add(gpt=gpt, actor=user, upload=upload())
    second = services.knowledge_file_add(gpt=other, actor=user, upload=upload("copy.txt"))
    assert first.file.name == second.file.name
    services.knowledge_file_delete(knowledge=first, actor=user)
    assert second.file.storage.exists(second.file.name)


def test_knowledge_file_delete_removes_unreferenced_bytes(gpt, user, django_capture_on_commit_callbacks):
    knowledge = services.knowledge_file_add(gpt=gpt, actor=user, upload=upload())
    storage, stored = knowledge.file.storage, knowledge.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.knowledge_file_delete(knowledge=knowledge, actor=user)
    assert not storage.exists(stored)
    assert gpt.revisions.first().summary == "Removed knowledge file notes.txt"


def test_stale_knowledge_file_delete_is_refused(gpt, user):
    knowledge = services.knowledge_file_add(gpt=gpt, actor=user, upload=upload())
    services.gpt_update(gpt=gpt, actor=user, expected_version=2, name="Changed meanwhile")
    with pytest.raises(EditConflict) as excinfo:
        services.knowledge_file_delete(knowledge=knowledge, actor=user, expected_version=2)
    assert excinfo.value.current_version == 3
    assert KnowledgeFile.objects.filter(pk=knowledge.pk).exists()
    assert knowledge.file.storage.exists(knowledge.file.name)
    assert GPT.objects.get(pk=gpt.pk).version == 3


def test_knowledge_count_limit_is_enforced(gpt, user, monkeypatch):
    from gptstudio import limits

    monkeypatch.setattr(limits, "GPT_KNOWLEDGE_FILES_MAX", limits.Limit(2, "test", "confirmed", "files"))
    services.knowledge_file_add(gpt=gpt, actor=user, upload=upload("a.txt", b"a"))
    services.knowledge_file_add(gpt=gpt, actor=user, upload=upload("b.txt", b"b"))
    with pytest.raises(ValidationError, match="at most 2"):
        services.knowledge_file_add(gpt=gpt, actor=user, upload=upload("c.txt", b"c"))
    assert KnowledgeFile.objects.count() == 2


def test_knowledge_size_limit_is_enforced_and_leaves_no_bytes(gpt, user, monkeypatch, settings):
    from pathlib import Path

    from gptstudio import limits

    monkeypatch.setattr(limits, "GPT_KNOWLEDGE_FILE_MAX_BYTES", limits.Limit(10, "test", "confirmed", "bytes"))
    with pytest.raises(ValidationError, match="512 MB"):
        services.knowledge_file_add(gpt=gpt, actor=user, upload=upload("big.bin", b"x" * 11))
    assert not KnowledgeFile.objects.exists()
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_duplicate_knowledge_name_is_refused_and_new_bytes_are_removed(gpt, user, settings):
    from pathlib import Path

    services.knowledge_file_add(gpt=gpt, actor=user, upload=upload("a.txt", b"first"))
    with pytest.raises(ValidationError) as excinfo:
        services.knowledge_file_add(gpt=gpt, actor=user, upload=upload("a.txt", b"second"))
    assert excinfo.value.message_dict == {
        "name": ["This GPT already has a knowledge file named “a.txt”; rename one of them."]
    }
    assert GPT.objects.get(pk=gpt.pk).version == 2
    files = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].read_bytes() == b"first"


def test_knowledge_name_strips_client_paths(gpt, user):
    knowledge = services.knowledge_file_add(gpt=gpt, actor=user, upload=upload(), name="C:\\Users\\me\\notes.txt")
    assert knowledge.name == "notes.txt"


# --- Workspaces and members ------------------------------------------------------------------------


def test_workspace_create_makes_the_creator_owner(user):
    workspace = make_workspace(owner=user, name="Data Team")
    assert workspace.slug == "data-team"
    assert workspace.memberships.get().role == Membership.Role.OWNER


def test_workspace_name_required(user):
    with pytest.raises(ValidationError) as excinfo:
        services.workspace_create(name="  ", owner=user)
    assert "name" in excinfo.value.message_dict
    assert not Workspace.objects.exists()


@pytest.mark.parametrize("slug", ["-", "---", "_", "Data-Team", "data team", "-data", "données"])
def test_workspace_slugs_that_are_not_clean_url_segments_are_refused(user, slug):
    with pytest.raises(ValidationError) as excinfo:
        services.workspace_create(name="Data Team", owner=user, slug=slug)
    assert list(excinfo.value.message_dict) == ["slug"]
    assert "is not a valid slug" in excinfo.value.message_dict["slug"][0]
    assert not Workspace.objects.exists()


def test_workspace_slug_given_explicitly_must_be_free(user, other_user):
    services.workspace_create(name="Data Team", owner=user, slug="data")
    with pytest.raises(ValidationError) as excinfo:
        services.workspace_create(name="Other Data", owner=other_user, slug="data")
    assert excinfo.value.message_dict == {"slug": ["Another workspace already uses the slug “data”; choose another."]}
    # A clean explicit slug is kept as given; page segments are fine for workspaces (`/w/<slug>/`).
    assert services.workspace_create(name="X", owner=user, slug="new").slug == "new"


def test_workspace_delete_removes_its_knowledge_bytes_after_commit(
    workspace, gpt, user, other_user, django_capture_on_commit_callbacks
):
    only_here = services.knowledge_file_add(gpt=gpt, actor=user, upload=upload("a.txt", b"only in this workspace"))
    shared = services.knowledge_file_add(gpt=gpt, actor=user, upload=upload("b.txt", b"shared bytes"))
    elsewhere = make_gpt(workspace=make_workspace(owner=other_user, name="Elsewhere"), actor=other_user)
    kept = services.knowledge_file_add(gpt=elsewhere, actor=other_user, upload=upload("c.txt", b"shared bytes"))
    storage = only_here.file.storage
    assert shared.file.name == kept.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.workspace_delete(workspace=workspace)
    assert storage.exists(only_here.file.name)  # nothing removed before the commit
    for callback in callbacks:
        callback()
    assert not storage.exists(only_here.file.name)
    assert storage.exists(kept.file.name)
    assert kept.file.read() == b"shared bytes"
    assert not Workspace.objects.filter(pk=workspace.pk).exists()


def test_membership_roles_and_last_owner_protection(workspace, user, other_user):
    services.membership_set(workspace=workspace, user=other_user, role="editor")
    assert workspace.memberships.get(user=other_user).role == "editor"
    with pytest.raises(ValidationError, match="at least one owner"):
        services.membership_set(workspace=workspace, user=user, role="viewer")
    with pytest.raises(ValidationError, match="at least one owner"):
        services.membership_remove(workspace=workspace, user=user)
    services.membership_set(workspace=workspace, user=other_user, role="owner")
    services.membership_remove(workspace=workspace, user=user)
    assert list(workspace.memberships.values_list("user", flat=True)) == [other_user.pk]


def test_unknown_role_is_refused_by_the_service(workspace, other_user):
    with pytest.raises(ValidationError) as excinfo:
        services.membership_set(workspace=workspace, user=other_user, role="admin")
    assert "role" in excinfo.value.message_dict


# --- Concurrency against a real database server ----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_updates_from_the_same_version_let_exactly_one_win(user):
    workspace = make_workspace(owner=user)
    gpt = make_gpt(workspace=workspace, actor=user)
    barrier = threading.Barrier(6)
    outcomes = []

    def writer(n):
        try:
            barrier.wait()
            services.gpt_update(gpt=GPT.objects.get(pk=gpt.pk), actor=user, expected_version=1, name=f"Writer {n}")
            outcomes.append(("ok", n))
        except EditConflict:
            outcomes.append(("conflict", n))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [n for status, n in outcomes if status == "ok"]
    assert len(winners) == 1, outcomes
    stored = GPT.objects.get(pk=gpt.pk)
    assert stored.name == f"Writer {winners[0]}"
    assert stored.version == 2
    assert list(stored.revisions.values_list("number", flat=True)) == [2, 1]


@pytest.mark.parametrize("name", [".", ".."])
def test_knowledge_names_that_are_path_steps_are_refused(gpt, user, name):
    with pytest.raises(ValidationError) as excinfo:
        services.knowledge_file_add(gpt=gpt, actor=user, upload=upload(), name=name)
    assert "name" in excinfo.value.message_dict
    assert not KnowledgeFile.objects.exists()
