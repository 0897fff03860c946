"""The GPT document: deterministic rendering, exact YAML/JSON round trips, findings for bad input."""

import json
import re
import time

import jsonschema_rs
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.schema import parse_schema
from gpts.document.build import SECRET_PLACEHOLDER, gpt_document
from gpts.document.read import document_findings, parse_document
from gpts.document.render import canonical_order, render_document
from gpts.document_schema import DOCUMENT_FORMAT, SCHEMA_PATH, build_document_schema, render_document_schema
from tests.corpus import corpus_text
from tests.factories import CALENDAR_SCHEMA, RICH_INSTRUCTIONS, make_rich_gpt
from tests.hypothesis_examples import scaled


@pytest.fixture
def rich(workspace, user):
    return make_rich_gpt(workspace, user, api_key="sk-known", client_secret="cs-known")


@pytest.fixture
def document(rich):
    return gpt_document(rich)


def codes(findings):
    return [f.code for f in findings]


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_rendering_round_trips_exactly_and_is_byte_stable(document, fmt):
    text = render_document(document, fmt)
    assert render_document(document, fmt) == text
    parsed = parse_document(text.encode())
    assert parsed.findings == []
    assert parsed.document == document
    assert render_document(parsed.document, fmt) == text


def test_yaml_uses_block_scalars_for_multiline_text_and_fixed_key_order(document):
    text = render_document(document, "yaml")
    assert "\nactions:\n- name: Weather\n" in text
    assert text.index("format:") < text.index("name:") < text.index("instructions:") < text.index("actions:")
    # The Weather schema (JSON text) reads as a literal block, lines unchanged.
    assert '  schema: |\n    {\n      "openapi": "3.1.0",\n' in text


def test_text_with_trailing_spaces_tabs_and_blank_lines_reads_back_exactly(document):
    # CALENDAR_SCHEMA has trailing spaces on a line and two trailing newlines.
    text = render_document(document, "yaml")
    assert parse_document(text).document["actions"][1]["schema"] == CALENDAR_SCHEMA
    assert parse_document(text).document["instructions"] == RICH_INSTRUCTIONS


def test_key_order_is_canonical_whatever_the_input_order(document):
    shuffled = dict(reversed(list(document.items())))
    shuffled["actions"] = [dict(reversed(list(a.items()))) for a in document["actions"]]
    assert render_document(shuffled) == render_document(document)
    assert list(canonical_order(shuffled)) == list(document)


def test_documents_carry_placeholders_never_secrets(document):
    text = render_document(document, "yaml") + render_document(document, "json")
    assert "sk-known" not in text and "cs-known" not in text
    assert document["actions"][1]["authentication"]["api_key"]["key"] == SECRET_PLACEHOLDER
    assert document["actions"][2]["authentication"]["oauth"]["client_secret"] == SECRET_PLACEHOLDER


def read_back(text: str):
    """What an import reads from rendered YAML: the schema engine's loader (parse_document's),
    which must agree with libyaml's own reading."""
    loaded = parse_schema(text)
    assert loaded.findings == [], loaded.findings
    assert loaded.data == yaml.load(text, Loader=yaml.CSafeLoader)
    return loaded.data


def every_position(text: str) -> dict:
    """`text` wherever the document has text: a top-level key, the first key of a list item, a
    later key of one, a nested mapping, a list of strings."""
    return {
        "instructions": text,
        "actions": [
            {"schema": text, "name": "a"},
            {"name": "b", "schema": text, "authentication": {"type": "oauth", "oauth": {"scope": text}}},
        ],
        "conversation_starters": [text, "after"],
    }


_TRICKY = st.sampled_from(list(" \t\n\r\x85\u2028\u2029\ufeff#:-'\"|>&*!%@`{}[],?~aZé😀\x07\x1b\x7f\ue000\ufffe\xa0"))


