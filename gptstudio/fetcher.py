"""The one outbound HTTP client of GPT Studio, safe against server-side request forgery (SSRF).

Everything that fetches a URL a user typed (importing a schema, testing an action call) goes
through `fetch()`. Ruff's TID251 bans importing httpx, requests, urllib.request, http.client,
urllib3 or aiohttp anywhere else (pyproject.toml), so no code path can skip these checks.

Policy, applied to the first URL and again to every redirect target:

1. **Schemes.** Only `http` and `https` (a `FetchPolicy` may narrow that to `https`). Importing a
   schema over plain `http` is allowed: a schema is public text, GPT Studio sends no credentials
   with it, and the imported text is validated and shown before anything uses it; ChatGPT's own
   https rule applies to the *API server* named inside the schema, which the schema rules check.
   A redirect from `https` down to `http` is refused, so a URL the user chose for its TLS keeps it.
2. **URL shape.** An absolute URL with a host; no `user:password@` (credentials never belong in a
   stored URL), no percent-encoded or zone-scoped hosts, a port in 1-65535.
3. **Host names.** IDNA names are checked in their ASCII form. A trailing dot is removed
   (`localhost.` is `localhost`). Local-only names are refused without asking DNS: `localhost`
   and `*.localhost`, `*.local`, `*.internal`, `*.localdomain`, `*.home.arpa`, and the cloud
   metadata names (`metadata.google.internal`, `metadata.goog`, `metadata`, `instance-data`, ...).
4. **IP literals in any spelling.** A host whose last label is a number is an IPv4 address the way
   browsers and `inet_aton` read it: decimal `2130706433`, hex `0x7f000001`, octal `0177.0.0.1`,
   short `127.1`, mixed `0x7f.1`; it is never sent to DNS. IPv6 literals are checked after
   unwrapping embedded IPv4 (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`,
   IPv4-translated `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`).
5. **Addresses.** The host is resolved once (the resolver can be injected); *every* address it
   resolves to must be public, else the URL is refused. Refused: loopback, private (RFC 1918,
   unique-local), link-local, shared/CGNAT `100.64.0.0/10`, unspecified, multicast, reserved,
   documentation and benchmarking ranges, IPv6 outside global unicast `2000::/3`, and the cloud
   metadata addresses (`169.254.169.254`, `169.254.170.2`, `fd00:ec2::254`, `fd20:ce::254`,
   `100.100.100.200`, `192.0.0.192`, Azure's WireServer `168.63.129.16`, ...). The table (in
   actions/schema/addresses.py, shared with the schema rules) is explicit rather than Python's
   `ipaddress.is_global`, whose answers differ between 3.12 patch releases.
6. **Pinning.** The connection goes to the checked address itself (the URL's host is replaced by
   the IP), so there is no second DNS lookup an attacker could answer differently (DNS
   rebinding). The `Host` header, TLS SNI and certificate verification still use the host name.
   Proxies from the environment are ignored (`trust_env=False`): a proxy would resolve the name.
7. **Caps.** At most `max_redirects` redirects (default 5), a connect timeout per attempt
   (5 s; also the limit of each DNS lookup, which `getaddrinfo` itself does not have), a read
   timeout per network read (10 s), and a total time for the whole fetch including redirects
   (30 s; every socket read, write and TLS handshake waits at most until it, so a server that
   trickles its headers a byte at a time is cut off too). The body is streamed and reading stops
   at `max_bytes` (default 20 MB, GPT Studio's schema cap); a larger `Content-Length` is refused
   before reading. `Accept-Encoding: identity` is sent so the cap counts real bytes; if a server
   compresses anyway (one gzip or deflate layer), the body is inflated a bounded piece at a time
   and the decoded size is capped, so a compression bomb never expands in memory; any other or a
   stacked Content-Encoding is refused.
8. **Errors.** Every refusal or failure is a `FetchError` subclass with a message that says what
   was refused and why; `.transient` tells callers what is worth retrying (timeouts, connection
   errors, 5xx and 429 statuses) and what is not (refusals, 4xx, too large, TLS verification).

Relaxing the guard is possible ONLY explicitly, and only for loopback (127.0.0.0/8, ::1,
`localhost`) so tests can talk to a server they start on 127.0.0.1: `FetchPolicy(allow_loopback=
True)`, the `allow_loopback_for_tests()` context manager (for code paths that build their own
policy, such as a Celery task run eagerly), or the `FETCHER_ALLOW_LOOPBACK_FOR_TESTS` setting,
which only `gptstudio.settings.test` defines (for a real test worker process). By default 127.0.0.1 is refused.

The one deliberate exception for development and self-hosting: the `OUTBOUND_ALLOW_HOSTS` setting
(env, comma-separated `host:port` entries, empty by default) names private hosts the fetcher may
reach, such as a local API a test call should hit (`127.0.0.1:9000`, `api.internal:8080`). The
match is exact: the URL's host as written (lower case, IPv6 without brackets) and its port
(the scheme's default when the URL names none); a listed name also lets the addresses it resolves
to through. Metadata addresses and names are refused even when listed.
"""

