"""The rescue import of ChatGPT's own GPT JSON (MIGRATION.md §8): detection, mapping, report,
identity and drift, leniency and refusals. Fixtures in tests/data/chatgpt/ follow §8's shapes."""

import copy
import json
from pathlib import Path

import pytest

from actions.models import Action
from gpts import services
from gpts.chatgpt_import import chatgpt_import, chatgpt_plan, is_chatgpt_json
from gpts.diff import document_diff
from gpts.document.build import gpt_document
from gpts.document.read import DOCUMENT_MAX_BYTES
from gpts.document.render import render_document
from gpts.importers import DocumentRejected
from gpts.models import GPT, Revision
from gpts.validation import validate_gpt
from gptstudio import limits
from tests.factories import make_workspace

DATA = Path(__file__).resolve().parent.parent / "data" / "chatgpt"


def fixture_bytes(name: str) -> bytes:
    return (DATA / name).read_bytes()


def fixture_json(name: str):
    return json.loads(fixture_bytes(name))


def dumps(value) -> bytes:
    return json.dumps(value).encode()


def codes(findings) -> set[str]:
    return {f.code for f in findings}


def import_one(workspace, user, data: bytes, **kwargs):
    result = chatgpt_import(workspace=workspace, actor=user, data=data, **kwargs)
    assert len(result.results) == 1
    return result.results[0]


# --- Detection -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "api_key_gpt.json",
        "oauth_raw_spec_yaml.json",
        "jit_plugin.json",
        "bare_gizmo.json",
        "list_array.json",
        "list_items.json",
        "project.json",
        "junk_types.json",
    ],
)
def test_every_shape_of_chatgpt_json_is_detected(name):
    assert is_chatgpt_json(fixture_bytes(name))


@pytest.mark.parametrize(
    "data",
    [
        b"format: gptstudio/gpt@1\nname: x\n",
        b'{"format": "gptstudio/gpt@1", "name": "x", "id": "g-abc"}',
        b'{"openapi": "3.1.0"}',
        b"[1, 2, 3]",
        b"gizmo: {id: g-abc}\n",  # YAML, not JSON
        b"PK\x03\x04",
        b"",
    ],
)
def test_documents_schemas_and_other_text_are_not_chatgpt_json(data):
    assert not is_chatgpt_json(data)


def test_broken_json_that_names_a_gizmo_is_detected_and_refused_as_unreadable(workspace):
    data = b'{"gizmo": {"id": "g-abc", "display": {"name": "x"'
    assert is_chatgpt_json(data)
    plan = chatgpt_plan(workspace=workspace, data=data)
    assert plan.refused and plan.findings[0].code == "document.unreadable"


# --- Mapping ---------------------------------------------------------------------------------------


def test_an_api_key_gpt_maps_every_field(workspace):
    plan = chatgpt_plan(workspace=workspace, data=fixture_bytes("api_key_gpt.json"))
    assert not plan.refused
    (gizmo,) = plan.gizmos
    document = gizmo.document
    assert gizmo.chatgpt_id == "g-StAtUs0001" and gizmo.target is None and not gizmo.refused
    assert document["name"] == "Status Helper"
    assert document["description"] == "Answers questions about service status."
    assert document["instructions"] == "You report the status of our services.\nAlways cite the status page."
    assert document["conversation_starters"] == ["Is the API up?", "What broke last night?"]  # blank dropped
    assert document["category"] == "Productivity"
    assert document["recommended_model"] == "gpt-4o"
    assert document["visibility"] == "link"  # share_recipient "link"
    assert document["use_conversation_data"] is False  # training_disabled: true
    assert document["capabilities"] == {
        "web_search": True,
        "canvas": False,
        "image_generation": False,
        "code_interpreter": True,
    }
    assert document["knowledge"] == []
    status, billing, search = document["actions"]
    assert status["name"] == "Status API"
    assert json.loads(status["schema"])["paths"]["/v1/status"]["get"]["operationId"] == "getStatus"
    assert status["privacy_policy_url"] == "https://status.example.com/privacy"
    assert status["authentication"] == {"type": "api_key", "api_key": {"auth_type": "bearer"}}
    assert billing["authentication"] == {"type": "api_key", "api_key": {"auth_type": "basic"}}
    assert search["authentication"] == {
        "type": "api_key",
        "api_key": {"auth_type": "custom", "custom_header": "X-Api-Key"},
    }
    assert gizmo.profile_picture_url == "https://files.example.com/status-helper.png"
    assert gizmo.knowledge_file_ids == ["file-8kJhAAAA", "file-9xYzBBBB"]


