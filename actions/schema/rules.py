"""The GPT action rules: what ChatGPT's action editor accepts, drops or rewrites (GPT_EDITOR.md §3-§4).

One registered rule per fact. Severity mirrors ChatGPT: an error where it refuses the schema or
silently drops an operation, a warning where it ignores or rewrites a part, capped by the
confidence of the fact (an unconfirmed fact is at most a warning). Every number comes from
`actions/schema/limits.py` (re-exported by `gptstudio.limits`).

`check_action_schema(data, parsed)` runs every check on a parsed OpenAPI object and returns the
findings (without line numbers: the report adds them for the pointers that have findings) plus the
operation summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from . import limits
from .addresses import address_refusal, host_address, is_loopback
from .domain import domain_from_server_url
from .findings import Finding, Severity, make_finding, register
from .parsing import DocumentScan, scan_document
from .pointers import array_index, brief, escape_token, json_pointer, shown

SUPPORTED_METHODS = ("get", "post", "put", "patch", "delete")
OTHER_HTTP_METHODS = ("head", "options", "trace")
OPERATION_ID_PATTERN = re.compile(r"^[a-zA-Z0-9_-]+$")
LOCAL_HOSTS = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
# [PROD]: OAuth domains must match the API's domain, except these providers' sign-in domains.
OAUTH_EXEMPT_DOMAINS = {
    "google.com": "Google",
    "googleapis.com": "Google",
    "microsoftonline.com": "Microsoft",
    "microsoft.com": "Microsoft",
    "live.com": "Microsoft",
    "adobe.com": "Adobe",
    "adobelogin.com": "Adobe",
}
# Second-level labels that form a public suffix with a two-letter country code (co.uk, com.au, ...).
_COUNTRY_SECOND_LEVELS = {"co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go"}
_PLACEHOLDER = re.compile(r"[{}<>]|^your[_-]|your[_-]?(url|endpoint|domain|host|instance)|replace[_-]with", re.I)
# WHATWG URL standard: forbidden domain code points (C0 controls, space, # % / : < > ? @ [ \ ] ^ |, DEL)
# plus `{` and `}`, which only a fill-in placeholder puts in a host. A host with one does not parse.
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f{}]")


# --- Registry -------------------------------------------------------------------------------------------
_CANNOT_PARSE = "Could not parse valid OpenAPI spec"
_NO_SERVER = "Could not find a valid URL in `servers`"
_NOT_ROOT = "None of the provided servers is under the root origin https://…"

register(
    "openapi.swagger2",
    Severity.ERROR,
    "Swagger 2.0 document",
    chatgpt_behaviour="ChatGPT reads OpenAPI 3 (`openapi: 3.x` with `servers`); a Swagger 2.0 document has "
    "no `servers`, so ChatGPT finds no URL and refuses it.",
    source="GPT_EDITOR.md §3.1 [GS], [DEV]",
    confidence="likely",
    chatgpt_message=_NO_SERVER,
)
register(
    "openapi.version.missing",
    Severity.ERROR,
    "No `openapi` version",
    chatgpt_behaviour="Without `openapi: 3.x` the text is not an OpenAPI 3 document; ChatGPT refuses it.",
    source="GPT_EDITOR.md §3.1, §6 [DEV]",
    confidence="likely",
    chatgpt_message=_CANNOT_PARSE,
)
register(
    "openapi.version.unsupported",
    Severity.ERROR,
    "OpenAPI version ChatGPT does not read",
    chatgpt_behaviour="ChatGPT documents OpenAPI 3.0.x and 3.1.0; other major versions are refused.",
    source="GPT_EDITOR.md §3.1 [GS], [BUNDLE]",
    confidence="likely",
    chatgpt_message=_CANNOT_PARSE,
)
register(
    "openapi.version.untested",
    Severity.WARNING,
    "OpenAPI version not known to work in ChatGPT",
    chatgpt_behaviour="The docs and the editor's examples use 3.0.1 and 3.1.0; some developers report "
    "trouble with 3.1.1 and later.",
    source="GPT_EDITOR.md §3.1, §9 [DEV]",
    confidence="unconfirmed",
)
register(
    "action.server.missing",
    Severity.ERROR,
    "No server URL",
    chatgpt_behaviour="ChatGPT needs `servers[0].url`, an absolute https URL; without one it refuses the schema.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message=_NO_SERVER,
)
register(
    "action.server.not_absolute",
    Severity.ERROR,
    "Server URL is not an absolute URL",
    chatgpt_behaviour="A relative URL or a placeholder word is not a valid server URL; ChatGPT refuses the schema.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message=_NO_SERVER,
)
register(
    "action.server.not_https",
    Severity.ERROR,
    "Server URL is not https",
    chatgpt_behaviour="ChatGPT calls actions over https only and ignores an http server.",
    source="GPT_EDITOR.md §3.1 [DEV], §3.2 [PROD]",
    confidence="likely",
    chatgpt_message=_NOT_ROOT,
)
register(
    "action.server.localhost",
    Severity.ERROR,
    "Server is localhost or a loopback address",
    chatgpt_behaviour="ChatGPT calls the API from OpenAI's servers; localhost is not reachable and is refused.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message=_NOT_ROOT,
)
register(
    "action.server.ip_address",
    Severity.WARNING,
    "Server is an IP address, not a domain",
    chatgpt_behaviour="An action is keyed by its domain and needs a valid public TLS certificate; IP "
    "addresses rarely have one. Not documented either way.",
    source="GPT_EDITOR.md §3.2 [PROD], §5",
    confidence="unconfirmed",
)
register(
    "action.server.port",
    Severity.ERROR,
    "Server URL uses a port other than 443",
    chatgpt_behaviour="ChatGPT requires TLS 1.2+ on port 443; calls to other ports fail.",
    source="GPT_EDITOR.md §3.2 [PROD]",
    confidence="confirmed",
)
register(
    "action.server.invalid_host",
    Severity.ERROR,
    "Server host is a placeholder or not a valid host name",
    chatgpt_behaviour="ChatGPT uses the server URL as written: a host with a fill-in placeholder ({name}, "
    "<name>, your-domain) or a character no URL host can have (WHATWG URL standard: `<`, `>`, `{`, space, ...) "
    "does not parse or names a host that does not exist, so no call can reach the API.",
    source="GPT_EDITOR.md §3.1; WHATWG URL standard (forbidden domain code points)",
    confidence="likely",
    chatgpt_message=_NO_SERVER,
)
register(
    "action.server.placeholder",
    Severity.WARNING,
    "Server URL path contains a placeholder or server variable",
    chatgpt_behaviour="ChatGPT uses the server URL as written; server variables and fill-in placeholders "
    "({name}, <name>) in its path are not documented as supported, so calls go to a path that does not exist.",
    source="GPT_EDITOR.md §3.1",
    confidence="unconfirmed",
)
register(
    "action.server.multiple_hosts",
    Severity.WARNING,
    "Servers on more than one host",
    chatgpt_behaviour="An action covers one host: ChatGPT keeps the first server's host and drops the others. "
    "Use one action per host.",
    source="GPT_EDITOR.md §3.1, §5 [DEV]",
    confidence="likely",
    chatgpt_message="Found multiple hostnames, dropping …",
)
register(
    "action.server.multiple",
    Severity.WARNING,
    "More than one server",
    chatgpt_behaviour="ChatGPT uses the first server and ignores the rest.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message="Multiple servers found, using …",
)
register(
    "action.path.not_absolute",
    Severity.ERROR,
    "A path does not start with `/`",
    chatgpt_behaviour="ChatGPT appends each `paths` key to the server URL; a key without a leading `/` "
    "(OpenAPI requires one) makes every call to it go to the wrong URL.",
    source="GPT_EDITOR.md §3.1; OpenAPI 3.x Paths Object",
    confidence="likely",
)
register(
    "action.operations.too_many",
    Severity.ERROR,
    "More than 30 operations",
    chatgpt_behaviour="ChatGPT refuses an action schema with more operations than its cap. Split it into "
    "several actions (one per domain) or keep the operations the GPT needs.",
    source=limits.ACTION_OPERATIONS_MAX.source,
    confidence=limits.ACTION_OPERATIONS_MAX.confidence,
    chatgpt_message="OpenAPI spec can have a maximum of 30 operations",
)
register(
    "action.operations.none",
    Severity.WARNING,
    "No operations",
    chatgpt_behaviour="A schema without operations gives the GPT nothing to call.",
    source="GPT_EDITOR.md §3.1",
    confidence="unconfirmed",
)
register(
    "action.operation.missing_id",
    Severity.ERROR,
    "Operation without an operationId",
    chatgpt_behaviour="The operationId becomes the function name the model calls; an operation without one "
    "cannot be offered to the model and is dropped.",
    source="GPT_EDITOR.md §3.1 [GS], §8",
    confidence="likely",
)
register(
    "action.operation.invalid_id",
    Severity.ERROR,
    "operationId with characters a function name cannot have",
    chatgpt_behaviour="Function names may contain only letters, digits, '_' and '-'; ChatGPT drops an "
    "operation whose operationId has others.",
    source="GPT_EDITOR.md §3.1 [GS] (operationId = function name); OpenAI function-name rule",
    confidence="likely",
)
register(
    "action.operation.duplicate_id",
    Severity.ERROR,
    "Two operations share an operationId",
    chatgpt_behaviour="Function names must be unique; ChatGPT keeps only one of the operations.",
    source="OpenAPI 3 (operationId is unique); GPT_EDITOR.md §3.1 [GS]",
    confidence="likely",
)
register(
    "action.operation.description_too_long",
    Severity.ERROR,
    "Operation summary or description over 300 characters",
    chatgpt_behaviour="ChatGPT refuses endpoint descriptions and summaries over its limit.",
    source=limits.ACTION_OPERATION_DESCRIPTION_MAX_LENGTH.source,
    confidence=limits.ACTION_OPERATION_DESCRIPTION_MAX_LENGTH.confidence,
    chatgpt_message="… description has length N exceeding limit of 300",
)
register(
    "action.parameter.description_too_long",
    Severity.ERROR,
    "Parameter description over 700 characters",
    chatgpt_behaviour="ChatGPT refuses parameter descriptions over its limit.",
    source=limits.ACTION_PARAMETER_DESCRIPTION_MAX_LENGTH.source,
    confidence=limits.ACTION_PARAMETER_DESCRIPTION_MAX_LENGTH.confidence,
    chatgpt_message="… description has length N exceeding limit of 700",
)
register(
    "action.parameter.header",
    Severity.WARNING,
    "Header parameter",
    chatgpt_behaviour="ChatGPT does not send custom headers: header parameters are ignored. Put an API key "
    "in the action's authentication (API Key → Custom header) instead.",
    source="GPT_EDITOR.md §3.1 [PROD], [DEV]",
    confidence="confirmed",
    chatgpt_message="parameter X has location header; ignoring",
)
register(
    "action.parameter.ref",
    Severity.ERROR,
    "$ref inside `parameters`",
    chatgpt_behaviour="ChatGPT does not resolve a $ref in a parameter list: the parameter has no name and the "
    "whole operation is skipped, although the schema still looks valid.",
    source="GPT_EDITOR.md §3.1, §7 (DeepLcom/openapi#7) [DEV]",
    confidence="likely",
    chatgpt_message="parameter … has missing or non-string name; skipping",
)
register(
    "action.parameter.missing_name",
    Severity.ERROR,
    "Parameter without a name",
    chatgpt_behaviour="ChatGPT skips the whole operation when a parameter has no string name.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message="parameter … has missing or non-string name; skipping",
)
register(
    "action.parameter.duplicate",
    Severity.ERROR,
    "Parameter declared twice",
    chatgpt_behaviour="ChatGPT skips the operation when two parameters share a name and location.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message="parameter id is duplicated; skipping function due to errors",
)
register(
    "action.method.unsupported",
    Severity.WARNING,
    "HTTP method ChatGPT does not call",
    chatgpt_behaviour="ChatGPT calls GET, POST, PUT, PATCH and DELETE; it skips HEAD, OPTIONS and TRACE operations.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message="Path … has unrecognized method head; skipping",
)
register(
    "action.security.multiple_schemes",
    Severity.ERROR,
    "More than one security scheme",
    chatgpt_behaviour="An action has one authentication; ChatGPT refuses a schema declaring several schemes. "
    "Endpoints may still opt out with `security: []`.",
    source="GPT_EDITOR.md §3.1 [PROD], [DEV]",
    confidence="confirmed",
    chatgpt_message="Found multiple security schemes, only 1 is supported",
)
register(
    "action.security.unsupported",
    Severity.WARNING,
    "Security scheme ChatGPT's authentication panel cannot express",
    chatgpt_behaviour="ChatGPT authenticates with None, API Key (Basic, Bearer or a custom header) or OAuth "
    "(authorization code). Keys in the query string or a cookie, digest auth and OpenID Connect discovery "
    "cannot be configured, so calls go out without them.",
    source="GPT_EDITOR.md §4 [AUTH], [H-ACT]",
    confidence="confirmed",
)
register(
    "action.oauth.url_off_domain",
    Severity.WARNING,
    "OAuth URL in the schema on another domain than the API",
    chatgpt_behaviour="All domains in the OAuth flow must match the API's domain, except Google, Microsoft and "
    "Adobe sign-in domains. ChatGPT signs in with the URLs typed into the action's authentication panel "
    "(checked as gpt.action.oauth_url_off_domain), not with the schema's `flows`, so the schema's URLs "
    "only matter where they are copied from.",
    source="GPT_EDITOR.md §3.2 [PROD], §4 [AUTH]",
    confidence="confirmed",
)
register(
    "action.schema.object_without_properties",
    Severity.WARNING,
    "Object schema without properties",
    chatgpt_behaviour="ChatGPT turns request bodies and parameters into function arguments; an object "
    "without `properties` gives the model no fields to fill in (OpenAI's cookbook has such nested objects "
    "and they load).",
    source="GPT_EDITOR.md §3.1, §7 [DEV]",
    confidence="likely",
    chatgpt_message="object schema missing properties",
)
register(
    "action.ref.unknown",
    Severity.WARNING,
    "$ref to something that does not exist",
    chatgpt_behaviour="ChatGPT replaces an unresolvable reference with an empty schema, so the model knows "
    "nothing about that value. Remote references are never fetched.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message="reference to unknown component X; using empty schema",
)
register(
    "action.ref.circular",
    Severity.ERROR,
    "Circular $ref between components",
    chatgpt_behaviour="ChatGPT inlines components and refuses a schema whose components refer to each other "
    "in a cycle.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message="Components section contains a circular dependency",
)
register(
    "action.components.schemas_not_object",
    Severity.ERROR,
    "`components.schemas` is not an object",
    chatgpt_behaviour="ChatGPT cannot read the components and refuses the schema.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message="In components section, schemas subsection is not an object",
)
register(
    "action.request_body.not_object",
    Severity.ERROR,
    "Request body schema is not an object",
    chatgpt_behaviour="ChatGPT passes a request body as named arguments; it skips an operation whose body "
    "is an array, a string or another non-object schema.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message="request body schema is not an object schema; skipping",
)
register(
    "action.media.binary",
    Severity.WARNING,
    "Image, audio or video content",
    chatgpt_behaviour="Action requests and responses are text only: no images or video.",
    source="GPT_EDITOR.md §3.2 [PROD]",
    confidence="confirmed",
)
register(
    "action.consequential.not_boolean",
    Severity.WARNING,
    "`x-openai-isConsequential` is not a boolean",
    chatgpt_behaviour="The flag must be true or false; what ChatGPT does with another value is not documented. "
    "GPT Studio assumes the default (GET: false, others: true).",
    source="GPT_EDITOR.md §3.2 [GS], [PROD]",
    confidence="confirmed",
)
register(
    "action.files.id_refs_not_array",
    Severity.WARNING,
    "`openaiFileIdRefs` is not declared as an array",
    chatgpt_behaviour="ChatGPT sends conversation files only in an array parameter named openaiFileIdRefs; "
    "the operation still loads, but no files are sent.",
    source="GPT_EDITOR.md §3.2 [GS]",
    confidence="confirmed",
)
register(
    "action.files.id_refs_location",
    Severity.WARNING,
    "`openaiFileIdRefs` outside a POST request body",
    chatgpt_behaviour="ChatGPT sends files in the JSON body of a POST request; elsewhere the name has no effect.",
    source="GPT_EDITOR.md §3.2 [GS]",
    confidence="confirmed",
)
register(
    "action.files.response_not_array",
    Severity.WARNING,
    "`openaiFileResponse` is not declared as an array",
    chatgpt_behaviour="ChatGPT reads returned files only from an `openaiFileResponse` array (of file objects "
    "or of URLs); the operation still works, but no files come back.",
    source="GPT_EDITOR.md §3.2 [GS], [RN]",
    confidence="confirmed",
)
register(
    "action.files.id_refs_too_many",
    Severity.WARNING,
    "`openaiFileIdRefs` allows more than 10 files",
    chatgpt_behaviour="ChatGPT sends at most 10 conversation files in openaiFileIdRefs; an API that expects more "
    "never gets them.",
    source=limits.ACTION_FILES_PER_REQUEST_MAX.source,
    confidence=limits.ACTION_FILES_PER_REQUEST_MAX.confidence,
)
register(
    "action.files.response_too_many",
    Severity.WARNING,
    "`openaiFileResponse` allows more than 10 files",
    chatgpt_behaviour="ChatGPT takes at most 10 files from an openaiFileResponse; the others are not shown.",
    source=limits.ACTION_FILES_PER_RESPONSE_MAX.source,
    confidence=limits.ACTION_FILES_PER_RESPONSE_MAX.confidence,
)
register(
    "action.files.response_items",
    Severity.WARNING,
    "`openaiFileResponse` items are neither file objects nor URLs",
    chatgpt_behaviour="Items must be objects {name, mime_type, content (base64)} or URL strings.",
    source="GPT_EDITOR.md §3.2 [GS]",
    confidence="confirmed",
)
register(
    "action.schema.too_large",
    Severity.WARNING,
    "Schema larger than ChatGPT reportedly accepts",
    chatgpt_behaviour="One builder reports that the editor refuses specs over 1 MB. Not documented.",
    source=limits.ACTION_SCHEMA_MAX_BYTES.source,
    confidence=limits.ACTION_SCHEMA_MAX_BYTES.confidence,
    chatgpt_message="OpenAPI spec must be 1MB or smaller",
)


# --- Results ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Operation:
    method: str  # lower case, as in the schema: "get", "post", ...
    path: str
    operation_id: str
    summary: str
    consequential: bool  # effective x-openai-isConsequential (GET defaults to false, others true)
    consequential_explicit: bool  # whether the schema set it (as a boolean)


@dataclass
class ActionCheck:
    """What the action rules found in one schema."""

    findings: list[Finding] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)
    server_url: str = ""
    domain: str = ""
    auth_scheme: str = "none"
    security_scheme: dict = field(default_factory=dict)  # the declared scheme (for GPT-level auth checks)

    def add(self, code: str, message: str, pointer: str = "") -> None:
        self.findings.append(make_finding(code, message, pointer=pointer))


# --- Helpers ----------------------------------------------------------------------------------------------
def registrable_domain(host: str) -> str:
    """The domain a company registers (example.co.uk for api.example.co.uk). A heuristic without the
    public suffix list: good for the OAuth-domain comparison, not for security decisions."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _COUNTRY_SECOND_LEVELS:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def local_pointer(ref: str) -> str | None:
    """The JSON pointer of a local `#...` reference, or None for any other. A pointer in a URI
    fragment is percent-encoded (RFC 6901 §6: `#/components/schemas/Ok%20Reply`), so it is decoded
    first; its `~1` and `~0` are unescaped only after the split, as in any pointer."""
    if not ref.startswith("#"):
        return None
    return unquote(ref[1:]) if "%" in ref else ref[1:]


