"""parse_schema: safe loading, findings instead of exceptions, and lazy line numbers."""

import json
import math
import random
import time

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from actions.domain import domain_from_schema
from actions.schema import parse_schema, parsing, validate_schema_text
from actions.schema.parsing import json_pointer, pointer_tokens
from gptstudio import limits
from gptstudio.findings import Severity
from tests.hypothesis_examples import scaled

from .helpers import schema_text

YAML_SCHEMA = """\
openapi: 3.1.0
info:
  title: Pets
  version: "1.0"
servers:
  - url: https://pets.example.com
paths:
  /pets/{id}:
    get:
      operationId: getPet
      responses:
        200:
          description: OK
"""


def test_json_and_yaml_are_detected():
    assert parse_schema(schema_text()).format == "json"
    assert parse_schema(YAML_SCHEMA).format == "yaml"


def test_yaml_data_matches_pyyaml_safe_load_except_key_text():
    parsed = parse_schema(YAML_SCHEMA)
    reference = yaml.safe_load(YAML_SCHEMA)
    reference["paths"]["/pets/{id}"]["get"]["responses"] = {"200": {"description": "OK"}}
    assert parsed.data == reference  # the unquoted 200 key keeps its text, as OpenAPI means it


def test_yaml_scalars_resolve_like_yaml_1_1():
    text = "a: yes\nb: 0x1F\nc: 1_000\nd: .inf\ne: ~\nf: 2024-01-02\ng: '12'\nh: 1:30\ni: -.5\nj: 0o7\nk: 017\n"
    data = parse_schema(text).data
    assert data["a"] is True and data["b"] == 31 and data["c"] == 1000 and math.isinf(data["d"])
    assert data["e"] is None
    assert data["f"] == "2024-01-02"  # timestamps stay text: OpenAPI is JSON
    assert data["g"] == "12" and data["h"] == 90
    reference = yaml.safe_load(text)
    reference["f"] = "2024-01-02"
    assert data == reference


def test_yaml_integers_past_4000_digits_keep_their_text():
    # Python's int() and str() refuse past 4,300 digits, and hex digits make more decimal ones.
    too_long = ["0x" + "f" * 3400, "0o" + "7" * 6000, "0" + "7" * 6000, "0b" + "1" * 16_001]
    too_long += ["9" * 4001, "-" + "9" * 4001]
    for text in too_long:
        assert parse_schema(f"a: {text}\n").data == {"a": text}
        assert parse_schema(f"a: !!int {text}\n").data == {"a": text}
    data = parse_schema("a: 0x" + "f" * 3000 + "\nb: " + "9" * 4000 + "\nc: -0b" + "1" * 13_000 + "\n").data
    assert data == {"a": 16**3000 - 1, "b": 10**4000 - 1, "c": -(2**13_000 - 1)}
    assert all(str(value) for value in data.values())  # every integer can be written out again


def test_yaml_base_60_integers_have_at_most_100_parts():
    assert parse_schema("a: 1" + ":59" * 99 + "\n").data["a"] == sum(59 * 60**i for i in range(99)) + 60**99
    assert parse_schema("a: 1" + ":59" * 100 + "\n").data == {"a": "1" + ":59" * 100}
    assert parse_schema("a: 1" + ":59" * 100 + ".5\n").data == {"a": "1" + ":59" * 100 + ".5"}
    assert parse_schema("a: 1:30:00\nb: -1:30.5\n").data == {"a": 5400, "b": -90.5}
    # 100,000 parts (300 KB) took 2.5 s, growing faster than the square of the length.
    text = "openapi: 3.1.0\nx: 1" + ":59" * 100_000 + "\n"
    start = time.perf_counter()
    assert parse_schema(text).data["x"] == "1" + ":59" * 100_000
    assert time.perf_counter() - start < 0.5


