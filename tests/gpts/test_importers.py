"""gpt_apply_document: documents into GPTs (new or new revision), atomically, losslessly."""

import copy
import hashlib

import pytest
from django.core.files.base import ContentFile

from actions.models import Action
from gpts import services
from gpts.document.build import gpt_document
from gpts.importers import DocumentRejected, SecretToEnter, gpt_apply_document, gpt_restore_revision
from gpts.models import GPT, KnowledgeFile, Revision
from gptstudio.errors import EditConflict
from tests.factories import make_action, make_rich_gpt, make_workspace


@pytest.fixture
def rich(workspace, user):
    return make_rich_gpt(workspace, user, api_key="sk-known", client_secret="cs-known")


def apply(document, workspace, user, gpt=None, **kwargs):
    return gpt_apply_document(gpt_or_none=gpt, workspace=workspace, document=document, actor=user, **kwargs)


def test_a_document_becomes_a_new_gpt_with_one_revision(rich, workspace, user):
    document = gpt_document(rich)
    outcome = apply(document, workspace, user)
    gpt = outcome.gpt
    assert outcome.created and gpt.pk != rich.pk and gpt.slug == "planner-2"
    assert gpt_document(gpt) == document
    assert (gpt.version, outcome.revision.number, outcome.revision.summary) == (1, 1, "Imported")
    assert list(gpt.revisions.values_list("number", flat=True)) == [1]
    assert outcome.revision.document == document
    assert outcome.secrets_to_enter == [SecretToEnter("Calendar", "API Key"), SecretToEnter("Notes", "Client Secret")]
    notices = [f for f in outcome.findings if f.code == "import.secret_to_enter"]
    assert [f.pointer for f in notices] == ["/actions/1/authentication", "/actions/2/authentication"]


def test_a_document_over_chatgpts_name_limit_imports_as_a_draft_with_its_finding(rich, workspace, user):
    from gptstudio import limits

    document = gpt_document(rich) | {"name": "N" * (limits.GPT_NAME_MAX_LENGTH.value + 10)}
    outcome = apply(document, workspace, user)
    assert outcome.gpt.name == document["name"]
    assert "gpt.name.too_long" in [f.code for f in outcome.findings]

    document["name"] = "N" * (limits.STUDIO_NAME_HARD_MAX_LENGTH + 1)  # More than the database holds.
    with pytest.raises(DocumentRejected):
        apply(document, workspace, user)


def test_reimporting_the_same_document_changes_nothing(rich, workspace, user):
    outcome = apply(gpt_document(rich), workspace, user, gpt=rich, expected_version=rich.version)
    assert outcome.revision is None
    assert GPT.objects.get(pk=rich.pk).version == rich.version
    assert outcome.secrets_to_enter == []  # the stored secrets were kept


def test_a_new_version_updates_matches_by_name_creates_and_removes_in_one_revision(rich, workspace, user):
    document = gpt_document(rich)
    before = rich.version
    calendar_id = rich.actions.get(name="Calendar").pk
    document["name"] = "Planner Pro"
    document["conversation_starters"] = ["Only one"]
    weather, calendar, _notes = document["actions"]
    calendar["privacy_policy_url"] = "https://calendar.example.org/privacy-v2"
    new = copy.deepcopy(weather) | {"name": "Weather Two"}
    new["schema"] = new["schema"].replace("api.weather.example.com", "api2.weather.example.com")
    new["domain"] = "api2.weather.example.com"
    document["actions"] = [calendar, new, weather]

    outcome = apply(document, workspace, user, gpt=rich, expected_version=before)

    gpt = outcome.gpt
    assert gpt.version == before + 1
    assert gpt.revisions.count() == before + 1
    assert outcome.revision.summary == "Imported a new version"
    assert gpt_document(gpt) == document
    calendar_action = gpt.actions.get(name="Calendar")
    assert calendar_action.pk == calendar_id and calendar_action.api_key.reveal() == "sk-known"
    assert list(gpt.actions.values_list("name", flat=True)) == ["Calendar", "Weather Two", "Weather"]
    assert not Action.objects.filter(gpt=gpt, name="Notes").exists()


