"""The paste page, export downloads and the import upload: access, content, query counts."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.services import action_create
from gpts import services
from gpts.document.build import gpt_document
from gpts.exporters import gpt_export
from gpts.models import GPT
from gpts.validation import GPTReport
from gptstudio.findings import Finding, Severity
from tests.factories import WEATHER_SCHEMA, UserFactory, make_gpt, make_rich_gpt


@pytest.fixture
def rich(workspace, user):
    return make_rich_gpt(workspace, user, api_key="sk-view-secret", client_secret="cs-view-secret")


def paste_url(gpt):
    return reverse("gpts_export:paste", args=[gpt.workspace.slug, gpt.slug])


def export_url(gpt, target, query=""):
    return reverse("gpts_export:export", args=[gpt.workspace.slug, gpt.slug, target]) + query


def member(workspace, role):
    someone = UserFactory()
    services.membership_set(workspace=workspace, user=someone, role=role)
    return someone


def test_the_paste_page_shows_each_field_in_editor_order_with_counts(client, rich, workspace):
    client.force_login(member(workspace, "viewer"))
    response = client.get(paste_url(rich))
    assert response.status_code == 200
    html = response.content.decode()
    steps = re.findall(r'<section class="paste-step" id="step-([a-z-]+)"', html)
    expected = ["name", "description", "instructions", "starters", "knowledge", "capabilities", "model", "actions"]
    assert steps == [*expected, "settings", "sharing"]
    assert "7 / 50 characters" in html and "45 / 300 characters" in html
    # name, description, instructions; 3 starters; Weather: schema, privacy; Calendar: header, schema,
    # privacy; Notes: client id, two URLs, scope, schema, privacy. Choices and secrets have no copy button.
    assert html.count('class="copy-button"') == 3 + 3 + 2 + 3 + 6
    assert "sk-view-secret" not in html and "cs-view-secret" not in html
    assert "/static/js/app.js" in html and "paste.js" not in html  # One copy handler (app.js), not two.
    assert "<script>" not in html


def test_blocking_findings_are_shown_at_their_step(client, rich, user, monkeypatch):
    error = Finding(Severity.ERROR, "gpt.instructions.too_long", "Instructions are too long.", pointer="/instructions")
    monkeypatch.setattr("gpts.exporters.base.validate_gpt", lambda gpt, **options: GPTReport(findings=[error]))
    client.force_login(user)
    html = client.get(paste_url(rich)).content.decode()
    instructions_step = html[html.index('id="step-instructions"') : html.index('id="step-starters"')]
    assert "Blocks publishing:" in instructions_step and "gpt.instructions.too_long" in instructions_step
    assert html.index('id="errors"') < html.index('id="step-name"')


def test_the_paste_page_is_404_outside_ones_workspaces_and_needs_login(client, rich, other_user):
    assert client.get(paste_url(rich)).status_code == 302
    client.force_login(other_user)
    assert client.get(paste_url(rich)).status_code == 404
    assert client.get(export_url(rich, "chatgpt")).status_code == 404


def test_the_paste_page_query_count_does_not_grow_with_actions(client, workspace, user, django_assert_max_num_queries):
    client.force_login(user)
    small = services.gpt_create(workspace=workspace, actor=user, name="Small")
    large = services.gpt_create(workspace=workspace, actor=user, name="Large")
    action_create(gpt=small, actor=user, name="A0", schema_text=WEATHER_SCHEMA)
    for n in range(10):
        schema = WEATHER_SCHEMA.replace("api.weather.example.com", f"api{n}.example.com")
        action_create(gpt=large, actor=user, name=f"A{n}", schema_text=schema)
    with django_assert_max_num_queries(12) as small_run:
        client.get(paste_url(GPT.objects.get(pk=small.pk)))
    with django_assert_max_num_queries(len(small_run.captured_queries)):
        assert client.get(paste_url(GPT.objects.get(pk=large.pk))).status_code == 200


def test_downloads_stream_the_exported_bytes(client, rich, workspace):
    client.force_login(member(workspace, "viewer"))
    response = client.get(export_url(rich, "chatgpt"))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="planner.chatgpt.zip"'
    expected = io.BytesIO()
    gpt_export(gpt=rich, target="chatgpt").write_to(expected)
    assert b"".join(response.streaming_content) == expected.getvalue()
    document = client.get(export_url(rich, "document", "?format=json"))
    assert document["Content-Type"] == "application/json"
    assert client.get(export_url(rich, "plugin")).status_code == 404
    assert client.get(export_url(rich, "chatgpt", "?format=json")).status_code == 400


def test_a_download_with_errors_is_refused_with_a_force_link(client, rich, user, monkeypatch):
    error = Finding(Severity.ERROR, "gpt.name.too_long", "Name too long.", pointer="/name")
    monkeypatch.setattr("gpts.exporters.base.validate_gpt", lambda gpt, **options: GPTReport(findings=[error]))
    client.force_login(user)
    response = client.get(export_url(rich, "chatgpt"))
    assert response.status_code == 409
    assert "gpt.name.too_long" in response.content.decode()
    assert "?force=1" in response.content.decode()
    forced = client.get(export_url(rich, "chatgpt", "?force=1"))
    guide = zipfile.ZipFile(io.BytesIO(b"".join(forced.streaming_content))).read("PASTE_GUIDE.md").decode()
    assert guide.index("Exported with validation errors") < guide.index("## 1. Name")


def bundle_upload(gpt, name="planner.chatgpt.zip"):
    data = io.BytesIO()
    gpt_export(gpt=gpt, target="chatgpt").write_to(data)
    return SimpleUploadedFile(name, data.getvalue(), content_type="application/zip")


def import_url(workspace):
    return reverse("gpts_export:import", args=[workspace.slug])


def test_an_editor_imports_a_bundle_as_a_new_gpt(client, rich, workspace):
    client.force_login(member(workspace, "editor"))
    assert client.get(import_url(workspace)).status_code == 200
    response = client.post(import_url(workspace), {"upload": bundle_upload(rich)})
    assert response.status_code == 201
    html = response.content.decode()
    assert "Created “Planner”" in html and "Secrets to be entered" in html
    assert gpt_document(GPT.objects.get(slug="planner-2")) == gpt_document(rich)


def test_viewers_cannot_import_and_strangers_get_404(client, rich, workspace, other_user):
    client.force_login(member(workspace, "viewer"))
    assert client.post(import_url(workspace), {"upload": bundle_upload(rich)}).status_code == 403
    client.force_login(other_user)
    assert client.get(import_url(workspace)).status_code == 404


def test_a_refused_upload_shows_findings_and_writes_nothing(client, rich, user, workspace):
    client.force_login(user)
    count = GPT.objects.count()
    bad = SimpleUploadedFile("bad.yaml", b"format: gptstudio/gpt@1\nname: x\n")
    response = client.post(import_url(workspace), {"upload": bad})
    assert response.status_code == 400
    assert "document.schema" in response.content.decode()
    assert GPT.objects.count() == count


UNTRUSTED_DOCUMENTS = {
    "binary tag": (b"format: gptstudio/gpt@1\nname: !!binary aGVsbG8=\n", "document.unsupported_tag"),
    "set tag": (b"format: gptstudio/gpt@1\nname: !!set {a, b}\n", "document.unsupported_tag"),
    "deep json": (b'{"format": "gptstudio/gpt@1", "name": ' + b"[" * 500 + b"]" * 500 + b"}", "document.too_deep"),
    "deep yaml": (b"format: gptstudio/gpt@1\nname: " + b"[" * 500 + b"]" * 500 + b"\n", "document.too_deep"),
    "many values": (b"format: gptstudio/gpt@1\nname:\n" + b"- a\n" * 20_000, "document.too_many_values"),
}


@pytest.mark.parametrize("case", UNTRUSTED_DOCUMENTS, ids=list(UNTRUSTED_DOCUMENTS))
def test_documents_that_used_to_crash_the_import_are_refused_on_the_page_and_the_api(client, user, workspace, case):
    data, code = UNTRUSTED_DOCUMENTS[case]
    client.force_login(user)
    count = GPT.objects.count()
    page = client.post(import_url(workspace), {"upload": SimpleUploadedFile("doc.yaml", data)})
    assert page.status_code == 400 and code in page.content.decode()
    api = client.post(f"/api/v1/workspaces/{workspace.slug}/import/", {"file": SimpleUploadedFile("doc.yaml", data)})
    assert api.status_code == 400
    assert code in [f["code"] for f in api.json()["findings"]]
    assert GPT.objects.count() == count


def test_an_upload_over_the_import_cap_is_413_and_stops_being_read_at_the_cap(
    client, rich, user, workspace, monkeypatch
):
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    monkeypatch.setattr("gptstudio.limits.STUDIO_BUNDLE_MAX_TOTAL_BYTES", 1000)  # import_max_bytes()
    received = []
    monkeypatch.setattr(
        TemporaryFileUploadHandler, "receive_data_chunk", lambda self, data, start: received.append(len(data))
    )
    monkeypatch.setattr("django.conf.settings.FILE_UPLOAD_MAX_MEMORY_SIZE", 0)  # every upload to a temporary file
    client.force_login(user)
    count = GPT.objects.count()
    response = client.post(import_url(workspace), {"upload": SimpleUploadedFile("big.yaml", b"x" * 5000)})
    assert response.status_code == 413
    assert "The upload is over 1,000 bytes; GPT Studio imports bundles and documents of up to 1,000 bytes" in (
        response.content.decode()
    )
    assert sum(received) <= 1000  # what was read before the cap stopped it
    assert GPT.objects.count() == count


def test_an_upload_declared_over_the_cap_is_413_before_a_byte_of_it_is_read(client, user, workspace, monkeypatch):
    from django.core.files.uploadhandler import FileUploadHandler

    client.force_login(user)
    assert client.get(import_url(workspace)).status_code == 200  # loads the URLs, and with them the API
    from gptstudio.api.parsers import MULTIPART_OVERHEAD_BYTES

    monkeypatch.setattr("gptstudio.limits.STUDIO_BUNDLE_MAX_TOTAL_BYTES", 1000)  # import_max_bytes()
    monkeypatch.setattr(FileUploadHandler, "new_file", lambda *a, **k: pytest.fail("the upload was read"))
    big = SimpleUploadedFile("big.zip", b"PK\x03\x04" + b"x" * (MULTIPART_OVERHEAD_BYTES + 2000))
    response = client.post(import_url(workspace), {"upload": big})
    assert response.status_code == 413
    assert re.search(
        r"The upload is [\d,]+ bytes; GPT Studio imports bundles and documents of up to 1,000",
        (response.content.decode()),
    )


def test_the_import_page_still_checks_csrf(rich, user, workspace):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.post(import_url(workspace), {"upload": bundle_upload(rich)}).status_code == 403
    page = browser.get(import_url(workspace))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = browser.post(import_url(workspace), {"upload": bundle_upload(rich), "csrfmiddlewaretoken": token})
    assert response.status_code == 201


def test_a_stale_new_version_is_a_conflict(client, rich, user, workspace):
    client.force_login(user)
    page = client.get(import_url(workspace) + "?gpt=planner").content.decode()
    assert f'<option value="planner@{rich.version}" selected>' in page
    data = {"upload": bundle_upload(rich), "gpt": f"planner@{rich.version - 1}"}
    response = client.post(import_url(workspace), data)
    assert response.status_code == 409
    data = {"upload": bundle_upload(rich), "gpt": f"planner@{rich.version}"}
    assert client.post(import_url(workspace), data).status_code == 200


def test_every_import_target_carries_the_version_the_page_showed(client, rich, user, workspace):
    # Opened for one GPT, then another picked in the list: the check is against the one picked.
    other = make_gpt(workspace=workspace, actor=user, name="Other")
    client.force_login(user)
    page = client.get(import_url(workspace) + "?gpt=planner").content.decode()
    assert f'<option value="other@{other.version}">' in page
    services.gpt_update(gpt=other, actor=user, expected_version=other.version, description="Changed meanwhile")
    response = client.post(import_url(workspace), {"upload": bundle_upload(rich), "gpt": f"other@{other.version}"})
    assert response.status_code == 409
    assert GPT.objects.get(pk=other.pk).description == "Changed meanwhile"
    # The page offers the same GPT again, at its new version (not "A new GPT").
    assert f'<option value="other@{other.version + 1}" selected>' in response.content.decode()


@pytest.mark.parametrize("value", ["planner", "planner@", "planner@²", "nobody@1", "@1"])
def test_an_import_target_without_its_version_or_not_in_the_workspace_is_refused(client, rich, user, workspace, value):
    client.force_login(user)
    response = client.post(import_url(workspace), {"upload": bundle_upload(rich), "gpt": value})
    assert response.status_code == 400
    assert "Choose the GPT to import into again" in response.content.decode()
    assert GPT.objects.get(pk=rich.pk).version == rich.version


def _site_nav(html: str) -> str:
    return re.search(r'<nav class="site-nav" aria-label="Main">.*?</nav>', html, re.S).group(0)


def test_the_export_pages_show_the_workspace_switcher_like_the_other_studio_pages(client, rich, workspace, monkeypatch):
    editor = member(workspace, "editor")
    client.force_login(editor)
    dashboard_nav = _site_nav(client.get(reverse("gpts:dashboard", args=[workspace.slug])).content.decode())
    assert f'aria-label="Switch workspace (current: {workspace.name})"' in dashboard_nav
    error = Finding(Severity.ERROR, "gpt.name.too_long", "Name too long.", pointer="/name")
    monkeypatch.setattr("gpts.exporters.base.validate_gpt", lambda gpt, **options: GPTReport(findings=[error]))
    refused = client.get(export_url(rich, "chatgpt"))
    assert refused.status_code == 409
    pages = [client.get(paste_url(rich)), client.get(import_url(workspace)), refused]
    pages.append(client.post(import_url(workspace), {"upload": SimpleUploadedFile("bad.yaml", b"name: x\n")}))
    for response in pages:
        nav = _site_nav(response.content.decode())
        assert nav == dashboard_nav, response.request["PATH_INFO"]
        assert ">Dashboard</a>" not in nav


def test_a_pasted_document_imports_like_an_uploaded_one(client, rich, user, workspace):
    client.force_login(user)
    text = b"".join(gpt_export(gpt=rich, target="document").chunks).decode()
    count = GPT.objects.count()
    response = client.post(import_url(workspace), {"text": text})
    assert response.status_code == 201
    assert GPT.objects.count() == count + 1
    created = GPT.objects.get(slug="planner-2")
    assert gpt_document(created) == gpt_document(rich)
    assert f'href="/w/{workspace.slug}/g/planner-2/"' in response.content.decode()
    assert created.revisions.get().summary == "Imported"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a file to upload or paste the text to import."),
        ({"text": "  \n"}, "Choose a file to upload or paste the text to import."),
        ({"text": "name: x", "upload": SimpleUploadedFile("a.yaml", b"name: x")}, "Upload a file or paste text"),
    ],
    ids=["nothing", "blank text", "both"],
)
def test_the_import_needs_exactly_one_of_a_file_or_text(client, user, workspace, data, message):
    client.force_login(user)
    count = GPT.objects.count()
    response = client.post(import_url(workspace), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert GPT.objects.count() == count


def test_pasted_text_over_the_form_cap_is_413_and_writes_nothing(client, user, workspace, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(user)
    count = GPT.objects.count()
    response = client.post(import_url(workspace), {"text": "x" * 5000})
    assert response.status_code == 413
    assert "The pasted text is over 1,000 bytes" in response.content.decode()
    assert GPT.objects.count() == count


def test_the_bring_your_gpts_guide_says_which_request_to_copy_and_is_linked(client, user, workspace):
    client.force_login(member(workspace, "viewer"))
    guide = reverse("gpts_export:bring_your_gpts", args=[workspace.slug])
    html = client.get(guide).content.decode()
    for step in ("gizmos/g-", "/backend-api/gizmos/g-", "/public-api/gizmos/discovery/mine", "Migrate to plugin"):
        assert step in html
    assert "read-only" in html and "client secret" in html and "Fetch profile picture from ChatGPT" in html
    client.force_login(user)
    assert f'href="{guide}"' in client.get(import_url(workspace)).content.decode()
    assert f'href="{guide}"' in client.get(reverse("gpts:dashboard", args=[workspace.slug])).content.decode()


def test_the_bring_your_gpts_guide_is_404_outside_ones_workspaces(client, workspace, other_user):
    client.force_login(other_user)
    assert client.get(reverse("gpts_export:bring_your_gpts", args=[workspace.slug])).status_code == 404
