"""The SSRF-safe fetcher: the guard against every address spelling, pinning, redirects and caps.

Addresses are checked with an injected resolver, so no real DNS is used; fetches go only to the
test's own server on 127.0.0.1, which the guard refuses unless a test relaxes it explicitly.
"""

import gzip
import socket
import ssl
import threading
import time
import tracemalloc
import zlib
from dataclasses import replace
from types import SimpleNamespace

import pytest

from gptstudio import fetcher
from gptstudio.fetcher import (
    AddressNotAllowed,
    FetchConnectionError,
    FetchPolicy,
    FetchRefused,
    FetchTimeout,
    HTTPStatusError,
    InvalidURL,
    NameNotResolved,
    RedirectNotAllowed,
    ResponseTooLarge,
    SchemeNotAllowed,
    TLSError,
    TooManyRedirects,
    UndecodableResponse,
    allow_loopback_for_tests,
    check_url,
    fetch,
)
from tests.loopback_server import LoopbackServer, Reply, make_test_certificates

RELAXED = FetchPolicy(allow_loopback=True)


class FakeResolver:
    """Answers from a dict and records every question; unknown names do not resolve."""

    def __init__(self, answers: dict[str, list[str]] | None = None):
        self.answers = answers or {}
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        if host not in self.answers:
            raise NameNotResolved(f"'{host}' could not be resolved.")
        return self.answers[host]


PUBLIC = "93.184.216.34"
RESOLVER_ANSWERS = {
    "rebind.example.com": ["127.0.0.1"],
    "private.example.com": ["10.0.0.5"],
    "mixed.example.com": [PUBLIC, "10.0.0.5"],
    "v6loop.example.com": ["::1"],
    "mapped.example.com": ["::ffff:169.254.169.254"],
    "meta.example.com": ["169.254.169.254"],
    "wire.example.com": ["168.63.129.16"],
    "scoped.example.com": ["fe80::1%eth0"],
    "cgnat.example.com": ["100.64.1.1"],
    "nat64.example.com": ["64:ff9b::a00:1"],
    "public.example.com": [PUBLIC],
    "xn--bcher-kva.de": [PUBLIC],
    "v6.example.com": ["2606:2800:220:1:248:1893:25c8:1946"],
}