# The renderer does not read its output back (that cost 40% of an export): these tests are what
# keeps every text exact, with nothing to fall back on.
@settings(max_examples=scaled(1000), suppress_health_check=list(HealthCheck), deadline=None)
@given(text=st.one_of(st.text(), st.lists(_TRICKY, max_size=40).map("".join)))
def test_any_text_survives_the_yaml_round_trip_in_every_position(text):
    document = every_position(text)
    assert read_back(render_document(document, "yaml")) == document


# Every character up to U+00A0 and each boundary of what YAML may hold, at the start, inside and
# at the end of multi-line text.
EDGE_CHARACTERS = [chr(c) for c in range(0xA1)] + list("\u2028\u2029\ud7ff\ue000\ufeff\ufffd\ufffe\uffff\U00010000")


@pytest.mark.parametrize("character", EDGE_CHARACTERS, ids=[f"U+{ord(c):04X}" for c in EDGE_CHARACTERS])
def test_every_edge_character_survives_the_yaml_round_trip(character):
    for text in (f"{character}\nline", f"a{character}b\n{character}\n", f"line\n {character}", f"\n{character}\n\n"):
        document = every_position(text)
        assert read_back(render_document(document, "yaml")) == document, repr(text)


# Every odd string in one document, and the exact bytes it renders as: text a plain scalar would
# misread (yes, no, on, numbers, null, ~) quoted; leading and trailing spaces; tabs; unicode as
# itself; a 300-character line never folded; multi-line text as literal blocks with their chomping
# and indentation indicators, even with lines ending in spaces or holding tabs; a control character
# escaped in a double-quoted scalar.
ODD_STRINGS_DOCUMENT = {
    "format": "gptstudio/gpt@1",
    "name": "yes",
    "description": "  leading spaces",
    "instructions": "Line one\n  indented line\ntrailing spaces   \n\ttab first\nünïcødé 😀 “quotes”\n\n",
    "conversation_starters": ["no", "123", "1.5e3", "null", "true", "~", "x" * 300, "two\nlines", "trailing "],
    "recommended_model": "",
    "category": "on",
    "actions": [
        {
            "name": "0o17",
            "schema": " starts with a space\nand ends without a newline",
            "privacy_policy_url": "https://x.example/#a: b",
        },
        {
            "name": "tabs",
            "schema": "a\tb\n\tc\n",
            "authentication": {"type": "oauth", "oauth": {"scope": "read\nwrite \n"}},
        },
        {"name": "plain", "schema": "- item\n# comment\nkey: value\n\n\n"},
        {"name": "control", "schema": "bell\x07\nnext\n"},
    ],
}
ODD_STRINGS_YAML_LINES = [
    "format: gptstudio/gpt@1",
    "name: 'yes'",
    "description: '  leading spaces'",
    "instructions: |+",
    "  Line one",
    "    indented line",
    "  trailing spaces   ",
    "  \ttab first",
    "  ünïcødé 😀 “quotes”",
    "",
    "conversation_starters:",
    "- 'no'",
    "- '123'",
    "- '1.5e3'",
    "- 'null'",
    "- 'true'",
    "- '~'",
    "- " + "x" * 300,
    "- |-",
    "  two",
    "  lines",
    "- 'trailing '",
    "recommended_model: ''",
    "category: 'on'",
    "actions:",
    "- name: '0o17'",
    "  privacy_policy_url: 'https://x.example/#a: b'",
    "  schema: |2-",
    "     starts with a space",
    "    and ends without a newline",
    "- name: tabs",
    "  authentication:",
    "    type: oauth",
    "    oauth:",
    "      scope: |",
    "        read",
    "        write ",
    "  schema: |",
    "    a\tb",
    "    \tc",
    "- name: plain",
    "  schema: |+",
    "    - item",
    "    # comment",
    "    key: value",
    "",
    "",
    "- name: control",
    '  schema: "bell\\a\\nnext\\n"',
]