from __future__ import annotations

import codecs
import contextlib
import contextvars
import functools
import ipaddress
import logging
import re
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

import httpcore
import httpx

from gptstudio import limits
from gptstudio.addresses import (
    LOCAL_NAME,
    METADATA,
    METADATA_NAME,
    InvalidIPv4Address,
    IPAddress,
    address_refusal,
    is_loopback,
    parse_ipv4_any_form,
)

logger = logging.getLogger(__name__)

Resolver = Callable[[str, int], Iterable[str]]
"""`resolver(host, port)` returns the IP addresses (as strings) a host name resolves to."""


# --- Errors ------------------------------------------------------------------------------------------


class FetchError(Exception):
    """Base of every fetcher failure. `transient` says whether trying again later may succeed."""

    transient = False

    def __init__(self, message: str, *, url: str = ""):
        super().__init__(message)
        self.message = message
        self.url = url


class FetchRefused(FetchError):
    """The guard refused the URL before any connection was made."""


class InvalidURL(FetchRefused):
    pass


class SchemeNotAllowed(FetchRefused):
    pass


class AddressNotAllowed(FetchRefused):
    """The host is, or resolves to, an address the guard refuses (`reason` says which kind)."""

    def __init__(self, message: str, *, url: str = "", host: str = "", address: str = "", reason: str = ""):
        super().__init__(message, url=url)
        self.host = host
        self.address = address
        self.reason = reason


class RedirectNotAllowed(FetchRefused):
    """A redirect the policy refuses (https → http)."""


class TooManyRedirects(FetchError):
    pass


class ResponseTooLarge(FetchError):
    pass


class NameNotResolved(FetchError):
    """DNS has no address for the host. Transient only when the resolver said "try again"."""

    def __init__(self, message: str, *, url: str = "", transient: bool = False):
        super().__init__(message, url=url)
        self.transient = transient


class FetchTimeout(FetchError):
    transient = True


class FetchConnectionError(FetchError):
    transient = True


class TLSError(FetchError):
    """The server's certificate did not verify for the host name: not worth retrying."""


class UndecodableResponse(FetchError):
    pass


class HTTPStatusError(FetchError):
    """An error status. 5xx and 429 are transient; `retry_after` is the server's hint in seconds."""

    def __init__(self, message: str, *, url: str = "", status_code: int, retry_after: float | None = None):
        super().__init__(message, url=url)
        self.status_code = status_code
        self.retry_after = retry_after
        self.transient = status_code >= 500 or status_code == 429


# --- Policy ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one fetch. The defaults suit importing a schema; callers narrow, never widen."""

    schemes: frozenset[str] = frozenset({"https", "http"})
    max_bytes: int = limits.STUDIO_SCHEMA_HARD_MAX_BYTES
    max_redirects: int = 5
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    allow_loopback: bool = False  # Tests only: see the module docstring.
    # Past max_bytes: stop reading and return what was read, marked `truncated`, instead of
    # refusing the response (an action call shows the start of a big answer, as ChatGPT cut it).
    truncate: bool = False
    user_agent: str = "GPTStudio-Fetcher/1.0"