def _resolve_local(data: dict, ref: str):
    """The target of a local `#/...` reference, or None."""
    pointer = local_pointer(ref)
    if pointer is None:
        return None
    node = data
    if pointer in ("", "/"):
        return node
    if not pointer.startswith("/"):
        return None
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and (index := array_index(token, len(node))) is not None:
            node = node[index]
        else:
            return None
    return node


class LocalRefs:
    """Resolves local `#/...` references of one document, each distinct reference once."""

    def __init__(self, data: dict):
        self.data = data
        self._cache: dict[str, object] = {}

    def resolve(self, ref: str):
        if ref not in self._cache:
            self._cache[ref] = _resolve_local(self.data, ref)
        return self._cache[ref]

    def deref(self, node, pointer: str, hops: int = 20):
        """Follow local $refs from `node` (at `pointer`); returns (target or None, pointer of target)."""
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and hops:
            ref = node["$ref"]
            target = self.resolve(ref)
            if target is None:
                return None, pointer
            node, pointer = target, local_pointer(ref)
            hops -= 1
        return node, pointer


def _types(schema: dict) -> set:
    value = schema.get("type")
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {t for t in value if isinstance(t, str)}
    return set()


# --- Checks -------------------------------------------------------------------------------------------------
def check_version(data: dict, result: ActionCheck) -> str | None:
    """The meta-schema family ("3.0", "3.1") to validate against, or None when the version is unusable."""
    version = data.get("openapi")
    if version is None:
        if "swagger" in data:
            result.add(
                "openapi.swagger2",
                f"This is a Swagger {brief(data['swagger'])} document. ChatGPT reads OpenAPI 3: convert it "
                "(for example with swagger2openapi or editor.swagger.io → Edit → Convert to OpenAPI 3) and "
                "replace `host`/`basePath`/`schemes` with `servers: [{url: https://…}]`.",
                "/swagger",
            )
        else:
            result.add(
                "openapi.version.missing",
                "The document has no `openapi` field. Start it with `openapi: 3.1.0` (or 3.0.x).",
            )
        return None
    text = shown(version)
    match = re.match(r"^3\.([01])\.(\d+)", text)
    if not isinstance(version, str) or not match:
        if text.startswith("3."):
            family = "3.1" if text.startswith("3.1") else "3.0" if text.startswith("3.0") else None
            result.add(
                "openapi.version.untested",
                f'`openapi: {brief(text)}` is not a version ChatGPT is known to read; use the string "3.1.0" '
                "(quoted in YAML) or 3.0.x.",
                "/openapi",
            )
            return family
        result.add(
            "openapi.version.unsupported",
            f"`openapi: {brief(text)}` is not OpenAPI 3.0 or 3.1. Write the schema as OpenAPI 3.1.0 (or 3.0.x).",
            "/openapi",
        )
        return None
    if match.group(1) == "1" and match.group(2) != "0":
        result.add(
            "openapi.version.untested",
            f"Some developers report trouble with OpenAPI {brief(text)} in ChatGPT; the editor's own examples use "
            "3.1.0. Use `openapi: 3.1.0` unless you need a newer feature.",
            "/openapi",
        )
    return "3." + match.group(1)


