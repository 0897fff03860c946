"""What a user hands in to import, to the importer of its format: `gpt_import`.

The format is recognised from the content: a bundle zip (the `chatgpt` export; `gpts.bundle` reads
it safely), ChatGPT's own JSON of a GPT (`gpts.chatgpt_import`), or a `gptstudio/gpt@1` document in
YAML or JSON. A new import format is one module with a content sniff and an importer that ends in
`gpts.importers.gpt_apply_document`, plus one branch here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import BinaryIO

from gpts.document.read import DOCUMENT_MAX_BYTES, parse_document
from gptstudio.findings import make_finding, sort_findings

from .bundle import BundleRefused, is_zip, read_bundle
from .chatgpt_import import ChatGPTImportResult, chatgpt_import, is_chatgpt_json
from .importers import DocumentRejected, ImportOutcome, gpt_apply_document
from .models import GPT, Workspace


def gpt_import(
    *,
    workspace: Workspace,
    actor,
    upload: BinaryIO,
    filename: str = "",
    gpt: GPT | None = None,
    expected_version: int | None = None,
    expected_versions: Mapping[str, int] | None = None,
) -> ImportOutcome | ChatGPTImportResult:
    """Import what a user hands in: a bundle zip (from the `chatgpt` export) or a GPT document in
    YAML or JSON, as a new GPT (`gpt=None`) or a new revision of `gpt`. `upload` must be seekable.

    ChatGPT's own JSON of a GPT (or a list of them) is recognised from its content and handed to
    `gpts.chatgpt_import.chatgpt_import`, which returns a ChatGPTImportResult (one result per GPT;
    `expected_versions` maps ChatGPT ids to the versions seen, for GPTs imported before).

    Raises DocumentRejected (with findings) for an unsafe or unexpected zip, a document that does
    not match the schema, or values the services refuse; EditConflict for a stale
    `expected_version`. Nothing is written in either case."""
    head = upload.read(4)
    upload.seek(0)
    summary = f"Imported from {filename}" if filename else ""
    if is_zip(head):
        try:
            bundle = read_bundle(upload)
        except BundleRefused as exc:
            raise DocumentRejected(exc.findings) from exc
        with bundle:
            outcome = gpt_apply_document(
                gpt_or_none=gpt,
                workspace=workspace,
                document=bundle.document,
                actor=actor,
                expected_version=expected_version,
                knowledge_files=bundle.knowledge_files,
                summary=summary,
            )
        outcome.findings = sort_findings(bundle.findings + outcome.findings)
        return outcome
    data = upload.read(DOCUMENT_MAX_BYTES + 1)
    if is_chatgpt_json(data):
        if gpt is not None:
            raise DocumentRejected(
                [
                    make_finding(
                        "import.chatgpt_target",
                        "This is ChatGPT's JSON of a GPT: it finds the GPT it updates by its ChatGPT id, so import it "
                        "into the workspace without naming a GPT (give the version you saw as `versions`).",
                    )
                ]
            )
        return chatgpt_import(workspace=workspace, actor=actor, data=data, expected_versions=expected_versions)
    parsed = parse_document(data)
    if not parsed.valid:
        raise DocumentRejected(parsed.findings)
    # gpt_apply_document re-checks the document and reports its warnings itself.
    return gpt_apply_document(
        gpt_or_none=gpt,
        workspace=workspace,
        document=parsed.document,
        actor=actor,
        expected_version=expected_version,
        summary=summary,
    )
