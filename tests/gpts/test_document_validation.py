"""Validating a GPT document (validate_gpt on a file): the findings an import would give, worked
out on unsaved rows, with nothing written to the database or to storage."""

import copy
import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.schema import validate_schema_text
from gpts import services
from gpts.bundle import read_bundle
from gpts.document.build import gpt_document
from gpts.exporters import gpt_export
from gpts.importers import document_validation_findings, gpt_apply_document
from gpts.models import GPT, KnowledgeFile, Revision, Workspace
from gpts.validation import STUDIO_SECRET_CODES
from tests.factories import make_rich_gpt, make_workspace

# What a document never carries, so validating it does not report them as missing.
NOT_IN_A_DOCUMENT = {"import.knowledge_missing", "import.secret_to_enter", *STUDIO_SECRET_CODES}


@pytest.fixture
def rich(workspace, user):
    gpt = make_rich_gpt(workspace, user)
    services.knowledge_file_add(gpt=gpt, actor=user, upload=ContentFile(b"a,b\n1,2\n", name="plan.csv"))
    return GPT.objects.get(pk=gpt.pk)


def media_files(settings) -> list[Path]:
    return sorted(Path(settings.MEDIA_ROOT).rglob("*"))


def as_dicts(findings) -> list[dict]:
    return [f.as_dict() for f in findings]


def test_validating_a_bundle_writes_no_row_and_no_file(rich, settings):
    exported = io.BytesIO()
    gpt_export(gpt=rich, target="chatgpt").write_to(exported)
    exported.seek(0)
    files_before = media_files(settings)
    counts_before = [model.objects.count() for model in (Workspace, GPT, KnowledgeFile, Revision)]
    with read_bundle(exported) as bundle, CaptureQueriesContext(connection) as queries:
        assert "plan.csv" in bundle.knowledge_files
        findings = document_validation_findings(document=bundle.document, knowledge_files=bundle.knowledge_files)
    assert [f.code for f in findings if f.severity == "error"] == []
    assert [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")] == []
    assert media_files(settings) == files_before
    assert [model.objects.count() for model in (Workspace, GPT, KnowledgeFile, Revision)] == counts_before


def test_validating_a_document_reports_what_importing_it_reports(rich, user):
    document = copy.deepcopy(gpt_document(rich))
    document["name"] = "  Planner  "  # trimmed on import: an info finding
    document["actions"][0]["privacy_policy_url"] = ""  # a GPT in the store needs one: an error
    document["actions"][1]["domain"] = "elsewhere.example.com"  # not the schema's domain: an info finding
    document["knowledge"][0]["size"] = 60 * 1024 * 1024  # over ChatGPT's limit for spreadsheets
    with CaptureQueriesContext(connection) as queries:
        validated = document_validation_findings(document=document)
    assert [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")] == []
    assert [f.code for f in validated] == ["import.invalid_value"]  # the knowledge file, as the import refuses it
    assert validated[0].pointer == "/knowledge/0"

    document["knowledge"] = []
    validated = document_validation_findings(document=document)
    imported = gpt_apply_document(
        gpt_or_none=None, workspace=make_workspace(owner=user, name="Scratch"), document=document, actor=user
    )
    expected = [f for f in imported.findings if f.code not in NOT_IN_A_DOCUMENT]
    assert {"import.trimmed", "document.domain_mismatch"} <= {f.code for f in expected}
    assert any(f.severity == "error" for f in expected)
    assert as_dicts(validated) == as_dicts(expected)


def test_an_actions_schema_is_validated_by_the_schema_engine(rich):
    document = copy.deepcopy(gpt_document(rich))
    broken = "openapi: 3.1.0\ninfo:\n  title: Broken\npaths: {}\n"
    document["actions"][0]["schema"] = broken
    findings = document_validation_findings(document=document)
    schema_errors = {f.code for f in validate_schema_text(broken).findings if f.severity == "error"}
    assert schema_errors and schema_errors <= {f.code for f in findings}
