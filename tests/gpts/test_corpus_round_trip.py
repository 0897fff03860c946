"""Prove it on real schemas: every schema of the corpus (tests/data/corpus: the GPT-action schemas
and the large reference specs, up to 13 MB), alone, and the action schemas composed into
multi-action GPTs (one domain per action, at most 10), survives export → import → export byte for
byte, and the imported GPT's document equals the original's."""

import io
import zipfile
from pathlib import Path

import pytest

from actions.domain import domain_from_schema
from actions.services import action_create
from gpts import services
from gpts.document.build import gpt_document
from gpts.exporters import gpt_export
from gpts.uploads import gpt_import
from gptstudio import limits
from tests.corpus import CORPUS_DIR, corpus_files, corpus_text

CORPUS = sorted((CORPUS_DIR / "gpt_actions").iterdir())
AUTH_VARIANTS = [
    {},
    {"auth_type": "api_key", "api_key_auth_type": "bearer", "api_key": "sk-corpus"},
    {"auth_type": "api_key", "api_key_auth_type": "custom", "api_key_custom_header": "X-Key", "api_key": "k"},
    {
        "auth_type": "oauth",
        "oauth_client_id": "corpus-client",
        "oauth_authorization_url": "https://auth.example.com/authorize",
        "oauth_token_url": "https://auth.example.com/token",
        "oauth_scope": "read",
        "oauth_client_secret": "cs-corpus",
    },
]


def multi_action_groups() -> list[list[Path]]:
    """Corpus files packed greedily into GPTs: no two actions of a GPT share a domain."""
    groups: list[list[Path]] = []
    domains: list[set[str]] = []
    for path in CORPUS:
        domain = domain_from_schema(path.read_text(encoding="utf-8"))
        for group, seen in zip(groups, domains, strict=True):
            if domain not in seen and len(group) < limits.GPT_ACTIONS_MAX.value:
                group.append(path)
                seen.add(domain)
                break
        else:
            groups.append([path])
            domains.append({domain})
    return [group for group in groups if len(group) > 1]


def build_gpt(workspace, user, paths: list[Path], name: str, texts: list[str] | None = None):
    gpt = services.gpt_create(
        workspace=workspace,
        actor=user,
        name=name[:50],
        instructions=f"Use the actions of {name}.\n",
        conversation_starters=["Start"],
        visibility="link",
    )
    for index, path in enumerate(paths):
        action_create(
            gpt=gpt,
            actor=user,
            name=path.stem[:100],
            schema_text=path.read_text(encoding="utf-8") if texts is None else texts[index],
            privacy_policy_url="https://example.com/privacy",
            **AUTH_VARIANTS[index % len(AUTH_VARIANTS)],
        )
    return gpt.__class__.objects.get(pk=gpt.pk)


def export_bytes(gpt, target, fmt=None) -> bytes:
    buffer = io.BytesIO()
    gpt_export(gpt=gpt, target=target, fmt=fmt, force=True).write_to(buffer)
    return buffer.getvalue()


def assert_round_trip(gpt, workspace, user):
    for target, fmt in (("chatgpt", None), ("document", "yaml"), ("document", "json")):
        first = export_bytes(gpt, target, fmt)
        imported = gpt_import(workspace=workspace, actor=user, upload=io.BytesIO(first)).gpt
        assert gpt_document(imported) == gpt_document(gpt), target
        assert export_bytes(imported, target, fmt) == first, target


def test_the_corpus_is_all_there():
    assert len(CORPUS) == 51


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_each_corpus_schema_round_trips_byte_for_byte(path, workspace, user):
    gpt = build_gpt(workspace, user, [path], path.stem)
    assert gpt.actions.get().schema_text.encode() == path.read_bytes()
    assert_round_trip(gpt, workspace, user)


GROUPS = multi_action_groups()


def test_multi_action_groups_cover_the_corpus_with_distinct_domains():
    assert sum(len(g) for g in GROUPS) >= 40
    assert max(len(g) for g in GROUPS) == limits.GPT_ACTIONS_MAX.value
    for group in GROUPS:
        domains = [domain_from_schema(p.read_text(encoding="utf-8")) for p in group]
        assert len(set(domains)) == len(domains)


@pytest.mark.parametrize("group", GROUPS, ids=[f"{len(g)}-actions-from-{g[0].stem}" for g in GROUPS])
def test_multi_action_gpts_round_trip_byte_for_byte(group, workspace, user):
    gpt = build_gpt(workspace, user, group, f"Composite {group[0].stem}")
    assert gpt.actions.count() == len(group)
    assert_round_trip(gpt, workspace, user)


LARGE = corpus_files("large")


def test_the_large_specs_are_all_there():
    assert len(LARGE) == 14


@pytest.mark.slow
@pytest.mark.parametrize("name", LARGE, ids=LARGE)
def test_each_large_spec_round_trips_byte_for_byte(name, workspace, user):
    text = corpus_text("large", name)
    gpt = build_gpt(workspace, user, [Path(name)], Path(name).stem, texts=[text])
    assert gpt.actions.get().schema_text == text
    bundle = export_bytes(gpt, "chatgpt")
    # The YAML document is the bundle's gpt.yaml, byte for byte, and the bundle's import reads it
    # with the same parse_document: importing it again separately would check nothing new.
    assert zipfile.ZipFile(io.BytesIO(bundle)).read("gpt.yaml") == export_bytes(gpt, "document", "yaml")
    for target, fmt, first in (("chatgpt", None, bundle), ("document", "json", export_bytes(gpt, "document", "json"))):
        imported = gpt_import(workspace=workspace, actor=user, upload=io.BytesIO(first)).gpt
        assert gpt_document(imported) == gpt_document(gpt), target
        assert export_bytes(imported, target, fmt) == first, target