def test_yaml_merge_keys_merge_with_explicit_keys_winning():
    parsed = parse_schema("base: &base {a: 1, b: 2}\nuse:\n  <<: *base\n  b: 3\n")
    assert parsed.data["use"] == {"a": 1, "b": 3}
    assert parsed.findings == []


def test_positions_of_json_pointers_point_at_keys():
    text = schema_text()
    parsed = parse_schema(text)
    found = parsed.positions(["/paths/~1current/get/operationId", "/servers/0", "", "/nope"])
    line, column = found["/paths/~1current/get/operationId"]
    assert text.splitlines()[line - 1][column - 1 :].startswith('"operationId"')
    assert text.splitlines()[found["/servers/0"][0] - 1].strip() == "{"
    assert found[""] == (1, 1)
    assert "/nope" not in found


def test_positions_of_yaml_pointers_point_at_keys():
    parsed = parse_schema(YAML_SCHEMA)
    found = parsed.positions(
        ["/paths/~1pets~1{id}/get/operationId", "/servers/0", "/paths/~1pets~1{id}/get/responses/200"]
    )
    assert found["/paths/~1pets~1{id}/get/operationId"] == (10, 7)
    assert found["/servers/0"] == (6, 5)
    assert found["/paths/~1pets~1{id}/get/responses/200"] == (12, 9)


def test_json_positions_survive_escapes_and_unicode_keys():
    text = '{\n  "a\\"b": {"x": 1},\n  "é/~": [10, {"deep": true}]\n}'
    parsed = parse_schema(text)
    found = parsed.positions([json_pointer('a"b', "x"), json_pointer("é/~", 1, "deep")])
    assert found[json_pointer('a"b', "x")] == (2, 12)
    assert found[json_pointer("é/~", 1, "deep")] == (3, 16)


def test_pointer_helpers_round_trip():
    assert json_pointer("paths", "/a~b", 0) == "/paths/~1a~0b/0"
    assert pointer_tokens("/paths/~1a~0b/0") == ["paths", "/a~b", "0"]


def test_syntax_errors_carry_line_and_column():
    json_error = parse_schema('{\n  "openapi": "3.1.0",\n  "info": ]\n}').findings[0]
    assert (json_error.code, json_error.line) == ("schema.syntax", 3)
    yaml_error = parse_schema("openapi: 3.1.0\npaths:\n  /a: [unclosed\n").findings[0]
    assert yaml_error.code == "schema.syntax" and yaml_error.line is not None
    assert yaml_error.severity == Severity.ERROR


def test_json_with_trailing_comma_is_read_as_yaml_with_a_warning():
    parsed = parse_schema('{"openapi": "3.1.0",\n "info": {"title": "t"},}')
    assert parsed.format == "yaml" and parsed.data["info"] == {"title": "t"}
    assert [(f.code, f.severity, f.line) for f in parsed.findings] == [
        ("schema.json_read_as_yaml", Severity.WARNING, 2)
    ]


@pytest.mark.parametrize("number", [2**64, -(2**63) - 1, 123456789012345678901234567890])
def test_json_integers_beyond_64_bits_are_read_exactly(number):
    # orjson alone turns these into floats and loses digits (a 20-digit example id, say).
    parsed = parse_schema(f'{{"example": {number}, "list": [1, {number}], "pi": 3.5}}')
    assert parsed.data == {"example": number, "list": [1, number], "pi": 3.5}
    assert type(parsed.data["example"]) is int
    assert parse_schema(str(number)).data == number


def test_json_numbers_beyond_a_double_are_read_as_json():
    # orjson refuses them ("number is infinity"); they used to be read as YAML text, or refused.
    wide, huge = "7" * 400, "8" * 5000
    parsed = parse_schema(f'{{"openapi": "3.1.0",\n "big": 1e400, "neg": -1e400, "id": {wide}, "huge": {huge}}}')
    assert (parsed.format, parsed.findings) == ("json", [])
    assert parsed.data == {"openapi": "3.1.0", "big": math.inf, "neg": -math.inf, "id": int(wide), "huge": huge}
    assert parse_schema("[1e400]").data == [math.inf] and parse_schema("-" + "1" * 4000).data == -int("1" * 4000)
    assert parse_schema('{"a": [1e400, {"b": 1}], "a": 2}').positions(["/a"]) == {"/a": (1, 26)}


