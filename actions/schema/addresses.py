"""IP addresses as GPT Studio judges them: every spelling of an IPv4 literal, IPv6 forms that carry
an IPv4 address, and which addresses are not on the public internet (and why).

Shared by the safe fetcher (which refuses to connect to such addresses) and the schema rules (which
tell a builder that ChatGPT cannot reach a server such as `https://2130706433`), so that both read
a host the same way. No network access and no HTTP client here: the schema engine imports it.
"""

from __future__ import annotations

import ipaddress
import re

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class InvalidIPv4Address(ValueError):
    """A host that is numeric like an IPv4 address but is not a valid one (so it is no host name either)."""


# --- Classification -------------------------------------------------------------------------------

LOOPBACK = "a loopback address"
PRIVATE = "a private address"
LINK_LOCAL = "a link-local address"
RESERVED = "a reserved address"
METADATA = "a cloud metadata service address"
LOCAL_NAME = "a local-only host name"
METADATA_NAME = "a cloud metadata service host name"

# Checked before the ranges, so the message names the metadata service rather than "link-local".
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, Oracle, DigitalOcean ...
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.169.123",  # AWS time sync
        "169.254.169.253",  # AWS DNS
        "169.254.0.23",  # Tencent Cloud (metadata.tencentyun.com)
        "100.100.100.200",  # Alibaba Cloud (also inside CGNAT 100.64.0.0/10)
        "168.63.129.16",  # Azure WireServer: a public address otherwise, so only this entry refuses it
        "192.0.0.192",  # Oracle Cloud (legacy)
        "fd00:ec2::254",  # AWS IPv6 metadata
        "fd00:ec2::23",  # AWS IPv6 DNS/time
        "fd20:ce::254",  # GCP IPv6 metadata
        "fd00:c1::a9fe:a9fe",  # Oracle Cloud IPv6 metadata
    )
)

