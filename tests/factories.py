"""factory_boy factories. Workspaces and GPTs are built through the services, like real data."""

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
