"""Every schema of the corpus (tests/data/corpus) converts to the three bridge targets without an
error: valid skill and plugin zips, and function tools with unique valid names, compiling
schemas and `strict` only where the strict subset holds; no stored secret in any byte."""

import io
import json
import zipfile
from pathlib import Path

import pytest

from actions.schema import validate_schema_text
from gpts.exporters import gpt_export
from tests.corpus import corpus_bytes, corpus_files, corpus_text
from tests.gpts.test_bridge_exporters import MCP_URL, PLUGIN_VALIDATOR, check_skill, check_tools
from tests.gpts.test_corpus_round_trip import CORPUS, build_gpt

SECRETS = (b"sk-corpus", b"cs-corpus")  # the stored secrets of build_gpt's auth variants
LARGE = corpus_files("large")


def check_bridges(gpt) -> int:
    """Export every bridge target and check it; returns the number of tools."""
    outputs = {}
    for target in ("agent-skill", "agent-plugin", "openai-tools"):
        buffer = io.BytesIO()
        gpt_export(gpt=gpt, target=target, options={"mcp_url": MCP_URL}).write_to(buffer)
        bundle = zipfile.ZipFile(buffer)
        files = {name: bundle.read(name) for name in bundle.namelist()}
        for blob in (buffer.getvalue(), *files.values()):
            assert not any(secret in blob for secret in SECRETS)
        outputs[target] = files
    skill = outputs["agent-skill"]
    check_skill(skill, next(iter(skill)).split("/")[0])
    plugin = outputs["agent-plugin"]
    PLUGIN_VALIDATOR.validate(json.loads(plugin["plugin.json"]))
    assert "mcp.json" in plugin
    tools = json.loads(outputs["openai-tools"]["tools.json"])
    check_tools(tools, json.loads(outputs["openai-tools"]["dispatch.json"]))
    return len(tools)


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_each_corpus_schema_converts_to_every_bridge_target(path, workspace, user):
    gpt = build_gpt(workspace, user, [path], path.stem)
    assert check_bridges(gpt) == len(_operations(gpt))


def _operations(gpt) -> list:
    return validate_schema_text(gpt.actions.get().schema_text).operations


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=[pytest.mark.slow] if len(corpus_bytes("large", n)) > 1_000_000 else []) for n in LARGE],
)
def test_each_large_spec_converts_to_every_bridge_target(name, workspace, user):
    gpt = build_gpt(workspace, user, [Path(name)], Path(name).stem, texts=[corpus_text("large", name)])
    assert check_bridges(gpt) == len(_operations(gpt))
