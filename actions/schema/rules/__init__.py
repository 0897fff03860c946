"""The GPT action rules: what ChatGPT's action editor accepts, drops or rewrites (GPT_EDITOR.md §3-§4).

One registered rule per fact, registered next to its check, one module per OpenAPI area (`version`,
`servers`, `operations`, `parameters`, `bodies`, `objects`, `security`, `references`, `size`; what
they share is in `core`). Severity mirrors ChatGPT: an error where it refuses the schema or silently
drops an operation, a warning where it ignores or rewrites a part, capped by the confidence of the
fact (an unconfirmed fact is at most a warning). Every number comes from `actions/schema/limits.py`
(re-exported by `gptstudio.limits`).

`check_action_schema(data, parsed)` runs every check on a parsed OpenAPI object and returns the
findings (without line numbers: the report adds them for the pointers that have findings) plus the
operation summary.
"""

from __future__ import annotations

from actions.schema.parsing import DocumentScan, scan_document

# isort: off
# Each area registers its rules when imported: importing them in the order the checks run keeps the
# rule registry in that order.
from .version import check_version
from .servers import check_servers
from .operations import check_operations, collect_operations
from .parameters import check_parameters
from .security import check_security, oauth_url_problem, registrable_domain
from .objects import check_object_properties
from .references import check_references
from .bodies import check_bodies, request_bodies
from .size import check_size
from .core import SUPPORTED_METHODS, ActionCheck, LocalRefs, Operation, local_pointer
# isort: on

__all__ = [
    "SUPPORTED_METHODS",
    "ActionCheck",
    "LocalRefs",
    "Operation",
    "check_action_schema",
    "collect_operations",
    "local_pointer",
    "oauth_url_problem",
    "registrable_domain",
]


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