def test_the_report_names_what_has_no_field_secrets_and_files_and_never_personal_values(workspace):
    (gizmo,) = chatgpt_plan(workspace=workspace, data=fixture_bytes("api_key_gpt.json")).gizmos
    by_code = {}
    for finding in gizmo.findings:
        by_code.setdefault(finding.code, []).append(finding.message)
    welcome = [m for m in by_code["chatgpt.not_imported"] if "welcome message" in m]
    assert welcome and "Hello! Ask me about any service." in welcome[0]
    assert any("voice" in m and "product_features" in m for m in by_code["chatgpt.not_imported"])
    secrets = by_code["chatgpt.secret_to_enter"]
    assert any("API key for status.example.com" in m for m in secrets) and len(secrets) == 3
    (knowledge,) = by_code["chatgpt.knowledge_to_upload"]
    assert "Upload the 2 knowledge files: file-8kJhAAAA, file-9xYzBBBB" in knowledge
    (personal,) = by_code["chatgpt.personal_data"]
    assert "author" in personal and "organization_id" in personal
    assert any("last_interacted_at" in m for m in by_code["chatgpt.unknown_key"])
    text = json.dumps([f.as_dict() for f in gizmo.findings])
    assert "Alex Example" not in text and "user-PERSONAL0001" not in text and "org-PERSONAL0001" not in text


def test_oauth_with_a_yaml_raw_spec_keeps_the_text_and_untangles_the_url_trap(workspace):
    (gizmo,) = chatgpt_plan(workspace=workspace, data=fixture_bytes("oauth_raw_spec_yaml.json")).gizmos
    document = gizmo.document
    (action,) = document["actions"]
    raw = fixture_json("oauth_raw_spec_yaml.json")["tools"][2]["metadata"]["raw_spec"]
    assert action["schema"] == raw and action["name"] == "Calendar API"
    assert action["authentication"] == {
        "type": "oauth",
        "oauth": {
            "client_id": "",
            # client_url is the authorization URL, authorization_url the token URL (MIGRATION.md §8)
            "authorization_url": "https://calendar.example.com/oauth/authorize",
            "token_url": "https://calendar.example.com/oauth/token",
            "scope": "events.write",
            "token_exchange_method": "basic_auth_header",
        },
    }
    assert document["capabilities"] == {
        "web_search": False,
        "canvas": True,  # canmore
        "image_generation": True,
        "code_interpreter": False,
    }
    assert document["visibility"] == "workspace" and document["recommended_model"] == ""
    assert any("pkce_required" in f.message for f in gizmo.findings if f.code == "chatgpt.not_imported")
    assert any("client ID and client secret" in f.message for f in gizmo.findings)


def test_a_jit_plugin_action_with_a_json_raw_spec_and_an_unknown_tool(workspace):
    (gizmo,) = chatgpt_plan(workspace=workspace, data=fixture_bytes("jit_plugin.json")).gizmos
    (action,) = gizmo.document["actions"]
    assert action["name"] == "Weather" and action["authentication"] == {"type": "none"}
    assert action["privacy_policy_url"] == ""
    assert gizmo.document["visibility"] == "invite_only"  # share_recipient "private"
    (unknown,) = [f for f in gizmo.findings if f.code == "chatgpt.unknown_tool"]
    assert "memory_v9" in unknown.message and unknown.pointer == "/tools/1/type"