# The IANA special-purpose registries, as phrases that complete "it is ...".
_IPV4_BLOCKED = [
    (ipaddress.ip_network(net), reason)
    for net, reason in (
        ("0.0.0.0/8", "an unspecified address ('this network')"),
        ("10.0.0.0/8", PRIVATE),
        ("100.64.0.0/10", "in the shared address space (CGNAT)"),
        ("127.0.0.0/8", LOOPBACK),
        ("169.254.0.0/16", LINK_LOCAL),
        ("172.16.0.0/12", PRIVATE),
        ("192.0.0.0/24", f"{RESERVED} (IETF protocol assignments)"),
        ("192.0.2.0/24", f"{RESERVED} (documentation)"),
        ("192.88.99.0/24", f"{RESERVED} (6to4 relay anycast)"),
        ("192.168.0.0/16", PRIVATE),
        ("198.18.0.0/15", f"{RESERVED} (benchmarking)"),
        ("198.51.100.0/24", f"{RESERVED} (documentation)"),
        ("203.0.113.0/24", f"{RESERVED} (documentation)"),
        ("224.0.0.0/4", "a multicast address"),
        ("240.0.0.0/4", f"{RESERVED} (including broadcast)"),
    )
]
_IPV6_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
_IPV6_BLOCKED = [
    (ipaddress.ip_network(net), reason)
    for net, reason in (
        ("::/128", "the unspecified address"),
        ("::1/128", LOOPBACK),
        ("64:ff9b:1::/48", f"{PRIVATE} (local-use NAT64)"),
        ("fc00::/7", f"{PRIVATE} (unique local)"),
        ("fe80::/10", LINK_LOCAL),
        ("fec0::/10", f"{PRIVATE} (site-local)"),
        ("ff00::/8", "a multicast address"),
        ("2001::/23", f"{RESERVED} (IETF protocol assignments, Teredo)"),
        ("2001:db8::/32", f"{RESERVED} (documentation)"),
        ("3fff::/20", f"{RESERVED} (documentation)"),
    )
]
# IPv6 forms that carry an IPv4 address in their low 32 bits: the IPv4 address decides.
_IPV6_EMBEDDING_V4_LOW32 = [
    ipaddress.ip_network(net)
    for net in (
        "::ffff:0:0/96",  # IPv4-mapped
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT)
        "64:ff9b::/96",  # NAT64 well-known prefix
        "::/96",  # IPv4-compatible (deprecated); :: and ::1 are caught first
    )
]
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, compatible, translated, NAT64, 6to4)."""
    if address.version != 6:
        return None
    if address in _SIX_TO_FOUR:
        return ipaddress.IPv4Address((int(address) >> 80) & 0xFFFFFFFF)
    if address in ipaddress.ip_network("::/127"):
        return None
    for network in _IPV6_EMBEDDING_V4_LOW32:
        if address in network:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refusal(address: IPAddress) -> str | None:
    """Why the guard refuses `address`, as a phrase completing "it is ...", or None if it is public."""
    if address.version == 6 and address.scope_id:
        address = ipaddress.IPv6Address(str(address).split("%", 1)[0])
    if address in METADATA_ADDRESSES:
        return METADATA
    inner = embedded_ipv4(address)
    if inner is not None:
        reason = address_refusal(inner)
        return f"{reason} (embedded in an IPv6 address)" if reason else None
    if address.version == 4:
        return next((reason for net, reason in _IPV4_BLOCKED if address in net), None)
    blocked = next((reason for net, reason in _IPV6_BLOCKED if address in net), None)
    if blocked:
        return blocked
    if address not in _IPV6_GLOBAL_UNICAST:
        return f"{RESERVED} (outside IPv6 global unicast)"
    return None


def is_loopback(address: IPAddress) -> bool:
    """Loopback, also when embedded in an IPv6 form (`::ffff:127.0.0.1`)."""
    inner = embedded_ipv4(address)
    return (inner or address).is_loopback


# --- Spellings -------------------------------------------------------------------------------------

_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
_IPV4_PART = re.compile(r"^(0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*)$")


def parse_ipv4_any_form(host: str) -> ipaddress.IPv4Address | None:
    """Read `host` as an IPv4 address in every spelling `inet_aton` and browsers accept (decimal,
    hex, octal, 1-4 parts), or return None if it is not numeric. A numeric host that is not a
    valid address raises InvalidIPv4Address: DNS must never see it (browsers refuse it the same way)."""
    parts = host.split(".")
    if not _NUMERIC_LABEL.match(parts[-1]):
        return None
    if len(parts) > 4 or not all(_IPV4_PART.match(p) for p in parts):
        raise InvalidIPv4Address(f"'{host}' is neither a valid IPv4 address nor a host name.")
    values = []
    for part in parts:
        if part.startswith("0x"):
            digits, base = part[2:], 16
        elif part.startswith("0") and len(part) > 1:
            digits, base = part[1:], 8
        else:
            digits, base = part, 10
        # Leading zeros are allowed in any number; past 11 digits no base fits in 32 bits, and a
        # 5,000-digit part must not reach int() (which refuses over 4,300 digits).
        digits = digits.lstrip("0") or "0"
        if len(digits) > 11:
            raise InvalidIPv4Address(f"'{host}' is not a valid IPv4 address (a part is out of range).")
        values.append(int(digits, base))
    # a.b.c.d; a.b.c (c fills 16 bits); a.b (b fills 24 bits); a (32 bits).
    *leading, last = values
    if any(v > 255 for v in leading) or last >= 256 ** (5 - len(values)):
        raise InvalidIPv4Address(f"'{host}' is not a valid IPv4 address (a part is out of range).")
    number = 0
    for v in leading:
        number = number * 256 + v
    number = (number << (8 * (5 - len(values)))) | last
    return ipaddress.IPv4Address(number)


def host_address(host: str) -> IPAddress | None:
    """The address a URL's host names, if it is an IP literal in any spelling (IPv6 with or without
    brackets, IPv4 in every form `parse_ipv4_any_form` reads, an optional trailing dot), else None.
    Raises ValueError for a literal that is not a valid address."""
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        return ipaddress.IPv6Address(host.split("%", 1)[0])
    host = host[:-1] if host.endswith(".") else host
    return parse_ipv4_any_form(host) if host else None