def test_odd_strings_render_to_these_exact_bytes_and_read_back():
    rendered = render_document(ODD_STRINGS_DOCUMENT, "yaml")
    assert rendered.split("\n") == [*ODD_STRINGS_YAML_LINES, ""]
    assert read_back(rendered) == ODD_STRINGS_DOCUMENT
    assert render_document(read_back(rendered), "yaml") == rendered


@pytest.mark.parametrize("text", ["1e3", "1.5e3", "-2E-5", ".5e1", "0o17"])
def test_text_a_yaml_1_2_reader_would_take_for_a_number_is_quoted(text):
    """PyYAML (YAML 1.1) reads these plain scalars as text, YAML 1.2 readers as numbers: quoted,
    every reader gets the text back."""
    document = {"format": DOCUMENT_FORMAT, "name": text, "conversation_starters": [text]}
    rendered = render_document(document, "yaml")
    assert f"name: '{text}'" in rendered
    assert f"- '{text}'" in rendered
    assert read_back(rendered) == document


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("name: [unclosed\n", "document.unreadable", 2),
        ('{"name": }', "document.unreadable", 1),
        ("- just\n- a list\n", "document.not_a_mapping", None),
        ("format: gptstudio/gpt@2\nname: x\n", "document.wrong_format", None),
        (b"\xff\xfe bad bytes", "document.unreadable", None),
    ],
)
def test_unreadable_documents_give_a_finding_not_a_traceback(text, code, line):
    parsed = parse_document(text)
    assert parsed.document is None or code != "document.unreadable"
    assert codes(parsed.findings)[0] == code
    if line:
        assert parsed.findings[0].line == line


def test_schema_mismatches_point_at_the_value(document):
    document["visibility"] = "everyone"
    document["actions"][1]["authentication"]["api_key"] = {"auth_type": "custom", "custom_header": " "}
    document["capabilities"]["memory"] = True
    findings = document_findings(document)
    pointers = {f.pointer for f in findings}
    assert {"/visibility", "/actions/1/authentication/api_key/custom_header", "/capabilities"} <= pointers
    assert set(codes(findings)) == {"document.schema"}


def test_huge_values_are_not_quoted_in_full_in_messages(document):
    document["name"] = "n" * 100_000
    (finding,) = document_findings(document)
    assert finding.pointer == "/name" and len(finding.message) < 400


def test_duplicate_keys_are_findings_with_their_line(document):
    text = render_document(document, "yaml").replace("category: Productivity\n", "category: A\ncategory: B\n")
    parsed = parse_document(text)
    (finding,) = parsed.findings
    assert finding.code == "document.duplicate_key" and "category" in finding.message
    assert text.splitlines()[finding.line - 1] == "category: B"
    assert codes(parse_document('{"format": "gptstudio/gpt@1", "name": "a", "name": "b"}').findings)[0] == (
        "document.duplicate_key"
    )


def test_yaml_alias_bombs_are_refused_before_anything_expands_them():
    bomb = "format: gptstudio/gpt@1\na: &a [x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"
    parsed = parse_document(bomb)
    assert set(codes(parsed.findings)) == {"document.alias"}


@pytest.mark.parametrize(
    "value",
    ["&name short\ncategory: *name", "&url https://example.com/" + "x" * 80 + "\ncategory: *url", "&one [a]\nx: *one"],
    ids=["short text", "long text", "list"],
)
def test_any_yaml_alias_is_refused_where_it_is(value):
    text = MINIMAL.replace("category: ''\n", "").replace("description: ''", f"description: {value}")
    (finding,) = parse_document(text).findings
    assert finding.code == "document.alias" and "through a YAML alias" in finding.message
    assert text.splitlines()[finding.line - 1][finding.column - 1 :].startswith("*")


