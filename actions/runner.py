"""The operation runner: call one operation of an action with arguments, the way ChatGPT did.

Shared by test calls (the editor's "Try it" panel, `POST /api/v1/actions/{id}/call/`) and the
hosted MCP endpoint, so both use the same tools as the `mcp-server` export (`actions.operations`:
names unique across the GPT, one argument object with the JSON body under `body`).

    run_operation(action, tool_name, arguments, actor, via)
      1. find the tool                          runner.unknown_operation, runner.unusable
      2. validate the arguments (JSON Schema)    runner.bad_arguments (+ pointer)
      3. build the request (build_request)       pure: no secrets, no network, no database
      4. add the stored auth                     runner.needs_secret, runner.oauth_not_connected,
         (OAuth: the caller's own token)           runner.oauth_failed
      5. send it through gptstudio.fetcher       runner.host_not_allowed, runner.fetch_failed
      6. record a CallRecord (always; no secret, no argument, no body)

The fetcher's SSRF rules apply unchanged (a local API is reachable only when listed in
`OUTBOUND_ALLOW_HOSTS`); a call has ChatGPT's 45 s deadline and 100,000-character payload cap
(gptstudio/limits.py): a bigger request body is refused, a bigger response is cut and marked
`truncated`. The base URL is the action's `base_url_override` when set, else the schema's first
server. Redirects are followed (each re-checked); the stored credential is dropped when one leaves
the API's origin.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import jsonschema_rs

from gptstudio import limits
from gptstudio.fetcher import AddressNotAllowed, FetchError, FetchPolicy, fetch

from .models import Action, CallRecord
from .operations import ActionTools, Tool, action_tools, tool_annotations
from .upstream import UpstreamAuthError, UpstreamNotConnected, upstream_access_token

PAYLOAD_MAX_CHARACTERS = limits.ACTION_PAYLOAD_MAX_CHARACTERS.value
RUNNER_POLICY = FetchPolicy(
    schemes=frozenset({"https", "http"}),
    # Characters are capped after decoding; UTF-8 needs at most 4 bytes for one.
    max_bytes=PAYLOAD_MAX_CHARACTERS * 4,
    max_redirects=5,
    connect_timeout=10.0,
    read_timeout=float(limits.ACTION_TIMEOUT_SECONDS.value),
    total_timeout=float(limits.ACTION_TIMEOUT_SECONDS.value),
    truncate=True,
)
# Response headers worth showing; the rest (cookies above all) stay out of results and jobs.
SAFE_RESPONSE_HEADERS = frozenset(
    {
        "content-type",
        "content-length",
        "content-language",
        "cache-control",
        "date",
        "etag",
        "expires",
        "last-modified",
        "location",
        "retry-after",
        "vary",
        "x-request-id",
        "request-id",
        "ratelimit",
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    }
)
TOOLS_CACHE_SIZE = 64


@dataclass(frozen=True)
class OperationCall:
    action: Action
    tool_name: str  # as actions.operations names it (unique across the GPT)
    arguments: dict


@dataclass
class OperationResult:
    status: int
    headers: dict[str, str]
    body: str
    content_type: str
    duration_ms: int
    truncated: bool

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "headers": self.headers,
            "body": self.body,
            "content_type": self.content_type,
            "duration_ms": self.duration_ms,
            "truncated": self.truncated,
        }


class OperationRefused(Exception):
    """The runner did not (or could not) complete the call: `code` (runner.*), plain words, and
    a JSON pointer into the arguments when one of them is the cause."""

    def __init__(self, code: str, message: str, pointer: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.pointer = pointer

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "pointer": self.pointer}


@dataclass(frozen=True)
class RunnableOperation:
    """A converted operation (`tool`: its name, title, description, method, path, operationId and
    input schema) with what running it here adds."""

    tool: Tool
    annotations: dict
    problem: str  # "" when it can run; else why it is left out
    base_url: str  # where it is sent: the action's base URL override, else the schema's server

    @property
    def name(self) -> str:  # the tool name
        return self.tool.name

    @property
    def title(self) -> str:
        return self.tool.title

    @property
    def description(self) -> str:
        return self.tool.description

    @property
    def method(self) -> str:
        return self.tool.method

    @property
    def path(self) -> str:
        return self.tool.path

    @property
    def operation_id(self) -> str:
        return self.tool.operation_id

    @property
    def input_schema(self) -> dict:
        return self.tool.input_schema


@dataclass(frozen=True)
class PreparedRequest:
    """An HTTP request built from a tool and its arguments, before any credential is added."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None