DEFAULT_POLICY = FetchPolicy()

_loopback_for_tests: contextvars.ContextVar[bool] = contextvars.ContextVar("fetcher_loopback_for_tests", default=False)


@contextlib.contextmanager
def allow_loopback_for_tests() -> Iterator[None]:
    """Within this block, fetches may reach loopback addresses (a test's server on 127.0.0.1).

    For code that builds its own policy (a service, an eagerly run task). Nothing else is relaxed."""
    token = _loopback_for_tests.set(True)
    try:
        yield
    finally:
        _loopback_for_tests.reset(token)


def allowed_outbound_hosts() -> frozenset[tuple[str, int]]:
    """The `OUTBOUND_ALLOW_HOSTS` entries as (host, port) pairs (read per call: tests override it)."""
    from django.conf import settings

    entries = getattr(settings, "OUTBOUND_ALLOW_HOSTS", ()) if settings.configured else ()
    pairs = set()
    for entry in entries:
        host, _, port = str(entry).strip().lower().rpartition(":")
        host = host.strip("[]").rstrip(".")
        if host and port.isdigit():
            pairs.add((host, int(port)))
    return frozenset(pairs)


def _host_listed(host: str, port: int | None) -> bool:
    return port is not None and (host.lower().strip("[]").rstrip("."), port) in allowed_outbound_hosts()


def _loopback_allowed(policy: FetchPolicy) -> bool:
    if policy.allow_loopback or _loopback_for_tests.get():
        return True
    from django.conf import settings

    return settings.configured and bool(getattr(settings, "FETCHER_ALLOW_LOOPBACK_FOR_TESTS", False))


# --- Host names -------------------------------------------------------------------------------------

LOCAL_NAMES = frozenset(
    {
        "localhost",
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
        "kubernetes.default.svc",
    }
)
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".intranet", ".lan")
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class Target:
    """A URL that passed the guard: its canonical host, port, and the checked addresses."""

    url: str
    scheme: str
    host: str  # lower-case ASCII name without a trailing dot, or the canonical IP literal
    port: int
    addresses: tuple[IPAddress, ...] = ()
    host_is_ip: bool = False

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)


def _parse(url: str, policy: FetchPolicy) -> tuple[httpx.URL, str, int]:
    if not isinstance(url, str) or not url.strip():
        raise InvalidURL("Enter a URL, e.g. https://api.example.com/openapi.json.")
    url = url.strip()
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        _refuse_numeric_host_httpx_rejected(url, policy)
        raise InvalidURL(f"This is not a valid URL: {exc}", url=url) from None
    scheme = parsed.scheme.lower()
    if scheme not in policy.schemes:
        allowed = " or ".join(sorted(policy.schemes, reverse=True))
        shown = f"'{scheme}:'" if scheme else "none"
        raise SchemeNotAllowed(f"Only {allowed} URLs can be fetched (the scheme is {shown}).", url=url)
    if parsed.userinfo:
        raise InvalidURL("URLs with a user name or password (user:pass@host) are not accepted.", url=url)
    raw_host = parsed.raw_host.decode("ascii", "replace").lower()
    if not raw_host:
        raise InvalidURL("The URL has no host name.", url=url)
    if "%" in raw_host:
        raise InvalidURL("Percent-encoded or zone-scoped host names are not accepted.", url=url)
    port = parsed.port if parsed.port is not None else (443 if scheme == "https" else 80)
    if not 1 <= port <= 65535:
        raise InvalidURL(f"Port {port} is out of range (1-65535).", url=url)
    return parsed, raw_host, port


def _refuse_numeric_host_httpx_rejected(url: str, policy: FetchPolicy) -> None:
    # httpx rejects some IPv4 spellings (0177.0.0.1) as invalid; name the address they stand for.
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
        address = parse_ipv4_any_form(host) if host else None
    except ValueError:  # InvalidIPv4Address included
        return
    if address is not None:
        _check_address(url, host, address, policy, port=None)


