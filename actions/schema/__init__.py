"""OpenAPI schema engine: parsing, structural validation, GPT action rules, operation summary.

Entry points: `parse_schema(text)` (text → data + findings) and `validate_schema_text(text)`
(the full report the UI, API, export and commands show).
"""

from .parsing import ParsedSchema, parse_schema
from .report import Operation, SchemaReport, parse_and_validate_schema, validate_schema_text

__all__ = [
    "Operation",
    "ParsedSchema",
    "SchemaReport",
    "parse_and_validate_schema",
    "parse_schema",
    "validate_schema_text",
]
