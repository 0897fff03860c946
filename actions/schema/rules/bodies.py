"""Request and response bodies: object request bodies, media types, and the file parameters
(`openaiFileIdRefs`, `openaiFileResponse`)."""

from __future__ import annotations

from actions.schema import limits
from actions.schema.findings import Severity, register
from actions.schema.pointers import brief, escape_token

from .core import (
    ActionCheck,
    BodyMedia,
    LocalRefs,
    PathOperation,
    schema_types,
)

register(
    "action.request_body.not_object",
    Severity.ERROR,
    "Request body schema is not an object",
    chatgpt_behaviour="ChatGPT passes a request body as named arguments; it skips an operation whose body "
    "is an array, a string or another non-object schema.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message="request body schema is not an object schema; skipping",
    fix="Wrap the request body in an object with named properties.",
)
register(
    "action.media.binary",
    Severity.WARNING,
    "Image, audio or video content",
    chatgpt_behaviour="Action requests and responses are text only: no images or video.",
    source="GPT_EDITOR.md §3.2 [PROD]",
    confidence="confirmed",
    fix="Return text or JSON instead, or send files through `openaiFileResponse`.",
)
register(
    "action.files.id_refs_not_array",
    Severity.WARNING,
    "`openaiFileIdRefs` is not declared as an array",
    chatgpt_behaviour="ChatGPT sends conversation files only in an array parameter named openaiFileIdRefs; "
    "the operation still loads, but no files are sent.",
    source="GPT_EDITOR.md §3.2 [GS]",
    confidence="confirmed",
    fix="Declare `openaiFileIdRefs` as an array.",
)
register(
    "action.files.id_refs_location",
    Severity.WARNING,
    "`openaiFileIdRefs` outside a POST request body",
    chatgpt_behaviour="ChatGPT sends files in the JSON body of a POST request; elsewhere the name has no effect.",
    source="GPT_EDITOR.md §3.2 [GS]",
    confidence="confirmed",
    fix="Move `openaiFileIdRefs` into the JSON body of a POST request.",
)
register(
    "action.files.response_not_array",
    Severity.WARNING,
    "`openaiFileResponse` is not declared as an array",
    chatgpt_behaviour="ChatGPT reads returned files only from an `openaiFileResponse` array (of file objects "
    "or of URLs); the operation still works, but no files come back.",
    source="GPT_EDITOR.md §3.2 [GS], [RN]",
    confidence="confirmed",
    fix="Declare `openaiFileResponse` as an array.",
)
register(
    "action.files.id_refs_too_many",
    Severity.WARNING,
    "`openaiFileIdRefs` allows more than 10 files",
    chatgpt_behaviour="ChatGPT sends at most 10 conversation files in openaiFileIdRefs; an API that expects more "
    "never gets them.",
    limit=limits.ACTION_FILES_PER_REQUEST_MAX,
    fix="Set `maxItems` of `openaiFileIdRefs` to 10 or fewer.",
)
register(
    "action.files.response_too_many",
    Severity.WARNING,
    "`openaiFileResponse` allows more than 10 files",
    chatgpt_behaviour="ChatGPT takes at most 10 files from an openaiFileResponse; the others are not shown.",
    limit=limits.ACTION_FILES_PER_RESPONSE_MAX,
    fix="Set `maxItems` of `openaiFileResponse` to 10 or fewer.",
)
register(
    "action.files.response_items",
    Severity.WARNING,
    "`openaiFileResponse` items are neither file objects nor URLs",
    chatgpt_behaviour="Items must be objects {name, mime_type, content (base64)} or URL strings.",
    source="GPT_EDITOR.md §3.2 [GS]",
    confidence="confirmed",
    fix="Make the items file objects (name, mime_type, content) or URL strings.",
)


def request_bodies(refs: LocalRefs, ops: list[PathOperation]) -> list[BodyMedia]:
    bodies = []
    for op in ops:
        body, body_pointer = refs.deref(op.node.get("requestBody"), f"{op.pointer}/requestBody")
        bodies += [
            BodyMedia(op, media, schema, pointer) for media, schema, pointer in _contents(refs, body, body_pointer)
        ]
    return bodies