# --- Tools of an action (names unique across its GPT, as every consumer sees them) ------------------

_cache: OrderedDict[tuple, dict[int, ActionTools]] = OrderedDict()
_cache_lock = threading.Lock()


def gpt_action_tools(gpt_id: int, actions=None) -> dict[int, ActionTools]:
    """The converted tools of each of the GPT's actions (by action id), names unique across the
    GPT in action order: the same names as the mcp-server export. Cached per state of the GPT's
    actions: one small query checks it and the schemas are read and converted only on a change;
    a caller that has the GPT's actions loaded already (all of them, in order, with their schema
    texts: `select_related("schema")`) passes them."""
    if actions is not None:
        loaded = list(actions)
        state = tuple((a.pk, a.version, a.updated_at) for a in loaded)
    else:
        loaded = None
        state = tuple(Action.objects.filter(gpt_id=gpt_id).values_list("pk", "version", "updated_at"))
    key = (gpt_id, state)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    if loaded is not None:
        schemas = {a.pk: a.schema_text for a in loaded}
    else:
        schemas = dict(Action.objects.filter(gpt_id=gpt_id).values_list("pk", "schema__text"))
    used: set[str] = set()
    converted = {pk: action_tools(schemas.get(pk, ""), used) for pk, _version, _updated in state}
    with _cache_lock:
        _cache[key] = converted
        while len(_cache) > TOOLS_CACHE_SIZE:
            _cache.popitem(last=False)
    return converted


def base_url_of(action: Action, converted: ActionTools) -> str:
    return (action.base_url_override or converted.base_url).rstrip("/")


def action_operations(action: Action, siblings=None) -> list[RunnableOperation]:
    """Every operation of the action as a tool, with `problem` saying why one cannot run.
    `siblings`: all the GPT's actions in order, when the caller has them loaded (no query then)."""
    converted = gpt_action_tools(action.gpt_id, siblings).get(action.pk) or ActionTools(base_url="")
    base_url = base_url_of(action, converted)
    no_server = "" if base_url else "the schema has no absolute server URL (set a base URL override or fix `servers`)"
    return [
        RunnableOperation(
            tool=tool,
            annotations=tool_annotations(tool, changes_public_state=action.changes_public_state),
            problem="; ".join([*([no_server] if no_server else []), *tool.problems]),
            base_url=base_url,
        )
        for tool in converted.tools
    ]


def find_operation(action: Action, name: str) -> RunnableOperation:
    """The operation called `name`: its tool name, or else its operationId."""
    operations = action_operations(action)
    for operation in operations:
        if operation.name == name:
            return operation
    for operation in operations:
        if name and operation.operation_id == name:
            return operation
    known = ", ".join(op.name for op in operations[:20]) or "none"
    raise OperationRefused(
        "runner.unknown_operation", f"The action “{action.name}” has no operation “{name}” (it has: {known})."
    )


# --- Arguments -----------------------------------------------------------------------------------------


def _pointer(path) -> str:
    return "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in path)


# Compiled validators by id of the tool; each entry holds its tool, so the id is not reused meanwhile.
_validators: OrderedDict[int, tuple[Tool, object]] = OrderedDict()


def _validator(tool: Tool):
    """The compiled validator of a tool's input schema (tools are cached, so are their validators)."""
    with _cache_lock:
        entry = _validators.get(id(tool))
        if entry is not None and entry[0] is tool:
            _validators.move_to_end(id(tool))
            return entry[1]
    validator = jsonschema_rs.validator_for(tool.input_schema)
    with _cache_lock:
        _validators[id(tool)] = (tool, validator)
        while len(_validators) > TOOLS_CACHE_SIZE * 8:
            _validators.popitem(last=False)
    return validator


def validate_arguments(tool: Tool, arguments) -> None:
    if not isinstance(arguments, dict):
        raise OperationRefused("runner.bad_arguments", "The arguments must be a JSON object.")
    error = next(_validator(tool).iter_errors(arguments), None)
    if error is not None:
        raise OperationRefused("runner.bad_arguments", error.message, _pointer(error.instance_path))


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _simple(value) -> str:
    """OpenAPI's `simple` style (path and header parameters): arrays and objects comma-separated."""
    if isinstance(value, list):
        return ",".join(_scalar(item) for item in value)
    if isinstance(value, dict):
        return ",".join(f"{key},{_scalar(item)}" for key, item in value.items())
    return _scalar(value)