def check_servers(data: dict, result: ActionCheck) -> None:
    servers = data.get("servers")
    first = servers[0] if isinstance(servers, list) and servers else None
    url = first.get("url") if isinstance(first, dict) else None
    if not isinstance(url, str) or not url.strip():
        pointer = "/servers/0/url" if isinstance(first, dict) and "url" in first else "/servers"
        if isinstance(url, dict | list):
            detail = "is not text (in YAML, a `{…}` placeholder makes a mapping: quote the URL)"
        else:
            detail = "is missing"
        result.add(
            "action.server.missing",
            f"The server URL {detail}. Add `servers: [{{url: https://api.example.com}}]` with your API's address.",
            pointer if servers else "",
        )
        return
    url = url.strip()
    result.server_url = url
    pointer = "/servers/0/url"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        parts, host, port = None, "", None
    if parts is None or not parts.scheme or not host:
        result.add(
            "action.server.not_absolute",
            f"“{url}” is not an absolute URL. Use the full address of your API, like https://api.example.com/v1.",
            pointer,
        )
        return
    result.domain = domain_from_server_url(url)
    try:  # every spelling the fetcher reads as an address: 2130706433, 0x7f.1, [::ffff:127.0.0.1] ...
        ip = host_address(host)
        invalid_literal = False
    except ValueError:
        ip, invalid_literal = None, True
    if host.lower() in LOCAL_HOSTS or host.lower().endswith(".localhost") or (ip is not None and is_loopback(ip)):
        shown = f" ({ip})" if ip is not None and str(ip) != host else ""
        result.add(
            "action.server.localhost",
            f"The server {url}{shown} is this computer; ChatGPT calls your API from OpenAI's servers and cannot "
            "reach it. Deploy the API on a public https domain (or use a tunnel with a public https URL).",
            pointer,
        )
    elif ip is not None:
        reason = address_refusal(ip)
        detail = (
            f" ({ip}, {reason}, which ChatGPT cannot reach from the internet)"
            if reason
            else (f" ({ip})" if str(ip) != host else "")
        )
        result.add(
            "action.server.ip_address",
            f"The server {url} is an IP address{detail}. Use a domain name with a valid TLS certificate.",
            pointer,
        )
    elif invalid_literal:
        result.add(
            "action.server.ip_address",
            f"The server host “{host}” is numeric like an IP address but is not a valid one, and not a domain "
            "name either. Use your API's domain name.",
            pointer,
        )
    if parts.scheme.lower() != "https":
        result.add(
            "action.server.not_https",
            f"The server URL uses {parts.scheme}://. ChatGPT only calls https URLs: serve the API over https "
            "and write https:// here.",
            pointer,
        )
    elif port not in (None, 443):
        result.add(
            "action.server.port",
            f"The server uses port {port}. ChatGPT calls actions on port 443 only: serve the API there.",
            pointer,
        )
    variables = first.get("variables") if isinstance(first.get("variables"), dict) else {}
    fill_in = "Replace server variables with their values" if variables else "Replace the placeholder"
    named_host = ip is None and not invalid_literal  # an IP literal's brackets and colons are fine
    if named_host and (_PLACEHOLDER.search(host) or _FORBIDDEN_HOST.search(unquote(host))):
        result.add(
            "action.server.invalid_host",
            f"The server host “{host}” is a placeholder or has characters a host name cannot have. "
            f"{fill_in} with your API's real host name: ChatGPT uses the URL as written.",
            pointer,
        )
    elif _PLACEHOLDER.search(parts.netloc + parts.path):
        result.add(
            "action.server.placeholder",
            f"The server URL “{url}” contains a placeholder. {fill_in} with the real value: ChatGPT uses the "
            "URL as written.",
            pointer,
        )
    _check_other_servers(data, result, servers)


