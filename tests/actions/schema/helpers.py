"""Building blocks for schema tests: a valid action schema and ways to change one part of it."""

import copy
import io
import json

from django.core.management import call_command

BASE_SCHEMA = {
    "openapi": "3.1.0",
    "info": {"title": "Weather", "version": "1.0.0"},
    "servers": [{"url": "https://api.weather.example.com/v1"}],
    "paths": {
        "/current": {
            "get": {
                "operationId": "getCurrent",
                "summary": "Current weather",
                "parameters": [
                    {"name": "city", "in": "query", "required": True, "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "OK"}},
            }
        },
        "/alerts": {
            "post": {
                "operationId": "createAlert",
                "summary": "Create an alert",
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"type": "object", "properties": {"city": {"type": "string"}}}}
                    }
                },
                "responses": {"201": {"description": "Created"}},
            }
        },
    },
}


def schema_data(change=None) -> dict:
    """A deep copy of the base schema, passed through `change(data)` (which edits it in place)."""
    data = copy.deepcopy(BASE_SCHEMA)
    if change is not None:
        change(data)
    return data


def schema_text(change=None) -> str:
    return json.dumps(schema_data(change), indent=2)


def get_op(data) -> dict:
    return data["paths"]["/current"]["get"]


def post_op(data) -> dict:
    return data["paths"]["/alerts"]["post"]


def codes(report) -> set[str]:
    return {f.code for f in report.findings}


def run_validate_schema(*args) -> tuple[int, str, str]:
    """`manage.py validate_schema ARGS` through call_command: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("validate_schema", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()