def test_a_stale_version_is_refused_and_writes_nothing(rich, workspace, user):
    document = gpt_document(rich) | {"name": "Changed"}
    with pytest.raises(EditConflict):
        apply(document, workspace, user, gpt=rich, expected_version=rich.version - 1)
    assert GPT.objects.get(pk=rich.pk).name == "Planner"


def test_a_document_with_findings_is_rejected_with_them(workspace, user, rich):
    document = gpt_document(rich) | {"visibility": "everyone"}
    with pytest.raises(DocumentRejected) as excinfo:
        apply(document, workspace, user)
    assert [f.pointer for f in excinfo.value.findings] == ["/visibility"]
    assert GPT.objects.count() == 1


def test_a_value_the_services_refuse_points_at_its_place_and_nothing_is_left(workspace, user, rich):
    document = gpt_document(rich)
    document["actions"][2]["authentication"]["oauth"]["token_url"] = "https://..."
    counts = (GPT.objects.count(), Action.objects.count(), Revision.objects.count())
    with pytest.raises(DocumentRejected) as excinfo:
        apply(document, workspace, user)
    (finding,) = excinfo.value.findings
    assert (finding.code, finding.pointer) == ("import.invalid_value", "/actions/2/authentication/oauth/token_url")
    assert (GPT.objects.count(), Action.objects.count(), Revision.objects.count()) == counts


def test_a_gpt_of_another_workspace_is_refused(rich, user, other_user):
    other = make_workspace(owner=other_user, name="Other")
    with pytest.raises(DocumentRejected):
        apply(gpt_document(rich), other, other_user, gpt=rich)


def test_secrets_in_a_document_are_never_stored(workspace, user, rich):
    document = gpt_document(rich)
    document["actions"][1]["authentication"]["api_key"]["key"] = "sk-from-a-file"
    outcome = apply(document, workspace, user)
    assert not outcome.gpt.actions.get(name="Calendar").has_api_key
    assert "document.secret_ignored" in {f.code for f in outcome.findings}


# --- Knowledge -----------------------------------------------------------------------------------


def knowledge(name, content: bytes, media_type="text/plain"):
    return {"name": name, "size": len(content), "sha256": hashlib.sha256(content).hexdigest(), "media_type": media_type}


def test_knowledge_comes_from_provided_files_and_missing_bytes_are_reported(workspace, user, gpt):
    document = gpt_document(gpt)
    document["knowledge"] = [knowledge("a.md", b"# A", "text/markdown"), knowledge("b.txt", b"bee")]
    outcome = apply(document, workspace, user, knowledge_files={"a.md": ContentFile(b"# A", name="a.md")})
    assert [(k.name, k.media_type) for k in outcome.gpt.knowledge_files.all()] == [("a.md", "text/markdown")]
    (missing,) = [f for f in outcome.findings if f.code == "import.knowledge_missing"]
    assert missing.pointer == "/knowledge/1"


def test_knowledge_bytes_already_in_the_workspace_are_reused_but_not_other_workspaces(gpt, workspace, user, other_user):
    services.knowledge_file_add(gpt=gpt, actor=user, upload=ContentFile(b"shared", name="s.txt"))
    document = gpt_document(GPT.objects.get(pk=gpt.pk))
    outcome = apply(document, workspace, user)
    assert gpt_document(outcome.gpt) == document
    other = make_workspace(owner=other_user, name="Other")
    elsewhere = apply(document, other, other_user)
    assert not elsewhere.gpt.knowledge_files.exists()