def _check_other_servers(data: dict, result: ActionCheck, servers: list) -> None:
    main_host = result.domain
    others = [(f"/servers/{i}", s) for i, s in enumerate(servers) if i > 0]
    paths = data.get("paths")
    if isinstance(paths, dict):
        for path, item in paths.items():
            if not isinstance(item, dict):
                continue
            base = json_pointer("paths", path)
            if isinstance(item.get("servers"), list):
                others += [(f"{base}/servers/{i}", s) for i, s in enumerate(item["servers"])]
            for method in SUPPORTED_METHODS:
                op = item.get(method)
                if isinstance(op, dict) and isinstance(op.get("servers"), list):
                    others += [(f"{base}/{method}/servers/{i}", s) for i, s in enumerate(op["servers"])]
    for pointer, server in others:
        url = server.get("url") if isinstance(server, dict) else None
        host = domain_from_server_url(url) if isinstance(url, str) else ""
        if host and host != main_host:
            result.add(
                "action.server.multiple_hosts",
                f"This server is on {host}, but the action's host is {main_host}; ChatGPT drops it. Move the "
                f"operations for {host} into a separate action.",
                pointer,
            )
        elif pointer.startswith("/servers/"):
            result.add(
                "action.server.multiple",
                f"ChatGPT uses only the first server ({result.server_url}); remove this one or put it first.",
                pointer,
            )


