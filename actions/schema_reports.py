"""Schema reports through Django's cache: the schema engine itself knows no Django."""

from __future__ import annotations

from django.core.cache import cache

from actions.schema import report
from actions.schema.report import SCHEMA_REPORT_CACHE_SECONDS, SchemaReport, schema_cache_key


def validate_schema_text_cached(text: str) -> SchemaReport:
    """`validate_schema_text` through Django's cache (local memory, or Redis when REDIS_URL is set).
    Keyed by the text's hash and the rules' fingerprint, so an edited schema is never served a stale report."""
    key = schema_cache_key(text)
    cached = cache.get(key)
    if cached is None:
        cached = report.validate_schema_text(text)
        cache.set(key, cached, timeout=SCHEMA_REPORT_CACHE_SECONDS)
    return cached
