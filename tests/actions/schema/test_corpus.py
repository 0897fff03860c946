"""Every corpus file: real GPT action schemas that ChatGPT accepted validate without errors; the
ones that cannot work as published get exactly the errors that say why; large specs never crash."""

import hashlib

import pytest

from actions.schema import validate_schema_text
from gptstudio.findings import RULES, Severity
from tests.corpus import corpus_bytes, corpus_files, corpus_text, manifest_rows

# Published files that ChatGPT cannot accept as they are, with the errors that explain why (see
# MANIFEST.md): fill-in templates, a localhost demo, and two cookbook cells that are not valid YAML.
# A fill-in placeholder in the server's host ({app_name}, <subdomain>, your_instance) names no host,
# so ChatGPT cannot call the API until it is filled in.
HOST_PLACEHOLDER_TEMPLATES = [
    "cookbook_rag_azure_ai_search_FSTRING.yaml",
    "cookbook_rag_gcp_bigquery_vector_FSTRING.yaml",
    "cookbook_salesforce.yaml",
    "cookbook_salesforce_gong__gong.yaml",
    "cookbook_salesforce_gong__salesforce.yaml",
    "cookbook_sharepoint_azure_function__solution1.yaml",
    "cookbook_sharepoint_azure_function__solution2.yaml",
    "cookbook_sharepoint_doc.yaml",
    "cookbook_sharepoint_text.yaml",
    "cookbook_snowflake_direct.yaml",
    "cookbook_snowflake_middleware.yaml",
]
EXPECTED_ERRORS = {
    **{name: {"action.server.invalid_host"} for name in HOST_PLACEHOLDER_TEMPLATES},
    "anilmatcha_greeting_localhost.json": {"action.server.localhost", "action.server.not_https"},
    # `url: {url of your Google Cloud Function}` is a YAML mapping, and `operationId: {create an
    # operationID}` too: the template must be filled in before ChatGPT can read it.
    "cookbook_middleware_gcp_function_TEMPLATE.yaml": {"action.server.missing", "action.operation.missing_id"},
    "cookbook_middleware_azure_function_TEMPLATE.yaml": {"schema.syntax"},
    "cookbook_redshift.yaml": {"schema.syntax"},
    "cookbook_rag_pinecone_retool.yaml": {"action.server.not_absolute"},  # servers: - url: YOUR_URL_HERE
    "ruvnet_coding-wingman.json": {"action.server.not_absolute"},  # url: replace-with-your-endpoint
}

LARGE = corpus_files("large")
ACTIONS = corpus_files("gpt_actions")


def test_the_committed_corpus_is_the_whole_manifest():
    assert set(ACTIONS) | set(LARGE) == set(manifest_rows())
    assert len(ACTIONS) == 51 and len(LARGE) == 14


@pytest.mark.parametrize("group", ["gpt_actions", "large"])
def test_corpus_files_are_byte_identical_to_the_manifest(group):
    for name in corpus_files(group):
        digest = hashlib.sha256(corpus_bytes(group, name)).hexdigest()[:16]
        assert digest == manifest_rows()[name]["sha256"], name


@pytest.mark.parametrize("name", ACTIONS)
def test_gpt_action_schema(name):
    report = validate_schema_text(corpus_text("gpt_actions", name))
    errors = {f.code for f in report.findings if f.severity == Severity.ERROR}
    assert errors == EXPECTED_ERRORS.get(name, set()), [f for f in report.findings if f.severity == Severity.ERROR]
    expected_ops = manifest_rows()[name]["ops"]
    if expected_ops is not None and name != "cookbook_jira.yaml":
        assert len(report.operations) == expected_ops
    for finding in report.findings:
        assert finding.code in RULES
        assert finding.line is not None, finding


def test_a_placeholder_in_the_server_path_stays_a_warning():
    report = validate_schema_text(corpus_text("gpt_actions", "cookbook_jira.yaml"))
    [placeholder] = [f for f in report.findings if f.code == "action.server.placeholder"]
    assert placeholder.severity == Severity.WARNING
    assert "<CLOUD_ID>" in placeholder.message


def test_jira_duplicate_path_is_a_warning_and_keeps_the_last_mapping():
    report = validate_schema_text(corpus_text("gpt_actions", "cookbook_jira.yaml"))
    [duplicate] = [f for f in report.findings if f.code == "schema.duplicate_key"]
    assert (duplicate.pointer, duplicate.line, duplicate.severity) == ("/paths/~1issue", 157, Severity.WARNING)
    assert report.valid


@pytest.mark.slow
@pytest.mark.parametrize("name", LARGE)
def test_large_spec_parses_and_validates_without_crashing(name):
    report = validate_schema_text(corpus_text("large", name))
    assert report.format in ("json", "yaml")
    assert report.openapi_version.startswith("3.")
    expected_ops = manifest_rows()[name]["ops"]
    assert len(report.operations) == expected_ops
    assert all(f.code in RULES for f in report.findings)
    assert all(f.line is not None for f in report.findings)
    report.as_dict()


def test_github_spec_breaks_the_documented_limits():
    report = validate_schema_text(corpus_text("large", "github_api.github.com_2020-07-30.json"))
    found = {f.code for f in report.findings}
    assert {"action.operations.too_many", "action.operation.description_too_long", "action.parameter.ref"} <= found
    assert not report.valid
