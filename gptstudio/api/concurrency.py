"""Optimistic concurrency over HTTP: `ETag` = the version, `If-Match` / a body or query `version`
as the precondition (412 when it is not the stored version). PUT, PATCH and DELETE must send one
(428 otherwise, RFC 6585); `If-Match: *` is the explicit "overwrite whatever is there".

The precondition is checked against the version read at the start of the request; the service
checks the same expected version again under the row lock, so an edit that slips in between is a
409 (EditConflict), never a lost update.
"""

from __future__ import annotations

from django.utils.http import parse_etags

from .errors import PreconditionFailed, PreconditionRequired
from .numbers import parse_whole_number, query_number

# A header echoed in an error message is cut to this many characters.
ECHO_MAX = 40
# Methods that change a versioned resource and so must name the version they change.
PRECONDITION_METHODS = frozenset({"PUT", "PATCH", "DELETE"})
CHANGE_METHODS = PRECONDITION_METHODS | {"POST"}


def etag(version: int) -> str:
    return f'"{version}"'


def none_match(request, tag: str) -> bool:
    """If-None-Match names `tag` (weak comparison, RFC 9110 13.1.2) or is `*`: the client's copy
    is current, and a GET answers 304."""
    header = request.headers.get("If-None-Match")
    if header is None:
        return False
    sent = parse_etags(header)
    return sent == ["*"] or tag.removeprefix("W/") in {t.removeprefix("W/") for t in sent}


def _if_match_versions(header: str) -> set[int] | None:
    """Versions an If-Match header accepts; None for `*` (any).

    An entity tag is opaque to HTTP: one that is not a version of ours ("garbage", "²", a
    5,000-digit number) is a tag that matches nothing, so the precondition fails (412, RFC 9110
    13.1.1), as a stale version does. If-Match compares strongly (RFC 9110 13.1.1, 8.8.3.2): a
    weak tag (`W/"3"`) never matches, even when it names the current version."""
    accepted: set[int] = set()
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*":
            return None
        if tag.startswith("W/"):
            continue
        version = parse_whole_number(tag.strip('"'))
        if version is not None:
            accepted.add(version)
    return accepted


def _echo(header: str) -> str:
    header = header.strip()
    return header if len(header) <= ECHO_MAX else f"{header[: ECHO_MAX - 1]}…"


def refuse_if_match_without_versions(view, request, *, what: str = "resource") -> None:
    """If-Match on a change of something that has no versions (a workspace, a member, a token):
    no tag can match, so the condition is false and the change must not happen (412, RFC 9110
    13.1.1); ignoring the header would overwrite what the client meant to guard. `*` matches (the
    resource exists); a read, and a method the view does not route (its 405 comes first), are
    left alone."""
    header = request.headers.get("If-Match")
    method = request.method
    if header is None or method not in CHANGE_METHODS or not hasattr(view, method.lower()):
        return
    if _if_match_versions(header) is None:
        return
    raise PreconditionFailed(
        f"This {what} has no versions, so If-Match {_echo(header)} matches nothing and nothing was changed; "
        "send If-Match: * or no If-Match."
    )


class UnversionedIfMatchMixin:
    """For a view's changes of something without versions: If-Match naming a version is refused
    with 412 (`refuse_if_match_without_versions`). A view that is `versioned`, and the actions in
    its `precondition_actions`, check versions instead. StudioAutoSchema documents the 412 from
    `refuses_version_if_match`."""

    unversioned_what = "resource"  # as the 412's message names it

    def refuses_version_if_match(self) -> bool:
        return not getattr(self, "versioned", False) and getattr(self, "action", None) not in getattr(
            self, "precondition_actions", ()
        )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.refuses_version_if_match():
            refuse_if_match_without_versions(self, request, what=self.unversioned_what)


def expected_version(request, *, current: int, claimed: int | None = None, what: str = "GPT") -> int:
    """The version the client started from (If-Match and/or `claimed`, the body or query
    `version`), refused with 412 when it is not `current`. A PUT, PATCH or DELETE without either
    is refused with 428. Otherwise (a POST that may name the GPT's version) the version read at
    the start of the request is expected, which still refuses a concurrent edit (409)."""
    header = request.headers.get("If-Match")
    if header is None and claimed is None and request.method in PRECONDITION_METHODS:
        raise PreconditionRequired(
            f'This {what} is versioned: send If-Match: "{current}" (the version you started from) or a '
            f"`version`, so an edit made since is not overwritten; If-Match: * overwrites whatever is there.",
            current_version=current,
        )
    if header is not None:
        accepted = _if_match_versions(header)
        if accepted is not None and current not in accepted:
            raise PreconditionFailed(
                f"If-Match {_echo(header)} does not match this {what}'s current version {current}; "
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
    return query_number(request, "version", what="A version")