# (URL, words expected in the refusal's reason). Dozens of spellings of the addresses that matter.
REFUSED = [
    # Loopback, IPv4 in every spelling inet_aton and browsers accept
    ("http://127.0.0.1/", "loopback"),
    ("http://127.0.0.1:8080/x", "loopback"),
    ("http://127.1/", "loopback"),
    ("http://127.0.1/", "loopback"),
    ("http://2130706433/", "loopback"),
    ("http://0x7f000001/", "loopback"),
    ("http://0X7F000001/", "loopback"),
    ("http://0x7f.0.0.1/", "loopback"),
    ("http://0x7f.1/", "loopback"),
    ("http://0177.0.0.1/", "loopback"),
    ("http://0177.1/", "loopback"),
    ("http://017700000001/", "loopback"),
    ("http://127.0.0.1./", "loopback"),
    ("http://127.255.255.254/", "loopback"),
    ("http://127。0。0。1/", "loopback"),  # ideographic full stops, mapped by IDNA
    # Unspecified
    ("http://0.0.0.0/", "unspecified"),
    ("http://0/", "unspecified"),
    ("http://0x0/", "unspecified"),
    # Private
    ("http://10.0.0.1/", "private"),
    ("http://012.0.0.1/", "private"),
    ("http://167772161/", "private"),
    ("http://172.16.0.1/", "private"),
    ("http://172.31.255.255/", "private"),
    ("http://192.168.1.1/", "private"),
    ("http://0xc0a80101/", "private"),
    ("http://3232235777/", "private"),
    # Cloud metadata and link-local
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://0xa9fea9fe/", "metadata"),
    ("http://2852039166/", "metadata"),
    ("http://0251.0376.0251.0376/", "metadata"),
    ("http://169.254.43518/", "metadata"),
    ("http://169.254.170.2/v2/credentials", "metadata"),
    ("http://100.100.100.200/latest/meta-data/", "metadata"),
    # Azure WireServer: a public address, refused only as a metadata endpoint
    ("http://168.63.129.16/machine?comp=goalstate", "metadata"),
    ("http://2822734096/", "metadata"),
    ("http://0xa83f8110/", "metadata"),
    ("http://[::ffff:168.63.129.16]/", "metadata"),
    ("http://169.254.0.23/", "metadata"),
    ("http://169.254.1.1/", "link-local"),
    ("http://00000000000000000000177.0.0.1/", "loopback"),  # leading zeros never end a number
    ("http://0x00000000007f.1/", "loopback"),
    # Shared address space (CGNAT), reserved, multicast
    ("http://100.64.0.1/", "shared"),
    ("http://100.127.255.254/", "shared"),
    ("http://240.0.0.1/", "reserved"),
    ("http://255.255.255.255/", "reserved"),
    ("http://192.0.2.1/", "documentation"),
    ("http://198.18.0.1/", "benchmarking"),
    ("http://203.0.113.9/", "documentation"),
    ("http://192.0.0.8/", "reserved"),
    ("http://224.0.0.1/", "multicast"),
    ("http://239.255.255.250/", "multicast"),
    # IPv6, including every way to embed an IPv4 address
    ("http://[::1]/", "loopback"),
    ("http://[0:0:0:0:0:0:0:1]/", "loopback"),
    ("http://[::]/", "unspecified"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://[::ffff:7f00:1]/", "loopback"),
    ("http://[::ffff:169.254.169.254]/", "metadata"),
    ("http://[::ffff:10.0.0.1]/", "private"),
    ("http://[::127.0.0.1]/", "loopback"),
    ("http://[::ffff:0:127.0.0.1]/", "loopback"),
    ("http://[64:ff9b::127.0.0.1]/", "loopback"),
    ("http://[64:ff9b::a9fe:a9fe]/", "metadata"),
    ("http://[64:ff9b:1::1]/", "private"),
    ("http://[2002:7f00:1::]/", "loopback"),
    ("http://[2002:a9fe:a9fe::1]/", "metadata"),
    ("http://[2002:c0a8:101::]/", "private"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[fc00::1]/", "private"),
    ("http://[fd12:3456::1]/", "private"),
    ("http://[fd00:ec2::254]/", "metadata"),
    ("http://[fd20:ce::254]/", "metadata"),
    ("http://[fd00:c1::a9fe:a9fe]/", "metadata"),
    ("http://[fec0::1]/", "site-local"),
    ("http://[ff02::1]/", "multicast"),
    ("http://[2001:db8::1]/", "documentation"),
    ("http://[2001::1]/", "Teredo"),
    ("http://[100::1]/", "reserved"),
    ("http://[3fff::1]/", "documentation"),
    ("http://[5f00::1]/", "outside IPv6 global unicast"),
    # Local-only and metadata host names: refused without asking DNS
    ("http://localhost/", "local-only"),
    ("http://LOCALHOST:8000/", "local-only"),
    ("http://localhost./", "local-only"),
    ("http://api.localhost/", "local-only"),
    ("http://metadata.google.internal/computeMetadata/v1/", "metadata"),
    ("http://METADATA.GOOGLE.INTERNAL./", "metadata"),
    ("http://metadata.goog/", "metadata"),
    ("http://metadata/", "metadata"),
    ("http://instance-data/latest/", "metadata"),
    ("http://printer.local/", "local-only"),
    ("http://db.internal/", "local-only"),
    ("http://router.home.arpa/", "local-only"),
    # Names that resolve to refused addresses (DNS rebinding, mixed answers, embedded IPv4)
    ("http://rebind.example.com/", "loopback"),
    ("http://private.example.com/", "private"),
    ("http://mixed.example.com/", "private"),
    ("http://v6loop.example.com/", "loopback"),
    ("http://mapped.example.com/", "metadata"),
    ("http://meta.example.com/", "metadata"),
    ("http://wire.example.com/", "metadata"),
    ("http://scoped.example.com/", "link-local"),
    ("http://cgnat.example.com/", "shared"),
    ("http://nat64.example.com/", "private"),
    ("https://rebind.example.com./", "loopback"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_the_guard_refuses_every_spelling_of_a_non_public_address(url, reason):
    resolver = FakeResolver(RESOLVER_ANSWERS)
    with pytest.raises(AddressNotAllowed) as excinfo:
        check_url(url, resolver=resolver)
    assert reason in excinfo.value.reason, excinfo.value.reason
    assert "GPT Studio only fetches from the public internet" in str(excinfo.value)
    assert not excinfo.value.transient


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://2130706433/",
        "http://[::ffff:127.0.0.1]/",
        "http://0x7f000001/",
        "http://localhost/",
        "http://metadata.google.internal/",
        "http://169.254.169.254/",
    ],
)
def test_literal_addresses_and_local_names_never_reach_dns(url):
    resolver = FakeResolver(RESOLVER_ANSWERS)
    with pytest.raises(AddressNotAllowed):
        check_url(url, resolver=resolver)
    assert resolver.calls == []


@pytest.mark.parametrize(
    "url",
    [
        "http://１２７.０.０.１/",  # fullwidth digits: refused as an invalid name, never resolved
        "http://ｌｏｃａｌｈｏｓｔ/",
        "http://256.0.0.1/",
        "http://1.2.3.4.5/",
        "http://08.0.0.1/",
        "http://0x1.0x100000000/",
        "http://" + "9" * 5000 + "/",  # too many digits for int(): an invalid URL, not a crash
        "http://1." + "7" * 12 + "/",
        "http://[fe80::1%25eth0]/",
        "http://%6c%6f%63%61%6c%68%6f%73%74/",
        "http://localhost../",
        "http://-bad-.example.com/",
        "http://exa mple.com/",
    ],
)
def test_malformed_hosts_are_refused_as_invalid_urls(url):
    resolver = FakeResolver(RESOLVER_ANSWERS)
    with pytest.raises(FetchRefused):
        check_url(url, resolver=resolver)
    assert resolver.calls == []


@pytest.mark.parametrize(
    ("url", "expected_host", "expected_addresses"),
    [
        (f"https://{PUBLIC}/openapi.json", PUBLIC, [PUBLIC]),
        ("https://1572395042/", PUBLIC, [PUBLIC]),  # the decimal spelling of a public address
        ("https://[::ffff:93.184.216.34]/", "::ffff:5db8:d822", ["::ffff:5db8:d822"]),
        ("https://[64:ff9b::5db8:d822]/", "64:ff9b::5db8:d822", ["64:ff9b::5db8:d822"]),
        ("https://[2002:5db8:d822::1]/", "2002:5db8:d822::1", ["2002:5db8:d822::1"]),
        ("https://public.example.com/openapi.yaml", "public.example.com", [PUBLIC]),
        ("https://PUBLIC.example.com./x", "public.example.com", [PUBLIC]),
        ("https://bücher.de/spec", "xn--bcher-kva.de", [PUBLIC]),
        ("https://v6.example.com/", "v6.example.com", ["2606:2800:220:1:248:1893:25c8:1946"]),
        ("http://public.example.com:8080/", "public.example.com", [PUBLIC]),
    ],
)
def test_public_addresses_pass_the_guard(url, expected_host, expected_addresses):
    resolver = FakeResolver(RESOLVER_ANSWERS)
    target = check_url(url, resolver=resolver)
    assert target.host == expected_host
    assert [str(a) for a in target.addresses] == expected_addresses
    assert resolver.calls in ([], [expected_host])


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://example.com/openapi.json", SchemeNotAllowed),
        ("file:///etc/passwd", SchemeNotAllowed),
        ("gopher://example.com:70/", SchemeNotAllowed),
        ("javascript:alert(1)", SchemeNotAllowed),
        ("data:application/json,{}", SchemeNotAllowed),
        ("//example.com/openapi.json", SchemeNotAllowed),
        ("example.com/openapi.json", SchemeNotAllowed),
        ("", InvalidURL),
        ("   ", InvalidURL),
        ("https://", InvalidURL),
        ("https://user:secret@public.example.com/", InvalidURL),
        ("https://public.example.com@127.0.0.1/", InvalidURL),
        ("https://public.example.com:0/", InvalidURL),
        ("https://public.example.com:99999/", InvalidURL),
    ],
)
def test_only_well_formed_http_urls_are_accepted(url, error):
    with pytest.raises(error) as excinfo:
        check_url(url, resolver=FakeResolver(RESOLVER_ANSWERS))
    assert str(excinfo.value)


