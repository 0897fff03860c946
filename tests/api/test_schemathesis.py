"""Property-based testing of the whole API against its own OpenAPI schema (schemathesis).

A live server on 127.0.0.1 (pytest-django's live_server, the test database), a token user who
owns a workspace with GPTs, actions with secrets, knowledge files and jobs, and the schemathesis
CLI generating at least 1,000 cases: any server error, any response that does not match the
schema, a missing 401 without credentials, or a leaked secret fails the test. A generated
schemathesis.toml (`_config`) sends the requests to seeded objects, so that operations on one
object get past their 404; per operation, the requests it answered itself and its successes are
printed and given a floor.
"""

import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator

from actions.models import Action
from actions.services import action_create
from gpts import services
from gpts.models import GPT, Job
from gptstudio.services import token_create
from tests.api.conftest import API_KEY, CLIENT_SECRET, SECRET_MARKER
from tests.factories import WEATHER_SCHEMA, UserFactory, make_gpt, make_workspace

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MIN_CASES = 1000
# Fuzzing-phase cases of the operations whose ids or names are drawn from seeded values; DELETEs
# get more, since only a draw of a seeded object not yet deleted reaches their code.
DRAWN_EXAMPLES, DRAWN_DELETE_EXAMPLES = 25, 50
# Every operation must be answered by its own code (not a 404 or 401) this many times at least,
# and for this share of the requests it got with credentials. Without the steering below, the
# operations on one object got almost only 404s. The lowest share is POST /gpts/'s (about 0.2):
# the coverage phase invents workspace slugs in its body, which no setting steers.
MIN_REACHED, MIN_REACHED_SHARE = 4, 0.15
# A DELETE reaches its code once per seeded object drawn, and Hypothesis draws unevenly: with the
# same seed, one run drew the first of ten seeded members 14 times in 25 cases (3 deleted), the
# next spread its draws (6 deleted). Two deleted objects prove the steering works.
MIN_DELETED = 2
# Operations a generated request cannot be expected to succeed on: a token may not create tokens
# (403 by design), and an import needs a valid bundle or GPT document.
NEVER_SUCCEEDS = {"POST /api/v1/tokens/", "POST /api/v1/workspaces/{slug}/import/"}
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


@dataclass
class World:
    """What _seed made: the token's plaintext and the ids generated requests are steered to."""

    token: str
    workspace: str
    gpt: int  # Read and edited, never deleted.
    knowledge_gpt: int  # Its knowledge files.
    history_gpt: int  # Its revisions (a restore puts back old actions and files: not the others' GPT).
    knowledge: int
    action: int
    job: int
    colleague: int
    decoy_token: int
    doomed: dict[str, list] = field(default_factory=dict)  # For the DELETE operations.
    pools: dict[str, list] = field(default_factory=dict)  # For ids and names in request bodies.


