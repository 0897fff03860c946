"""OpenAPI schema engine: parsing, structural validation, GPT action rules, operation summary.

Entry points: `parse_schema(text)` (text → data + findings) and `validate_schema_text(text)`
(the full report the UI, API, export and commands show); `python -m actions.schema PATH` is its CLI.

The engine imports nothing from Django or the apps, so the CLI starts in a fraction of Django's time.
The names below are loaded on first use, so importing one submodule (`actions.schema.findings`, as
`gptstudio.findings` does) does not load the parsers and rules too.
"""

import importlib

_EXPORTS = {
    "Operation": "report",
    "ParsedSchema": "parsing",
    "SchemaReport": "report",
    "parse_and_validate_schema": "report",
    "parse_schema": "parsing",
    "validate_schema_text": "report",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_EXPORTS})
