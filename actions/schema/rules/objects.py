"""Object schemas in parameters and request bodies that give the model no properties to fill in."""

from __future__ import annotations

from actions.schema.findings import Severity, register
from actions.schema.pointers import escape_token

from .core import (
    ActionCheck,
    BodyMedia,
    LocalRefs,
    PathOperation,
    schema_types,
)

register(
    "action.schema.object_without_properties",
    Severity.WARNING,
    "Object schema without properties",
    chatgpt_behaviour="ChatGPT turns request bodies and parameters into function arguments; an object "
    "without `properties` gives the model no fields to fill in (OpenAI's cookbook has such nested objects "
    "and they load).",
    source="GPT_EDITOR.md §3.1, §7 [DEV]",
    confidence="likely",
    chatgpt_message="object schema missing properties",
    fix="Declare the object's `properties` so the model knows what to fill in.",
)


def check_object_properties(
    refs: LocalRefs, ops: list[PathOperation], bodies: list[BodyMedia], result: ActionCheck
) -> None:
    """Objects ChatGPT turns into function arguments (parameter and request-body schemas, through
    their $refs, properties, items and compositions) should declare their properties.

    Big specs have tens of thousands of property schemas, nearly all leaves like {"type": "string"};
    a property's pointer is therefore built only when that schema has a finding or children."""
    # (schema, pointer) or, for a property, (schema, pointer of its object, property name)
    stack: list[tuple] = []
    for op in ops:
        for params, base in (
            (op.item.get("parameters"), f"{op.item_pointer}/parameters"),
            (op.node.get("parameters"), f"{op.pointer}/parameters"),
        ):
            if isinstance(params, list):
                stack += [(p.get("schema"), f"{base}/{i}/schema") for i, p in enumerate(params) if isinstance(p, dict)]
    stack += [(body.schema, body.pointer) for body in bodies if body.schema]
    visited: set[int] = set()
    while stack:
        entry = stack.pop()
        node = entry[0]
        if type(node) is not dict:
            continue
        pointer = None
        if "$ref" in node:
            pointer = _entry_pointer(entry)
            node, pointer = refs.deref(node, pointer)
            if not isinstance(node, dict):
                continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        properties = node.get("properties")
        composed = [key for key in ("allOf", "anyOf", "oneOf") if isinstance(node.get(key), list)]
        is_object = "object" in schema_types(node)
        if not (is_object or isinstance(properties, dict) or "items" in node or composed):
            continue  # a leaf: nothing to report, nothing below
        if pointer is None:
            pointer = _entry_pointer(entry)
        if is_object and not isinstance(properties, dict) and not any(k in node for k in ("allOf", "anyOf", "oneOf")):
            _report_object_without_properties(node, pointer, result)
        if isinstance(properties, dict):
            stack += [(v, pointer, k) for k, v in properties.items()]
        if "items" in node:
            stack.append((node["items"], f"{pointer}/items"))
        for key in composed:
            stack += [(v, f"{pointer}/{key}/{i}") for i, v in enumerate(node[key])]


def _entry_pointer(entry: tuple) -> str:
    if len(entry) == 2:
        return entry[1]
    return f"{entry[1]}/properties/{escape_token(entry[2])}"


def _report_object_without_properties(node: dict, pointer: str, result: ActionCheck) -> None:
    extra = node.get("additionalProperties")
    if extra is True or isinstance(extra, dict):
        # A map (Stripe's `metadata`, say): free-form keys are the point, so suggesting
        # `additionalProperties` would be no help; what ChatGPT lacks is still `properties`.
        message = (
            "This object is a map: it declares `additionalProperties` but no `properties`. ChatGPT reports "
            "objects without `properties`, and the model gets no named fields. Keep the map and add the keys you "
            "expect under `properties` (even just one), or describe the expected keys in `description`."
        )
    else:
        message = (
            "This object has no `properties`, so the model does not know which fields to send. List them "
            "under `properties` (add `additionalProperties: true` if more are allowed)."
        )
    result.add("action.schema.object_without_properties", message, pointer)