def test_a_bare_gizmo_takes_default_capabilities_and_reports_unknown_keys(workspace):
    (gizmo,) = chatgpt_plan(workspace=workspace, data=fixture_bytes("bare_gizmo.json")).gizmos
    document = gizmo.document
    assert document["name"] == "Haiku Writer" and document["visibility"] == "gpt_store"
    assert document["category"] == "Writing" and document["actions"] == []
    assert document["capabilities"] == {
        "web_search": True,
        "canvas": True,
        "image_generation": True,
        "code_interpreter": False,
    }
    assert "chatgpt.default" in codes(gizmo.findings)
    (unknown,) = [f for f in gizmo.findings if f.code == "chatgpt.unknown_key"]
    assert "sparkle_level" in unknown.message


def test_a_list_reports_per_entry_and_refuses_a_project_and_junk(workspace):
    plan = chatgpt_plan(workspace=workspace, data=fixture_bytes("list_array.json"))
    assert not plan.refused
    one, two, project, junk = plan.gizmos
    assert (one.name, one.refused, two.name, two.refused) == ("List One", False, "List Two", False)
    assert two.document["capabilities"]["web_search"] is True
    assert project.refused and "chatgpt.project" in codes(project.findings)
    assert junk.refused and "chatgpt.not_a_gpt" in codes(junk.findings)
    assert junk.findings[0].pointer == "/3"


def test_an_items_list_of_resources(workspace):
    plan = chatgpt_plan(workspace=workspace, data=fixture_bytes("list_items.json"))
    assert [(g.chatgpt_id, g.document["visibility"]) for g in plan.gizmos] == [
        ("g-ItEmOnE001", "invite_only"),
        ("g-ItEmTwO002", "workspace_link"),
    ]


def test_a_project_is_refused_and_nothing_is_written(workspace, user):
    before = GPT.objects.count()
    result = import_one(workspace, user, fixture_bytes("project.json"))
    assert result.outcome is None and "Project" in result.error
    assert GPT.objects.count() == before


def test_wrong_types_are_refused_with_where(workspace, user):
    (gizmo,) = chatgpt_plan(workspace=workspace, data=fixture_bytes("junk_types.json")).gizmos
    assert gizmo.refused and gizmo.document is None
    (error,) = [f for f in gizmo.findings if f.code == "chatgpt.wrong_type"]
    assert error.pointer.startswith("/gizmo/") and "wrong type" not in error.message
    assert GPT.objects.count() == 0
    assert import_one(workspace, user, fixture_bytes("junk_types.json")).outcome is None
    assert GPT.objects.count() == 0


@pytest.mark.parametrize(
    "data, code",
    [
        (b"{not json", "document.unreadable"),
        (b'{"hello": "world"}', "chatgpt.not_a_gpt"),
        (b"[" * 40 + b'{"gizmo": {}}' + b"]" * 40, "chatgpt.unreadable"),
        (b'{"gizmo": {"display": {}}}' + b" " * (DOCUMENT_MAX_BYTES + 1), "document.too_large"),
    ],
)
def test_whole_input_refusals(workspace, user, data, code):
    plan = chatgpt_plan(workspace=workspace, data=data)
    assert plan.refused and code in codes(plan.findings)
    with pytest.raises(DocumentRejected):
        chatgpt_import(workspace=workspace, actor=user, data=data)


def test_an_id_that_is_not_a_gizmo_id_is_reported_and_not_kept(workspace):
    (gizmo,) = chatgpt_plan(workspace=workspace, data=dumps({"id": "g-", "display": {"name": "X"}})).gizmos
    assert gizmo.chatgpt_id == "" and not gizmo.refused
    assert [f.pointer for f in gizmo.findings if f.code == "chatgpt.unknown_value"] == ["/id"]
    (wrapped,) = chatgpt_plan(
        workspace=workspace, data=dumps({"items": [{"resource": {"id": 5, "display": {}}}]})
    ).gizmos
    assert wrapped.refused and wrapped.findings[-1].pointer == "/items/0/resource/id"


def test_the_welcome_message_never_becomes_an_error_and_missing_fields_take_defaults(workspace):
    (gizmo,) = chatgpt_plan(workspace=workspace, data=dumps({"gizmo": {"id": "g-Minimal01"}})).gizmos
    assert gizmo.document["name"] == "Untitled GPT"
    assert gizmo.document["instructions"] == "" and gizmo.document["visibility"] == "invite_only"
    assert not gizmo.refused