def _refuse(url: str, host: str, address: IPAddress | None, reason: str) -> AddressNotAllowed:
    where = f"'{host}'" if address is None or str(address) == host else f"'{host}' ({address})"
    return AddressNotAllowed(
        f"Refused to fetch {where}: it is {reason}. GPT Studio only fetches from the public internet.",
        url=url,
        host=host,
        address=str(address or ""),
        reason=reason,
    )


def _check_address(url: str, host: str, address: IPAddress, policy: FetchPolicy, *, port: int | None) -> None:
    reason = address_refusal(address)
    if not reason or (is_loopback(address) and _loopback_allowed(policy)):
        return
    if reason != METADATA and _host_listed(host, port):
        return
    raise _refuse(url, host, address, reason)


def validate_url(url: str, *, policy: FetchPolicy | None = None) -> Target:
    """Check everything that needs no DNS: scheme, shape, local names, IP literals in any form.

    Returns a Target whose `addresses` are filled only when the host is an IP literal."""
    policy = policy or DEFAULT_POLICY
    parsed, raw_host, port = _parse(url, policy)
    canonical_url = str(parsed.copy_with(fragment=None))
    if ":" in raw_host:  # httpx only lets IPv6 literals (in brackets) contain a colon
        try:
            address: IPAddress = ipaddress.IPv6Address(raw_host)
        except ValueError:
            raise InvalidURL(f"'{raw_host}' is not a valid IPv6 address.", url=url) from None
        _check_address(url, raw_host, address, policy, port=port)
        return Target(canonical_url, parsed.scheme, address.compressed, port, (address,), host_is_ip=True)
    host = raw_host[:-1] if raw_host.endswith(".") else raw_host
    if not host or host.endswith(".") or ".." in host:
        raise InvalidURL(f"'{raw_host}' is not a valid host name.", url=url)
    try:
        ipv4 = parse_ipv4_any_form(host)
    except InvalidIPv4Address as exc:
        raise InvalidURL(str(exc), url=url) from None
    if ipv4 is not None:
        _check_address(url, raw_host, ipv4, policy, port=port)
        return Target(canonical_url, parsed.scheme, str(ipv4), port, (ipv4,), host_is_ip=True)
    if len(host) > 253 or not all(_LABEL.match(label) for label in host.split(".")):
        raise InvalidURL(f"'{raw_host}' is not a valid host name.", url=url)
    if host in LOCAL_NAMES or host.endswith(LOCAL_SUFFIXES):
        is_localhost = host == "localhost" or host.endswith(".localhost")
        is_metadata = host.startswith(("metadata", "instance-data"))
        listed = not is_metadata and _host_listed(host, port)
        if not ((is_localhost and _loopback_allowed(policy)) or listed):
            raise _refuse(url, raw_host, None, METADATA_NAME if is_metadata else LOCAL_NAME)
    return Target(canonical_url, parsed.scheme, host, port)


# --- Resolution -------------------------------------------------------------------------------------

_dns_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="fetcher-dns")


class SystemResolver:
    """`socket.getaddrinfo` with a time limit (getaddrinfo itself has none)."""

    def __init__(self, timeout: float):
        self.timeout = timeout

    def __call__(self, host: str, port: int) -> list[str]:
        future = _dns_pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        try:
            infos = future.result(timeout=self.timeout)
        except FutureTimeout:
            raise NameNotResolved(f"Looking up '{host}' took longer than {self.timeout:g} s.", transient=True) from None
        except socket.gaierror as exc:
            transient = exc.errno in (socket.EAI_AGAIN, getattr(socket, "EAI_SYSTEM", None))
            raise NameNotResolved(f"'{host}' could not be resolved: {exc.strerror}.", transient=transient) from None
        return [info[4][0] for info in infos]