def test_json_numbers_beyond_a_double_keep_duplicate_keys_and_positions():
    parsed = parse_schema('{"x": %s,\n "openapi": "3.1.0",\n "openapi": "3.0.0", "y": 1}' % ("1" * 5000))
    [finding] = parsed.findings
    assert (finding.code, finding.pointer) == ("schema.duplicate_key", "/openapi")
    assert parsed.positions(["/openapi", "/y"]) == {"/openapi": (3, 2), "/y": (3, 22)}


@pytest.mark.parametrize("end", ["NaN", "Infinity", '"\\ud800"'])
def test_text_beyond_json_is_still_not_json_with_a_large_number(end):
    parsed = parse_schema('{"x": 1e400, "y": ' + end + "}")
    assert parsed.format == "yaml" or parsed.data is None
    assert parsed.findings and parsed.findings[0].code in ("schema.json_read_as_yaml", "schema.syntax")


def test_json_floats_beyond_64_bits_stay_floats():
    assert parse_schema('{"big": 1e300, "small": 1e19}').data == {"big": 1e300, "small": 1e19}


def test_duplicate_json_keys_are_found_at_the_later_key():
    text = '{\n  "paths": {\n    "/a": {"get": {}},\n    "/a": {"post": {}}\n  }\n}'
    parsed = parse_schema(text)
    [finding] = parsed.findings
    assert finding.code == "schema.duplicate_key" and finding.pointer == "/paths/~1a"
    assert parsed.locate(parsed.findings)[0].line == 4
    assert parsed.data["paths"]["/a"] == {"post": {}}  # the last one wins, as in every lenient parser


def test_duplicate_yaml_keys_are_found_with_their_line():
    parsed = parse_schema("paths:\n  /a:\n    get: {}\n  /a:\n    post: {}\n")
    [finding] = parsed.findings
    assert (finding.code, finding.pointer, finding.line) == ("schema.duplicate_key", "/paths/~1a", 4)


def test_strings_containing_colons_and_quotes_are_not_duplicates():
    parsed = parse_schema(json.dumps({"a": 'x": "y', "b": ":", "c": {'"k"': "v:"}}))
    assert parsed.findings == []


def duplicate_pointers(text: str) -> list[str]:
    return sorted(f.pointer for f in parse_schema(text).findings if f.code == "schema.duplicate_key")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Whitespace before the colon: a count of `":` alone would miss these keys.
        ('{"a" : 1, "a" : 2, "b": 3, "c": ":"}', ["/a"]),
        ('{"a"\t:1,"a"\r\n:2}', ["/a"]),
        ('{"a"\n  :1, "b": {"x" :1, "x":2}}', ["/b/x"]),
        # Escaped quotes in keys and values; `":` inside strings.
        ('{"k\\"": 1, "k\\"": 2}', ['/k"']),
        ('{"a": "x\\": y", "a": 1}', ["/a"]),
        ('{"a": "x\\": y", "b": 1}', []),
        ('{"a": "\\":\\":\\":", "b": ":", "c": " :", "d": "\\"  :"}', []),
        ('{"a": "\\":", "a": "\\":"}', ["/a"]),
        # Keys ending in an escaped backslash: the quote after `\\` closes the key.
        ('{"a\\\\": 1, "a\\\\": 2}', ["/a\\"]),
        ('{"a\\\\": 1, "b": 1, "b": 2}', ["/b"]),
        ('{"a\\\\\\"": 1, "a\\\\\\"": 2, "b": "\\\\\\":"}', ['/a\\"']),
        # A string that starts with a colon looks like a key's end; duplicates still counted exactly.
        ('{":": ":", "x": [":", {":": 1}]}', []),
        ('{":": ":", ":": 1}', ["/:"]),
        # The same key in different objects is no duplicate.
        ('{"a": {"a": 1}, "b": {"a": 2}, "c": [{"a": 1}, {"a": 2}]}', []),
        ('[{"a": 1, "a": 2}, {"a": 1}]', ["/0/a"]),
    ],
)
def test_duplicate_keys_are_found_exactly(text, expected):
    assert duplicate_pointers(text) == expected