def _seed(base_url_override: str) -> World:
    # A large id: a generated DELETE of a member never removes the token user by chance.
    owner = UserFactory(username="fuzzer", id=987_654_321)
    workspace = make_workspace(owner=owner, name="Fuzz")
    colleague = UserFactory(username="colleague")
    services.membership_set(workspace=workspace, user=colleague, role="editor")
    leavers = [UserFactory(username=f"leaver-{i}") for i in range(10)]
    for leaver in leavers:
        services.membership_set(workspace=workspace, user=leaver, role="viewer")
    newcomers = [UserFactory(username=f"newcomer-{i}").username for i in range(6)]
    gpts = []
    for i in range(12):
        gpt = make_gpt(workspace=workspace, actor=owner, name=f"Fuzz GPT {i}", conversation_starters=["Hi"])
        action_create(
            gpt=gpt,
            actor=owner,
            name="Weather",
            schema_text=WEATHER_SCHEMA,
            base_url_override=base_url_override,
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
            base_url_override=base_url_override,
        )
        Job.objects.create(workspace=workspace, gpt=gpt, kind=Job.Kind.SCHEMA_IMPORT)
        gpts.append(gpt)
    knowledge_gpt = gpts[1]
    knowledge = [
        services.knowledge_file_add(
            gpt=GPT.objects.get(pk=knowledge_gpt.pk), actor=owner, upload=SimpleUploadedFile(f"k{i}.txt", b"knowledge")
        ).pk
        for i in range(8)
    ]
    # Generated ids are mostly small: the owner's GPTs come first, one the token user may only view last.
    viewer_space = make_workspace(owner=UserFactory(), name="Read Only")
    services.membership_set(workspace=viewer_space, user=owner, role="viewer")
    make_gpt(workspace=viewer_space, actor=viewer_space.memberships.first().user, name="Not mine to edit")
    doomed_workspaces = [make_workspace(owner=owner, name=f"Doomed {i}").slug for i in range(8)]
    # Decoy tokens first, so the one in use is not the easiest id to guess and revoke; generated
    # requests are steered to the decoys, never to the token in use.
    decoys = [token_create(user=owner, name=f"decoy {i}").token.pk for i in range(40)]
    kept, doomed = gpts[:6], gpts[6:]
    actions_of = {gpt.pk: list(Action.objects.filter(gpt=gpt).values_list("pk", flat=True)) for gpt in gpts}
    return World(
        token=token_create(user=owner, name="schemathesis").plaintext,
        workspace=workspace.slug,
        gpt=gpts[0].pk,
        knowledge_gpt=knowledge_gpt.pk,
        history_gpt=gpts[2].pk,
        knowledge=knowledge[0],
        action=actions_of[gpts[0].pk][0],
        job=Job.objects.filter(gpt=gpts[0]).get().pk,
        colleague=colleague.pk,
        decoy_token=decoys[0],
        doomed={
            "gpts": [gpt.pk for gpt in doomed],
            "actions": [pk for gpt in gpts[3:6] for pk in actions_of[gpt.pk]],
            "knowledge": knowledge[1:],
            "members": [leaver.pk for leaver in leavers],
            "workspaces": doomed_workspaces,
            "tokens": decoys[1:],
        },
        pools={
            "gpts": [gpt.pk for gpt in kept],
            "actions": [pk for gpt in kept for pk in actions_of[gpt.pk]],
            "workspaces": [workspace.slug],
            "newcomers": newcomers,
            "revisions": [1, 2, 3],
        },
    )


@dataclass(frozen=True)
class Drawn:
    """A value drawn from a dictionary of seeded values (fuzzing phase), else generated."""

    pool: str
    probability: float = 0.9


def _toml(value) -> str:
    if isinstance(value, Drawn):
        return f"{{ dictionary = {json.dumps(value.pool)}, probability = {value.probability} }}"
    return json.dumps(value)  # Numbers and plain strings are written alike in JSON and TOML.


