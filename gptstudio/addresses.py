"""IP addresses as GPT Studio judges them, re-exported from the schema engine.

The code lives in `actions/schema/addresses.py`: the schema rules (which run without Django) and the
safe fetcher must read a host the same way, so there is one copy, importable from here too.
"""

from actions.schema.addresses import (
    LINK_LOCAL,
    LOCAL_NAME,
    LOOPBACK,
    METADATA,
    METADATA_ADDRESSES,
    METADATA_NAME,
    PRIVATE,
    RESERVED,
    InvalidIPv4Address,
    IPAddress,
    address_refusal,
    embedded_ipv4,
    host_address,
    is_loopback,
    parse_ipv4_any_form,
)

__all__ = [
    "LINK_LOCAL",
    "LOCAL_NAME",
    "LOOPBACK",
    "METADATA",
    "METADATA_ADDRESSES",
    "METADATA_NAME",
    "PRIVATE",
    "RESERVED",
    "IPAddress",
    "InvalidIPv4Address",
    "address_refusal",
    "embedded_ipv4",
    "host_address",
    "is_loopback",
    "parse_ipv4_any_form",
]
