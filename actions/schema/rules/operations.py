"""`paths` and their operations: absolute paths, HTTP methods, operation count, operationIds,
summaries and `x-openai-isConsequential`."""

from __future__ import annotations

import re

from actions.schema import limits
from actions.schema.findings import Severity, register
from actions.schema.pointers import brief, escape_token, json_pointer

from .core import (
    SUPPORTED_METHODS,
    ActionCheck,
    Operation,
    PathOperation,
)

OTHER_HTTP_METHODS = ("head", "options", "trace")
OPERATION_ID_PATTERN = re.compile(r"^[a-zA-Z0-9_-]+$")


register(
    "action.path.not_absolute",
    Severity.ERROR,
    "A path does not start with `/`",
    chatgpt_behaviour="ChatGPT appends each `paths` key to the server URL; a key without a leading `/` "
    "(OpenAPI requires one) makes every call to it go to the wrong URL.",
    source="GPT_EDITOR.md §3.1; OpenAPI 3.x Paths Object",
    confidence="likely",
    fix="Start every `paths` key with `/`.",
)
register(
    "action.operations.too_many",
    Severity.ERROR,
    "More than 30 operations",
    chatgpt_behaviour="ChatGPT refuses an action schema with more operations than its cap. Split it into "
    "several actions (one per domain) or keep the operations the GPT needs.",
    limit=limits.ACTION_OPERATIONS_MAX,
    chatgpt_message="OpenAPI spec can have a maximum of 30 operations",
    fix="Remove operations the GPT does not need, or split them across actions.",
)
register(
    "action.operations.none",
    Severity.WARNING,
    "No operations",
    chatgpt_behaviour="A schema without operations gives the GPT nothing to call.",
    source="GPT_EDITOR.md §3.1",
    confidence="unconfirmed",
    fix="Add at least one operation under `paths`.",
)
register(
    "action.operation.missing_id",
    Severity.ERROR,
    "Operation without an operationId",
    chatgpt_behaviour="The operationId becomes the function name the model calls; an operation without one "
    "cannot be offered to the model and is dropped.",
    source="GPT_EDITOR.md §3.1 [GS], §8",
    confidence="likely",
    fix="Add an `operationId` to the operation.",
)
register(
    "action.operation.invalid_id",
    Severity.ERROR,
    "operationId with characters a function name cannot have",
    chatgpt_behaviour="Function names may contain only letters, digits, '_' and '-'; ChatGPT drops an "
    "operation whose operationId has others.",
    source="GPT_EDITOR.md §3.1 [GS] (operationId = function name); OpenAI function-name rule",
    confidence="likely",
    fix="Rename the `operationId` using only letters, digits, `_` and `-`.",
)
register(
    "action.operation.duplicate_id",
    Severity.ERROR,
    "Two operations share an operationId",
    chatgpt_behaviour="Function names must be unique; ChatGPT keeps only one of the operations.",
    source="OpenAPI 3 (operationId is unique); GPT_EDITOR.md §3.1 [GS]",
    confidence="likely",
    fix="Give each operation its own `operationId`.",
)
register(
    "action.operation.description_too_long",
    Severity.ERROR,
    "Operation summary or description over 300 characters",
    chatgpt_behaviour="ChatGPT refuses endpoint descriptions and summaries over its limit.",
    limit=limits.ACTION_OPERATION_DESCRIPTION_MAX_LENGTH,
    chatgpt_message="… description has length N exceeding limit of 300",
    fix="Shorten the summary or description to 300 characters or fewer.",
)
register(
    "action.method.unsupported",
    Severity.WARNING,
    "HTTP method ChatGPT does not call",
    chatgpt_behaviour="ChatGPT calls GET, POST, PUT, PATCH and DELETE; it skips HEAD, OPTIONS and TRACE operations.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message="Path … has unrecognized method head; skipping",
    fix="Use GET, POST, PUT, PATCH or DELETE, or remove the operation.",
)
register(
    "action.consequential.not_boolean",
    Severity.WARNING,
    "`x-openai-isConsequential` is not a boolean",
    chatgpt_behaviour="The flag must be true or false; what ChatGPT does with another value is not documented. "
    "GPT Studio assumes the default (GET: false, others: true).",
    source="GPT_EDITOR.md §3.2 [GS], [PROD]",
    confidence="confirmed",
    fix="Set `x-openai-isConsequential` to true or false.",
)


def collect_operations(data: dict, result: ActionCheck) -> list[PathOperation]:
    ops: list[PathOperation] = []
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
                ops.append(
                    PathOperation(lower, path, node, f"{item_pointer}/{escape_token(method)}", item, item_pointer)
                )
            elif lower in OTHER_HTTP_METHODS:
                result.add(
                    "action.method.unsupported",
                    f"ChatGPT skips {lower.upper()} {path}: it only calls GET, POST, PUT, PATCH and DELETE. "
                    "Remove it or expose the call with a supported method.",
                    f"{item_pointer}/{escape_token(method)}",
                )
    return ops


def check_operations(data: dict, ops: list[PathOperation], result: ActionCheck) -> None:
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


def _suggest_id(op: PathOperation) -> str:
    words = [w for w in re.split(r"[^a-zA-Z0-9]+", op.path) if w]
    return op.method + "".join(w[:1].upper() + w[1:] for w in words) if words else op.method + "Root"
