"""Schema text → data. (Foundation version: safe JSON/YAML loading; the schema engine issue adds
line maps, bomb and duplicate-key protection and findings.)"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import yaml

from actions.domain import detect_schema_format


@dataclass
class ParsedSchema:
    data: object
    format: str
    findings: list = field(default_factory=list)


def parse_schema(text: str) -> ParsedSchema:
    fmt = detect_schema_format(text)
    try:
        data = json.loads(text) if fmt == "json" else yaml.load(text, Loader=yaml.CSafeLoader)
    except (ValueError, yaml.YAMLError, RecursionError):
        data = None
    return ParsedSchema(data=data, format=fmt)