# --- Import, identity and drift -------------------------------------------------------------------


def test_import_creates_the_gpt_with_its_identity_and_the_findings_to_resolve(workspace, user):
    result = import_one(workspace, user, fixture_bytes("api_key_gpt.json"))
    assert result.error == "" and result.outcome.created
    gpt = GPT.objects.get(pk=result.outcome.gpt.pk)
    assert gpt.chatgpt_id == "g-StAtUs0001" and gpt.chatgpt_imported_at is not None
    assert gpt.chatgpt_profile_picture_url == "https://files.example.com/status-helper.png"
    assert gpt.chatgpt_pending_knowledge == ["file-8kJhAAAA", "file-9xYzBBBB"]
    assert [(a.name, a.auth_type, a.api_key_auth_type) for a in gpt.actions.all()] == [
        ("Status API", "api_key", "bearer"),
        ("Billing API", "api_key", "basic"),
        ("Search API", "api_key", "custom"),
    ]
    report = validate_gpt(gpt)
    missing = [f for f in report.findings if f.code == "action.auth.secret_missing"]
    assert len(missing) == 3 and "Enter the API Key for status.example.com" in missing[0].message
    (pending,) = [f for f in report.findings if f.code == "gpt.knowledge.pending"]
    assert "file-8kJhAAAA, file-9xYzBBBB" in pending.message
    assert gpt.readiness == "errors" and gpt.error_count >= 3
    assert result.outcome.revision.number == 1
    # The identity stays out of the document and its revision.
    assert "g-StAtUs0001" not in json.dumps(result.outcome.revision.document)
    assert "chatgpt" not in render_document(gpt_document(gpt))


def test_secrets_entered_resolve_the_findings_and_clearing_pending_knowledge_resolves_the_warning(workspace, user):
    from actions.services import action_update

    gpt = import_one(workspace, user, fixture_bytes("oauth_raw_spec_yaml.json")).outcome.gpt
    (action,) = gpt.actions.all()
    assert "action.auth.secret_missing" in codes(validate_gpt(gpt).findings)
    action_update(
        action=action, actor=user, expected_version=action.version, oauth_client_id="client-1", oauth_client_secret="s"
    )
    assert "action.auth.secret_missing" not in codes(validate_gpt(GPT.objects.get(pk=gpt.pk)).findings)

    gpt = import_one(workspace, user, fixture_bytes("api_key_gpt.json")).outcome.gpt
    cleared = services.gpt_knowledge_pending_clear(gpt=gpt, file_ids=["file-8kJhAAAA"])
    assert cleared.chatgpt_pending_knowledge == ["file-9xYzBBBB"]
    cleared = services.gpt_knowledge_pending_clear(gpt=gpt)
    assert cleared.chatgpt_pending_knowledge == []
    assert "gpt.knowledge.pending" not in codes(validate_gpt(cleared).findings)
    assert cleared.version == gpt.version  # not a document change


def test_reimport_with_changed_instructions_is_one_new_revision_with_that_diff(workspace, user):
    first = import_one(workspace, user, fixture_bytes("api_key_gpt.json")).outcome.gpt
    changed = fixture_json("api_key_gpt.json")
    changed["gizmo"]["instructions"] = "You report the status of our services.\nNever guess."
    changed["files"] = changed["files"][:1]
    result = import_one(workspace, user, dumps(changed), expected_versions={"g-StAtUs0001": first.version})
    assert result.error == "" and not result.outcome.created and result.outcome.gpt.pk == first.pk
    gpt = GPT.objects.get(pk=first.pk)
    assert GPT.objects.filter(workspace=workspace).count() == 1
    assert gpt.version == first.version + 1
    assert list(gpt.revisions.values_list("number", flat=True)) == [2, 1]
    new, old = gpt.revisions.all()
    assert new.summary == "Imported from ChatGPT (g-StAtUs0001)"
    diff = document_diff(old.document, new.document)
    (change,) = diff.fields
    assert (change.field, change.new) == ("instructions", "You report the status of our services.\nNever guess.")
    assert diff.actions and all(a.status == "unchanged" for a in diff.actions)
    assert gpt.chatgpt_pending_knowledge == ["file-8kJhAAAA"]
    # The actions were matched by name: same rows, so secrets entered meanwhile would be kept.
    assert gpt.actions.count() == 3