def check_url(url: str, *, policy: FetchPolicy | None = None, resolver: Resolver | None = None) -> Target:
    """The full guard: `validate_url` plus resolving the host once and checking every address."""
    policy = policy or DEFAULT_POLICY
    target = validate_url(url, policy=policy)
    if target.host_is_ip:
        return target
    resolver = resolver or SystemResolver(policy.connect_timeout)
    try:
        answers = list(resolver(target.host, target.port))
    except NameNotResolved as exc:
        exc.url = url
        raise
    except OSError as exc:
        raise NameNotResolved(f"'{target.host}' could not be resolved: {exc}.", url=url) from None
    addresses: list[IPAddress] = []
    for answer in answers:
        try:
            address = ipaddress.ip_address(answer)
        except ValueError:
            raise NameNotResolved(f"'{target.host}' resolved to something that is not an address.", url=url) from None
        _check_address(url, target.host, address, policy, port=target.port)
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise NameNotResolved(f"'{target.host}' has no address.", url=url)
    return Target(target.url, target.scheme, target.host, target.port, tuple(addresses))


# --- Fetching -----------------------------------------------------------------------------------------

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Dropped when a redirect leaves the origin, so a credential meant for one host never reaches another.
CREDENTIAL_HEADERS = ("authorization", "proxy-authorization", "cookie")


@dataclass(frozen=True)
class FetchResult:
    url: str  # the final URL (after redirects), with its host name, not the pinned address
    status_code: int
    headers: Mapping[str, str]  # lower-case names
    content: bytes
    address: str  # the address the final response came from
    redirects: tuple[str, ...] = ()
    elapsed: float = 0.0
    truncated: bool = False  # the body stops at the policy's max_bytes (only with `truncate`)

    @property
    def charset(self) -> str | None:
        """The charset named by the Content-Type header, or None."""
        message = Message()
        message["content-type"] = self.headers.get("content-type", "")
        return message.get_param("charset") or None

    def text(self, default_charset: str = "utf-8") -> str:
        """The body decoded with the response's charset (default UTF-8); a UTF-8 byte-order mark is
        dropped. Undecodable bytes raise UndecodableResponse rather than being replaced."""
        charset = self.charset or default_charset
        try:
            codec = codecs.lookup(charset).name
        except LookupError:
            raise UndecodableResponse(f"The response names an unknown charset '{charset}'.", url=self.url) from None
        if codec == "utf-8":
            codec = "utf-8-sig"
        try:
            return self.content.decode(codec)
        except UnicodeDecodeError as exc:
            raise UndecodableResponse(
                f"The response is not valid {charset} text (byte {exc.start}: {exc.reason}).", url=self.url
            ) from None
        except UnicodeError as exc:  # codecs that fail in other ways ("punycode")
            raise UndecodableResponse(f"The response is not valid {charset} text ({exc}).", url=self.url) from None
        except LookupError:  # codec names that are not text encodings ("base64", "zlib", "rot13")
            raise UndecodableResponse(
                f"The response names '{charset}', which is not a text encoding it can be read in.", url=self.url
            ) from None

    def raise_for_status(self) -> None:
        if self.status_code < 400:
            return
        retry_after = _retry_after_seconds(self.headers.get("retry-after"))
        kind = "server error" if self.status_code >= 500 else "client error"
        raise HTTPStatusError(
            f"The server answered {self.status_code} ({kind}) for {self.url}.",
            url=self.url,
            status_code=self.status_code,
            retry_after=retry_after,
        )


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # not "²", which isdigit() takes and float() refuses
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _connection_url(target: Target, address: IPAddress) -> httpx.URL:
    return httpx.URL(target.url).copy_with(host=str(address), port=target.port)


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def _tls_verification_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ssl.SSLCertVerificationError):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