def test_equal_long_values_are_not_taken_for_aliases(document):
    url = "https://www.example-company-with-a-long-name.com/legal/privacy-policy-for-every-api"
    for action in document["actions"]:
        action["privacy_policy_url"] = url
    for fmt in ("yaml", "json"):
        parsed = parse_document(render_document(document, fmt))
        assert parsed.valid, parsed.findings
        assert parsed.document == document


def test_unstorable_characters_are_findings(document):
    document["description"] = "nul\x00byte"
    assert codes(document_findings(document)) == ["document.invalid_character"]


@pytest.mark.parametrize("name", ["Weather", "Weather ", " Weather\t"])
def test_duplicate_action_names_are_refused(document, name):
    # Names are compared as saved: the services trim them, making "Weather " a second "Weather".
    document["actions"][2]["name"] = name
    (finding,) = document_findings(document)
    assert (finding.code, finding.pointer) == ("document.duplicate_action_name", "/actions/2/name")
    assert "named 'Weather' (spaces around a name do not count)" in finding.message


def test_knowledge_names_differing_only_in_spaces_are_duplicates(document):
    entry = {"name": "notes.md", "size": 3, "sha256": "0" * 64, "media_type": "text/markdown"}
    document["knowledge"] = [entry, entry | {"name": "notes.md "}]
    (finding,) = document_findings(document)
    assert (finding.code, finding.pointer) == ("document.duplicate_knowledge_name", "/knowledge/1/name")


def test_secret_values_in_a_document_are_flagged(document):
    document["actions"][1]["authentication"]["api_key"]["key"] = "sk-pasted-by-mistake"
    findings = {f.code: f for f in document_findings(document)}
    assert findings["document.secret_ignored"].severity == "warning"
    assert findings["document.secret_ignored"].pointer == "/actions/1/authentication/api_key/key"
    assert "sk-pasted-by-mistake" not in findings["document.secret_ignored"].message


MINIMAL = f"""format: {DOCUMENT_FORMAT}
name: Tiny
description: ''
instructions: ''
conversation_starters: []
capabilities: {{web_search: true, canvas: true, image_generation: true, code_interpreter: false}}
recommended_model: ''
visibility: invite_only
category: ''
use_conversation_data: true
knowledge: []
actions: []
"""


def test_a_hand_written_minimal_document_is_accepted():
    assert parse_document(MINIMAL).findings == []
    text = MINIMAL.replace(
        "actions: []\n",
        """actions:
- name: Weather
  privacy_policy_url: ''
  authentication: {type: api_key, api_key: {auth_type: bearer}}
  schema: '{}'
""",
    )
    assert parse_document(text).findings == []


def test_the_published_schema_file_is_current_and_a_valid_2020_12_schema():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_document_schema()
    assert jsonschema_rs.meta.is_valid(build_document_schema())


def test_the_schema_is_served_at_its_stable_url(client):
    response = client.get("/schemas/gpt-document-1.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/schema+json")
    assert json.loads(response.content) == build_document_schema()


def test_schema_caps_match_the_models():
    from actions.models import Action
    from gpts import document_schema as ds
    from gpts.models import GPT, KnowledgeFile

    def max_length(model, name):
        return model._meta.get_field(name).max_length

    assert max_length(GPT, "recommended_model") == ds.RECOMMENDED_MODEL_MAX_LENGTH
    assert max_length(GPT, "category") == ds.CATEGORY_MAX_LENGTH
    assert max_length(KnowledgeFile, "name") == ds.KNOWLEDGE_NAME_MAX_LENGTH
    assert max_length(Action, "name") == ds.ACTION_NAME_MAX_LENGTH
    assert max_length(Action, "privacy_policy_url") == ds.URL_MAX_LENGTH
    assert max_length(Action, "api_key_custom_header") == ds.CUSTOM_HEADER_MAX_LENGTH
    assert max_length(Action, "oauth_client_id") == ds.OAUTH_CLIENT_ID_MAX_LENGTH
    assert max_length(Action, "oauth_scope") == ds.OAUTH_SCOPE_MAX_LENGTH