def _config(world: World) -> str:
    """schemathesis.toml steering generated requests to seeded objects.

    Random ids and slugs almost never exist, so without this most requests to an operation on one
    object stop at its 404. Fixed path values (used by every phase) send the reads and edits to
    objects that exist; dictionaries (drawn from in the fuzzing phase, with some probability) send
    the DELETEs to objects seeded for deletion, and fill ids and names in bodies."""
    pools = {f"doomed_{name}": values for name, values in world.doomed.items()} | world.pools
    gpt, knowledge, workspace = {"path.id": world.gpt}, {"path.gpt_id": world.knowledge_gpt}, world.workspace
    history = {"path.gpt_id": world.history_gpt}
    revision, action = {**history, "path.number": 1}, {"path.id": world.action}
    member = {"path.workspace_slug": workspace, "path.user_id": world.colleague}
    operations = {
        **{f"{method} /gpts/{{id}}/": gpt for method in ("GET", "PUT", "PATCH")},
        "GET /gpts/{id}/validate/": gpt,
        "GET /gpts/{id}/export/": gpt,
        "GET /gpts/{id}/migration/": gpt,
        "DELETE /gpts/{id}/": {"path.id": Drawn("doomed_gpts")},
        "POST /gpts/": {"body.workspace": Drawn("workspaces")},
        "GET /gpts/{gpt_id}/knowledge/": knowledge,
        "POST /gpts/{gpt_id}/knowledge/": knowledge,
        "GET /gpts/{gpt_id}/knowledge/{id}/": {**knowledge, "path.id": world.knowledge},
        "DELETE /gpts/{gpt_id}/knowledge/{id}/": {**knowledge, "path.id": Drawn("doomed_knowledge")},
        "GET /gpts/{gpt_id}/revisions/": history,
        "GET /gpts/{gpt_id}/revisions/{number}/": revision,
        "GET /gpts/{gpt_id}/revisions/{number}/diff/": {
            **revision,
            "path.number": 2,
            "query.against": Drawn("revisions"),
        },
        "POST /gpts/{gpt_id}/revisions/{number}/restore/": revision,
        **{f"{method} /actions/{{id}}/": action for method in ("GET", "PUT", "PATCH")},
        "GET /actions/{id}/validate/": action,
        "GET /actions/{id}/operations/": action,
        "POST /actions/{id}/call/": action,
        "DELETE /actions/{id}/": {"path.id": Drawn("doomed_actions")},
        "POST /actions/": {"body.gpt": Drawn("gpts")},
        "POST /actions/import/": {"body.gpt": Drawn("gpts"), "body.action": Drawn("actions")},
        "GET /jobs/{id}/": {"path.id": world.job},
        "GET /tokens/{id}/": {"path.id": world.decoy_token},
        "DELETE /tokens/{id}/": {"path.id": Drawn("doomed_tokens")},
        **{f"{method} /workspaces/{{slug}}/": {"path.slug": workspace} for method in ("GET", "PUT", "PATCH")},
        "DELETE /workspaces/{slug}/": {"path.slug": Drawn("doomed_workspaces")},
        "POST /workspaces/{slug}/import/": {"path.slug": workspace, "body.gpt": Drawn("gpts")},
        "GET /workspaces/{workspace_slug}/members/": {"path.workspace_slug": workspace},
        "POST /workspaces/{workspace_slug}/members/": {
            "path.workspace_slug": workspace,
            "body.username": Drawn("newcomers"),
        },
        **{
            f"{method} /workspaces/{{workspace_slug}}/members/{{user_id}}/": member
            for method in ("GET", "PUT", "PATCH")
        },
        "DELETE /workspaces/{workspace_slug}/members/{user_id}/": {
            "path.workspace_slug": workspace,
            "path.user_id": Drawn("doomed_members"),
        },
    }
    lines = []
    for name, values in pools.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    for label, parameters in operations.items():
        method, path = label.split(" ")
        lines += ["[[operations]]", f"include-name = {json.dumps(f'{method} /api/v1{path}')}"]
        if any(isinstance(value, Drawn) for value in parameters.values()):
            # Dictionaries are drawn from in the fuzzing phase only: give it more cases here.
            examples = DRAWN_DELETE_EXAMPLES if method == "DELETE" else DRAWN_EXAMPLES
            lines.append(f"generation.max-examples = {examples}")
        if method == "DELETE":
            # Not with ids and slugs learnt from other responses, nor in the stateful phase's
            # chains: those would delete the seeded objects the other operations are steered to.
            lines += [
                "phases.coverage.extra-data-sources.responses = false",
                "phases.fuzzing.extra-data-sources.responses = false",
                "phases.stateful.enabled = false",
            ]
        lines += ["[operations.parameters]", *(f"{json.dumps(k)} = {_toml(v)}" for k, v in parameters.items()), ""]
    return "\n".join(lines)