@dataclass
class _Op:
    method: str
    path: str
    node: dict
    pointer: str
    item: dict
    item_pointer: str


def collect_operations(data: dict, result: ActionCheck) -> list[_Op]:
    ops: list[_Op] = []
    paths = data.get("paths")
    if not isinstance(paths, dict):
        return ops
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        item_pointer = json_pointer("paths", path)
        if isinstance(path, str) and not path.startswith(("/", "x-")):
            result.add(
                "action.path.not_absolute",
                f"The path “{brief(path)}” does not start with “/”. ChatGPT joins the server URL and the path, so "
                f"every call would go to the wrong URL: write “/{brief(path.lstrip())}”.",
                item_pointer,
            )
        for method, node in item.items():
            lower = method.lower() if isinstance(method, str) else ""
            if lower in SUPPORTED_METHODS and isinstance(node, dict):
                ops.append(_Op(lower, path, node, f"{item_pointer}/{escape_token(method)}", item, item_pointer))
            elif lower in OTHER_HTTP_METHODS:
                result.add(
                    "action.method.unsupported",
                    f"ChatGPT skips {lower.upper()} {path}: it only calls GET, POST, PUT, PATCH and DELETE. "
                    "Remove it or expose the call with a supported method.",
                    f"{item_pointer}/{escape_token(method)}",
                )
    return ops


def check_operations(data: dict, ops: list[_Op], result: ActionCheck) -> None:
    maximum = limits.ACTION_OPERATIONS_MAX.value
    if len(ops) > maximum:
        result.add(
            "action.operations.too_many",
            f"The schema has {len(ops)} operations; ChatGPT accepts at most {maximum} per action. Keep the "
            "ones the GPT needs, or split them across actions (one per domain).",
            "/paths",
        )
    elif not ops:
        result.add(
            "action.operations.none",
            "The schema has no operations (GET/POST/PUT/PATCH/DELETE under `paths`), so the GPT has nothing to call.",
            "/paths" if "paths" in data else "",
        )
    seen_ids: dict[str, str] = {}
    desc_max = limits.ACTION_OPERATION_DESCRIPTION_MAX_LENGTH.value
    for op in ops:
        label = f"{op.method.upper()} {op.path}"
        operation_id = op.node.get("operationId")
        if not isinstance(operation_id, str) or not operation_id:
            result.add(
                "action.operation.missing_id",
                f"{label} has no operationId. Add one (e.g. `operationId: {_suggest_id(op)}`): it is the name "
                "the model calls.",
                op.pointer,
            )
            operation_id = ""
        elif not OPERATION_ID_PATTERN.match(operation_id):
            result.add(
                "action.operation.invalid_id",
                f"The operationId “{operation_id}” of {label} may contain only letters, digits, '_' and '-'. "
                f"Rename it, e.g. “{re.sub(r'[^a-zA-Z0-9_-]+', '_', operation_id).strip('_') or _suggest_id(op)}”.",
                f"{op.pointer}/operationId",
            )
        elif operation_id in seen_ids:
            result.add(
                "action.operation.duplicate_id",
                f"The operationId “{operation_id}” of {label} is already used by {seen_ids[operation_id]}. "
                "Give each operation its own name.",
                f"{op.pointer}/operationId",
            )
        else:
            seen_ids[operation_id] = label
        for key in ("summary", "description"):
            text = op.node.get(key)
            if isinstance(text, str) and len(text) > desc_max:
                result.add(
                    "action.operation.description_too_long",
                    f"The {key} of {label} has {len(text)} characters; ChatGPT accepts at most {desc_max}. "
                    "Shorten it (move details into parameter descriptions or the GPT's instructions).",
                    f"{op.pointer}/{key}",
                )
        explicit = op.node.get("x-openai-isConsequential")
        if "x-openai-isConsequential" in op.node and not isinstance(explicit, bool):
            result.add(
                "action.consequential.not_boolean",
                f"x-openai-isConsequential of {label} is {brief(explicit, repr)}; write true or false (unquoted).",
                f"{op.pointer}/x-openai-isConsequential",
            )
        is_explicit = isinstance(explicit, bool)
        summary = op.node.get("summary") or op.node.get("description") or ""
        result.operations.append(
            Operation(
                method=op.method,
                path=op.path,
                operation_id=operation_id,
                summary=summary if isinstance(summary, str) else "",
                consequential=explicit if is_explicit else op.method != "get",
                consequential_explicit=is_explicit,
            )
        )