def test_a_policy_can_require_https():
    with pytest.raises(SchemeNotAllowed, match="Only https URLs"):
        check_url("http://public.example.com/", policy=FetchPolicy(schemes=frozenset({"https"})))


def test_unresolvable_names_fail_clearly():
    with pytest.raises(NameNotResolved, match="could not be resolved"):
        check_url("https://nowhere.example.com/", resolver=FakeResolver())
    with pytest.raises(NameNotResolved, match="no address"):
        check_url("https://empty.example.com/", resolver=FakeResolver({"empty.example.com": []}))


# --- Relaxing the guard: only explicitly, only for loopback ------------------------------------------


def test_by_default_a_real_server_on_127_0_0_1_is_refused(loopback_server):
    url = loopback_server.route("/openapi.json", Reply(body=b"{}"))
    with pytest.raises(AddressNotAllowed, match="loopback"):
        fetch(url)
    assert loopback_server.requests == []


def test_the_relaxed_policy_reaches_the_loopback_server(loopback_server):
    url = loopback_server.route("/openapi.json", Reply(body=b'{"openapi": "3.1.0"}'))
    result = fetch(url, policy=RELAXED)
    assert (result.status_code, result.content, result.address) == (200, b'{"openapi": "3.1.0"}', "127.0.0.1")


def test_the_context_manager_relaxes_only_inside_its_block(loopback_server):
    url = loopback_server.route("/x", Reply(body=b"ok"))
    with allow_loopback_for_tests():
        assert fetch(url).content == b"ok"
    with pytest.raises(AddressNotAllowed):
        fetch(url)
    assert loopback_server.hits("/x") == 1


def test_the_test_only_setting_relaxes_loopback(loopback_server, settings):
    url = loopback_server.route("/x", Reply(body=b"ok"))
    settings.FETCHER_ALLOW_LOOPBACK_FOR_TESTS = True
    assert fetch(url).content == b"ok"
    settings.FETCHER_ALLOW_LOOPBACK_FOR_TESTS = False
    with pytest.raises(AddressNotAllowed):
        fetch(url)