def check_bodies(refs: LocalRefs, ops: list[PathOperation], bodies: list[BodyMedia], result: ActionCheck) -> None:
    """Request bodies (objects, files, media) and responses (files, media)."""
    for body in bodies:
        op, media, schema, pointer = body.op, body.media, body.schema, body.pointer
        label = f"{op.method.upper()} {op.path}"
        _check_media(media, label, "request", pointer, result)
        if schema is None:
            continue
        types = schema_types(schema)
        if types and "object" not in types and media.startswith(("application/json", "application/x-www-form")):
            result.add(
                "action.request_body.not_object",
                f"The request body of {label} is a {'/'.join(sorted(types))}; ChatGPT needs an object "
                "schema and skips the operation. Wrap the value in an object property.",
                pointer,
            )
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        if "openaiFileIdRefs" in props:
            file_refs, refs_pointer = refs.deref(props["openaiFileIdRefs"], f"{pointer}/properties/openaiFileIdRefs")
            if isinstance(file_refs, dict) and schema_types(file_refs) and "array" not in schema_types(file_refs):
                result.add(
                    "action.files.id_refs_not_array",
                    f"openaiFileIdRefs in {label} must be `type: array` (of strings); ChatGPT sends files "
                    "only in an array.",
                    refs_pointer,
                )
            _check_file_count(
                file_refs, refs_pointer, "action.files.id_refs_too_many", limits.ACTION_FILES_PER_REQUEST_MAX, result
            )
            if op.method != "post":
                result.add(
                    "action.files.id_refs_location",
                    f"openaiFileIdRefs is in a {op.method.upper()} request ({label}); ChatGPT sends files "
                    "only in POST requests.",
                    refs_pointer,
                )
    for op in ops:
        label = f"{op.method.upper()} {op.path}"
        responses = op.node.get("responses")
        if not isinstance(responses, dict):
            continue
        for status, response in responses.items():
            resp, resp_pointer = refs.deref(response, f"{op.pointer}/responses/{escape_token(status)}")
            for media, schema, pointer in _contents(refs, resp, resp_pointer):
                _check_media(media, label, "response", pointer, result)
                props = schema.get("properties") if schema and isinstance(schema.get("properties"), dict) else {}
                if "openaiFileResponse" in props:
                    _check_file_response(
                        refs, props["openaiFileResponse"], f"{pointer}/properties/openaiFileResponse", label, result
                    )


def _contents(refs: LocalRefs, holder, pointer: str):
    """(media type, dereferenced schema or None, pointer of the schema or media entry) of a body."""
    if not isinstance(holder, dict) or not isinstance(holder.get("content"), dict):
        return
    for media, entry in holder["content"].items():
        entry_pointer = f"{pointer}/content/{escape_token(media)}"
        if not isinstance(entry, dict):
            yield str(media), None, entry_pointer
            continue
        schema, schema_pointer = refs.deref(entry.get("schema"), f"{entry_pointer}/schema")
        yield (
            str(media),
            schema if isinstance(schema, dict) else None,
            schema_pointer if isinstance(schema, dict) else entry_pointer,
        )


def _check_media(media: str, label: str, part: str, pointer: str, result: ActionCheck) -> None:
    if media.lower().startswith(("image/", "video/", "audio/")):
        result.add(
            "action.media.binary",
            f"The {part} of {label} is {media}; ChatGPT actions exchange text only. Return a URL or JSON "
            "instead (or files through openaiFileResponse).",
            pointer,
        )


def _check_file_response(refs: LocalRefs, node, pointer: str, label: str, result: ActionCheck) -> None:
    schema, pointer = refs.deref(node, pointer)
    if not isinstance(schema, dict):
        return
    if schema_types(schema) and "array" not in schema_types(schema):
        result.add(
            "action.files.response_not_array",
            f"openaiFileResponse in the response of {label} must be `type: array`; ChatGPT reads files only "
            "from an array of file objects or URLs.",
            pointer,
        )
        return
    _check_file_count(schema, pointer, "action.files.response_too_many", limits.ACTION_FILES_PER_RESPONSE_MAX, result)
    items, items_pointer = refs.deref(schema.get("items"), f"{pointer}/items")
    if isinstance(items, dict) and schema_types(items) and not schema_types(items) & {"object", "string"}:
        result.add(
            "action.files.response_items",
            f"openaiFileResponse items in {label} are {'/'.join(sorted(schema_types(items)))}; use objects "
            "{name, mime_type, content} or URL strings.",
            items_pointer,
        )


def _check_file_count(schema, pointer: str, code: str, limit: limits.Limit, result: ActionCheck) -> None:
    """An array of files whose `maxItems` promises more files than ChatGPT passes."""
    if not isinstance(schema, dict):
        return
    most = schema.get("maxItems")
    if type(most) is int and most > limit.value:
        result.add(
            code,
            f"maxItems is {brief(most)}, but ChatGPT passes at most {limit.value} files here. Set `maxItems: "
            f"{limit.value}` so that the API and the model expect what ChatGPT can do.",
            f"{pointer}/maxItems",
        )