_BLOCK_TEXT = st.lists(st.sampled_from(list(" \t\n#:-'\"|>&*!%@`{}[],?~aZé😀")), min_size=1, max_size=40).map("".join)


@settings(max_examples=scaled(500), suppress_health_check=list(HealthCheck), deadline=None)
@given(text=_BLOCK_TEXT.filter(lambda t: "\n" in t))
def test_multiline_text_is_always_a_literal_block_even_with_trailing_spaces_and_tabs(text):
    from gpts.document.render import render_document_yaml

    document = every_position(text)
    rendered = render_document_yaml(document)
    # Ours, not libyaml's: it would write lines ending in spaces as one double-quoted line.
    assert len(re.findall(r"(instructions|schema|scope): \|", rendered)) == 4, rendered
    assert read_back(rendered) == document


def test_corpus_schemas_with_trailing_spaces_read_as_blocks_in_git():
    from gpts.document.render import render_document_yaml

    schema = corpus_text("gpt_actions", "aaddrick_todoist_rest_v2.yaml")
    rendered = render_document_yaml({"actions": [{"name": "todoist", "schema": schema}]})
    assert rendered.startswith("actions:\n- name: todoist\n  schema: |")
    assert len(rendered.splitlines()) > len(schema.splitlines())
    assert read_back(rendered)["actions"][0]["schema"] == schema


# --- Reading untrusted text: YAML's extra types, nesting, size --------------------------------------


def test_yaml_timestamps_stay_the_text_they_are():
    text = MINIMAL.replace("name: Tiny", "name: 2024-01-01").replace("category: ''", "category: 2024-01-01 10:00:00")
    parsed = parse_document(text)
    assert parsed.findings == []
    assert (parsed.document["name"], parsed.document["category"]) == ("2024-01-01", "2024-01-01 10:00:00")


@pytest.mark.parametrize("value", ["!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]", "!!python/name:os.system"])
def test_yaml_tags_that_are_not_plain_data_are_refused_at_their_line(value):
    parsed = parse_document(MINIMAL.replace("description: ''", f"description: {value}"))
    assert parsed.document is None
    (finding,) = parsed.findings
    assert (finding.code, finding.line) == ("document.unsupported_tag", 3)


def test_non_text_keys_are_read_as_text_and_reported_by_the_schema():
    parsed = parse_document(MINIMAL + "1: one\n2024-01-01: day\n")
    assert {f.pointer for f in parsed.findings} == {""}
    assert all(f.code == "document.schema" for f in parsed.findings)
    assert "'1'" in " ".join(f.message for f in parsed.findings)


def _deep_texts(depth: int) -> dict[str, str]:
    block = "".join(f"{'  ' * level}- \n" for level in range(depth)).replace("- \n", "-\n")
    return {
        "yaml flow": MINIMAL.replace("category: ''", f"category: {'[' * depth}{']' * depth}"),
        "yaml block": MINIMAL.replace("category: ''", "category:\n" + block),
        "json": render_document({**parse_document(MINIMAL).document}, "json").replace(
            '"category": ""', f'"category": {"[" * depth}{"]" * depth}'
        ),
    }


@pytest.mark.parametrize("kind", ["yaml flow", "yaml block", "json"])
@pytest.mark.parametrize("depth", [40, 500, 5000])
def test_deep_nesting_is_refused_at_its_place_not_a_recursion_error(kind, depth):
    text = _deep_texts(depth)[kind]
    parsed = parse_document(text)
    assert parsed.document is None or not parsed.valid
    codes_found = set(codes(parsed.findings))
    assert codes_found == {"document.too_deep"}, parsed.findings
    (finding,) = parsed.findings
    start = next(number for number, line in enumerate(text.splitlines(), start=1) if "category" in line)
    assert start <= finding.line <= start + depth  # where the nesting goes too deep


