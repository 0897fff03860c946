"""One error shape, the right status for each kind of bad input, never a 500."""

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
