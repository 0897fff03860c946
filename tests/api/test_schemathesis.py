"""Property-based testing of the whole API against its own OpenAPI schema (schemathesis).

A live server on 127.0.0.1 (pytest-django's live_server, the test database), a token user who
owns a workspace with GPTs, actions with secrets, knowledge files and jobs, and the schemathesis
CLI generating at least 1,000 cases: any server error, any response that does not match the
schema, a missing 401 without credentials, or a leaked secret fails the test. Counts are printed.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from actions.services import action_create
from gpts import services
from gpts.models import GPT, Job
from gptstudio.services import token_create
from tests.api.conftest import API_KEY, CLIENT_SECRET, SECRET_MARKER
from tests.factories import WEATHER_SCHEMA, UserFactory, make_gpt, make_workspace

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MIN_CASES = 1000
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "ignored_auth",
    ]
)


def _seed():
    owner = UserFactory(username="fuzzer")
    workspace = make_workspace(owner=owner, name="Fuzz")
    services.membership_set(workspace=workspace, user=UserFactory(username="colleague"), role="editor")
    for i in range(12):
        gpt = make_gpt(workspace=workspace, actor=owner, name=f"Fuzz GPT {i}", conversation_starters=["Hi"])
        action_create(
            gpt=gpt,
            actor=owner,
            name="Weather",
            schema_text=WEATHER_SCHEMA,
            auth_type="api_key",
            api_key_auth_type="bearer",
            api_key=API_KEY,
        )
        action_create(
            gpt=GPT.objects.get(pk=gpt.pk),
            actor=owner,
            name="Calendar",
            auth_type="oauth",
            oauth_client_id="cid",
            oauth_client_secret=CLIENT_SECRET,
            oauth_authorization_url="https://auth.example.com/a",
            oauth_token_url="https://auth.example.com/t",
        )
        services.knowledge_file_add(
            gpt=GPT.objects.get(pk=gpt.pk), actor=owner, upload=SimpleUploadedFile(f"k{i}.txt", b"knowledge")
        )
        Job.objects.create(workspace=workspace, gpt=gpt, kind=Job.Kind.SCHEMA_IMPORT)
    # Generated ids are mostly small: the owner's GPTs come first, one the token user may only view last.
    viewer_space = make_workspace(owner=UserFactory(), name="Read Only")
    services.membership_set(workspace=viewer_space, user=owner, role="viewer")
    make_gpt(workspace=viewer_space, actor=viewer_space.memberships.first().user, name="Not mine to edit")
    # Decoy tokens first, so the one in use is not the easiest id to guess and revoke.
    for i in range(40):
        token_create(user=owner, name=f"decoy {i}")
    return token_create(user=owner, name="schemathesis").plaintext


def test_the_api_conforms_to_its_schema_under_generated_input(live_server, settings, tmp_path, monkeypatch, capsys):
    from actions import tasks

    # Schema imports are recorded as jobs but never fetched: no network beyond 127.0.0.1.
    monkeypatch.setattr(tasks.schema_import_task, "delay", lambda job_id: None)
    settings.API_TOKEN_THROTTLE_RATE = ""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    token = _seed()
    report = tmp_path / "report"
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{live_server.url}/api/schema/",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--max-examples",
        os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"),
        "--seed",
        os.environ.get("SCHEMATHESIS_SEED", "20261125"),
        "--workers",
        "1",
        "--no-color",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--report",
        "junit,har",
        "--report-dir",
        str(report),
        "--output-truncate",
        "false",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    output = completed.stdout + completed.stderr
    print(output[-6000:])
    Path(os.environ.get("SCHEMATHESIS_OUTPUT", str(tmp_path / "output.txt"))).write_text(output)
    har = next(report.glob("har-*.json"), None)
    entries = json.loads(har.read_text())["log"]["entries"] if har else []
    server_errors = [e for e in entries if e["response"]["status"] >= 500]
    leaks = [e["request"]["url"] for e in entries if SECRET_MARKER in json.dumps(e["response"])]
    generated = re.search(r"(\d+) generated", output)
    cases = int(generated.group(1)) if generated else 0
    summary = (
        f"schemathesis: {cases} cases generated, {len(entries)} requests sent, "
        f"{len(server_errors)} server errors, {len(leaks)} responses with a secret, exit status {completed.returncode}"
    )
    with capsys.disabled():  # Printed in every run, passing or not.
        print(f"\n{summary}")
    assert completed.returncode == 0, "schemathesis found failures (see the output above)"
    assert cases >= MIN_CASES and len(entries) >= MIN_CASES, f"only {cases} cases were generated"
    assert not server_errors
    assert not leaks
