"""A document → text: deterministic YAML (the default) or JSON, same document → same bytes."""

from __future__ import annotations

import json
import re
import secrets

import yaml

from gpts import fields as gpt_fields
from gpts.document_schema import DOCUMENT_KEYS

TOP_KEYS = DOCUMENT_KEYS
CAPABILITY_KEYS = gpt_fields.capability_names()
KNOWLEDGE_KEYS = ("name", "size", "sha256", "media_type")
ACTION_KEYS = ("name", "domain", "privacy_policy_url", "authentication", "changes_public_state", "schema")
AUTHENTICATION_KEYS = ("type", "api_key", "oauth")
API_KEY_KEYS = ("auth_type", "custom_header", "key")
OAUTH_KEYS = ("client_id", "client_secret", "authorization_url", "token_url", "scope", "token_exchange_method")


def _ordered(mapping: dict, keys: tuple[str, ...]) -> dict:
    """`mapping` with `keys` first in that order, then any other keys sorted (stable output even
    for hand-written documents)."""
    result = {key: mapping[key] for key in keys if key in mapping}
    result.update({key: mapping[key] for key in sorted(set(mapping) - set(keys))})
    return result


def canonical_order(document: dict) -> dict:
    """The document with every mapping in the fixed key order."""
    doc = _ordered(document, TOP_KEYS)
    if isinstance(doc.get("capabilities"), dict):
        doc["capabilities"] = _ordered(doc["capabilities"], CAPABILITY_KEYS)
    if isinstance(doc.get("knowledge"), list):
        doc["knowledge"] = [_ordered(k, KNOWLEDGE_KEYS) if isinstance(k, dict) else k for k in doc["knowledge"]]
    if isinstance(doc.get("actions"), list):
        actions = []
        for action in doc["actions"]:
            if isinstance(action, dict):
                action = _ordered(action, ACTION_KEYS)
                auth = action.get("authentication")
                if isinstance(auth, dict):
                    auth = _ordered(auth, AUTHENTICATION_KEYS)
                    if isinstance(auth.get("api_key"), dict):
                        auth["api_key"] = _ordered(auth["api_key"], API_KEY_KEYS)
                    if isinstance(auth.get("oauth"), dict):
                        auth["oauth"] = _ordered(auth["oauth"], OAUTH_KEYS)
                    action["authentication"] = auth
            actions.append(action)
        doc["actions"] = actions
    return doc


class _DocumentDumper(yaml.CSafeDumper):
    """libyaml's emitter: it picks a literal block (`|`, `|-`, `|+`, with an indentation indicator
    where needed) for multi-line text and falls back to a double-quoted scalar where a block would
    not read back identically (e.g. a line ending in spaces, a tab). The pure-Python emitter is not
    used: it mangles U+0085."""

    def ignore_aliases(self, data):
        return True  # never anchors/aliases: a document reads top to bottom


def _represent_str(dumper, data: str):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", str.__str__(data), style=style)


# Plain scalars that YAML 1.2 readers (most tools now) take for numbers although YAML 1.1, which
# PyYAML speaks, reads them as text: `1e3`, `1.5e3` (an exponent without a sign), `0o17`. Resolving
# them as numbers here makes the dumper quote such strings, so every reader gets the same text back.
_DocumentDumper.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$"),
    list("-+.0123456789"),
)
_DocumentDumper.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^0o[0-7]+$"), ["0"])

_DocumentDumper.add_representer(str, _represent_str)
# Model choices (e.g. GPT.Visibility.INVITE_ONLY on an unsaved default) are str subclasses.
_DocumentDumper.add_multi_representer(str, _represent_str)
YAML_WIDTH = 2**30  # never fold long lines: diffs stay line-for-line


def _dump(document: dict) -> str:
    return yaml.dump(
        document,
        Dumper=_DocumentDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=YAML_WIDTH,
        indent=2,
    )


# Characters a literal block cannot hold as they are: C0/C1 controls but tab and LF (CR, NEL and
# the Unicode line and paragraph separators are line breaks to YAML; libyaml refuses the rest), lone
# surrogates, a BOM and the non-characters U+FFFE/U+FFFF. Text with any of them is left to libyaml,
# which escapes them in a double-quoted scalar.
_LITERAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def _literal_block(text: str, key_column: int) -> str:
    """`text` as a literal block scalar for a mapping key at `key_column`: header and lines
    (empty lines stay empty, so the output has no whitespace-only lines of its own)."""
    if not text.endswith("\n"):
        chomp, body = "-", text
    else:
        chomp, body = ("+" if text.endswith("\n\n") or text == "\n" else ""), text[:-1]
    # Explicit indentation where a reader could not detect it (leading blank, tab or empty line).
    indicator = "2" if text[:1] in (" ", "\t", "\n") else ""
    indent = " " * (key_column + 2)
    lines = "\n".join(indent + line if line else "" for line in body.split("\n"))
    return f"|{indicator}{chomp}\n{lines}"


def _swap_multiline_values(value, blocks: dict[str, str], nonce: str):
    """A copy of the document with each multi-line mapping value replaced by a plain token."""
    if isinstance(value, dict):
        swapped = {}
        for key, item in value.items():
            if isinstance(item, str) and "\n" in item and not _LITERAL_UNSAFE.search(item):
                token = f"gptstudio{nonce}x{len(blocks)}"
                blocks[token] = item
                swapped[key] = token
            else:
                swapped[key] = _swap_multiline_values(item, blocks, nonce)
        return swapped
    if isinstance(value, list):
        return [_swap_multiline_values(item, blocks, nonce) for item in value]
    return value


# A line `key: <token>` of libyaml's output, at the top level or in a mapping that is a list item.
_TOKEN_LINE = re.compile(
    r"^(?P<lead>[ ]*(?:- )?)(?P<key>[A-Za-z_][A-Za-z0-9_]*): (?P<token>gptstudio[0-9a-f]{16}x[0-9]+)$", re.M
)


def render_document_yaml(document: dict) -> str:
    """YAML for people and git: every multi-line text is a literal block (`|`), lines unchanged,
    even where libyaml alone would fall back to one double-quoted line (lines ending in spaces,
    tabs). libyaml writes the document with a token in place of each such text, and the token's
    line becomes the block. Should a token not be found (a key libyaml quotes), libyaml's own,
    always exact, rendering is used.

    The output is not read back on every render: the property tests in tests/gpts/test_document.py
    read back generated texts, in every position a block takes, through the loader imports use."""
    ordered = canonical_order(document)
    blocks: dict[str, str] = {}
    nonce = secrets.token_hex(8)  # never in the output: every token is replaced below
    text = _dump(_swap_multiline_values(ordered, blocks, nonce))
    if not blocks:
        return text

    def block_line(match: re.Match) -> str:
        if match["token"] not in blocks:
            return match[0]
        return f"{match['lead']}{match['key']}: {_literal_block(blocks.pop(match['token']), len(match['lead']))}"

    text = _TOKEN_LINE.sub(block_line, text)
    return _dump(ordered) if blocks else text


def render_document_json(document: dict) -> str:
    return json.dumps(canonical_order(document), ensure_ascii=False, indent=2) + "\n"


DOCUMENT_FORMATS = ("yaml", "json")


def render_document(document: dict, fmt: str = "yaml") -> str:
    """The document as text: same document → same bytes (UTF-8, LF line ends, final newline)."""
    if fmt == "yaml":
        return render_document_yaml(document)
    if fmt == "json":
        return render_document_json(document)
    raise ValueError(f"Unknown document format {fmt!r}; use one of {', '.join(DOCUMENT_FORMATS)}.")