def test_only_the_test_settings_can_relax_the_guard():
    from gptstudio.settings import test as test_settings

    root = fetcher.__file__.rsplit("/", 1)[0]
    for module in ("base", "local", "production"):
        with open(f"{root}/settings/{module}.py") as source:
            assert "FETCHER_ALLOW_LOOPBACK" not in source.read(), module
    assert test_settings.FETCHER_ALLOW_LOOPBACK_FOR_TESTS is False  # off unless the worker env sets it


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/",
        "http://[fd00:ec2::254]/",
        "http://192.168.0.1/",
        "http://metadata.google.internal/",
        "http://private.example.com/",
        "http://100.64.0.1/",
    ],
)
def test_relaxing_loopback_never_relaxes_anything_else(url):
    with allow_loopback_for_tests(), pytest.raises(AddressNotAllowed):
        check_url(url, policy=RELAXED, resolver=FakeResolver(RESOLVER_ANSWERS))


@pytest.mark.parametrize("url", ["http://[::ffff:127.0.0.1]/", "http://2130706433/", "http://localhost/"])
def test_relaxed_loopback_covers_its_other_spellings(url):
    target = check_url(url, policy=RELAXED, resolver=FakeResolver({"localhost": ["127.0.0.1"]}))
    assert target.addresses


# --- Pinning: connect to the checked address, keep the name for Host, SNI and the certificate --------


def test_the_connection_goes_to_the_checked_address_without_a_second_lookup(loopback_server, monkeypatch):
    loopback_server.route("/spec", Reply(body=b"spec"))
    answers = iter([["127.0.0.1"], ["10.9.9.9"]])  # a rebinding DNS: the second answer is private
    calls = []

    def rebinding_resolver(host, port):
        calls.append(host)
        return next(answers)

    real_getaddrinfo = socket.getaddrinfo
    system_lookups = []

    def spy(host, *args, **kwargs):
        system_lookups.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", spy)
    result = fetch(
        f"http://schemas.example.test:{loopback_server.port}/spec", policy=RELAXED, resolver=rebinding_resolver
    )
    assert result.content == b"spec"
    assert calls == ["schemas.example.test"]
    assert "schemas.example.test" not in system_lookups
    assert loopback_server.requests[0].headers["host"] == f"schemas.example.test:{loopback_server.port}"
    assert result.url == f"http://schemas.example.test:{loopback_server.port}/spec"


def test_a_name_with_several_addresses_falls_back_to_the_next_one(loopback_server):
    loopback_server.route("/spec", Reply(body=b"spec"))
    # The server listens on IPv4 only, so ::1 refuses the connection and 127.0.0.1 answers.
    resolver = FakeResolver({"multi.example.test": ["::1", "127.0.0.1"]})
    result = fetch(f"http://multi.example.test:{loopback_server.port}/spec", policy=RELAXED, resolver=resolver)
    assert (result.content, result.address) == (b"spec", "127.0.0.1")


@pytest.fixture
def tls_server(tmp_path):
    certificates = make_test_certificates(tmp_path, "schemas.example.test")
    server = LoopbackServer(tls=certificates.server_context).start()
    server.client_context = certificates.client_context
    yield server
    server.stop()


def test_https_keeps_sni_host_header_and_certificate_checks_on_the_host_name(tls_server):
    tls_server.route("/openapi.json", Reply(body=b"{}"))
    resolver = FakeResolver({"schemas.example.test": ["127.0.0.1"]})
    result = fetch(
        f"https://schemas.example.test:{tls_server.port}/openapi.json",
        policy=RELAXED,
        resolver=resolver,
        verify=tls_server.client_context,
    )
    assert result.content == b"{}"
    assert tls_server.server_names == ["schemas.example.test"]
    assert tls_server.requests[0].headers["host"] == f"schemas.example.test:{tls_server.port}"


def test_a_certificate_for_another_name_is_refused_permanently(tls_server):
    tls_server.route("/openapi.json", Reply(body=b"{}"))
    resolver = FakeResolver({"impostor.example.test": ["127.0.0.1"]})
    with pytest.raises(TLSError, match="did not verify") as excinfo:
        fetch(
            f"https://impostor.example.test:{tls_server.port}/openapi.json",
            policy=RELAXED,
            resolver=resolver,
            verify=tls_server.client_context,
        )
    assert not excinfo.value.transient
    assert tls_server.requests == []


def test_certificate_verification_cannot_be_switched_off():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with pytest.raises(ValueError, match="never turns off"):
        fetch("https://public.example.com/", verify=context)