@pytest.mark.parametrize("count", [3, 64, 65, 500])
def test_duplicates_are_found_among_many_escaped_quotes(count):
    # Past a few dozen escaped quotes the count switches method; both must agree.
    strings = {f"s{i}": 'x": ' * (i % 3 + 1) for i in range(count)}
    keys_with_backslash = {f"k{i}\\": i for i in range(count)}  # `\\":` ends these keys
    clean = json.dumps({**strings, **keys_with_backslash})
    assert duplicate_pointers(clean) == []
    assert duplicate_pointers(clean[:-1] + ', "k0\\\\": 0}') == ["/k0\\"]
    assert duplicate_pointers(clean[:-1] + ', "s1": 0}') == ["/s1"]
    encoded = clean.encode()
    assert parsing._escaped_quote_colons(encoded) == encoded.count(b'\\":') - encoded.count(b'\\\\":')


def _render(value, rng, duplicate_at: int | None, counter: list) -> str:
    """JSON text for `value` in a random layout; the object member numbered `duplicate_at` (in
    text order) is written twice."""
    space = lambda: rng.choice(["", " ", "\n  ", "\t", "\r\n"])  # noqa: E731
    if isinstance(value, dict):
        members = []
        for key, item in value.items():
            number = counter[0]
            counter[0] += 1
            member = json.dumps(key) + space() + ":" + space() + _render(item, rng, duplicate_at, counter)
            members.append(member)
            if number == duplicate_at:
                members.append(json.dumps(key) + space() + ":" + space() + "null")
        return "{" + space() + ("," + space()).join(members) + space() + "}"
    if isinstance(value, list):
        return "[" + ",".join(space() + _render(item, rng, duplicate_at, counter) for item in value) + "]"
    return json.dumps(value, ensure_ascii=rng.random() < 0.5)


_TRICKY_TEXT = st.text(alphabet='"\\: \t\n{}[],ab/é', max_size=8)


@settings(max_examples=scaled(300), deadline=None)
@given(
    st.recursive(
        st.none() | st.integers() | _TRICKY_TEXT,
        lambda children: st.lists(children, max_size=3) | st.dictionaries(_TRICKY_TEXT, children, max_size=3),
        max_leaves=15,
    ),
    st.integers(min_value=0, max_value=2**32),
    st.booleans(),
)
def test_duplicate_detection_agrees_with_a_strict_parser(value, seed, duplicate):
    rng = random.Random(seed)
    counter = [0]
    _render({"root": value}, random.Random(seed), None, counter)  # counts the object members
    duplicate_at = rng.randrange(counter[0]) if duplicate else None
    text = _render({"root": value}, rng, duplicate_at, [0])

    def strict(pairs):
        keys = [key for key, _ in pairs]
        if len(set(keys)) != len(keys):
            raise ValueError("duplicate")
        return dict(pairs)

    try:
        json.loads(text, object_pairs_hook=strict)
        has_duplicates = False
    except ValueError:
        has_duplicates = True
    assert has_duplicates == (duplicate_at is not None)  # the generator did what it says
    assert bool(duplicate_pointers(text)) == has_duplicates