class _Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.end

    def error(self, url: str) -> FetchTimeout:
        return FetchTimeout(f"Fetching took longer than the {self.seconds:g} s allowed.", url=url)

    def remaining(self, url: str) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise self.error(url)
        return left

    def bound(self, timeout: float | None) -> float:
        """`timeout` (None: no limit of its own), shortened so it ends by the deadline; once the
        deadline has passed, a moment, so the socket call times out at once."""
        left = max(self.end - time.monotonic(), 0.001)
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake waits at most until the deadline.
    httpx's own timeouts apply per socket call, so without this a server sending its headers a
    byte every few seconds would hold the fetch for as long as it likes."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline):
        self._stream, self._deadline = stream, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.bound(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.bound(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        secured = self._stream.start_tls(ssl_context, server_hostname, self._deadline.bound(timeout))
        return _DeadlineStream(secured, self._deadline)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, deadline: _Deadline):
        self._deadline, self._sockets = deadline, httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        stream = self._sockets.connect_tcp(
            host, port, self._deadline.bound(timeout), local_address=local_address, socket_options=socket_options
        )
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.UnsupportedProtocol("The fetcher connects over TCP only.")


def _client(ssl_context: ssl.SSLContext, deadline: _Deadline) -> httpx.Client:
    """The client of one fetch: httpx, with sockets that keep to the fetch's deadline."""
    transport = httpx.HTTPTransport(verify=ssl_context, trust_env=False)
    # httpx 0.28 takes no network backend, and its transport sends through the httpcore pool in
    # `_pool` (httpx and httpcore are pinned; tests/gptstudio/test_fetcher.py proves the deadline).
    transport._pool = httpcore.ConnectionPool(ssl_context=ssl_context, network_backend=_DeadlineBackend(deadline))
    return httpx.Client(transport=transport, trust_env=False, follow_redirects=False)


def _send(
    client: httpx.Client,
    target: Target,
    *,
    method: str,
    headers: dict[str, str],
    content: bytes | None,
    policy: FetchPolicy,
    deadline: _Deadline,
) -> tuple[httpx.Response, IPAddress]:
    """Send to the checked addresses in order until one connects; never resolve again."""
    last_error: FetchError | None = None
    for address in target.addresses:
        left = deadline.remaining(target.url)
        timeout = httpx.Timeout(
            connect=min(policy.connect_timeout, left),
            read=min(policy.read_timeout, left),
            write=min(policy.read_timeout, left),
            pool=min(policy.connect_timeout, left),
        )
        extensions = {} if target.host_is_ip or target.scheme != "https" else {"sni_hostname": target.host}
        request = client.build_request(
            method,
            _connection_url(target, address),
            headers={**headers, "Host": _host_header(target)},
            content=content,
            timeout=timeout,
            extensions=extensions,
        )
        try:
            return client.send(request, stream=True), address
        except httpx.ConnectTimeout:
            if deadline.passed:
                raise deadline.error(target.url) from None
            last_error = FetchTimeout(
                f"Connecting to '{target.host}' ({address}) timed out after {timeout.connect:g} s.", url=target.url
            )
        except httpx.ConnectError as exc:
            failure = _tls_verification_failure(exc)
            if failure is not None:
                raise TLSError(
                    f"The TLS certificate of '{target.host}' did not verify: {failure.verify_message or failure}.",
                    url=target.url,
                ) from None
            last_error = FetchConnectionError(
                f"Could not connect to '{target.host}' ({address}): {exc or 'connection failed'}.", url=target.url
            )
        except httpx.TransportError as exc:
            raise _transport_error(exc, target.url, deadline) from None
    assert last_error is not None
    raise last_error


def _transport_error(exc: httpx.TransportError, url: str, deadline: _Deadline) -> FetchError:
    if isinstance(exc, httpx.TimeoutException) and deadline.passed:
        return deadline.error(url)
    if isinstance(exc, httpx.TimeoutException):
        return FetchTimeout(f"The server did not answer in time ({exc or 'read timed out'}).", url=url)
    if isinstance(exc, httpx.DecodingError):
        return UndecodableResponse(f"The response could not be decoded: {exc}.", url=url)
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        return FetchConnectionError(f"The connection failed: {exc or type(exc).__name__}.", url=url)
    return FetchError(f"The request failed: {exc or type(exc).__name__}.", url=url)


def _read_capped(response: httpx.Response, *, url: str, policy: FetchPolicy, deadline: _Deadline) -> tuple[bytes, bool]:
    """The body, and whether it was cut at `max_bytes` (with `policy.truncate`; else too large raises)."""
    declared = response.headers.get("content-length", "")
    # ASCII digits only ("²" passes isdigit() but not int()); a number with more digits than the
    # cap is over it whatever its value, so int() never meets 5,000 digits.
    digits = declared.lstrip("0") if declared.isascii() and declared.isdigit() else None
    over = digits is not None and (len(digits) > len(str(policy.max_bytes)) or int(digits or "0") > policy.max_bytes)
    if over and not policy.truncate:
        size = f"{int(digits):,} bytes" if len(digits) <= 20 else f"a {len(digits):,}-digit number of bytes"
        raise ResponseTooLarge(f"The response declares {size}; at most {policy.max_bytes:,} are accepted.", url=url)
    chunks, total = [], 0
    try:
        for chunk in _decoded(response, url=url):
            total += len(chunk)
            if total > policy.max_bytes and policy.truncate:
                chunks.append(chunk[: len(chunk) - (total - policy.max_bytes)])
                return b"".join(chunks), True
            if total > policy.max_bytes:
                raise ResponseTooLarge(
                    f"The response is larger than the {policy.max_bytes:,} bytes accepted; reading stopped there.",
                    url=url,
                )
            chunks.append(chunk)
            deadline.remaining(url)
    except httpx.TransportError as exc:
        raise _transport_error(exc, url, deadline) from None
    return b"".join(chunks), False


# Content-Encodings the fetcher inflates itself (it asks for identity; some servers compress anyway).
INFLATED_ENCODINGS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS | 32}
INFLATE_PIECE_BYTES = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b"


