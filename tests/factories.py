"""factory_boy factories. Workspaces and GPTs are built through the services, like real data."""

import json
import random

import factory
from django.contrib.auth import get_user_model

from actions.services import action_create
from gpts import services

WEATHER_SCHEMA = """{
  "openapi": "3.1.0",
  "info": {"title": "Weather", "version": "1.0.0"},
  "servers": [{"url": "https://api.weather.example.com"}],
  "paths": {
    "/current": {
      "get": {
        "operationId": "getCurrent",
        "summary": "Current weather",
        "parameters": [{"name": "city", "in": "query", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "OK"}}
      }
    }
  }
}
"""


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def verify_email(user, email=None):
    """Record `email` (default: the user's) as a verified address, as allauth does on confirmation."""
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.create(user=user, email=email or user.email, verified=True, primary=email is None)


def make_workspace(owner=None, name="Acme"):
    return services.workspace_create(name=name, owner=owner or UserFactory())


def make_gpt(workspace=None, actor=None, **fields):
    workspace = workspace or make_workspace(owner=actor)
    actor = actor or workspace.memberships.first().user
    fields.setdefault("name", "Helper")
    return services.gpt_create(workspace=workspace, actor=actor, **fields)


def make_action(gpt, actor=None, **fields):
    actor = actor or gpt.created_by
    fields.setdefault("name", "Weather")
    fields.setdefault("schema_text", WEATHER_SCHEMA)
    return action_create(gpt=gpt, actor=actor, **fields)


CALENDAR_SCHEMA = """openapi: 3.1.0
info:
  title: Calendar
  version: 1.0.0
servers:
  - url: https://calendar.example.org/v1
paths:
  /events:
    get:
      operationId: listEvents
      summary: List events\x20\x20\x20
      responses:
        "200":
          description: OK


"""

NOTES_SCHEMA = """{"openapi": "3.0.3", "info": {"title": "Notes", "version": "1"},
 "servers": [{"url": "https://notes.example.net"}],
 "paths": {"/notes": {"post": {"operationId": "addNote", "summary": "Add a note",
   "responses": {"200": {"description": "OK"}}}}}}"""

RICH_INSTRUCTIONS = """You are Planner.
  - Indented line with trailing spaces\x20\x20\x20
\tTabbed line: "quotes", 'single', #hash, key: value

Unicode: café — 😀
"""


def make_rich_gpt(workspace, actor, *, api_key="", client_secret=""):
    """A GPT using every part of the document: multi-line text, starters, capabilities, and three
    actions (no auth, custom-header API key, OAuth) with optional stored secrets."""
    gpt = services.gpt_create(
        workspace=workspace,
        actor=actor,
        name="Planner",
        description="Plans your week: weather, calendar and notes.",
        instructions=RICH_INSTRUCTIONS,
        conversation_starters=["What's on today?", "Plan my week", "Yes"],
        capabilities={"web_search": False, "canvas": True, "image_generation": False, "code_interpreter": True},
        recommended_model="GPT-5.1",
        visibility="gpt_store",
        category="Productivity",
        use_conversation_data=False,
    )
    action_create(
        gpt=gpt,
        actor=actor,
        name="Weather",
        schema_text=WEATHER_SCHEMA,
        privacy_policy_url="https://api.weather.example.com/privacy",
    )
    action_create(
        gpt=gpt,
        actor=actor,
        name="Calendar",
        schema_text=CALENDAR_SCHEMA,
        privacy_policy_url="https://calendar.example.org/privacy",
        auth_type="api_key",
        api_key_auth_type="custom",
        api_key_custom_header="X-Api-Key",
        api_key=api_key,
    )
    action_create(
        gpt=gpt,
        actor=actor,
        name="Notes",
        schema_text=NOTES_SCHEMA,
        privacy_policy_url="https://notes.example.net/privacy",
        auth_type="oauth",
        oauth_client_id="client-123",
        oauth_authorization_url="https://notes.example.net/oauth/authorize",
        oauth_token_url="https://notes.example.net/oauth/token",
        oauth_scope="notes.read notes.write",
        oauth_token_exchange_method="basic_auth_header",
        oauth_client_secret=client_secret,
    )
    gpt.refresh_from_db()
    return gpt


def big_schema(target_bytes: int, *, seed: int, title: str = "Big") -> str:
    """A valid OpenAPI schema of about `target_bytes`, with seeded random descriptions so that
    no database compression (PostgreSQL's TOAST) can hide a second copy."""
    rng = random.Random(seed)
    paths = {}
    size = 0
    n = 0
    while size < target_bytes:
        words = " ".join(f"{rng.getrandbits(64):016x}" for _ in range(40))
        paths[f"/items{n}"] = {"get": {"operationId": f"getItem{n}", "description": words, "responses": {}}}
        size += len(words) + 80
        n += 1
    document = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1.0.0"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": paths,
    }
    return json.dumps(document, indent=1)