def _suggest_id(op: _Op) -> str:
    words = [w for w in re.split(r"[^a-zA-Z0-9]+", op.path) if w]
    return op.method + "".join(w[:1].upper() + w[1:] for w in words) if words else op.method + "Root"


def check_parameters(data: dict, ops: list[_Op], result: ActionCheck) -> None:
    max_len = limits.ACTION_PARAMETER_DESCRIPTION_MAX_LENGTH.value
    reported: set[str] = set()  # path-level parameters are shared by the path's operations
    for op in ops:
        label = f"{op.method.upper()} {op.path}"
        seen: set[tuple] = set()
        lists = [
            (op.item.get("parameters"), f"{op.item_pointer}/parameters"),
            (op.node.get("parameters"), f"{op.pointer}/parameters"),
        ]
        for params, base in lists:
            if not isinstance(params, list):
                continue
            for index, param in enumerate(params):
                pointer = f"{base}/{index}"
                if not isinstance(param, dict):
                    continue
                if "$ref" in param:
                    if pointer not in reported:
                        reported.add(pointer)
                        result.add(
                            "action.parameter.ref",
                            f"ChatGPT does not resolve $ref in `parameters`: it skips {label} entirely. Write the "
                            f"parameter out in full here instead of referring to {brief(param.get('$ref'))}.",
                            pointer,
                        )
                    continue
                name = param.get("name")
                where = param.get("in") if isinstance(param.get("in"), str) else ""
                if not isinstance(name, str) or not name:
                    if pointer not in reported:
                        reported.add(pointer)
                        result.add(
                            "action.parameter.missing_name",
                            f"A parameter of {label} has no name; ChatGPT skips the operation. Add `name:`.",
                            pointer,
                        )
                    continue
                key = (name, where)
                if key in seen:
                    result.add(
                        "action.parameter.duplicate",
                        f"The {where} parameter “{name}” is declared twice for {label}; ChatGPT skips the "
                        "operation. Keep one.",
                        pointer,
                    )
                seen.add(key)
                if pointer in reported:
                    continue
                reported.add(pointer)
                if where == "header":
                    result.add(
                        "action.parameter.header",
                        f"ChatGPT ignores the header parameter “{name}” of {label}. For an API key use the "
                        "action's authentication (API Key, Custom header); other headers cannot be sent.",
                        pointer,
                    )
                if name == "openaiFileIdRefs":
                    result.add(
                        "action.files.id_refs_location",
                        f"openaiFileIdRefs is a {where} parameter of {label}; ChatGPT sends files only as a "
                        "property of a POST request's JSON body.",
                        pointer,
                    )
                description = param.get("description")
                if isinstance(description, str) and len(description) > max_len:
                    result.add(
                        "action.parameter.description_too_long",
                        f"The description of parameter “{name}” ({label}) has {len(description)} characters; "
                        f"ChatGPT accepts at most {max_len}. Shorten it.",
                        f"{pointer}/description",
                    )


@dataclass
class _Body:
    """One media type of an operation's request body, dereferenced once for every check."""

    op: _Op
    media: str
    schema: dict | None
    pointer: str


def request_bodies(refs: LocalRefs, ops: list[_Op]) -> list[_Body]:
    bodies = []
    for op in ops:
        body, body_pointer = refs.deref(op.node.get("requestBody"), f"{op.pointer}/requestBody")
        bodies += [_Body(op, media, schema, pointer) for media, schema, pointer in _contents(refs, body, body_pointer)]
    return bodies


def check_bodies(refs: LocalRefs, ops: list[_Op], bodies: list[_Body], result: ActionCheck) -> None:
    """Request bodies (objects, files, media) and responses (files, media)."""
    for body in bodies:
        op, media, schema, pointer = body.op, body.media, body.schema, body.pointer
        label = f"{op.method.upper()} {op.path}"
        _check_media(media, label, "request", pointer, result)
        if schema is None:
            continue
        types = _types(schema)
        if types and "object" not in types and media.startswith(("application/json", "application/x-www-form")):
            result.add(
                "action.request_body.not_object",
                f"The request body of {label} is a {'/'.join(sorted(types))}; ChatGPT needs an object "
                "schema and skips the operation. Wrap the value in an object property.",
                pointer,
            )
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        if "openaiFileIdRefs" in props:
            file_refs, refs_pointer = refs.deref(props["openaiFileIdRefs"], f"{pointer}/properties/openaiFileIdRefs")
            if isinstance(file_refs, dict) and _types(file_refs) and "array" not in _types(file_refs):
                result.add(
                    "action.files.id_refs_not_array",
                    f"openaiFileIdRefs in {label} must be `type: array` (of strings); ChatGPT sends files "
                    "only in an array.",
                    refs_pointer,
                )
            _check_file_count(
                file_refs, refs_pointer, "action.files.id_refs_too_many", limits.ACTION_FILES_PER_REQUEST_MAX, result
            )
            if op.method != "post":
                result.add(
                    "action.files.id_refs_location",
                    f"openaiFileIdRefs is in a {op.method.upper()} request ({label}); ChatGPT sends files "
                    "only in POST requests.",
                    refs_pointer,
                )
    for op in ops:
        label = f"{op.method.upper()} {op.path}"
        responses = op.node.get("responses")
        if not isinstance(responses, dict):
            continue
        for status, response in responses.items():
            resp, resp_pointer = refs.deref(response, f"{op.pointer}/responses/{escape_token(status)}")
            for media, schema, pointer in _contents(refs, resp, resp_pointer):
                _check_media(media, label, "response", pointer, result)
                props = schema.get("properties") if schema and isinstance(schema.get("properties"), dict) else {}
                if "openaiFileResponse" in props:
                    _check_file_response(
                        refs, props["openaiFileResponse"], f"{pointer}/properties/openaiFileResponse", label, result
                    )


def _contents(refs: LocalRefs, holder, pointer: str):
    """(media type, dereferenced schema or None, pointer of the schema or media entry) of a body."""
    if not isinstance(holder, dict) or not isinstance(holder.get("content"), dict):
        return
    for media, entry in holder["content"].items():
        entry_pointer = f"{pointer}/content/{escape_token(media)}"
        if not isinstance(entry, dict):
            yield str(media), None, entry_pointer
            continue
        schema, schema_pointer = refs.deref(entry.get("schema"), f"{entry_pointer}/schema")
        yield (
            str(media),
            schema if isinstance(schema, dict) else None,
            schema_pointer if isinstance(schema, dict) else entry_pointer,
        )


