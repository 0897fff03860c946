"""The GPT editor: permissions, saving through the service, conflicts and merging, knowledge."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gpts import services
from gpts.models import GPT
from gptstudio import limits
from tests.factories import make_action, make_gpt


def edit_url(gpt):
    return reverse("gpts:gpt_edit", args=[gpt.workspace.slug, gpt.slug])


def form_data(gpt, **overrides):
    data = {
        "version": gpt.version,
        "name": gpt.name,
        "description": gpt.description,
        "instructions": gpt.instructions,
        "conversation_starters": [s.text for s in gpt.conversation_starters.all()],
        "recommended_model": gpt.recommended_model,
        "visibility": gpt.visibility,
        "category": gpt.category,
        **{name: "on" for name, on in gpt.capabilities.items() if on},
    }
    if gpt.use_conversation_data:
        data["use_conversation_data"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("editor", 200), ("viewer", 200), ("outsider", 404)])
def test_editor_status_per_role(login_as, client, gpt, role, status):
    login_as(role)
    assert client.get(edit_url(gpt)).status_code == status


def test_editor_shows_fields_in_configure_tab_order_with_counters(client, user, gpt):
    client.force_login(user)
    html = client.get(edit_url(gpt)).content.decode()
    order = [
        "Profile picture",
        ">Name<",
        ">Description<",
        ">Instructions<",
        "Conversation starters",
        ">Knowledge<",
        "Recommended model",
        "Capabilities",
        ">Actions<",
        "Use conversation data",
        "Visibility",
        "Category",
    ]
    positions = [html.index(label) for label in order]
    assert positions == sorted(positions)
    assert f"13 / {limits.GPT_NAME_MAX_LENGTH.value}" in html
    assert f'data-max="{limits.GPT_INSTRUCTIONS_MAX_LENGTH.value}"' in html
    assert f"2 / {limits.GPT_CONVERSATION_STARTERS_MAX.value} starters" in html


def test_viewer_sees_a_read_only_editor(login_as, client, gpt):
    login_as("viewer")
    html = client.get(edit_url(gpt)).content.decode()
    assert "read-only" in html
    assert '<fieldset class="plain" disabled>' in html
    assert "Save</button>" not in html
    assert "+ Create new action" not in html
    assert "Delete GPT" not in html


@pytest.mark.parametrize("role", ["viewer", "outsider"])
def test_server_refuses_writes_from_viewers_and_outsiders(login_as, client, gpt, role):
    login_as(role)
    response = client.post(edit_url(gpt), form_data(gpt, name="Hijacked"))
    assert response.status_code == {"viewer": 403, "outsider": 404}[role]
    assert GPT.objects.get(pk=gpt.pk).name == "Weather Buddy"


def test_editor_saves_through_the_service_with_a_revision(login_as, client, gpt):
    editor = login_as("editor")
    response = client.post(
        edit_url(gpt),
        form_data(
            gpt,
            name="Weather Pal",
            conversation_starters=["Rain?", "", "Hi", "Snow?"],
            code_interpreter="on",
            visibility="gpt_store",
            category="Lifestyle",
        ),
    )
    assert response.status_code == 302
    saved = GPT.objects.get(pk=gpt.pk)
    assert (saved.name, saved.version, saved.updated_by) == ("Weather Pal", 2, editor)
    assert [s.text for s in saved.conversation_starters.all()] == ["Rain?", "Hi", "Snow?"]
    assert saved.code_interpreter and saved.visibility == "gpt_store"
    assert saved.revisions.first().author == editor


def test_saving_nothing_new_records_no_revision(client, user, gpt):
    client.force_login(user)
    client.post(edit_url(gpt), form_data(gpt))
    assert GPT.objects.get(pk=gpt.pk).version == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "GPT name cannot be empty."),
        ({"name": "x" * 501}, "at most 500 characters"),
        ({"description": "d" * 3001}, "at most 3000 characters"),
        ({"conversation_starters": [f"s{i}" for i in range(13)]}, "at most 12 conversation starters"),
        ({"visibility": "everyone"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(client, user, gpt, overrides, message):
    client.force_login(user)
    response = client.post(edit_url(gpt), form_data(gpt, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert GPT.objects.get(pk=gpt.pk).version == 1


@pytest.mark.parametrize(
    ("field", "limit", "code"),
    [
        ("name", limits.GPT_NAME_MAX_LENGTH, "gpt.name.too_long"),
        ("description", limits.GPT_DESCRIPTION_MAX_LENGTH, "gpt.description.too_long"),
    ],
)
def test_a_name_or_description_over_chatgpts_limit_is_kept_as_a_draft(client, user, gpt, field, limit, code):
    client.force_login(user)
    long_text = "x" * (limit.value + 5)
    response = client.post(edit_url(gpt), form_data(gpt, **{field: long_text}))
    assert response.status_code == 302
    assert getattr(GPT.objects.get(pk=gpt.pk), field) == long_text
    assert code in client.get(edit_url(gpt)).content.decode()


def test_instructions_over_chatgpts_limit_are_kept_as_a_draft(client, user, gpt):
    client.force_login(user)
    long_text = "x" * (limits.GPT_INSTRUCTIONS_MAX_LENGTH.value + 5)
    response = client.post(edit_url(gpt), form_data(gpt, instructions=long_text))
    assert response.status_code == 302
    assert GPT.objects.get(pk=gpt.pk).instructions == long_text


def test_new_gpt_is_created_and_viewers_cannot(login_as, client, workspace):
    login_as("viewer")
    url = reverse("gpts:gpt_new", args=[workspace.slug])
    assert client.get(url).status_code == 403
    login_as("editor")
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Trip Planner", "visibility": "invite_only", "conversation_starters": ["Go"]})
    gpt = workspace.gpts.get(name="Trip Planner")
    assert response["Location"] == edit_url(gpt)
    assert [s.text for s in gpt.conversation_starters.all()] == ["Go"]


def test_a_gpt_named_new_gets_a_slug_that_does_not_shadow_the_new_page(client, user, workspace):
    gpt = make_gpt(workspace=workspace, actor=user, name="New")
    assert gpt.slug == "new-2"
    client.force_login(user)
    assert client.get(edit_url(gpt)).status_code == 200


# --- Conflicts -------------------------------------------------------------------------------


def test_stale_save_shows_both_versions_and_overwrites_nothing(client, user, other_user, gpt):
    services.membership_set(workspace=gpt.workspace, user=other_user, role="editor")
    services.gpt_update(gpt=gpt, actor=other_user, expected_version=1, instructions="Theirs: be brief.")
    client.force_login(user)
    response = client.post(edit_url(gpt), form_data(gpt, version=1, instructions="Mine: be thorough.", name="Mine"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Nothing was saved and nothing was overwritten." in html
    assert "Mine: be thorough." in html and "Theirs: be brief." in html
    stored = GPT.objects.get(pk=gpt.pk)
    assert (stored.version, stored.instructions, stored.name) == (2, "Theirs: be brief.", "Weather Buddy")
    # Each choice starts on the side that changed it; both changed instructions.
    assert 'id="pick_name_mine" value="mine" checked' in html
    assert 'id="pick_instructions_mine" value="mine" checked' in html
    assert "changed on both sides" in html


def test_merge_saves_the_chosen_side_per_field_against_the_new_version(client, user, other_user, gpt):
    services.membership_set(workspace=gpt.workspace, user=other_user, role="editor")
    services.gpt_update(gpt=gpt, actor=other_user, expected_version=1, instructions="Theirs.", description="Their desc")
    client.force_login(user)
    client.post(edit_url(gpt), form_data(gpt, version=1, instructions="Mine.", name="Mine"))
    merge = {
        "version": 2,
        "pick_name": "mine",
        "pick_instructions": "theirs",
        "pick_description": "theirs",
        **{f"mine-{k}": v for k, v in form_data(gpt, instructions="Mine.", name="Mine").items() if k != "version"},
    }
    response = client.post(reverse("gpts:gpt_merge", args=[gpt.workspace.slug, gpt.slug]), merge)
    assert response.status_code == 302
    stored = GPT.objects.get(pk=gpt.pk)
    assert (stored.name, stored.instructions, stored.description, stored.version) == (
        "Mine",
        "Theirs.",
        "Their desc",
        3,
    )
    assert stored.revisions.first().summary == "Merged after an edit conflict"


def test_a_merge_that_is_stale_again_shows_the_conflict_again(client, user, other_user, gpt):
    services.membership_set(workspace=gpt.workspace, user=other_user, role="editor")
    services.gpt_update(gpt=gpt, actor=other_user, expected_version=1, name="Theirs 1")
    services.gpt_update(gpt=gpt, actor=other_user, expected_version=2, name="Theirs 2")
    client.force_login(user)
    merge = {"version": 2, "pick_name": "mine", **{f"mine-{k}": v for k, v in form_data(gpt, name="Mine").items()}}
    response = client.post(reverse("gpts:gpt_merge", args=[gpt.workspace.slug, gpt.slug]), merge)
    assert response.status_code == 409
    assert GPT.objects.get(pk=gpt.pk).name == "Theirs 2"


def test_viewer_cannot_merge(login_as, client, gpt):
    login_as("viewer")
    response = client.post(reverse("gpts:gpt_merge", args=[gpt.workspace.slug, gpt.slug]), {"version": 1})
    assert response.status_code == 403


# --- Knowledge --------------------------------------------------------------------------------


def knowledge_url(gpt):
    return reverse("gpts:knowledge_upload", args=[gpt.workspace.slug, gpt.slug])


def test_upload_adds_a_file_and_moves_the_page_to_the_new_version(client, user, gpt):
    client.force_login(user)
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = client.post(knowledge_url(gpt), {"file": upload, "version": 1}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "notes.txt" in html and "1 / 20 files" in html
    assert 'id="id_version" value="2" hx-swap-oob="true"' in html
    assert gpt.knowledge_files.get().name == "notes.txt"


def test_upload_after_someone_elses_save_keeps_the_page_version(client, user, gpt):
    services.gpt_update(gpt=gpt, actor=user, expected_version=1, name="Changed elsewhere")
    client.force_login(user)
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    html = client.post(
        knowledge_url(gpt), {"file": upload, "version": 1}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "hx-swap-oob" not in html  # the page's next save must still see the other change
    assert gpt.knowledge_files.count() == 1


def test_upload_over_the_file_count_limit_is_refused(client, user, gpt, monkeypatch):
    monkeypatch.setattr(limits, "GPT_KNOWLEDGE_FILES_MAX", limits.Limit(1, "test", "confirmed", "files"))
    client.force_login(user)
    client.post(knowledge_url(gpt), {"file": SimpleUploadedFile("a.txt", b"a")}, headers={"HX-Request": "true"})
    html = client.post(
        knowledge_url(gpt), {"file": SimpleUploadedFile("b.txt", b"b")}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "at most 1 knowledge files" in html
    assert list(gpt.knowledge_files.values_list("name", flat=True)) == ["a.txt"]


def test_oversized_image_is_refused_with_the_image_limit(client, user, gpt, monkeypatch):
    monkeypatch.setattr(limits, "GPT_KNOWLEDGE_IMAGE_MAX_BYTES", limits.Limit(3, "test", "confirmed", "bytes"))
    client.force_login(user)
    upload = SimpleUploadedFile("big.png", b"12345", content_type="image/png")
    response = client.post(knowledge_url(gpt), {"file": upload})
    assert response.status_code == 302
    assert "limit for images" in client.get(edit_url(gpt)).content.decode()
    assert not gpt.knowledge_files.exists()


def test_knowledge_delete_and_viewer_refusal(login_as, client, gpt, user):
    knowledge = services.knowledge_file_add(gpt=gpt, actor=user, upload=SimpleUploadedFile("a.txt", b"a"))
    url = reverse("gpts:knowledge_delete", args=[gpt.workspace.slug, gpt.slug, knowledge.pk])
    login_as("viewer")
    assert client.post(url).status_code == 403
    login_as("editor")
    assert client.post(url, headers={"HX-Request": "true"}).status_code == 200
    assert not gpt.knowledge_files.exists()


def test_only_owners_delete_a_gpt(login_as, client, gpt):
    url = reverse("gpts:gpt_delete", args=[gpt.workspace.slug, gpt.slug])
    login_as("editor")
    assert client.post(url).status_code == 403
    login_as("owner")
    assert client.post(url).status_code == 302
    assert not GPT.objects.filter(pk=gpt.pk).exists()


@pytest.mark.parametrize("size", [1, 8])
def test_editor_query_count_is_constant(client, user, workspace, size, django_assert_max_num_queries):
    gpt = make_gpt(workspace=workspace, actor=user, name="Big", conversation_starters=[f"s{i}" for i in range(size)])
    for i in range(size):
        services.knowledge_file_add(gpt=gpt, actor=user, upload=SimpleUploadedFile(f"f{i}.txt", b"x"))
    for i in range(min(size, 3)):
        make_action(gpt, actor=user, name=f"Action {i}")
    client.force_login(user)
    with django_assert_max_num_queries(12):
        response = client.get(edit_url(gpt))
    assert response.status_code == 200


def test_checks_panel_lists_schema_findings_under_their_action(client, user, gpt, monkeypatch):
    from actions.schema import SchemaReport
    from gpts import validation
    from gptstudio.findings import Finding, Severity

    action = make_action(gpt, actor=user, name="Forecast")
    report = validation.GPTReport(
        actions={
            action.pk: SchemaReport(format="json", findings=[Finding(Severity.ERROR, "x.y", "Broken server.", line=3)])
        }
    )
    monkeypatch.setattr("gpts.views.validate_gpt", lambda g: report)
    client.force_login(user)
    html = client.get(edit_url(gpt)).content.decode()
    panel = html[html.index('id="findings-heading"') :]
    assert panel.index("Action: Forecast") < panel.index("Broken server.")
    assert "line 3" in panel


# --- Line ends, versions, profile pictures, starters shown ---------------------------------------


def test_crlf_from_the_browser_is_stored_as_lf_so_the_length_is_what_the_counter_showed(client, user, gpt):
    client.force_login(user)
    typed = ("x" * 9 + "\n") * 790 + "y" * 50  # 7,950 characters; the browser sends 8,740
    response = client.post(
        edit_url(gpt),
        form_data(gpt, instructions=typed.replace("\n", "\r\n"), conversation_starters=["Two\r\nlines"]),
    )
    assert response.status_code == 302
    stored = GPT.objects.get(pk=gpt.pk)
    assert stored.instructions == typed and len(stored.instructions) == 7950
    assert [s.text for s in stored.conversation_starters.all()] == ["Two\nlines"]
    html = client.get(edit_url(gpt)).content.decode()
    assert "gpt.instructions.too_long" not in html
    assert "7950 / 8000" in html


@pytest.mark.parametrize(
    ("version", "message"),
    [(None, "did not say which version it was made from"), ("abc", "is not a whole number")],
)
def test_a_save_without_a_usable_version_is_refused_and_overwrites_nothing(client, user, gpt, version, message):
    client.force_login(user)
    response = client.post(edit_url(gpt), form_data(gpt, version=version, name="Blind save"))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert html.index(message) < html.index('id="id_name"')  # shown at the top of the form
    stored = GPT.objects.get(pk=gpt.pk)
    assert (stored.name, stored.version) == ("Weather Buddy", 1)


def test_the_edit_page_carries_the_version_it_was_opened_at(client, user, gpt):
    services.gpt_update(gpt=gpt, actor=user, expected_version=1, name="Moved on")
    client.force_login(user)
    html = client.get(edit_url(gpt)).content.decode()
    assert '<input type="hidden" name="version" value="2" id="id_version">' in html


def test_the_new_gpt_page_sends_no_version(client, user, workspace):
    client.force_login(user)
    html = client.get(reverse("gpts:gpt_new", args=[workspace.slug])).content.decode()
    assert 'name="version"' not in html


def png(size=(64, 64)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "#0b57d0").save(buffer, format="PNG")
    return buffer.getvalue()


def test_uploading_a_profile_picture_stores_it(client, user, gpt):
    client.force_login(user)
    upload = SimpleUploadedFile("face.png", png(), content_type="image/png")
    response = client.post(edit_url(gpt), {**form_data(gpt), "profile_picture": upload})
    assert response.status_code == 302
    stored = GPT.objects.get(pk=gpt.pk)
    assert stored.profile_picture.name.endswith(".png") and stored.version == 2
    assert stored.profile_picture.read() == png()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("face.png", b"<?php echo 'not an image'; ?>", "“face.png” is not a readable image"),
        ("face.png", png((4000, 4000)), "The picture is 4000×4000 pixels; the limit is 2048×2048."),
        ("face.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "is not a PNG, JPEG, GIF or WebP file"),
    ],
)
def test_a_bad_profile_picture_is_refused_at_its_field_and_nothing_saved(client, user, gpt, name, content, message):
    client.force_login(user)
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = client.post(edit_url(gpt), {**form_data(gpt, name="Renamed too"), "profile_picture": upload})
    assert response.status_code == 400
    html = response.content.decode()
    picture_field = html[html.index('class="field profile-picture"') : html.index('for="id_name"')]
    assert message in picture_field
    stored = GPT.objects.get(pk=gpt.pk)
    assert (stored.name, stored.version, stored.profile_picture.name) == ("Weather Buddy", 1, "")


def test_the_editor_recommends_512_pixels_and_accepts_only_chatgpts_types(client, user, gpt):
    client.force_login(user)
    html = client.get(edit_url(gpt)).content.decode()
    assert "Recommended: a square image of 512×512 pixels" in html
    assert 'accept="image/png,image/jpeg,image/gif,image/webp"' in html
    assert 'aria-describedby="id_profile_picture_helptext"' in html


@pytest.mark.parametrize("shown", [4, 2])
def test_starters_are_marked_shown_up_to_chatgpts_limit(client, user, workspace, monkeypatch, shown):
    monkeypatch.setattr(limits, "GPT_CONVERSATION_STARTERS_SHOWN", limits.Limit(shown, "test", "confirmed", "shown"))
    gpt = make_gpt(workspace=workspace, actor=user, conversation_starters=[f"s{i}" for i in range(1, 7)])
    client.force_login(user)
    html = client.get(edit_url(gpt)).content.decode()
    rows = html.split('<li class="starter')[1:7]
    assert [row.startswith(" shown") for row in rows] == [n <= shown for n in range(1, 7)]
    assert [">Shown<" in row for row in rows] == [n <= shown for n in range(1, 7)]
    assert f'data-shown="{shown}"' in html


def test_a_merge_keeps_lf_line_ends_from_the_conflict_pages_hidden_copy(client, user, other_user, gpt):
    # The conflict page carries your values in hidden inputs; the browser sends their line breaks
    # as CRLF too.
    services.membership_set(workspace=gpt.workspace, user=other_user, role="editor")
    services.gpt_update(gpt=gpt, actor=other_user, expected_version=1, name="Theirs")
    client.force_login(user)
    merge = {
        "version": 2,
        "pick_instructions": "mine",
        **{f"mine-{k}": v for k, v in form_data(gpt, instructions="One\r\nTwo").items() if k != "version"},
    }
    assert client.post(reverse("gpts:gpt_merge", args=[gpt.workspace.slug, gpt.slug]), merge).status_code == 302
    assert GPT.objects.get(pk=gpt.pk).instructions == "One\nTwo"


def test_the_new_gpt_page_starts_from_the_spec_defaults(client, user, workspace):
    client.force_login(user)
    html = client.get(reverse("gpts:gpt_new", args=[workspace.slug])).content.decode()
    for name in ("web_search", "canvas", "image_generation", "use_conversation_data"):
        assert f'id="id_{name}" form="gpt-form" checked>' in html, name
    assert 'id="id_code_interpreter" form="gpt-form">' in html
