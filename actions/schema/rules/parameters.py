"""Operation parameters: names, `$ref`s, duplicates, header parameters and description lengths."""

from __future__ import annotations

from actions.schema import limits
from actions.schema.findings import Severity, register
from actions.schema.pointers import brief

from .core import (
    ActionCheck,
    PathOperation,
)

register(
    "action.parameter.description_too_long",
    Severity.ERROR,
    "Parameter description over 700 characters",
    chatgpt_behaviour="ChatGPT refuses parameter descriptions over its limit.",
    limit=limits.ACTION_PARAMETER_DESCRIPTION_MAX_LENGTH,
    chatgpt_message="… description has length N exceeding limit of 700",
    fix="Shorten the parameter description to 700 characters or fewer.",
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
    fix="Remove the header parameter; set an API key header in the action's authentication instead.",
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
    fix="Write the parameter out in place of the `$ref`.",
)
register(
    "action.parameter.missing_name",
    Severity.ERROR,
    "Parameter without a name",
    chatgpt_behaviour="ChatGPT skips the whole operation when a parameter has no string name.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message="parameter … has missing or non-string name; skipping",
    fix="Give the parameter a `name`.",
)
register(
    "action.parameter.duplicate",
    Severity.ERROR,
    "Parameter declared twice",
    chatgpt_behaviour="ChatGPT skips the operation when two parameters share a name and location.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message="parameter id is duplicated; skipping function due to errors",
    fix="Remove or rename one of the two parameters.",
)


def check_parameters(data: dict, ops: list[PathOperation], result: ActionCheck) -> None:
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