def _check_media(media: str, label: str, part: str, pointer: str, result: ActionCheck) -> None:
    if media.lower().startswith(("image/", "video/", "audio/")):
        result.add(
            "action.media.binary",
            f"The {part} of {label} is {media}; ChatGPT actions exchange text only. Return a URL or JSON "
            "instead (or files through openaiFileResponse).",
            pointer,
        )


def _check_file_response(refs: LocalRefs, node, pointer: str, label: str, result: ActionCheck) -> None:
    schema, pointer = refs.deref(node, pointer)
    if not isinstance(schema, dict):
        return
    if _types(schema) and "array" not in _types(schema):
        result.add(
            "action.files.response_not_array",
            f"openaiFileResponse in the response of {label} must be `type: array`; ChatGPT reads files only "
            "from an array of file objects or URLs.",
            pointer,
        )
        return
    _check_file_count(schema, pointer, "action.files.response_too_many", limits.ACTION_FILES_PER_RESPONSE_MAX, result)
    items, items_pointer = refs.deref(schema.get("items"), f"{pointer}/items")
    if isinstance(items, dict) and _types(items) and not _types(items) & {"object", "string"}:
        result.add(
            "action.files.response_items",
            f"openaiFileResponse items in {label} are {'/'.join(sorted(_types(items)))}; use objects "
            "{name, mime_type, content} or URL strings.",
            items_pointer,
        )


def _check_file_count(schema, pointer: str, code: str, limit: limits.Limit, result: ActionCheck) -> None:
    """An array of files whose `maxItems` promises more files than ChatGPT passes."""
    if not isinstance(schema, dict):
        return
    most = schema.get("maxItems")
    if type(most) is int and most > limit.value:
        result.add(
            code,
            f"maxItems is {brief(most)}, but ChatGPT passes at most {limit.value} files here. Set `maxItems: "
            f"{limit.value}` so that the API and the model expect what ChatGPT can do.",
            f"{pointer}/maxItems",
        )


def check_object_properties(refs: LocalRefs, ops: list[_Op], bodies: list[_Body], result: ActionCheck) -> None:
    """Objects ChatGPT turns into function arguments (parameter and request-body schemas, through
    their $refs, properties, items and compositions) should declare their properties.

    Big specs have tens of thousands of property schemas, nearly all leaves like {"type": "string"};
    a property's pointer is therefore built only when that schema has a finding or children."""
    # (schema, pointer) or, for a property, (schema, pointer of its object, property name)
    stack: list[tuple] = []
    for op in ops:
        for params, base in (
            (op.item.get("parameters"), f"{op.item_pointer}/parameters"),
            (op.node.get("parameters"), f"{op.pointer}/parameters"),
        ):
            if isinstance(params, list):
                stack += [(p.get("schema"), f"{base}/{i}/schema") for i, p in enumerate(params) if isinstance(p, dict)]
    stack += [(body.schema, body.pointer) for body in bodies if body.schema]
    visited: set[int] = set()
    while stack:
        entry = stack.pop()
        node = entry[0]
        if type(node) is not dict:
            continue
        pointer = None
        if "$ref" in node:
            pointer = _entry_pointer(entry)
            node, pointer = refs.deref(node, pointer)
            if not isinstance(node, dict):
                continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        properties = node.get("properties")
        composed = [key for key in ("allOf", "anyOf", "oneOf") if isinstance(node.get(key), list)]
        is_object = "object" in _types(node)
        if not (is_object or isinstance(properties, dict) or "items" in node or composed):
            continue  # a leaf: nothing to report, nothing below
        if pointer is None:
            pointer = _entry_pointer(entry)
        if is_object and not isinstance(properties, dict) and not any(k in node for k in ("allOf", "anyOf", "oneOf")):
            _report_object_without_properties(node, pointer, result)
        if isinstance(properties, dict):
            stack += [(v, pointer, k) for k, v in properties.items()]
        if "items" in node:
            stack.append((node["items"], f"{pointer}/items"))
        for key in composed:
            stack += [(v, f"{pointer}/{key}/{i}") for i, v in enumerate(node[key])]


def _entry_pointer(entry: tuple) -> str:
    if len(entry) == 2:
        return entry[1]
    return f"{entry[1]}/properties/{escape_token(entry[2])}"


def _report_object_without_properties(node: dict, pointer: str, result: ActionCheck) -> None:
    extra = node.get("additionalProperties")
    if extra is True or isinstance(extra, dict):
        # A map (Stripe's `metadata`, say): free-form keys are the point, so suggesting
        # `additionalProperties` would be no help; what ChatGPT lacks is still `properties`.
        message = (
            "This object is a map: it declares `additionalProperties` but no `properties`. ChatGPT reports "
            "objects without `properties`, and the model gets no named fields. Keep the map and add the keys you "
            "expect under `properties` (even just one), or describe the expected keys in `description`."
        )
    else:
        message = (
            "This object has no `properties`, so the model does not know which fields to send. List them "
            "under `properties` (add `additionalProperties: true` if more are allowed)."
        )
    result.add("action.schema.object_without_properties", message, pointer)


def check_security(data: dict, result: ActionCheck) -> None:
    components = data.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    if not isinstance(schemes, dict) or not schemes:
        return
    if len(schemes) > 1:
        result.add(
            "action.security.multiple_schemes",
            f"The schema declares {len(schemes)} security schemes ({', '.join(map(str, schemes))}); ChatGPT "
            "supports one per action. Keep the one you configure in the action's authentication.",
            "/components/securitySchemes",
        )
    name, scheme = next(iter(schemes.items()))
    if not isinstance(scheme, dict):
        return
    result.security_scheme = scheme
    pointer = json_pointer("components", "securitySchemes", name)
    kind = scheme.get("type")
    if kind == "apiKey":
        result.auth_scheme = "api_key"
        where = scheme.get("in")
        if where in ("query", "cookie"):
            result.add(
                "action.security.unsupported",
                f"The API key goes in the {where}; ChatGPT's API Key authentication sends it in a header only "
                "(Basic, Bearer or a custom header). Accept the key in a header if you can.",
                f"{pointer}/in",
            )
    elif kind == "http":
        http = shown(scheme.get("scheme", "")).lower()
        result.auth_scheme = f"http_{http}" if http else "http"
        if http not in ("basic", "bearer"):
            result.add(
                "action.security.unsupported",
                f"HTTP {http or '(no scheme)'} authentication cannot be configured in ChatGPT; use basic or bearer.",
                f"{pointer}/scheme",
            )
    elif kind == "oauth2":
        result.auth_scheme = "oauth2"
        _check_oauth_urls(scheme, pointer, result)
    elif kind == "openIdConnect":
        result.auth_scheme = "openid_connect"
        result.add(
            "action.security.unsupported",
            "ChatGPT does not use OpenID Connect discovery; configure OAuth with explicit authorization and "
            "token URLs (type: oauth2, flows: authorizationCode).",
            pointer,
        )
    else:
        result.auth_scheme = shown(kind or "unknown")