def test_https_redirecting_to_plain_http_is_refused(tls_server):
    tls_server.route("/old", Reply(302, headers={"Location": "http://schemas.example.test/new"}))
    resolver = FakeResolver({"schemas.example.test": ["127.0.0.1"]})
    with pytest.raises(RedirectNotAllowed, match="https to plain http"):
        fetch(
            f"https://schemas.example.test:{tls_server.port}/old",
            policy=RELAXED,
            resolver=resolver,
            verify=tls_server.client_context,
        )


# --- Redirects -----------------------------------------------------------------------------------------


def test_redirects_are_followed_and_reported(loopback_server):
    loopback_server.route("/a", Reply(301, headers={"Location": "/b"}))
    loopback_server.route("/b", Reply(302, headers={"Location": loopback_server.url("/c")}))
    loopback_server.route("/c", Reply(body=b"final"))
    result = fetch(loopback_server.url("/a"), policy=RELAXED)
    assert result.content == b"final"
    assert result.url == loopback_server.url("/c")
    assert result.redirects == (loopback_server.url("/b"), loopback_server.url("/c"))


@pytest.mark.parametrize(
    ("location", "error", "reason"),
    [
        ("http://10.0.0.1/openapi.json", AddressNotAllowed, "private"),
        ("http://169.254.169.254/latest/meta-data/iam/", AddressNotAllowed, "metadata"),
        ("http://0xa9fea9fe/", AddressNotAllowed, "metadata"),
        ("http://[::ffff:a9fe:a9fe]/", AddressNotAllowed, "metadata"),
        ("http://private.example.com/", AddressNotAllowed, "private"),
        ("http://metadata.google.internal/computeMetadata/v1/", AddressNotAllowed, "metadata"),
        ("file:///etc/passwd", SchemeNotAllowed, ""),
        ("gopher://127.0.0.1:6379/_FLUSHALL", SchemeNotAllowed, ""),
    ],
)
def test_every_redirect_is_checked_again(loopback_server, location, error, reason):
    url = loopback_server.route("/start", Reply(302, headers={"Location": location}))
    with pytest.raises(error) as excinfo:
        fetch(url, policy=RELAXED, resolver=FakeResolver(RESOLVER_ANSWERS))
    assert reason in getattr(excinfo.value, "reason", "")
    assert loopback_server.hits("/start") == 1


def test_redirects_are_capped(loopback_server):
    url = loopback_server.route("/loop", Reply(302, headers={"Location": "/loop"}))
    with pytest.raises(TooManyRedirects, match="More than 3 redirects"):
        fetch(url, policy=replace(RELAXED, max_redirects=3))
    assert loopback_server.hits("/loop") == 4


def test_exactly_the_maximum_number_of_redirects_is_fine(loopback_server):
    for n in range(3):
        loopback_server.route(f"/r{n}", Reply(307, headers={"Location": f"/r{n + 1}"}))
    loopback_server.route("/r3", Reply(body=b"done"))
    assert fetch(loopback_server.url("/r0"), policy=replace(RELAXED, max_redirects=3)).content == b"done"


def test_303_turns_a_post_into_a_get_and_307_keeps_it(loopback_server):
    loopback_server.route("/see-other", Reply(303, headers={"Location": "/done"}))
    loopback_server.route("/temporary", Reply(307, headers={"Location": "/done"}))
    loopback_server.route("/done", Reply(body=b"ok"))
    fetch(loopback_server.url("/see-other"), method="POST", content=b"payload", policy=RELAXED)
    fetch(loopback_server.url("/temporary"), method="POST", content=b"payload", policy=RELAXED)
    done = [r for r in loopback_server.requests if r.path == "/done"]
    assert [(r.method, r.body) for r in done] == [("GET", b""), ("POST", b"payload")]


def test_credentials_are_not_carried_to_another_origin(loopback_server):
    other = f"http://other.example.test:{loopback_server.port}/landing"
    loopback_server.route("/same", Reply(302, headers={"Location": "/landing"}))
    loopback_server.route("/away", Reply(302, headers={"Location": other}))
    loopback_server.route("/landing", Reply(body=b"ok"))
    resolver = FakeResolver({"other.example.test": ["127.0.0.1"]})
    for path in ("/same", "/away"):
        fetch(loopback_server.url(path), headers={"Authorization": "Bearer t0ken"}, policy=RELAXED, resolver=resolver)
    landings = [r.headers.get("authorization") for r in loopback_server.requests if r.path == "/landing"]
    assert landings == ["Bearer t0ken", None]


# --- Size and time caps --------------------------------------------------------------------------------


def test_a_declared_length_over_the_cap_is_refused_before_reading(loopback_server):
    url = loopback_server.route("/big", Reply(body=b"x" * 5000))
    with pytest.raises(ResponseTooLarge, match="5,000 bytes; at most 1,000"):
        fetch(url, policy=replace(RELAXED, max_bytes=1000))


