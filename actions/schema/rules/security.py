"""`components.securitySchemes`: the one scheme ChatGPT's authentication panel can express, and
OAuth URLs on the API's domain."""

from __future__ import annotations

from actions.schema.domain import domain_from_server_url
from actions.schema.findings import Severity, register
from actions.schema.pointers import escape_token, json_pointer, shown

from .core import (
    ActionCheck,
)

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


register(
    "action.security.multiple_schemes",
    Severity.ERROR,
    "More than one security scheme",
    chatgpt_behaviour="An action has one authentication; ChatGPT refuses a schema declaring several schemes. "
    "Endpoints may still opt out with `security: []`.",
    source="GPT_EDITOR.md §3.1 [PROD], [DEV]",
    confidence="confirmed",
    chatgpt_message="Found multiple security schemes, only 1 is supported",
    fix="Keep one security scheme in `components.securitySchemes`.",
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
    fix="Use an API key (Basic, Bearer or a custom header) or OAuth authorization code.",
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
    fix="Move the OAuth URLs to the API's domain, or use Google, Microsoft or Adobe sign-in.",
)


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


def registrable_domain(host: str) -> str:
    """The domain a company registers (example.co.uk for api.example.co.uk). A heuristic without the
    public suffix list: good for the OAuth-domain comparison, not for security decisions."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _COUNTRY_SECOND_LEVELS:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


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
