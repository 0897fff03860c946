"""OpenAPI schema engine: parsing, structural validation, GPT action rules, operation summary.

`parse_schema(text)` is the entry point for turning schema text into data plus findings.
"""

from .parsing import ParsedSchema, parse_schema

__all__ = ["ParsedSchema", "parse_schema"]