@pytest.mark.parametrize(
    ("declared", "refused"),
    [
        ("9" * 5000, "a 5,000-digit number of bytes"),  # more digits than int() reads: still refused
        ("0" * 4990 + "1001", "1,001 bytes"),
        ("²", None),  # isdigit() says yes, int() says no: not a length, so the cap applies while reading
        ("1e3", None),
    ],
)
def test_a_declared_length_is_read_as_ascii_digits_only(declared, refused):
    # A transport that passed such a header on (h11 refuses it) must not crash the fetcher.
    response = SimpleNamespace(headers={"content-length": declared}, iter_raw=lambda: iter([b"x" * 10]))
    policy = replace(RELAXED, max_bytes=1000)
    if refused:
        with pytest.raises(ResponseTooLarge, match=refused):
            fetcher._read_capped(response, url="http://x/", policy=policy, deadline=fetcher._Deadline(5))
    else:
        assert (
            fetcher._read_capped(response, url="http://x/", policy=policy, deadline=fetcher._Deadline(5))[0]
            == b"x" * 10
        )


def test_a_retry_after_that_is_not_ascii_digits_is_ignored(loopback_server):
    url = loopback_server.route("/status", Reply(503, headers={"Retry-After": "²"}))
    with pytest.raises(HTTPStatusError) as excinfo:
        fetch(url, policy=RELAXED).raise_for_status()
    assert (excinfo.value.status_code, excinfo.value.retry_after) == (503, None)


def test_an_undeclared_stream_stops_at_the_cap(loopback_server):
    url = loopback_server.route("/stream", Reply(body=b"y" * 4096, endless=True))
    started = time.monotonic()
    with pytest.raises(ResponseTooLarge, match="larger than the 100,000 bytes"):
        fetch(url, policy=replace(RELAXED, max_bytes=100_000))
    assert time.monotonic() - started < 5


def test_a_body_of_exactly_the_cap_is_accepted(loopback_server):
    url = loopback_server.route("/exact", Reply(body=b"z" * 1000, content_length=False))
    assert len(fetch(url, policy=replace(RELAXED, max_bytes=1000)).content) == 1000


def test_a_server_that_does_not_answer_times_out(loopback_server):
    url = loopback_server.route("/slow", Reply(body=b"late", delay=2))
    started = time.monotonic()
    with pytest.raises(FetchTimeout) as excinfo:
        fetch(url, policy=replace(RELAXED, read_timeout=0.3))
    assert excinfo.value.transient
    assert time.monotonic() - started < 1.5


def test_a_slow_drip_is_cut_off_by_the_total_time_cap(loopback_server):
    url = loopback_server.route("/drip", Reply(body=b"d" * 100, chunk_size=2, chunk_delay=0.1))
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match=r"longer than the 0\.5 s allowed"):
        fetch(url, policy=replace(RELAXED, total_timeout=0.5, read_timeout=5))
    assert time.monotonic() - started < 1.5


def test_a_connect_that_hangs_times_out():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):  # fill the accept queue so the next SYN goes unanswered
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.1)
    started = time.monotonic()
    try:
        with pytest.raises(FetchTimeout, match=r"timed out after 0\.4 s") as excinfo:
            fetch(f"http://127.0.0.1:{port}/", policy=replace(RELAXED, connect_timeout=0.4))
        assert excinfo.value.transient
        assert time.monotonic() - started < 2
    finally:
        for s in (*fillers, listener):
            s.close()


def test_a_refused_connection_is_a_transient_error():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    with pytest.raises(FetchConnectionError, match="Could not connect") as excinfo:
        fetch(f"http://127.0.0.1:{port}/", policy=RELAXED)
    assert excinfo.value.transient


def test_headers_trickled_a_line_at_a_time_are_cut_off_by_the_total_time_cap():
    # Each header line comes well within the read timeout, so only the total deadline stops it.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def trickle():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\n")
            for _ in range(50):  # at most 10 s, whatever the client does
                try:
                    connection.sendall(b"X-Slow: yes\r\n")
                except OSError:
                    return
                time.sleep(0.2)

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        with pytest.raises(FetchTimeout, match=r"longer than the 1 s allowed"):
            fetch(f"http://127.0.0.1:{port}/", policy=replace(RELAXED, total_timeout=1, read_timeout=5))
        assert time.monotonic() - started < 2
    finally:
        listener.close()
        thread.join(timeout=15)


# --- Compressed bodies (the fetcher asks for identity; some servers compress anyway) --------------------


SPEC = b'{"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {}}'


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(SPEC)),
        ("x-gzip", gzip.compress(SPEC)),
        ("deflate", zlib.compress(SPEC)),
        ("GZIP", gzip.compress(SPEC[:30]) + gzip.compress(SPEC[30:])),  # two gzip members
        ("gzip", gzip.compress(SPEC) + b"\0" * 8),  # padding after the stream
        ("deflate", zlib.compress(SPEC) + b"\0" * 8),
        ("deflate", zlib.compress(SPEC)[2:-4]),  # raw deflate, without the zlib header
        ("identity", SPEC),
    ],
)
def test_a_body_compressed_anyway_is_inflated(loopback_server, encoding, body):
    url = loopback_server.route("/z", Reply(body=body, headers={"Content-Encoding": encoding}))
    assert fetch(url, policy=RELAXED).content == SPEC