def test_reimport_of_the_same_json_records_no_revision(workspace, user):
    first = import_one(workspace, user, fixture_bytes("api_key_gpt.json")).outcome.gpt
    again = import_one(
        workspace, user, fixture_bytes("api_key_gpt.json"), expected_versions={"g-StAtUs0001": first.version}
    )
    assert again.outcome.revision is None and Revision.objects.filter(gpt=first).count() == 1


def test_reimport_without_or_with_a_stale_version_writes_nothing_and_says_the_current_version(workspace, user):
    first = import_one(workspace, user, fixture_bytes("api_key_gpt.json")).outcome.gpt
    changed = fixture_json("api_key_gpt.json")
    changed["gizmo"]["instructions"] = "Changed."
    missing = import_one(workspace, user, dumps(changed))
    assert missing.outcome is None and "version 1" in missing.error and missing.current_version == 1
    stale = import_one(workspace, user, dumps(changed), expected_versions={"g-StAtUs0001": 7})
    assert stale.outcome is None and "Edit conflict" in stale.error and stale.current_version == 1
    assert GPT.objects.get(pk=first.pk).instructions != "Changed." and Revision.objects.count() == 1


def test_a_list_imports_each_gpt_on_its_own(workspace, user):
    result = chatgpt_import(workspace=workspace, actor=user, data=fixture_bytes("list_array.json"))
    assert [r.outcome is not None for r in result.results] == [True, True, False, False]
    assert result.created == 2 and result.refused == 2
    data = result.as_dict()
    assert data["kind"] == "chatgpt" and data["valid"] is False
    assert [r["written"] for r in data["results"]] == [True, True, False, False]
    assert sorted(GPT.objects.values_list("chatgpt_id", flat=True)) == ["g-LiStOnE001", "g-LiStTwO002"]


def test_a_gpt_the_services_refuse_is_not_written_and_the_others_are(workspace, user):
    too_long = {"gizmo": {"id": "g-TooLong0001", "display": {"name": "x" * (limits.STUDIO_NAME_HARD_MAX_LENGTH + 1)}}}
    fine = {"gizmo": {"id": "g-Fine000001", "display": {"name": "Fine"}}}
    result = chatgpt_import(workspace=workspace, actor=user, data=dumps([too_long, fine]))
    assert result.results[0].outcome is None and result.results[0].error.startswith("Not imported")
    assert result.results[1].outcome is not None
    assert list(GPT.objects.values_list("chatgpt_id", flat=True)) == ["g-Fine000001"]


def test_the_same_chatgpt_id_twice_in_a_list_imports_once(workspace, user):
    entry = {"gizmo": {"id": "g-TwiceTwice1", "display": {"name": "Twice"}}}
    result = chatgpt_import(workspace=workspace, actor=user, data=dumps([entry, copy.deepcopy(entry)]))
    assert [r.outcome is not None for r in result.results] == [True, False]
    assert "chatgpt.duplicate_id" in codes(result.results[1].plan.findings)


def test_the_chatgpt_id_is_per_workspace(workspace, user):
    other = make_workspace(owner=user, name="Other")
    import_one(workspace, user, fixture_bytes("bare_gizmo.json"))
    result = import_one(other, user, fixture_bytes("bare_gizmo.json"))
    assert result.outcome.created and GPT.objects.filter(chatgpt_id="g-BaReGiZmO1").count() == 2


def test_an_oauth_action_without_client_id_is_stored_and_exported_with_an_empty_one(workspace, user):
    gpt = import_one(workspace, user, fixture_bytes("oauth_raw_spec_yaml.json")).outcome.gpt
    (action,) = gpt.actions.all()
    assert (action.auth_type, action.oauth_client_id) == (Action.AuthType.OAUTH, "")
    assert action.oauth_authorization_url == "https://calendar.example.com/oauth/authorize"
    assert action.oauth_token_url == "https://calendar.example.com/oauth/token"