def _per_operation(entries: list[dict], schema_paths) -> dict[str, Counter]:
    """Response statuses of the requests sent, per operation (`METHOD /path/{param}/`). A list's
    404 for a page past its end is told apart (`404 page`): the list answered it."""
    # Fewest placeholders first: /actions/import/ is not /actions/{id}/.
    paths = sorted(schema_paths, key=lambda p: p.count("{"))
    templates = [(re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p)) + "$"), p) for p in paths]
    statuses: dict[str, Counter] = defaultdict(Counter)
    for entry in entries:
        path = urlsplit(entry["request"]["url"]).path
        template = next((t for pattern, t in templates if pattern.match(path)), path)
        status = str(entry["response"]["status"])
        if status == "404" and '"Invalid page."' in (entry["response"]["content"].get("text") or ""):
            status = "404 page"
        statuses[f"{entry['request']['method']} {template}"][status] += 1
    return statuses


def _reached(counts: Counter) -> int:
    """Requests the operation itself answered: not a 404 (a random id or slug) or a 401 (the
    requests schemathesis sends without credentials)."""
    return sum(n for status, n in counts.items() if status not in ("401", "404"))


def _starved(operation: str, counts: Counter) -> bool:
    reached, with_credentials = _reached(counts), sum(counts.values()) - counts["401"]
    if operation.startswith("DELETE "):
        return reached < MIN_DELETED
    return reached < MIN_REACHED or reached < MIN_REACHED_SHARE * with_credentials


def _succeeded(counts: Counter) -> int:
    return sum(n for status, n in counts.items() if status[0] in "23")


def test_the_api_conforms_to_its_schema_under_generated_input(
    live_server, settings, tmp_path, monkeypatch, capsys, loopback_server
):
    from actions import tasks

    # Schema imports are recorded as jobs but never fetched: no network beyond 127.0.0.1. Test
    # calls go to a mock API on 127.0.0.1 (every action's base URL override; it answers 404).
    monkeypatch.setattr(tasks.schema_import_task, "delay", lambda job_id: None)
    settings.API_TOKEN_THROTTLE_RATE = ""
    settings.ACTION_CALL_THROTTLE_RATE = ""
    settings.OUTBOUND_ALLOW_HOSTS = [f"127.0.0.1:{loopback_server.port}"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = _seed(loopback_server.url(""))
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(world))
    report = tmp_path / "report"
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(config),
        "run",
        f"{live_server.url}/api/schema/",
        "--header",
        f"Authorization: Bearer {world.token}",
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
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = [f"{m.upper()} {p}" for p, item in schema["paths"].items() for m in item if m != "parameters"]
    statuses = _per_operation(entries, schema["paths"])
    table = [
        f"  {op:66} {sum(statuses[op].values()):4} sent {_reached(statuses[op]):4} reached "
        f"{_succeeded(statuses[op]):4} succeeded  " + " ".join(f"{st}:{n}" for st, n in sorted(statuses[op].items()))
        for op in operations
    ]
    reached = sum(_reached(counts) for counts in statuses.values())
    succeeded = sum(_succeeded(counts) for counts in statuses.values())
    summary = (
        f"schemathesis: {cases} cases generated, {len(entries)} requests sent ({reached} reached an operation, "
        f"{succeeded} succeeded), {len(server_errors)} server errors, {len(leaks)} responses with a secret, "
        f"exit status {completed.returncode}"
    )
    with capsys.disabled():  # Printed in every run, passing or not.
        print("\nPer operation (reached: answered by the operation, not a 401 or 404):", *table, summary, sep="\n")
    assert completed.returncode == 0, "schemathesis found failures (see the output above)"
    assert cases >= MIN_CASES and len(entries) >= MIN_CASES, f"only {cases} cases were generated"
    assert not server_errors
    assert not leaks
    starved = [op for op in operations if _starved(op, statuses[op])]
    assert not starved, f"operations the generated requests hardly reached: {starved}"
    never = [op for op in operations if op not in NEVER_SUCCEEDS and not _succeeded(statuses[op])]
    assert not never, f"operations no generated request succeeded on: {never}"