def _query_pairs(name: str, value, style: str, explode: bool) -> list[tuple[str, str]]:
    """OpenAPI query serialisation: form (default, exploded), spaceDelimited, pipeDelimited, deepObject."""
    if isinstance(value, list):
        if explode and style in ("", "form"):
            return [(name, _scalar(item)) for item in value]
        separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        return [(name, separator.join(_scalar(item) for item in value))]
    if isinstance(value, dict):
        if style == "deepObject":
            return [(f"{name}[{key}]", _scalar(item)) for key, item in value.items()]
        if explode:
            return [(str(key), _scalar(item)) for key, item in value.items()]
        return [(name, ",".join(f"{key},{_scalar(item)}" for key, item in value.items()))]
    return [(name, _scalar(value))]


def _body_bytes(tool: Tool, value) -> tuple[bytes, str]:
    media = tool.body.content_type
    lower = media.lower()
    if lower.startswith("application/x-www-form-urlencoded") and isinstance(value, dict):
        text = urlencode([(str(k), _scalar(v)) for k, v in value.items()])
    elif isinstance(value, str) and "json" not in lower:
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False)
    if len(text) > PAYLOAD_MAX_CHARACTERS:
        raise OperationRefused(
            "runner.bad_arguments",
            f"The request body has {len(text):,} characters; a call sends at most {PAYLOAD_MAX_CHARACTERS:,}.",
            f"/{tool.body.argument}",
        )
    return text.encode("utf-8"), media


def build_request(tool: Tool, base_url: str, arguments: dict) -> PreparedRequest:
    """The HTTP request for `tool` called with (validated) `arguments`: path parameters
    substituted and percent-encoded, query and header parameters serialised as OpenAPI says, the
    body as JSON (or form / text for those media types). No credential: `run_operation` adds it."""
    path = tool.path
    query: list[tuple[str, str]] = []
    headers: dict[str, str] = {"Accept": "application/json, */*;q=0.5"}
    for argument in tool.arguments:
        if argument.argument not in arguments or arguments[argument.argument] is None:
            continue
        value = arguments[argument.argument]
        if argument.location == "path":
            path = path.replace("{" + argument.name + "}", quote(_simple(value), safe=""))
        elif argument.location == "query":
            query += _query_pairs(argument.name, value, argument.style, argument.explode)
        else:
            text = _simple(value)
            if "\r" in text or "\n" in text:
                raise OperationRefused(
                    "runner.bad_arguments", "A header value cannot contain line breaks.", f"/{argument.argument}"
                )
            headers[argument.name] = text
    body = None
    if tool.body is not None and arguments.get(tool.body.argument) is not None:
        body, media = _body_bytes(tool, arguments[tool.body.argument])
        headers["Content-Type"] = media
    url = base_url.rstrip("/") + (path if path.startswith("/") else "/" + path)
    if query:
        url += ("&" if "?" in url else "?") + urlencode(query, quote_via=quote)
    return PreparedRequest(tool.method, url, headers, body)


# --- Auth ------------------------------------------------------------------------------------------------


def auth_headers(action: Action, upstream_token: str | None) -> dict[str, str]:
    """The stored credential as headers (the API key is decrypted here and nowhere else on this path);
    for an OAuth action, `upstream_token`: the calling user's token (see `_upstream_token`)."""
    if action.auth_type == Action.AuthType.API_KEY:
        if not action.api_key:
            raise OperationRefused(
                "runner.needs_secret",
                f"The action “{action.name}” uses an API key, but none is stored. Enter it first.",
            )
        key = action.api_key.reveal()
        if action.api_key_auth_type == Action.ApiKeyAuthType.BEARER:
            return {"Authorization": f"Bearer {key}"}
        if action.api_key_auth_type == Action.ApiKeyAuthType.BASIC:
            # As the mcp-server export does: a `user:password` value is encoded, an encoded one sent as is.
            value = base64.b64encode(key.encode()).decode() if ":" in key else key
            return {"Authorization": f"Basic {value}"}
        return {action.api_key_custom_header: key}
    if action.auth_type == Action.AuthType.OAUTH:
        if not upstream_token:
            raise OperationRefused(
                "runner.oauth_not_connected",
                f"The action “{action.name}” uses OAuth: connect your account with its API first.",
            )
        return {"Authorization": f"Bearer {upstream_token}"}
    return {}


