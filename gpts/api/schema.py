"""The OpenAPI documentation of the GPT, workspace, member, knowledge file, revision and job
endpoints (gpts/api/views.py): one `api_docs` call per viewset. Error responses, ETag, If-Match
and `?strict` come from gptstudio.api.schema.StudioAutoSchema, from the viewsets' attributes."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer

from gpts.models import SLUG_MAX_LENGTH
from gptstudio.api.numbers import WHOLE_NUMBER_SCHEMA
from gptstudio.api.schema import api_docs, error_response, operation, path_parameter
from gptstudio.api.serializers import SLUG_CHARACTERS

from . import serializers as s

GPT_EXAMPLE = {
    "workspace": "acme",
    "name": "Weather Buddy",
    "description": "Answers questions about the weather.",
    "instructions": "Be brief. Use the Weather action for current conditions.",
    "conversation_starters": ["Will it rain today?", "What should I wear?"],
    "capabilities": {"web_search": True, "canvas": False, "image_generation": False, "code_interpreter": False},
    "visibility": "workspace",
}
GPT_ID_PARAMETER = path_parameter("gpt_id", description="The GPT's id.")
# A workspace slug in a URL: the SlugField alphabet. Anything else matches no route (a JSON 404)
# before it reaches the database, which for PostgreSQL would refuse a NUL with a server error.
WORKSPACE_SLUG_PATTERN = f"{SLUG_CHARACTERS}{{1,{SLUG_MAX_LENGTH}}}"
WORKSPACE_SLUG_PARAMETER = path_parameter(
    "workspace_slug", {"type": "string", "pattern": f"^{WORKSPACE_SLUG_PATTERN}$"}, "The workspace's slug."
)
EXPORT_TAG = "export and import"
IMPORT_RESULT = PolymorphicProxySerializer(
    component_name="ImportResult",
    serializers=[s.GPTImportResultSerializer, s.ChatGPTImportResultSerializer],
    resource_type_field_name=None,
)
EXAMPLE_FINDING = {
    "severity": "error",
    "code": "gpt.name.too_long",
    "message": "The name has 61 characters; ChatGPT allows 50.",
    "pointer": "/name",
    "line": None,
    "column": None,
    "hint": "",
    "fix": "Shorten the name to 50 characters or fewer.",
    "builder_reported": False,
}


def etag_header(*statuses: int) -> OpenApiParameter:
    return OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=list(statuses),
        description='The GPT\'s version, quoted: `"3"`. Send it back in If-Match.',
    )


workspace_docs = api_docs(
    "workspaces",
    list="List your workspaces",
    retrieve="Get a workspace",
    create=operation(
        "Create a workspace (you become its owner)",
        request=s.WorkspaceCreateSerializer,
        responses={201: s.WorkspaceSerializer},
    ),
    update=operation(
        "Rename a workspace (owners)",
        request=s.WorkspaceUpdateSerializer,
        responses=s.WorkspaceSerializer,
    ),
    destroy="Delete a workspace with all its GPTs (owners)",
    import_gpt=operation(
        "Import a bundle, a GPT document or ChatGPT's JSON of GPTs (editors)",
        description="multipart/form-data with `file`: a bundle zip from the `chatgpt` export or a GPT document "
        "(YAML or JSON) from the `document` export. Without `gpt` it creates a GPT (201); with `gpt` it "
        "records one new revision of that GPT (200), refused with 412 when If-Match or `version` is not its "
        "current version. Actions match by name and keep their stored secrets; secrets are never imported, so "
        "`secrets_to_enter` lists the ones to enter. Bundles are checked before anything is read (paths, "
        "symlinks, encryption, duplicates, sizes, zip bombs, unexpected files). All or nothing: a refused "
        "import (400 with `findings`, 413 when too large) writes nothing.\n\n"
        '**ChatGPT\'s own JSON of a GPT** (`{"gizmo": …, "tools": […], "files": […]}` as ChatGPT\'s editor '
        'loads it, a bare gizmo, or a list of them: a JSON array or `{"items": […]}`) is recognised from its '
        "content and answered with `kind: chatgpt` and one result per GPT. Each GPT is written on its own, all or "
        "nothing; one already imported (same ChatGPT id) gets a new revision when its version is given in "
        "`versions` (or If-Match / `version` for a file with one GPT; 412 when stale) and is otherwise not "
        "written. 201 when a GPT was created, 200 when all written were updates, 400 (with `results`) when none "
        "was written.",
        tags=[EXPORT_TAG],
        request={"multipart/form-data": s.GPTImportSerializer},
        responses={
            201: IMPORT_RESULT,
            200: IMPORT_RESULT,
            400: error_response(
                "Invalid input (`errors`), or the upload was refused: an unsafe or malformed bundle, a document "
                "that does not match the GPT document schema, or a value GPT Studio cannot save (`findings` says "
                "why and where). Nothing was written.",
                {
                    "message": "The import was refused; nothing was written. Entry '../evil.txt' has an empty, "
                    "'.' or '..' segment: refused.",
                    "code": "import_refused",
                    "findings": [
                        {
                            **EXAMPLE_FINDING,
                            "code": "import.zip.unsafe_path",
                            "message": "Entry '../evil.txt' has an empty, '.' or '..' segment: refused.",
                            "pointer": "../evil.txt",
                        }
                    ],
                },
            ),
            428: error_response(
                "ChatGPT's JSON of one GPT imported before, without the version you saw (If-Match, `version` or "
                "`versions`): nothing was written; `current_version` is the version to send.",
                {
                    "message": "GPT 'Status Helper' was imported from g-abc123 before and is at version 3: send "
                    "that version to update it (nothing was written).",
                    "code": "precondition_required",
                    "current_version": 3,
                },
            ),
            413: error_response(
                "The upload, an entry of the bundle or the bundle's expanded size is over GPT Studio's caps.",
                {
                    "message": "The import was refused; nothing was written. The bundle expands to …",
                    "code": "too_large",
                },
            ),
        },
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description='With `gpt`: the GPT version you started from (`"3"`). Mismatch: 412.',
            ),
            etag_header(200, 201, 409, 412),
        ],
    ),
)

member_docs = api_docs(
    "workspaces",
    parameters=[WORKSPACE_SLUG_PARAMETER, path_parameter("user_id", description="The member's user id.")],
    list="List a workspace's members",
    retrieve="Get a member",
    create=operation(
        "Invite a member with a role (owners)",
        description="Invites the active user with this username, or with this verified email address, to join "
        "with `role`: an invitation is emailed to their verified address, and they join when they accept it "
        "(signed in, from that address), as with the members page's invitations. Nobody becomes a member "
        "without accepting. The answer (202) is the same whether or not such a user exists, so it reveals "
        "nothing about other accounts; naming someone who is already a member is a 400.",
        request=s.MemberAddSerializer,
        responses={202: s.MemberInvitedSerializer},
        examples=[OpenApiExample("Invite an editor", value={"username": "sam", "role": "editor"}, request_only=True)],
    ),
    update=operation(
        "Change a member's role (owners)",
        request=s.MemberRoleSerializer,
        responses=s.MemberSerializer,
    ),
    destroy="Remove a member (owners)",
)

gpt_docs = api_docs(
    "gpts",
    list=operation(
        "List GPTs in your workspaces",
        description="Filter by workspace, visibility, readiness, errors and capability; search name, "
        "description and instructions; order; 50 per page by default.",
    ),
    retrieve="Get a GPT with its starters, actions and knowledge files",
    create=operation(
        "Create a GPT",
        description="Saved even with validation errors (a draft); the response carries the findings. "
        "`?strict=true` refuses to save when there are errors.",
        request=s.GPTCreateSerializer,
        responses={201: s.GPTSavedSerializer},
        examples=[OpenApiExample("A weather GPT", value=GPT_EXAMPLE, request_only=True)],
    ),
    update=operation(
        "Replace a GPT's fields",
        description="Every field is required. Send the version you started from as If-Match (or `version`).",
        request=s.GPTUpdateSerializer,
        responses=s.GPTSavedSerializer,
    ),
    partial_update=operation(
        "Change some of a GPT's fields",
        description="Send the version you started from as If-Match (or `version`): 412 if it is stale.",
        request=s.GPTUpdateSerializer,
        responses=s.GPTSavedSerializer,
        examples=[
            OpenApiExample(
                "Rename and turn on Code Interpreter",
                value={"name": "Weather Pal", "capabilities": {"code_interpreter": True}, "version": 3},
                request_only=True,
            )
        ],
    ),
    destroy="Delete a GPT (owners)",
    validate=operation(
        "Validate a GPT: every finding of its fields and actions",
        tags=["validation"],
        responses=s.GPTValidationSerializer,
    ),
    fetch_profile_picture=operation(
        "Fetch the profile picture ChatGPT's JSON named (a job; editors)",
        description="For a GPT imported from ChatGPT's JSON with a profile picture address "
        "(`chatgpt_profile_picture_url`): fetches it in the background through the safe fetcher (public "
        "addresses only, size and time capped), checks it as an uploaded picture is checked, and saves it as a "
        "new revision. Answers 202 with the job; poll `GET /api/v1/jobs/{id}/`. 400 when the GPT has no such "
        "address or the fetcher refuses it.",
        request=None,
        responses={202: s.JobSerializer},
    ),
    knowledge_pending_clear=operation(
        "Mark knowledge files named by ChatGPT as uploaded (editors)",
        description="A GPT imported from ChatGPT's JSON lists the knowledge files ChatGPT named only by id "
        "(`chatgpt_pending_knowledge`), reported as a warning until done. Clears the given `file_ids`, or all "
        "of them. Not a change of the GPT's document: no revision, no version.",
        request=s.GPTKnowledgePendingClearSerializer,
        responses={200: s.GPTDetailSerializer},
    ),
    migration=operation(
        "Migration report: what carries over to plugins, skills, tools and MCP",
        description="For every bridge target (agent-skill, agent-plugin, openai-tools, mcp-server): what carries "
        "over, the manual steps (keys as environment variables, hosting and registering the MCP server, OAuth "
        "proxy, starters past 3, model choice, knowledge review), what is lost, and each target's export "
        "findings (the plugin directory's limits, the tool conversion). `mcp_url` is read as in the export.",
        tags=[EXPORT_TAG],
        parameters=[
            OpenApiParameter(
                "mcp_url",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description="The MCP server URL the plugin export would name (changes the mcp.json step).",
            )
        ],
        responses={200: s.GPTMigrationSerializer},
    ),
    export=operation(
        "Export a GPT (download)",
        description="Streams the export as a file (`Content-Disposition: attachment`): `target=chatgpt` is the "
        "zip to rebuild the GPT in ChatGPT's editor (PASTE_GUIDE.md, gpt.yaml, instructions, starters, each "
        "action's schema and authentication notes, the knowledge files); `target=document` is the GPT document "
        "alone, YAML or JSON, for git. The bridge targets leave ChatGPT: `agent-skill` (a zip with SKILL.md and "
        "the knowledge files), `agent-plugin` (Agent Plugins 1.0: plugin.json, the skill, and mcp.json when the "
        "GPT has actions and `mcp_url` is given), `openai-tools` (tools.json + dispatch.json); each holds "
        "migration.md. Any member may export. A GPT with validation errors is refused with 409 and the findings "
        "unless `force=true` (the guide then lists them first); the `document` and bridge targets never refuse. "
        "Secrets are never exported.",
        tags=[EXPORT_TAG],
        parameters=[
            # The query serializer validates; these document it, with examples generated requests start from.
            OpenApiParameter(
                "target",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                enum=s.EXPORT_TARGETS,
                description=s.GPTExportQuerySerializer().fields["target"].help_text,
                examples=[
                    OpenApiExample("The ChatGPT bundle", value="chatgpt"),
                    OpenApiExample("The GPT document", value="document"),
                ],
            ),
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=s.EXPORT_FORMATS,
                description=s.GPTExportQuerySerializer().fields["format"].help_text,
                examples=[OpenApiExample("YAML", value="yaml"), OpenApiExample("JSON", value="json")],
            ),
            OpenApiParameter(
                "mcp_url",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description=s.GPTExportQuerySerializer().fields["mcp_url"].help_text,
            ),
            OpenApiParameter(
                "force",
                OpenApiTypes.BOOL,
                OpenApiParameter.QUERY,
                description="Export even when the GPT has validation errors. Default false: 409 with the findings.",
            ),
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="The ETag of an export you already have: 304 (no body) while it is still current.",
            ),
            OpenApiParameter(
                "ETag",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200, 304],
                description="This export: the GPT's version, the target, the format and whether forced, e.g. "
                '`W/"3-chatgpt-zip"`. Send it as If-None-Match to download again only after a change.',
            ),
            OpenApiParameter(
                "Content-Disposition",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200],
                description='`attachment; filename="<gpt-slug>.chatgpt.zip"` (or `.gpt.yaml`, `.gpt.json`).',
            ),
        ],
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The export: a zip (`chatgpt`), or the GPT document (`document`)."
            ),
            (200, "application/yaml"): OpenApiResponse(s.GPTDocumentSerializer),
            (200, "application/json"): OpenApiResponse(s.GPTDocumentSerializer),
            304: OpenApiResponse(description="Not modified: the export named in If-None-Match is still current."),
            400: error_response(
                "An unknown target or format, a format the target does not write, or a `force` that is not "
                "true or false; `errors` lists the allowed values.",
                {
                    "message": "Invalid input: see `errors`.",
                    "code": "invalid",
                    "errors": {"target": ["“zip” is not an export target; choose one of: chatgpt, document."]},
                },
            ),
            409: error_response(
                "The GPT has validation errors (`findings`) and `force` was not true: nothing was exported.",
                {
                    "message": "This GPT has 1 validation error(s); fix them, or export anyway with force=true.",
                    "code": "export_refused",
                    "findings": [EXAMPLE_FINDING],
                },
            ),
        },
    ),
)

knowledge_file_docs = api_docs(
    "knowledge",
    parameters=[GPT_ID_PARAMETER],
    list="List a GPT's knowledge files",
    retrieve="Get a knowledge file's metadata",
    create=operation(
        "Upload a knowledge file",
        description="multipart/form-data with `file`. ChatGPT's limits apply: at most "
        "20 files per GPT and 512 MB per file (413 when larger).",
        request={"multipart/form-data": s.KnowledgeUploadSerializer},
        responses={201: s.KnowledgeFileSerializer},
    ),
    destroy="Delete a knowledge file",
)

revision_docs = api_docs(
    "revisions",
    parameters=[GPT_ID_PARAMETER, path_parameter("number", description="The revision number.")],
    list="List a GPT's revisions, newest first",
    retrieve=operation(
        "Get a revision with its document",
        description="An action's schema text is in `document` when it changed in this revision; unchanged ones "
        "are null (see `schemas` for their hash and size) unless `?include=schemas` asks for every text.",
        parameters=[
            OpenApiParameter(
                "include",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=["schemas"],
                description="`schemas`: every action's schema text, so `document` is complete.",
            )
        ],
    ),
    diff=operation(
        "Compare a revision with another",
        description="What changed from revision `against` (default: the one before) to this one.",
        parameters=[
            OpenApiParameter(
                "against",
                WHOLE_NUMBER_SCHEMA,
                OpenApiParameter.QUERY,
                description="The revision number to compare with.",
            )
        ],
        responses=s.RevisionDiffSerializer,
    ),
    restore=operation(
        "Restore a revision (as a new revision)",
        description="Makes the whole GPT what it was at that revision, recorded as one new revision (the history "
        "keeps everything): its fields, conversation starters, capabilities, actions and knowledge files. An action "
        "added since is deleted; one deleted since is re-created with the revision's schema and authentication "
        "settings, and with the secret it had when it was removed (kept encrypted for the GPT's lifetime, never in "
        "revisions; an OAuth client secret only for the same client ID). A secret cleared on purpose stays "
        "cleared, so `secrets_to_enter` lists every secret the restored GPT lacks and must be entered again. A "
        "knowledge file comes back when its bytes are still stored. Send the GPT version you started from as "
        "If-Match (or `version`).",
        request=s.RevisionRestoreSerializer,
        responses={200: s.GPTRestoredSerializer},
        parameters=[
            OpenApiParameter(
                "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="The GPT version you started from."
            )
        ],
    ),
)

job_docs = api_docs(
    "jobs",
    list="List jobs (schema imports and other slow work)",
    retrieve="Get a job's status and result",
)
