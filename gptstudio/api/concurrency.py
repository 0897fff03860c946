"""Optimistic concurrency over HTTP: `ETag` = the version, `If-Match` / a body or query `version`
as the precondition (412 when it is not the stored version).

The precondition is checked against the version read at the start of the request; the service
checks the same expected version again under the row lock, so an edit that slips in between is a
409 (EditConflict), never a lost update.
"""

from __future__ import annotations

from .errors import PreconditionFailed


def etag(version: int) -> str:
    return f'"{version}"'


def _if_match_versions(header: str) -> set[int] | None:
    """Versions an If-Match header accepts; None for `*` (any). Unparseable tags match nothing."""
    accepted: set[int] = set()
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*":
            return None
        tag = tag.removeprefix("W/").strip('"')
        if tag.isdigit():
            accepted.add(int(tag))
    return accepted


def expected_version(request, *, current: int, claimed: int | None = None, what: str = "GPT") -> int:
    """The version the client started from (If-Match and/or `claimed`, the body or query
    `version`), refused with 412 when it is not `current`. Without a precondition the version
    read at the start of the request is expected, which still refuses a concurrent edit (409)."""
    header = request.headers.get("If-Match")
    if header is not None:
        accepted = _if_match_versions(header)
        if accepted is not None and current not in accepted:
            raise PreconditionFailed(
                f"If-Match {header.strip()} does not match this {what}'s current version {current}; "
                "fetch it again and re-apply your change.",
                current_version=current,
            )
    if claimed is not None and claimed != current:
        raise PreconditionFailed(
            f"You sent version {claimed}, but this {what} is at version {current}; "
            "fetch it again and re-apply your change.",
            current_version=current,
        )
    return current


def query_version(request) -> int | None:
    """A `?version=N` precondition for clients that cannot send If-Match (used on DELETE)."""
    from rest_framework.exceptions import ValidationError

    raw = request.query_params.get("version")
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise ValidationError({"version": ["A version is a positive whole number."]})
    return int(raw)