def test_restore_brings_back_actions_and_knowledge_as_one_new_revision(
    gpt, workspace, user, django_capture_on_commit_callbacks
):
    services.knowledge_file_add(gpt=gpt, actor=user, upload=ContentFile(b"v1 notes", name="notes.txt"))
    make_action(gpt, actor=user, auth_type="api_key", api_key_auth_type="bearer", api_key="sk-1")
    keeper = services.gpt_create(workspace=workspace, actor=user, name="Keeps the bytes")
    services.knowledge_file_add(gpt=keeper, actor=user, upload=ContentFile(b"v1 notes", name="copy.txt"))
    gpt = GPT.objects.get(pk=gpt.pk)
    snapshot = gpt.revisions.first()
    with django_capture_on_commit_callbacks(execute=True):
        services.knowledge_file_delete(knowledge=gpt.knowledge_files.get(), actor=user)
    action = gpt.actions.get()
    from actions.services import action_delete

    action_delete(action=action, actor=user)
    gpt = GPT.objects.get(pk=gpt.pk)

    restored = gpt_restore_revision(gpt=gpt, revision=snapshot, actor=user, expected_version=gpt.version)

    assert restored.version == gpt.version + 1
    assert gpt_document(restored) == snapshot.document
    assert restored.revisions.first().summary == f"Restored revision {snapshot.number}"
    # Re-created with the key it had when it was removed (kept encrypted, never in the revision).
    assert restored.actions.get().api_key.reveal() == "sk-1"


def test_restore_without_the_knowledge_bytes_restores_the_rest(gpt, user, django_capture_on_commit_callbacks):
    services.knowledge_file_add(gpt=gpt, actor=user, upload=ContentFile(b"gone soon", name="notes.txt"))
    gpt = GPT.objects.get(pk=gpt.pk)
    snapshot = gpt.revisions.first()
    with django_capture_on_commit_callbacks(execute=True):
        services.knowledge_file_delete(knowledge=gpt.knowledge_files.get(), actor=user)
    services.gpt_update(gpt=gpt, actor=user, expected_version=gpt.version + 1, name="Renamed")
    gpt = GPT.objects.get(pk=gpt.pk)
    restored = gpt_restore_revision(gpt=gpt, revision=snapshot, actor=user, expected_version=gpt.version)
    assert restored.name == "Weather Buddy"
    assert gpt_document(restored) == snapshot.document | {"knowledge": []}


def test_restore_refuses_a_stale_version(gpt, user):
    services.gpt_update(gpt=gpt, actor=user, expected_version=1, name="Renamed")
    with pytest.raises(EditConflict):
        gpt_restore_revision(gpt=gpt, revision=gpt.revisions.last(), actor=user, expected_version=1)
    assert GPT.objects.get(pk=gpt.pk).name == "Renamed"


