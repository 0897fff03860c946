"""ChatGPT's JSON of a GPT as its editor loads it (`/backend-api/gizmos/<g-id>`), in the shapes of
MIGRATION.md §8, for the import page's tests (tests/gpts and tests/browser)."""

from __future__ import annotations

import copy
import json

from tests.factories import WEATHER_SCHEMA

GIZMO_ID = "g-WeAtHeR123"


def gizmo_json(*, instructions: str = "Answer questions about the weather.", gizmo_id: str = GIZMO_ID) -> dict:
    return {
        "gizmo": {
            "id": gizmo_id,
            "organization_id": "org-abc",
            "short_url": f"{gizmo_id}-weather-helper",
            "author": {"user_id": "user-jane", "display_name": "Jane Doe", "link_to": None},
            "voice": {"id": "ember"},
            "workspace_id": None,
            "model": None,
            "instructions": instructions,
            "settings": {},
            "display": {
                "name": "Weather Helper",
                "description": "Forecasts for any city.",
                "welcome_message": "Hello! Ask me about the weather.",
                "prompt_starters": ["Will it rain today?", "Weekend forecast"],
                "profile_picture_url": "https://files.oaiusercontent.com/file-pic?se=2026",
                "categories": ["productivity"],
            },
            "share_recipient": "private",
            "updated_at": "2026-11-30T10:00:00.000000+00:00",
            "tags": ["private"],
            "version": 4,
            "live_version": 4,
            "training_disabled": False,
            "allowed_sharing_recipients": ["private", "link", "marketplace"],
            "current_user_permission": {
                "can_read": True,
                "can_view_config": True,
                "can_write": True,
                "can_delete": True,
                "can_export": False,
                "can_share": True,
            },
            "gizmo_type": "gpt",
        },
        "tools": [
            {"id": "gzmtid_1", "type": "browser", "settings": None, "metadata": None},
            {
                "id": "gzmtid_2",
                "type": "plugins_prototype",
                "settings": {},
                "metadata": {
                    "action_id": "g-act-1",
                    "domain": "api.weather.example.com",
                    "raw_spec": None,
                    "json_schema": json.loads(WEATHER_SCHEMA),
                    "auth": {
                        "type": "service_http",
                        "authorization_type": "bearer",
                        "custom_auth_header": "Authorization",
                        "verification_tokens": {},
                        "instructions": "",
                    },
                    "privacy_policy_url": "https://weather.example.com/privacy",
                },
            },
        ],
        "files": [{"id": "gzmfid_1", "type": "text/plain", "file_id": "file-8kJhAbC", "location": ""}],
        "product_features": {},
    }


def project_json() -> dict:
    """A ChatGPT Project: looks like a GPT, but is not one."""
    project = copy.deepcopy(gizmo_json(gizmo_id="g-p-0123456789"))
    project["gizmo"]["gizmo_type"] = "snorlax"
    project["gizmo"]["display"]["name"] = "Team project"
    return project


def as_text(value) -> str:
    return json.dumps(value, indent=2)