def test_oversized_input_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(parsing, "_parse_json", lambda *a: pytest.fail("parsed oversized input"))
    monkeypatch.setattr(parsing, "_parse_yaml", lambda *a: pytest.fail("parsed oversized input"))
    parsed = parse_schema("a" * 2_000, max_bytes=1_000)
    assert [f.code for f in parsed.findings] == ["schema.too_large"]
    assert parsed.data is None and parsed.size_bytes == 2_000
    assert [f.code for f in parse_schema(b"{}" * 600, max_bytes=1_000).findings] == ["schema.too_large"]


def test_default_cap_comes_from_settings(settings):
    settings.SCHEMA_MAX_BYTES = 100
    assert [f.code for f in parse_schema(schema_text()).findings] == ["schema.too_large"]
    assert limits.STUDIO_SCHEMA_HARD_MAX_BYTES == 20 * 1024 * 1024


def test_billion_laughs_is_refused_without_expanding_it():
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        previous, current = chr(96 + i), chr(97 + i)
        lines.append(f"{current}: &{current} [{', '.join([f'*{previous}'] * 9)}]")
    # Expanded, this is 9**10 (3.5 billion) strings: without the guard the test would never end.
    parsed = parse_schema("\n".join(lines))
    assert [f.code for f in parsed.findings] == ["schema.yaml.alias_bomb"]
    assert parsed.data is None


def test_recursive_alias_is_refused():
    parsed = parse_schema("root: &r\n  - *r\n")
    assert [f.code for f in parsed.findings] == ["schema.yaml.alias_cycle"]


def test_deep_nesting_is_refused_in_both_formats():
    assert [f.code for f in parse_schema("[" * 5000 + "]" * 5000).findings] == ["schema.too_deep"]
    deep_yaml = "".join("  " * i + "k:\n" for i in range(1100)) + "  " * 1100 + "v\n"
    assert [f.code for f in parse_schema(deep_yaml).findings] == ["schema.too_deep"]


def nested_json(depth: int) -> str:
    """An object holding `depth` nested containers in all, the root included."""
    return '{"a":\n ' + '{"b": ' * (depth - 2) + "[1]" + "}" * (depth - 2) + "}"


def nested_yaml(depth: int) -> str:
    return "".join("  " * i + "k:\n" for i in range(depth)) + "  " * depth + "v\n"


@pytest.mark.parametrize("depth", [limits.STUDIO_SCHEMA_MAX_DEPTH + 1, 1001, 1024])
def test_json_and_yaml_refuse_the_same_depth_with_its_position(depth):
    cap = limits.STUDIO_SCHEMA_MAX_DEPTH
    # JSON below orjson's own limit (1024) too: GPT Studio's cap, not the parser's, decides.
    text = nested_json(depth)
    [json_finding] = parse_schema(text).findings
    assert (json_finding.code, json_finding.line) == ("schema.too_deep", 2)
    # The position is the first container past the cap: the (cap + 1)th opening bracket.
    brackets = [i for i, char in enumerate(text) if char in "{["]
    assert text.index("\n") + json_finding.column == brackets[cap]
    assert f"deeper than {cap} levels" in json_finding.message
    [yaml_finding] = parse_schema(nested_yaml(depth)).findings
    assert (yaml_finding.code, yaml_finding.line) == ("schema.too_deep", cap + 1)
    assert yaml_finding.message == json_finding.message


def test_json_and_yaml_accept_nesting_up_to_the_cap():
    cap = limits.STUDIO_SCHEMA_MAX_DEPTH
    assert parse_schema(nested_json(cap)).findings == []
    assert parse_schema(nested_yaml(cap)).findings == []
    assert [f.code for f in parse_schema("[" * cap + "]" * cap).findings] == ["schema.not_object"]
    [finding] = parse_schema("[" * (cap + 1) + "]" * (cap + 1)).findings
    assert (finding.code, finding.line, finding.column) == ("schema.too_deep", 1, cap + 1)


def test_python_tags_are_never_constructed():
    parsed = parse_schema("!!python/object/apply:os.system ['echo hacked']\n")
    assert [f.code for f in parsed.findings] == ["schema.yaml.unsupported_tag"]