def _upstream_token(action: Action, actor, *, refused: str = "") -> str:
    """The actor's own token for an OAuth action (actions/upstream.py), refreshed when expired or,
    with `refused`, after the upstream answered 401 to it. Never another user's."""
    try:
        return upstream_access_token(action=action, user=actor, refused=refused)
    except UpstreamNotConnected as exc:
        raise OperationRefused("runner.oauth_not_connected", exc.message) from None
    except UpstreamAuthError as exc:
        raise OperationRefused("runner.oauth_failed", exc.message) from None


# --- Running ---------------------------------------------------------------------------------------------


def _decode(content: bytes, charset: str | None) -> str:
    try:
        return content.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return content.decode("utf-8", errors="replace")


def _send(request: PreparedRequest, credentials: dict[str, str]) -> tuple[OperationResult, int]:
    # A header argument of the same name as the credential's never replaces it.
    names = {name.lower() for name in credentials}
    headers = {k: v for k, v in request.headers.items() if k.lower() not in names} | credentials
    try:
        result = fetch(
            request.url,
            method=request.method,
            headers=headers,
            content=request.body,
            policy=RUNNER_POLICY,
            sensitive_headers=credentials.keys(),
        )
    except AddressNotAllowed as exc:
        raise OperationRefused(
            "runner.host_not_allowed",
            f"{exc.message} (A private API can be allowed for development with OUTBOUND_ALLOW_HOSTS.)",
        ) from None
    except FetchError as exc:
        raise OperationRefused("runner.fetch_failed", exc.message) from None
    text = _decode(result.content, result.charset)
    truncated = result.truncated or len(text) > PAYLOAD_MAX_CHARACTERS
    return (
        OperationResult(
            status=result.status_code,
            headers={k: v for k, v in result.headers.items() if k.lower() in SAFE_RESPONSE_HEADERS},
            body=text[:PAYLOAD_MAX_CHARACTERS],
            content_type=result.headers.get("content-type", ""),
            duration_ms=round(result.elapsed * 1000),
            truncated=truncated,
        ),
        len(result.content),
    )


def run_operation(
    *,
    action: Action,
    tool_name: str,
    arguments: dict,
    actor,
    via: str = CallRecord.Via.TEST_CALL,
    upstream_token: str | None = None,
    operation: RunnableOperation | None = None,
) -> OperationResult:
    """Call one operation of `action` (see the module docstring). Raises OperationRefused; every
    call, refused or not, leaves a CallRecord. An OAuth action sends `upstream_token` when given,
    else the actor's own connected token (refreshed when expired, and once after a 401).
    `operation`: the action's operation `tool_name` names, when the caller has it already (the
    hosted endpoint's catalog), so it is not looked up again."""
    started = time.monotonic()
    record = CallRecord(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        gpt_id=action.gpt_id,
        action=action,
        action_name=action.name,
        operation=str(tool_name)[:128],
        via=via,
    )
    try:
        operation = operation or find_operation(action, tool_name)
        record.operation, record.method = operation.name, operation.method
        if operation.problem:
            raise OperationRefused("runner.unusable", f"“{operation.name}” cannot be called: {operation.problem}.")
        validate_arguments(operation.tool, arguments)
        request = build_request(operation.tool, operation.base_url, arguments)
        record.bytes_out = len(request.body or b"")
        own_token = action.auth_type == Action.AuthType.OAUTH and upstream_token is None
        if own_token:
            upstream_token = _upstream_token(action, actor)
        result, record.bytes_in = _send(request, auth_headers(action, upstream_token))
        if own_token and result.status == 401:  # expired or revoked early: refresh once, send again
            upstream_token = _upstream_token(action, actor, refused=upstream_token)
            result, record.bytes_in = _send(request, auth_headers(action, upstream_token))
        record.status = result.status
        return result
    except OperationRefused as exc:
        record.error_code = exc.code[:60]
        raise
    finally:
        record.duration_ms = round((time.monotonic() - started) * 1000)
        record.save()
