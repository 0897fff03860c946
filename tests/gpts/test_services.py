"""The GPT write path: validation, revisions, conflicts, starters, knowledge files, members."""

import hashlib
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from gpts import services
from gpts.document import DOCUMENT_FORMAT
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
        ({"name": "x" * 51}, "name"),
        ({"name": "   "}, "name"),
        ({"description": "d" * 301}, "description"),
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
    restored = services.gpt_restore_revision(gpt=gpt, revision=first, actor=user, expected_version=3)
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
    with pytest.raises(ValidationError):
        services.knowledge_file_add(gpt=gpt, actor=user, upload=upload("a.txt", b"second"))
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
