"""Secrets never leave: seed known secrets, then crawl every GET endpoint of the OpenAPI schema
(and the schema and docs themselves) and look for them in every body and header.

Every other API test also runs through SecretGuardClient, which makes the same check on each
response of the whole API test run."""

import io
import re
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from actions.services import action_update
from gpts import services
from gpts.models import GPT, Job
from gptstudio.services import token_create
from tests.api.conftest import API_KEY, CLIENT_SECRET, SECRET_MARKER

# Endpoints whose query string is required, crawled once per value.
QUERIES = {"/api/v1/gpts/{id}/export/": ["target=document", "target=document&format=json", "target=chatgpt&force=true"]}


def _readable_body(response) -> str:
    """The body as text; a zip (an export) is unzipped, since its members are compressed."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"] == "application/zip":
        bundle = zipfile.ZipFile(io.BytesIO(body))
        body = b"\n".join(bundle.read(name) for name in bundle.namelist())
    return body.decode()


def test_no_endpoint_returns_a_secret(user, gpt, secret_action, oauth_action):
    # A revision written by a secret-only change, a knowledge file, a job: everything has data.
    action_update(action=secret_action, actor=user, expected_version=1, api_key=API_KEY + "-rotated")
    services.knowledge_file_add(gpt=GPT.objects.get(), actor=user, upload=SimpleUploadedFile("k.txt", b"k"))
    job = Job.objects.create(workspace=gpt.workspace, gpt=gpt, kind=Job.Kind.ACTION_TEST)
    token = token_create(user=user, name="crawler").token
    values = {
        "id": None,
        "slug": gpt.workspace.slug,
        "workspace_slug": gpt.workspace.slug,
        "gpt_id": gpt.pk,
        "user_id": user.pk,
        "number": 3,
    }
    ids = {
        "/api/v1/gpts/{id}": gpt.pk,
        "/api/v1/actions/{id}": secret_action.pk,
        "/api/v1/jobs/{id}": job.pk,
        "/api/v1/tokens/{id}": token.pk,
    }
    ids["/api/v1/gpts/{gpt_id}/knowledge/{id}"] = gpt.knowledge_files.get().pk

    client = APIClient()  # Deliberately not the guard client: this test does the looking itself.
    client.force_authenticate(user)
    schema = SchemaGenerator().get_schema(request=None, public=True)
    urls = ["/api/schema/", "/api/docs/", "/api/redoc/", f"/api/v1/actions/{oauth_action.pk}/"]
    for path, item in schema["paths"].items():
        if "get" not in item:
            continue
        fill = dict(values)
        for prefix, pk in ids.items():
            if path.startswith(prefix):
                fill["id"] = pk
        urls += [path.format(**fill) + (f"?{query}" if query else "") for query in QUERIES.get(path, [""])]
    crawled = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, _readable_body(response)[:200])
        text = _readable_body(response) + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        for secret in (API_KEY, API_KEY + "-rotated", CLIENT_SECRET, SECRET_MARKER):
            assert secret not in text, f"{secret!r} leaked from {url}"
        crawled += 1
    assert crawled >= 20
    # Sanity: the secrets really are stored (so the crawl could have found them).
    assert {a.api_key.reveal() for a in secret_action.__class__.objects.all()} >= {API_KEY + "-rotated"}
    assert not re.search(r"\{[a-z_]+\}", " ".join(urls))
    assert set(QUERIES) <= set(schema["paths"])