def test_a_gpt_deleted_between_reading_and_writing_is_reported_not_a_crash(workspace, user, monkeypatch):
    from gpts import chatgpt_import as module

    first = import_one(workspace, user, fixture_bytes("bare_gizmo.json")).outcome.gpt
    planned = module.chatgpt_plan

    def plan_then_delete(**kwargs):
        plan = planned(**kwargs)
        GPT.objects.filter(pk=first.pk).delete()
        return plan

    monkeypatch.setattr(module, "chatgpt_plan", plan_then_delete)
    result = import_one(workspace, user, fixture_bytes("bare_gizmo.json"), expected_versions={"g-BaReGiZmO1": 1})
    assert result.outcome is None and "deleted meanwhile" in result.error
    assert not GPT.objects.exists()


def test_ten_large_action_schemas_fit_and_a_flood_of_values_is_refused(workspace):
    import yaml

    corpus = Path(__file__).resolve().parent.parent / "data" / "corpus" / "gpt_actions"
    schema = yaml.load((corpus / "aaddrick_todoist_rest_v2.yaml").read_text(), Loader=yaml.BaseLoader)  # ~3,300 values
    tools = []
    for index in range(10):
        copy_of = copy.deepcopy(schema)
        copy_of["servers"] = [{"url": f"https://api{index}.example.com"}]
        copy_of["info"]["title"] = f"Todoist {index}"
        tools.append({"type": "plugins_prototype", "metadata": {"json_schema": copy_of, "auth": {"type": "none"}}})
    big = {"gizmo": {"id": "g-BigActions1", "display": {"name": "Big"}}, "tools": tools}
    (gizmo,) = chatgpt_plan(workspace=workspace, data=dumps(big)).gizmos
    assert not gizmo.refused and len(gizmo.document["actions"]) == 10
    flood = {"gizmo": {"id": "g-Flood000001", "display": {"name": "Flood"}}, "junk": list(range(120_000))}
    plan = chatgpt_plan(workspace=workspace, data=dumps(flood))
    assert plan.refused and codes(plan.findings) == {"document.too_many_values"}


@pytest.mark.parametrize(
    ("recipient", "tags", "visibility"),
    [
        ("private", [], "invite_only"),
        ("user", [], "invite_only"),
        ("group", [], "invite_only"),
        ("workspace_link", [], "workspace_link"),
        ("workspace", [], "workspace"),
        ("link", [], "link"),
        ("marketplace", ["public"], "gpt_store"),
        (None, ["public", "reportable"], "gpt_store"),
        (None, [], "invite_only"),
        ("somewhere_new", [], "invite_only"),
    ],
)
def test_visibility_comes_from_share_recipient_then_tags(workspace, recipient, tags, visibility):
    gizmo = {"id": "g-Visibility1", "display": {"name": "V"}, "tags": tags}
    if recipient is not None:
        gizmo["share_recipient"] = recipient
    (plan,) = chatgpt_plan(workspace=workspace, data=dumps({"gizmo": gizmo, "tools": []})).gizmos
    assert plan.document["visibility"] == visibility
    assert ("chatgpt.unknown_value" in codes(plan.findings)) == (recipient == "somewhere_new")


def test_the_plan_previews_without_writing(workspace, user):
    import_one(workspace, user, fixture_bytes("bare_gizmo.json"))
    before = (GPT.objects.count(), Revision.objects.count())
    preview = chatgpt_plan(workspace=workspace, data=fixture_bytes("list_array.json")).as_dict()
    assert (GPT.objects.count(), Revision.objects.count()) == before
    assert preview["kind"] == "chatgpt" and not preview["refused"]
    assert [g["refused"] for g in preview["gizmos"]] == [False, False, True, True]
    again = chatgpt_plan(workspace=workspace, data=fixture_bytes("bare_gizmo.json")).as_dict()
    (gizmo,) = again["gizmos"]
    assert gizmo["target"]["version"] == 1 and gizmo["document"]["name"] == "Haiku Writer"
    json.dumps(preview)  # JSON all the way down
