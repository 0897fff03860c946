"""Request parsers: strict JSON (orjson) with a size cap, and multipart uploads with a size cap.

DRF's own JSON parser reads bodies of any size and accepts lone UTF-16 surrogates, which
PostgreSQL then refuses with a server error; orjson rejects both malformed UTF-8 and lone
surrogates, and the caps answer 413 before a byte is parsed. A key sent twice in one object is a
400 naming it: every JSON parser keeps one of the two silently.
"""

from __future__ import annotations

import json

import orjson
from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from gptstudio import limits

from .errors import PayloadTooLarge

# Room for the multipart framing and the other form fields around the file.
MULTIPART_OVERHEAD_BYTES = 1024 * 1024


def _declared_length(parser_context) -> int | None:
    request = parser_context.get("request") if parser_context else None
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else None
    except ValueError:
        return None


class StrictJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        declared = _declared_length(parser_context)
        if declared is not None and declared > limit:
            raise PayloadTooLarge(f"The JSON body is {declared} bytes; the limit is {limit} bytes.")
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"The JSON body is larger than the limit of {limit} bytes.")
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"JSON parse error: {exc}") from None
        if isinstance(data, dict | list):
            # orjson keeps the last of two equal keys and cannot say; the standard parser's
            # object_pairs_hook sees every pair (the text is already known to be valid JSON).
            json.loads(raw, object_pairs_hook=_refuse_duplicate_keys)
        return data


def _refuse_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        seen: set[str] = set()
        repeated = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ValidationError({repeated: ["Sent twice in the same JSON object; send it once."]})
    return obj


def upload_max_bytes() -> int:
    """The largest knowledge file (ChatGPT's limit)."""
    return limits.GPT_KNOWLEDGE_FILE_MAX_BYTES.value


def import_max_bytes() -> int:
    """The largest upload to import: a bundle expands to at most this, so its zip is no larger."""
    return limits.STUDIO_BUNDLE_MAX_TOTAL_BYTES


class SizeLimitedMultiPartParser(parsers.MultiPartParser):
    """Refuses (413) a body larger than one knowledge file may be, before streaming it to disk."""

    def max_file_bytes(self) -> int:
        return upload_max_bytes()

    def too_large_message(self, declared: int) -> str:
        return f"The upload is {declared} bytes; ChatGPT accepts knowledge files up to {upload_max_bytes()} bytes."

    def parse(self, stream, media_type=None, parser_context=None):
        declared = _declared_length(parser_context)
        if declared is not None and declared > self.max_file_bytes() + MULTIPART_OVERHEAD_BYTES:
            raise PayloadTooLarge(self.too_large_message(declared))
        return super().parse(stream, media_type, parser_context)


class ImportMultiPartParser(SizeLimitedMultiPartParser):
    """The import upload: a bundle zip or a GPT document, capped at `import_max_bytes()`."""

    def max_file_bytes(self) -> int:
        return import_max_bytes()

    def too_large_message(self, declared: int) -> str:
        return f"The upload is {declared} bytes; GPT Studio imports bundles of up to {import_max_bytes()} bytes."
