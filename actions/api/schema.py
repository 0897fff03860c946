"""The OpenAPI documentation of the action and schema validation endpoints (actions/api/views.py):
one `api_docs` call per view. Error responses, ETag, If-Match and `?strict` come from
gptstudio.api.schema.StudioAutoSchema, from the viewset's attributes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter

from gpts.api.serializers import JobSerializer
from gptstudio.api.schema import api_docs, operation

from . import serializers as s

WEATHER_SCHEMA_EXAMPLE = (
    '{"openapi": "3.1.0", "info": {"title": "Weather", "version": "1.0.0"}, '
    '"servers": [{"url": "https://api.weather.example.com"}], '
    '"paths": {"/current": {"get": {"operationId": "getCurrent", "summary": "Current weather", '
    '"responses": {"200": {"description": "OK"}}}}}}'
)
ACTION_EXAMPLE = {
    "gpt": 1,
    "name": "Weather",
    "schema_text": WEATHER_SCHEMA_EXAMPLE,
    "privacy_policy_url": "https://weather.example.com/privacy",
    "auth_type": "api_key",
    "api_key_auth_type": "bearer",
    "api_key": "the-key-from-your-provider",
}
HEAVY_NOTE = (
    " A schema over the synchronous cap (`SCHEMA_SYNC_MAX_BYTES`, 128 KiB by default) is handled by a job "
    "instead: the answer is 202 with the job (its `Location` header is the job's URL); poll "
    "`GET /api/v1/jobs/{id}/` until `status` is `succeeded` or `failed`. At most `HEAVY_JOBS_PER_USER` (2) "
    "such jobs per user may wait or run at once; one more is a 429."
)
SAVE_JOB_NOTE = (
    " The job's `result` then holds `action_id`, `action_version` and `validation` (the schema report); an "
    "edit saved in between fails it with `result.conflict`, as a 409 would."
)
UPDATE_JOB_NOTE = " On update the saved schema decides: a change that keeps a large schema is a job too."
ASYNC_PARAMETER = OpenApiParameter(
    "async", bool, description="true: run the call as a job and answer 202 with it (default false)."
)
CALL_EXAMPLE = {"operation": "getCurrent", "arguments": {"city": "Berlin"}}


action_docs = api_docs(
    "actions",
    list="List actions in your workspaces",
    retrieve="Get an action with its schema text",
    create=operation(
        "Add an action to a GPT",
        description="Secrets are write-only. Saved even when the schema has errors (the response carries "
        "the findings); `?strict=true` refuses to save then." + HEAVY_NOTE + SAVE_JOB_NOTE,
        request=s.ActionCreateSerializer,
        responses={201: s.ActionSavedSerializer, 202: JobSerializer},
        examples=[OpenApiExample("An action with an API key", value=ACTION_EXAMPLE, request_only=True)],
    ),
    update=operation(
        "Replace an action",
        description="Every field but the secrets is required; send the version as If-Match (or `version`)."
        + HEAVY_NOTE
        + SAVE_JOB_NOTE
        + UPDATE_JOB_NOTE,
        request=s.ActionUpdateSerializer,
        responses={200: s.ActionSavedSerializer, 202: JobSerializer},
    ),
    partial_update=operation(
        "Change some of an action's fields",
        description=HEAVY_NOTE.strip() + SAVE_JOB_NOTE + UPDATE_JOB_NOTE,
        request=s.ActionUpdateSerializer,
        responses={200: s.ActionSavedSerializer, 202: JobSerializer},
        examples=[
            OpenApiExample("Rotate the API key", value={"api_key": "the-new-key", "version": 2}, request_only=True)
        ],
    ),
    destroy="Delete an action",
    validate=operation(
        "Validate a saved action's schema",
        description="The schema report. A schema over the synchronous cap whose report is not cached yet is "
        "checked by a job: 202 with the job, whose `result` is the report." + HEAVY_NOTE,
        tags=["validation"],
        responses={200: s.SchemaReportSerializer, 202: JobSerializer},
    ),
    import_schema=operation(
        "Import a schema from a URL (a job)",
        description="Fetches the schema in the background (safe fetcher: public addresses only, size and time "
        "capped, redirects re-checked) and creates an action, or replaces `action`'s schema. Answers 202 with "
        "the job; poll `GET /api/v1/jobs/{id}/` for its status and result.",
        request=s.SchemaImportSerializer,
        responses={202: JobSerializer},
        examples=[
            OpenApiExample(
                "Import a new action",
                value={"gpt": 1, "url": "https://api.weather.example.com/openapi.json"},
                request_only=True,
            )
        ],
    ),
    call=operation(
        "Call one of the action's operations (a test call)",
        description="Builds the request from the operation (arguments validated against its input schema), adds "
        "the stored credential and sends it through the safe fetcher to the action's `base_url_override` or the "
        "schema's server; 45 s deadline, response cut at 100,000 characters. Editors and owners only; "
        "throttled per user (`ACTION_CALL_THROTTLE_RATE`). Refusals answer 400 with a `runner.*` `code` and a "
        "`pointer` into the arguments; an API that cannot be reached 502. `?async=true` answers 202 with a job "
        "(kind `action_test`) whose `result` holds the same response (poll `GET /api/v1/jobs/{id}/`).",
        request=s.ActionCallSerializer,
        responses={200: s.ActionCallResultSerializer, 202: JobSerializer},
        parameters=[ASYNC_PARAMETER],
        examples=[OpenApiExample("Call an operation", value=CALL_EXAMPLE, request_only=True)],
    ),
    operations=operation(
        "List the action's operations as tools",
        description="The names, input schemas and hints test calls and the hosted MCP endpoint use; `problem` "
        "says why an operation cannot be called.",
        responses=s.ActionOperationSerializer(many=True),
    ),
)

schema_validate_docs = api_docs(
    "validation",
    post=operation(
        "Validate an OpenAPI schema text without saving",
        description="The schema report (200). A schema over the synchronous cap is checked by a job instead: "
        "202 with the job, whose `result` is the same report; the job is visible to you only." + HEAVY_NOTE,
        request=s.SchemaTextSerializer,
        responses={200: s.SchemaReportSerializer, 202: JobSerializer},
        examples=[OpenApiExample("A small schema", value={"schema_text": WEATHER_SCHEMA_EXAMPLE}, request_only=True)],
    ),
)