def _decoded(response: httpx.Response, *, url: str) -> Iterator[bytes]:
    """The body as sent (`iter_raw`, never httpx's decoders, which inflate a whole network chunk
    at once: 822 bytes of nested gzip became 800 MB), inflated here at most INFLATE_PIECE_BYTES at
    a time so the caller's size cap stops a compression bomb early."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        yield from response.iter_raw()
        return
    wbits = INFLATED_ENCODINGS.get(encoding)
    if wbits is None:
        raise UndecodableResponse(
            f"The response is sent with Content-Encoding '{encoding[:100]}', which the fetcher does not read "
            "(it asks for identity, and inflates one gzip or deflate layer at most).",
            url=url,
        )
    inflater, started, finished = zlib.decompressobj(wbits), False, False
    try:
        for raw in response.iter_raw():
            pending = raw
            while pending and not finished:
                if inflater.eof:
                    # gzip allows several members one after another; anything else after the
                    # stream (servers pad with zeros) is dropped, as browsers and httpx do.
                    if encoding == "deflate" or not pending.startswith(GZIP_MAGIC):
                        finished = True
                        break
                    inflater = zlib.decompressobj(wbits)
                try:
                    piece = inflater.decompress(pending, INFLATE_PIECE_BYTES)
                except zlib.error:
                    if started or encoding != "deflate":
                        raise
                    # "deflate" without its zlib header (raw deflate), which some servers send.
                    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    piece = inflater.decompress(pending, INFLATE_PIECE_BYTES)
                started = True
                yield piece
                pending = inflater.unused_data if inflater.eof else inflater.unconsumed_tail
            if finished:
                break  # the rest is padding: not read at all, so it cannot hold the fetch
        while started and not inflater.eof and (piece := inflater.decompress(b"", INFLATE_PIECE_BYTES)):
            yield piece  # what zlib still holds after the last input
    except zlib.error as exc:
        raise UndecodableResponse(f"The {encoding} body could not be inflated: {exc}.", url=url) from None
    if started and not inflater.eof:  # no bytes at all (HEAD, 204, 304) is an empty body, not a cut one
        raise UndecodableResponse(f"The {encoding} body ends before its compressed stream does.", url=url)


def _redirect_url(target: Target, location: str, policy: FetchPolicy) -> str:
    """The absolute URL a Location header points to, refused early if the policy forbids it."""
    try:
        next_url = str(httpx.URL(target.url).join(location.strip()).copy_with(fragment=None))
    except (httpx.InvalidURL, ValueError) as exc:
        raise InvalidURL(f"The server redirected to an invalid URL: {exc}", url=target.url) from None
    next_target = validate_url(next_url, policy=policy)
    if target.scheme == "https" and next_target.scheme != "https":
        raise RedirectNotAllowed(f"Refused a redirect from https to plain http ({next_url}).", url=next_url)
    return next_url


def _next_request(
    method: str, status: int, headers: dict[str, str], content: bytes | None
) -> tuple[str, dict[str, str], bytes | None]:
    # As browsers do: 303 becomes GET; 301/302 turn a POST into a GET; 307/308 keep method and body.
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        without_body = {k: v for k, v in headers.items() if k.lower() not in ("content-type", "content-length")}
        return "GET", without_body, None
    return method, headers, content


@functools.cache
def _default_ssl_context() -> ssl.SSLContext:
    """certifi's trust store, verifying certificates and host names. Built once per process:
    loading the CA bundle takes tens of milliseconds, more than a whole call to a nearby API
    (benchmarks/mcp.py). A context is safe to share between threads; nothing here mutates it."""
    return httpx.create_ssl_context(trust_env=False)


def fetch(
    url: str,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    policy: FetchPolicy | None = None,
    resolver: Resolver | None = None,
    verify: ssl.SSLContext | None = None,
    sensitive_headers: Iterable[str] = (),
) -> FetchResult:
    """Fetch `url` under `policy`, following redirects (each one checked again), and return the
    final response whatever its status (call `raise_for_status()` to turn 4xx/5xx into errors).

    `method`, `headers` and `content` make any request (an action call sends POST with a JSON body).
    `sensitive_headers` names headers that carry a credential besides the standard ones (a custom
    API-key header): like `Authorization`, they are dropped when a redirect leaves the origin.

    `verify` may supply a trust store (a private CA, a test CA); it must verify certificates and
    host names, it cannot switch verification off."""
    policy = policy or DEFAULT_POLICY
    if verify is not None and (verify.verify_mode != ssl.CERT_REQUIRED or not verify.check_hostname):
        raise ValueError("The fetcher never turns off certificate or host name verification.")
    headers = {
        "User-Agent": policy.user_agent,
        "Accept-Encoding": "identity",
        **{k: v for k, v in (headers or {}).items() if k.lower() != "host"},
    }
    dropped_on_redirect = {*CREDENTIAL_HEADERS, *(name.lower() for name in sensitive_headers)}
    deadline = _Deadline(policy.total_timeout)
    started = time.monotonic()
    redirects: list[str] = []
    current = url
    with _client(verify or _default_ssl_context(), deadline) as client:
        while True:
            target = check_url(current, policy=policy, resolver=resolver)
            response, address = _send(
                client, target, method=method, headers=headers, content=content, policy=policy, deadline=deadline
            )
            with contextlib.closing(response):
                logger.info("fetch %s %s via %s -> %s", method, target.url, address, response.status_code)
                location = response.headers.get("location")
                if response.status_code in REDIRECT_STATUSES and location:
                    if len(redirects) >= policy.max_redirects:
                        raise TooManyRedirects(
                            f"More than {policy.max_redirects} redirects; stopped at {target.url}.", url=url
                        )
                    current = _redirect_url(target, location, policy)
                    method, headers, content = _next_request(method, response.status_code, headers, content)
                    if validate_url(current, policy=policy).origin != target.origin:
                        headers = {k: v for k, v in headers.items() if k.lower() not in dropped_on_redirect}
                    redirects.append(current)
                    continue
                body, truncated = _read_capped(response, url=target.url, policy=policy, deadline=deadline)
                return FetchResult(
                    url=target.url,
                    status_code=response.status_code,
                    headers=dict(response.headers.items()),
                    content=body,
                    address=str(address),
                    redirects=tuple(redirects),
                    elapsed=time.monotonic() - started,
                    truncated=truncated,
                )