def test_data_that_is_not_json_is_a_finding_even_when_handed_over_directly(document):
    import datetime

    document["name"] = datetime.date(2024, 1, 1)
    assert codes(document_findings(document)) == ["document.schema"]
    document["name"] = "ok"
    document["conversation_starters"] = {"a set"}
    (finding,) = document_findings(document)
    assert finding.code == "document.schema" and "not JSON data" in finding.message
    nested: list = []
    document["conversation_starters"] = nested
    for _ in range(100_000):
        nested.append([])
        nested = nested[0]
    assert codes(document_findings(document)) == ["document.too_deep"]


def test_a_second_yaml_document_is_refused():
    (finding,) = parse_document(MINIMAL + "---\nname: other\n").findings
    assert (finding.code, finding.line) == ("document.unreadable", MINIMAL.count("\n") + 1)
    assert "more than one YAML document" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        MINIMAL + "extra:\n" + "- a\n" * 2_500_000,  # 10 MB of tiny values
        MINIMAL.replace("category: ''", "category: [" + "a, " * 2_500_000 + "]"),
        '{"format": "gptstudio/gpt@1", "name": [' + ",".join(['"a"'] * 2_500_000) + "]}",
        '{"format": "gptstudio/gpt@1", "name": ' + "[" * 30 + ",".join(["1"] * 2_500_000) + "]" * 30 + "}",
        # Not JSON, but YAML (which reads JSON that fails): the stray quote opens no string.
        '{"format": "gptstudio/gpt@1", "name": [\'a"\', ' + "1, " * 20_000 + "]}",
    ],
    ids=["yaml block list", "yaml flow list", "json strings", "json numbers", "json-like yaml, stray quote"],
)
def test_millions_of_tiny_values_are_refused_before_anything_is_built(text, monkeypatch):
    def must_not_load(*args, **kwargs):
        raise AssertionError("the loader ran")

    monkeypatch.setattr("gpts.document.read.parse_schema", must_not_load)
    parsed = parse_document(text)
    (finding,) = parsed.findings
    assert finding.code == "document.too_many_values" and finding.line is not None


def test_values_are_counted_in_linear_time_after_quotes_that_open_no_string():
    # Each escaped quote once began a string that ran to the end of the text: 70 KB took 12 s.
    text = '{"format": "gptstudio/gpt@1", "name": [' + 'a\\"' * 66_000 + "," * 10_000
    started = time.perf_counter()
    (finding,) = parse_document(text).findings
    assert time.perf_counter() - started < 5  # a few milliseconds; the quadratic count took minutes
    assert (finding.code, finding.line) == ("document.too_many_values", 1)


def test_values_are_counted_outside_strings_only(monkeypatch):
    # A schema full of commas and colons (JSON text inside a JSON string) is one value.
    document = parse_document(MINIMAL).document
    schema = json.dumps({"paths": {f"/p{i}": {"get": {"a": [1, 2, 3]}} for i in range(5000)}})
    action = {"name": "a", "privacy_policy_url": "", "authentication": {"type": "none"}, "schema": schema}
    document["actions"] = [action]
    for fmt in ("json", "yaml"):
        parsed = parse_document(render_document(document, fmt))
        assert parsed.valid, parsed.findings
        assert parsed.document["actions"][0]["schema"] == schema


def test_schemas_over_the_schema_engines_cap_are_refused_with_their_place(settings):
    settings.SCHEMA_MAX_BYTES = 500
    document = parse_document(MINIMAL).document
    action = {"name": "a", "privacy_policy_url": "", "authentication": {"type": "none"}}
    document["actions"] = [{**action, "schema": "x" * 400}, {**action, "name": "b", "schema": "é" * 300}]
    (finding,) = parse_document(render_document(document, "json")).findings
    assert (finding.code, finding.pointer) == ("document.too_large", "/actions/1/schema")
    assert "600 bytes" in finding.message and "500 bytes" in finding.message