def test_endless_padding_after_a_gzip_stream_is_not_read(loopback_server):
    body = gzip.compress(SPEC) + b"\0" * 4096
    url = loopback_server.route(
        "/pad", Reply(body=body, headers={"Content-Encoding": "gzip"}, endless=True, chunk_delay=0.01)
    )
    started = time.monotonic()
    assert fetch(url, policy=replace(RELAXED, total_timeout=3)).content == SPEC
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(("method", "status"), [("HEAD", 200), ("GET", 204), ("GET", 304), ("GET", 200)])
def test_an_empty_body_marked_compressed_is_empty(loopback_server, method, status):
    url = loopback_server.route("/z", Reply(status, headers={"Content-Encoding": "gzip"}))
    assert fetch(url, method=method, policy=RELAXED).content == b""


def test_a_compression_bomb_stops_at_the_cap_without_expanding_in_memory(loopback_server):
    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)  # 200 MB in about 200 KB
    url = loopback_server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLarge, match="larger than the 1,000,000 bytes"):
            fetch(url, policy=replace(RELAXED, max_bytes=1_000_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024


@pytest.mark.parametrize(
    ("encoding", "body", "message"),
    [
        ("gzip, gzip", gzip.compress(gzip.compress(SPEC)), "Content-Encoding 'gzip, gzip'"),
        ("br", b"\x0b\x02\x80spec\x03", "Content-Encoding 'br'"),
        ("gzip", gzip.compress(SPEC)[:-12], "ends before its compressed stream does"),
        ("gzip", b"not gzip at all", "could not be inflated"),
    ],
)
def test_bodies_that_cannot_be_inflated_are_a_clear_permanent_error(loopback_server, encoding, body, message):
    url = loopback_server.route("/z", Reply(body=body, headers={"Content-Encoding": encoding}))
    with pytest.raises(UndecodableResponse, match=message) as excinfo:
        fetch(url, policy=RELAXED)
    assert not excinfo.value.transient


# --- Statuses and text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "transient"),
    [(400, False), (403, False), (404, False), (410, False), (429, True), (500, True), (503, True)],
)
def test_error_statuses_say_whether_they_are_worth_retrying(loopback_server, status, transient):
    url = loopback_server.route("/status", Reply(status, headers={"Retry-After": "7"}))
    result = fetch(url, policy=RELAXED)
    with pytest.raises(HTTPStatusError) as excinfo:
        result.raise_for_status()
    assert (excinfo.value.status_code, excinfo.value.transient, excinfo.value.retry_after) == (status, transient, 7.0)
    assert str(status) in str(excinfo.value)


def test_a_success_status_raises_nothing(loopback_server):
    fetch(loopback_server.route("/ok", Reply(204)), policy=RELAXED).raise_for_status()


@pytest.mark.parametrize(
    ("content_type", "body", "text"),
    [
        ("application/json", '{"t": "Café"}'.encode(), '{"t": "Café"}'),
        ("application/json; charset=ISO-8859-1", '{"t": "Café"}'.encode("latin-1"), '{"t": "Café"}'),
        ('text/yaml; charset="utf-16"', "t: Café\n".encode("utf-16"), "t: Café\n"),
        ("application/json", b"\xef\xbb\xbf{}", "{}"),
    ],
)
def test_text_is_decoded_by_the_response_charset(loopback_server, content_type, body, text):
    url = loopback_server.route("/t", Reply(body=body, headers={"Content-Type": content_type}))
    assert fetch(url, policy=RELAXED).text() == text


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("application/json", b"\xff\xfe{", "not valid utf-8 text"),
        ("application/json; charset=klingon", b"{}", "unknown charset 'klingon'"),
        # Codecs Python knows that are not text encodings, or fail on such bytes.
        ("application/json; charset=base64", b"e30=", "'base64', which is not a text encoding"),
        ("application/json; charset=rot13", b"{}", "'rot13', which is not a text encoding"),
        ("application/json; charset=punycode", b'{"a": 1}', "not valid punycode text"),
    ],
)
def test_undecodable_text_is_a_clear_permanent_error(loopback_server, content_type, body, message):
    url = loopback_server.route("/t", Reply(body=body, headers={"Content-Type": content_type}))
    with pytest.raises(UndecodableResponse, match=message) as excinfo:
        fetch(url, policy=RELAXED).text()
    assert not excinfo.value.transient


# --- The system resolver (getaddrinfo, patched: no real DNS) --------------------------------------------