def test_a_failed_import_removes_the_knowledge_bytes_it_wrote(workspace, user, gpt, settings, monkeypatch):
    from pathlib import Path

    from gptstudio import limits

    monkeypatch.setattr(limits, "GPT_KNOWLEDGE_FILES_MAX", limits.Limit(1, "test", "confirmed", "files"))
    document = gpt_document(gpt)
    document["knowledge"] = [knowledge("a.txt", b"first bytes"), knowledge("b.txt", b"second bytes")]
    files = {"a.txt": ContentFile(b"first bytes", name="a.txt"), "b.txt": ContentFile(b"second bytes", name="b.txt")}
    with pytest.raises(DocumentRejected) as excinfo:
        apply(document, workspace, user, knowledge_files=files)
    assert excinfo.value.findings[0].pointer == "/knowledge/1"
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert GPT.objects.count() == 1 and not KnowledgeFile.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_imports_from_the_same_version_let_exactly_one_win(user):
    import threading

    from django.db import connection

    from tests.factories import make_gpt

    workspace = make_workspace(owner=user)
    gpt = make_gpt(workspace=workspace, actor=user)
    base = gpt_document(gpt)
    barrier = threading.Barrier(4)
    outcomes = []

    def importer(n):
        try:
            barrier.wait()
            apply(base | {"name": f"Writer {n}"}, workspace, user, gpt=GPT.objects.get(pk=gpt.pk), expected_version=1)
            outcomes.append(("ok", n))
        except EditConflict:
            outcomes.append(("conflict", n))
        finally:
            connection.close()

    threads = [threading.Thread(target=importer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [n for status, n in outcomes if status == "ok"]
    assert len(winners) == 1, outcomes
    stored = GPT.objects.get(pk=gpt.pk)
    assert (stored.name, stored.version) == (f"Writer {winners[0]}", 2)
    assert list(stored.revisions.values_list("number", flat=True)) == [2, 1]


def test_padded_values_are_trimmed_as_every_edit_trims_them_and_each_is_reported(rich, workspace, user):
    document = gpt_document(rich)
    document["name"] = "  padded  "
    document["category"] = "\tTools\n"
    document["conversation_starters"] = [" padded ", "   ", "exact"]
    document["actions"][0]["name"] = "Weather "
    document["actions"][2]["authentication"]["oauth"]["scope"] = " read "
    outcome = apply(document, workspace, user)
    gpt = outcome.gpt
    assert (gpt.name, gpt.category) == ("padded", "Tools")
    assert [s.text for s in gpt.conversation_starters.all()] == ["padded", "exact"]
    assert [a.name for a in gpt.actions.all()] == ["Weather", "Calendar", "Notes"]
    assert gpt.actions.get(name="Notes").oauth_scope == "read"
    trimmed = {f.pointer: f for f in outcome.findings if f.code == "import.trimmed"}
    assert set(trimmed) == {
        "/name",
        "/category",
        "/conversation_starters/0",
        "/conversation_starters/1",
        "/actions/0/name",
        "/actions/2/authentication/oauth/scope",
    }
    assert all(f.severity == "info" for f in trimmed.values())
    assert "'  padded  '" in trimmed["/name"].message and "'padded'" in trimmed["/name"].message
    assert "left out" in trimmed["/conversation_starters/1"].message


def test_a_padded_name_matches_the_stored_action_and_keeps_its_secret(rich, workspace, user):
    document = gpt_document(rich)
    calendar_id = rich.actions.get(name="Calendar").pk
    document["actions"][1]["name"] = "Calendar "
    document["actions"][1]["privacy_policy_url"] = "https://calendar.example.org/privacy-v2"
    outcome = apply(document, workspace, user, gpt=rich, expected_version=rich.version)
    calendar = outcome.gpt.actions.get(name="Calendar")
    # Updated in place, not deleted (with its API key) and created again without one.
    assert calendar.pk == calendar_id and calendar.api_key.reveal() == "sk-known"
    assert calendar.privacy_policy_url == "https://calendar.example.org/privacy-v2"
    assert outcome.secrets_to_enter == []
    assert [f.pointer for f in outcome.findings if f.code == "import.trimmed"] == ["/actions/1/name"]


def test_a_padded_knowledge_name_matches_the_stored_file(gpt, workspace, user):
    services.knowledge_file_add(gpt=gpt, actor=user, upload=ContentFile(b"notes", name="notes.md"))
    gpt = GPT.objects.get(pk=gpt.pk)
    stored_id = gpt.knowledge_files.get().pk
    document = gpt_document(gpt)
    document["knowledge"][0]["name"] = "notes.md "
    outcome = apply(document, workspace, user, gpt=gpt, expected_version=gpt.version)
    assert outcome.revision is None  # nothing changed: the file was kept, not removed and added again
    assert [k.pk for k in outcome.gpt.knowledge_files.all()] == [stored_id]


def test_an_exact_document_reports_nothing_trimmed(rich, workspace, user):
    outcome = apply(gpt_document(rich), workspace, user)
    assert "import.trimmed" not in [f.code for f in outcome.findings]


def test_a_stated_domain_other_than_the_schemas_is_informative_and_ignored(rich, workspace, user):
    document = gpt_document(rich)
    document["actions"][0]["domain"] = "other.example.com"
    del document["actions"][1]["domain"]  # optional: nothing to compare
    outcome = apply(document, workspace, user)
    (finding,) = [f for f in outcome.findings if f.code == "document.domain_mismatch"]
    assert (finding.severity, finding.pointer) == ("info", "/actions/0/domain")
    assert "'other.example.com'" in finding.message and "'api.weather.example.com'" in finding.message
    assert outcome.gpt.actions.get(name="Weather").domain == "api.weather.example.com"