def test_multiple_yaml_documents_are_a_syntax_error():
    parsed = parse_schema("openapi: 3.1.0\n---\nopenapi: 3.0.0\n")
    assert [f.code for f in parsed.findings] == ["schema.syntax"]


def test_bytes_bom_and_bad_utf8():
    assert parse_schema(schema_text().encode()).data["openapi"] == "3.1.0"
    assert parse_schema("\ufeff" + schema_text()).data["openapi"] == "3.1.0"
    assert parse_schema("\ufeff" + YAML_SCHEMA).data["openapi"] == "3.1.0"
    assert [f.code for f in parse_schema(b"\xff\xfe{}").findings] == ["schema.syntax"]


def test_domain_from_schema_keeps_working():
    assert domain_from_schema(schema_text()) == "api.weather.example.com"
    assert domain_from_schema(YAML_SCHEMA) == "pets.example.com"
    assert domain_from_schema("not: [valid") == ""


MALFORMED = [
    "\x00",
    "{",
    "[",
    "}",
    '{"a": 1',
    '{"a": tru}',
    "---\n...\n---\n",
    "key: value: other",
    "\t- tab indented",
    "'unterminated",
    'a: !!binary "aGk="',
    "a: !!set {x, y}",
    "a: !Ref Other",
    "*undefined",
    "a: &x 1\nb: *y",
    "<<: 1",
    "a:\n  <<: [1, 2]",
    "{'single': 'quotes'}",
    "@reserved",
    "%YAML 9.9\n---\na: 1",
    "a: 0x",
    "a: !!int nope",
    "x" * 100_000,
    "a:\n" + "  - b\n" * 10_000 + " c",
    '{"openapi": "3.1.0", "paths": {"/": {"get": "not an object"}}}',
    '{"openapi": 3.1, "servers": "nope", "paths": []}',
    '{"openapi": "3.1.0", "servers": [{"url": "https://[::1"}], "paths": {}}',
    '{"openapi": "3.1.0", "components": {"schemas": {"A": {"$ref": "#/components/schemas/A"}}}, "paths": {}}',
    "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      parameters: {not: a list}\n",
    '{"swagger": "2.0"}',
    "\ud800",
]


@pytest.mark.parametrize("text", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_input_gives_findings_never_a_traceback(text):
    report = validate_schema_text(text)
    assert report.findings
    assert all(f.line is not None for f in report.findings)
    json.dumps(report.as_dict())


@settings(max_examples=scaled(300), deadline=None)
@given(st.text())
def test_parser_never_raises_on_arbitrary_text(text):
    parsed = parse_schema(text)
    assert parsed.format in ("json", "yaml")
    assert all(f.code for f in parsed.findings)
    parsed.locate(parsed.findings)


@settings(max_examples=scaled(200), deadline=None)
@given(st.text(alphabet="{}[]\",:\\ \n\tab0-&*!<>|'#?", max_size=200))
def test_parser_never_raises_on_structural_characters(text):
    parsed = parse_schema(text)
    parsed.positions(["/a", "/0", "/a/0/b", ""])


@settings(max_examples=scaled(100), deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
        max_leaves=20,
    )
)
def test_json_data_round_trips_and_every_pointer_is_located(value):
    text = json.dumps({"root": value}, indent=1)
    parsed = parse_schema(text)
    assert parsed.data == {"root": value}
    pointers = []
    stack = [("/root", value)]
    while stack:
        pointer, node = stack.pop()
        pointers.append(pointer)
        if isinstance(node, dict):
            stack += [(f"{pointer}/{json_pointer(k)[1:]}", v) for k, v in node.items()]
        elif isinstance(node, list):
            stack += [(f"{pointer}/{i}", v) for i, v in enumerate(node)]
    assert set(parsed.positions(pointers)) == set(pointers)