def test_the_default_resolver_looks_up_once_and_the_fetch_uses_its_answer(loopback_server, monkeypatch):
    loopback_server.route("/spec", Reply(body=b"spec"))
    lookups = []

    def fake_getaddrinfo(host, port, *args, **kwargs):
        lookups.append(host)
        if host == "schemas.example.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    result = fetch(f"http://schemas.example.test:{loopback_server.port}/spec", policy=RELAXED)
    assert result.content == b"spec"
    assert lookups.count("schemas.example.test") == 1


@pytest.mark.parametrize(
    ("errno", "transient"),
    [(socket.EAI_NONAME, False), (socket.EAI_AGAIN, True)],
)
def test_the_default_resolver_tells_missing_names_from_temporary_failures(monkeypatch, errno, transient):
    def failing_getaddrinfo(*args, **kwargs):
        raise socket.gaierror(errno, "lookup failed")

    monkeypatch.setattr(socket, "getaddrinfo", failing_getaddrinfo)
    with pytest.raises(NameNotResolved, match="could not be resolved: lookup failed") as excinfo:
        check_url("https://schemas.example.test/")
    assert excinfo.value.transient is transient


def test_a_hanging_lookup_is_cut_off(monkeypatch):
    def hanging_getaddrinfo(*args, **kwargs):
        time.sleep(1)
        return []

    monkeypatch.setattr(socket, "getaddrinfo", hanging_getaddrinfo)
    started = time.monotonic()
    with pytest.raises(NameNotResolved, match=r"took longer than 0\.2 s") as excinfo:
        check_url("https://schemas.example.test/", policy=FetchPolicy(connect_timeout=0.2))
    assert excinfo.value.transient
    assert time.monotonic() - started < 0.9


# --- OUTBOUND_ALLOW_HOSTS: listed private hosts, exact host:port -------------------------------------


def test_a_listed_host_and_port_is_reached_and_nothing_else_is(loopback_server, settings):
    url = loopback_server.route("/local", Reply(body=b"local"))
    settings.OUTBOUND_ALLOW_HOSTS = [f"127.0.0.1:{loopback_server.port}"]
    assert fetch(url).content == b"local"
    other_port = loopback_server.url("/local").replace(str(loopback_server.port), str(loopback_server.port + 1))
    for refused in (other_port, loopback_server.url("/local", host="localhost"), "http://10.0.0.1:80/"):
        with pytest.raises(AddressNotAllowed):
            fetch(refused)
    settings.OUTBOUND_ALLOW_HOSTS = []
    with pytest.raises(AddressNotAllowed):
        fetch(url)
    assert loopback_server.hits("/local") == 1


def test_a_listed_name_reaches_the_private_addresses_it_resolves_to(loopback_server, settings):
    settings.OUTBOUND_ALLOW_HOSTS = [f"LOCALHOST:{loopback_server.port}"]
    loopback_server.route("/named", Reply(body=b"named"))
    resolver = FakeResolver({"localhost": ["127.0.0.1"]})
    assert fetch(loopback_server.url("/named", host="localhost"), resolver=resolver).content == b"named"


@pytest.mark.parametrize("entry", ["169.254.169.254:80", "metadata.google.internal:80"])
def test_metadata_addresses_stay_refused_even_when_listed(entry, settings):
    settings.OUTBOUND_ALLOW_HOSTS = [entry]
    with pytest.raises(AddressNotAllowed, match="metadata"):
        check_url(f"http://{entry}/latest/meta-data/", resolver=FakeResolver())


# --- Calls: truncation and extra credential headers -------------------------------------------------------


def test_a_truncating_policy_returns_the_start_of_a_big_body_marked_truncated(loopback_server):
    for path, reply in (("/declared", Reply(body=b"a" * 5000)), ("/streamed", Reply(body=b"b" * 4096, endless=True))):
        loopback_server.route(path, reply)
        result = fetch(loopback_server.url(path), policy=replace(RELAXED, max_bytes=1000, truncate=True))
        assert len(result.content) == 1000 and result.truncated
    small = loopback_server.route("/small", Reply(body=b"c" * 10))
    assert not fetch(small, policy=replace(RELAXED, max_bytes=1000, truncate=True)).truncated


def test_a_sensitive_custom_header_is_dropped_when_a_redirect_leaves_the_origin(loopback_server):
    other = f"http://other.example.test:{loopback_server.port}/landing"
    loopback_server.route("/away", Reply(307, headers={"Location": other}))
    loopback_server.route("/landing", Reply(body=b"ok"))
    resolver = FakeResolver({"other.example.test": ["127.0.0.1"]})
    headers = {"X-Api-Key": "k3y", "X-Trace": "t"}
    fetch(
        loopback_server.url("/away"),
        headers=headers,
        policy=RELAXED,
        resolver=resolver,
        sensitive_headers=["x-api-key"],
    )
    (landing,) = [r for r in loopback_server.requests if r.path == "/landing"]
    assert landing.headers.get("x-api-key") is None and landing.headers.get("x-trace") == "t"
