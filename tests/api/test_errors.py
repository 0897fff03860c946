"""One error shape, the right status for each kind of bad input, never a 500."""

import os
import subprocess
import sys

import pytest

from gpts.models import GPT


def test_malformed_json_is_400(api, gpt):
    response = api.generic("PATCH", f"/api/v1/gpts/{gpt.pk}/", b'{"name": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error" and response.json()["message"].startswith("JSON parse error")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "\\ud800"}',  # A lone surrogate: PostgreSQL would refuse it with a server error.
        b'{"name": "\xff\xfe"}',  # Not UTF-8.
        b'{"name": NaN}',
        b"[1, 2",
    ],
)
def test_bytes_no_database_can_store_are_400(api, gpt, raw):
    response = api.generic("PATCH", f"/api/v1/gpts/{gpt.pk}/", raw, content_type="application/json")
    assert response.status_code == 400
    assert GPT.objects.get().name == "Weather Buddy"


def test_a_json_list_body_is_400(api, gpt):
    response = api.generic("PATCH", f"/api/v1/gpts/{gpt.pk}/", b"[1]", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"]


def test_wrong_content_type_is_415(api, gpt):
    response = api.generic(
        "PATCH", f"/api/v1/gpts/{gpt.pk}/", b"name=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_a_json_body_over_the_limit_is_413(api, gpt, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api.patch(f"/api/v1/gpts/{gpt.pk}/", {"instructions": "x" * 200}, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_unknown_api_urls_are_json_404(api):
    for url in ("/api/v1/nothing-here/", "/api/v1/gpts/abc/", "/api/v1/gpts/1.5/"):
        response = api.get(url)
        assert response.status_code == 404
        assert response.json() == {"message": "Not found.", "code": "not_found"}


def test_method_not_allowed_is_json(api, gpt):
    response = api.post(f"/api/v1/gpts/{gpt.pk}/", {}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_huge_ids_and_pages_are_not_errors_of_the_server(api):
    assert api.get("/api/v1/gpts/99999999999999999999999/").status_code == 404
    assert api.get("/api/v1/gpts/?page=99999999999999999999").status_code == 404
    assert api.get("/api/v1/jobs/?gpt=99999999999999999999999").status_code == 400
    assert api.get("/api/v1/jobs/?gpt=1.5").status_code == 400


@pytest.mark.parametrize("raw", ["١", "²", "1.0", "1.5", "-1", " 1", "+1", "1e0", "x", "9" * 19])
def test_an_id_filter_that_is_no_whole_number_is_400(api, gpt, raw):
    from urllib.parse import quote

    for url in ("/api/v1/jobs/", "/api/v1/actions/"):
        response = api.get(f"{url}?gpt={quote(raw)}")
        assert response.status_code == 400, response.content
        assert response.json()["errors"] == {
            "gpt": ["An id is a whole number written with the digits 0-9 (at most 18)."]
        }
    assert api.get(f"/api/v1/jobs/?gpt={gpt.pk}").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/workspaces/a%00b/",
        "/api/v1/workspaces/a%00b/members/",
        "/api/v1/workspaces/a%00b/members/1/",
        "/api/v1/workspaces/caf%C3%A9/",
        "/api/v1/workspaces/a%20b/members/",
    ],
)
def test_a_workspace_slug_outside_the_slug_alphabet_matches_no_route(api, url):
    """On PostgreSQL a NUL reaching a query was a server error; the routes now only take slugs."""
    response = api.get(url)
    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "code": "not_found"}


def test_a_workspace_slug_in_a_body_outside_the_slug_alphabet_is_400(api, workspace):
    for slug in ("a\x00b", "a b", 7):
        response = api.post("/api/v1/gpts/", {"workspace": slug, "name": "Sneaky"}, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["errors"] == {
            "workspace": ["A slug is made of letters, digits, hyphens and underscores."]
        }
    assert not GPT.objects.exists()


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("/api/v1/gpts/?search=a%00b", "search"),
        ("/api/v1/gpts/?workspace=a%00b", "workspace"),
        ("/api/v1/gpts/?ordering=name%00", "ordering"),
        ("/api/v1/gpts/?visibility=link%00", "visibility"),
        ("/api/v1/actions/?workspace=a%00b", "workspace"),
        ("/api/v1/jobs/?workspace=a%00b", "workspace"),
        ("/api/v1/jobs/?status=failed%00", "status"),
    ],
)
def test_a_nul_in_a_query_string_filter_is_400(api, gpt, query, parameter):
    """Run against PostgreSQL too (DATABASE_URL), where a NUL in a query parameter is an error."""
    response = api.get(query)
    assert response.status_code == 400
    assert parameter in response.json()["errors"]


def test_a_nul_in_the_export_query_or_a_member_name_is_400(api, gpt, workspace):
    export = api.get(f"/api/v1/gpts/{gpt.pk}/export/?target=document%00")
    assert export.status_code == 400 and "target" in export.json()["errors"]
    member = api.post(
        f"/api/v1/workspaces/{workspace.slug}/members/", {"username": "a\x00", "role": "viewer"}, format="json"
    )
    assert member.status_code == 400 and "username" in member.json()["errors"]


@pytest.mark.parametrize("first", ["gptstudio.api.parsers", "gptstudio.api.errors", "gpts.api.serializers"])
def test_api_modules_import_in_any_order(first):
    """rest_framework.views loads the parser classes named in the settings when it is imported;
    the parsers import the error module, which used to import rest_framework.views back."""
    code = f"import django; django.setup(); import {first}; import rest_framework.views"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gptstudio.settings.test"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/api/v1/gpts/99999999999999999999/"),
        ("patch", "/api/v1/actions/99999999999999999999/"),
        ("get", "/api/v1/nothing-here/"),
        ("post", "/api/v1/nothing-here/"),
        ("delete", "/api/nothing"),
        ("get", "/api/v1/gpts/1"),
        ("get", "/api/"),
    ],
)
def test_every_unrouted_api_path_is_a_json_404_with_debug_on_or_off(api, settings, debug, method, url):
    settings.DEBUG = debug
    response = getattr(api, method)(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"message": "Not found.", "code": "not_found"}


def test_a_post_to_an_unknown_api_path_without_csrf_is_a_json_404(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/api/v1/nothing-here/", {})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("debug", [False, True])
def test_studio_pages_keep_their_html_404(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/no-such-page/at-all/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