def _check_oauth_urls(scheme: dict, pointer: str, result: ActionCheck) -> None:
    flows = scheme.get("flows")
    if not isinstance(flows, dict) or not result.domain:
        return
    for flow_name, flow in flows.items():
        if not isinstance(flow, dict):
            continue
        for key in ("authorizationUrl", "tokenUrl", "refreshUrl"):
            url = flow.get(key)
            problem = oauth_url_problem(url, result.domain) if isinstance(url, str) else ""
            if problem:
                result.add(
                    "action.oauth.url_off_domain",
                    f"The schema's OAuth {key} {problem} ChatGPT signs in with the URLs entered in the action's "
                    "authentication panel, so this breaks sign-in only once that URL is entered there.",
                    f"{pointer}/flows/{escape_token(flow_name)}/{key}",
                )


def oauth_url_problem(url: str, api_domain: str) -> str:
    """Why an OAuth URL breaks the same-domain rule, or "" when it is fine (or not a URL at all)."""
    host = domain_from_server_url(url)
    if not host or not api_domain:
        return ""
    root = registrable_domain(host)
    if root == registrable_domain(api_domain) or root in OAUTH_EXEMPT_DOMAINS:
        return ""
    return (
        f"is on {host}, but the API is on {api_domain}. ChatGPT requires the OAuth URLs on the API's domain "
        f"({registrable_domain(api_domain)}), except Google, Microsoft and Adobe sign-in. Proxy the OAuth "
        "endpoints through your API's domain."
    )


def check_references(data: dict, scan: DocumentScan, result: ActionCheck) -> None:
    """Unknown and remote $refs anywhere; cycles between components."""
    components = data.get("components")
    if isinstance(components, dict) and "schemas" in components and not isinstance(components["schemas"], dict):
        result.add(
            "action.components.schemas_not_object",
            "`components.schemas` must be a mapping of schema names to schemas.",
            "/components/schemas",
        )
    refs = scan.refs
    bad = {ref for ref in refs if _resolve_local(data, ref) is None}
    if bad:
        for pointer, ref in _ref_pointers(data, bad):
            if ref.startswith("#"):
                message = f"The reference {ref} points to nothing in this document. Fix the name or add the component."
            else:
                message = (
                    f"The reference {ref} points outside this document; ChatGPT and GPT Studio never fetch "
                    "remote references. Copy the referenced schema into `components` and refer to it with "
                    "#/components/…."
                )
            result.add("action.ref.unknown", message, pointer)
    if isinstance(components, dict) and any((local_pointer(r) or "").startswith("/components/") for r in refs - bad):
        _check_cycles(scan.component_refs, result)


def _ref_pointers(data: dict, refs: set[str]) -> list[tuple[str, str]]:
    found = []
    stack: list[tuple[object, str]] = [(data, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref in refs:
                found.append((f"{pointer}/$ref", ref))
            stack += [(v, f"{pointer}/{escape_token(k)}") for k, v in node.items() if isinstance(v, dict | list)]
        elif isinstance(node, list):
            stack += [(v, f"{pointer}/{i}") for i, v in enumerate(node) if isinstance(v, dict | list)]
    return sorted(found)


def _component_of(ref: str) -> tuple[str, str] | None:
    """The (section, name) of the component a local reference points into, resolved as
    `_resolve_local` does (percent-decoded, then unescaped), so it matches the scan's names."""
    pointer = local_pointer(ref)
    parts = pointer.split("/") if pointer is not None else []
    if len(parts) >= 4 and parts[0] == "" and parts[1] == "components":
        return tuple(part.replace("~1", "/").replace("~0", "~") for part in parts[2:4])
    return None


def _check_cycles(component_refs: dict, result: ActionCheck) -> None:
    """Tarjan's strongly connected components over the component → component reference graph."""
    graph: dict[tuple[str, str], set] = {}
    for component, refs in component_refs.items():
        graph[component] = {target for ref in refs if (target := _component_of(ref)) is not None}
    for cycle in _strongly_connected(graph):
        members = sorted(cycle)
        section, name = members[0]
        chain = " → ".join(f"{s}/{n}" for s, n in members)
        described = f"{chain} → {section}/{name}" if len(members) > 1 else f"{section}/{name} refers to itself"
        result.add(
            "action.ref.circular",
            f"These components refer to each other in a cycle ({described}). ChatGPT inlines components and "
            "refuses cycles: cut the cycle (for example, describe the nested level as a plain object).",
            json_pointer("components", section, name),
        )


def _strongly_connected(graph: dict) -> list[list]:
    """Cycles: strongly connected components with more than one node, or a node with a self-edge.
    Iterative Tarjan, so deep reference chains cannot hit Python's recursion limit."""
    index: dict = {}
    low: dict = {}
    on_stack: set = set()
    stack: list = []
    cycles: list[list] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    cycles.append(component)
    return cycles


def check_size(size_bytes: int, result: ActionCheck) -> None:
    maximum = limits.ACTION_SCHEMA_MAX_BYTES.value
    if size_bytes > maximum:
        result.add(
            "action.schema.too_large",
            f"The schema is {size_bytes:,} bytes; one builder reports ChatGPT refuses specs over {maximum:,} "
            "bytes (unconfirmed). Remove unused paths and components, or split the API across actions.",
        )


def check_action_schema(
    data: dict, size_bytes: int, scan: DocumentScan | None = None
) -> tuple[ActionCheck, str | None]:
    """Every GPT action rule on a parsed OpenAPI object. Returns the result and the meta-schema family
    ("3.0", "3.1" or None when the version cannot be validated)."""
    result = ActionCheck()
    family = check_version(data, result)
    check_servers(data, result)
    ops = collect_operations(data, result)
    check_operations(data, ops, result)
    check_parameters(data, ops, result)
    local_refs = LocalRefs(data)
    bodies = request_bodies(local_refs, ops)
    check_bodies(local_refs, ops, bodies, result)
    check_object_properties(local_refs, ops, bodies, result)
    check_security(data, result)
    check_references(data, scan if scan is not None else scan_document(data), result)
    check_size(size_bytes, result)
    return result, family
