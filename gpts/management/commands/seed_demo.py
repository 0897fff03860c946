"""Demo data for a fresh install: a user, a workspace and two realistic GPTs. Idempotent.

The demo user is a superuser whose password is printed here and in the README (and docs/REFERENCE.md), so the command
runs only with DEBUG on (`make run`'s local settings) unless `--force` says the install is a
throwaway. It never takes over a `demo` workspace that someone else owns.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actions.services import action_create
from gpts import services
from gpts.models import Membership, Workspace

DEMO_DIR = Path(__file__).resolve().parent.parent.parent / "demo"
DEMO_USERNAME = "demo"
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "gpt-studio-demo"
DEMO_WORKSPACE_SLUG = "demo"

WEATHER_INSTRUCTIONS = """You are Weather Buddy, a friendly forecaster.
- Always call getCurrentWeather or getForecast before answering; never guess the weather.
- Ask for a city if the user gave none.
- Give temperatures in °C and °F, and say what to wear.
- Keep answers under 120 words unless the user asks for detail."""

CALENDAR_INSTRUCTIONS = """You are Calendar Helper. You read and add events in the user's Google Calendar.
- Use listEvents to answer questions about the user's schedule.
- Before createEvent, read the title, date, time and duration back to the user and wait for a yes.
- Use the user's time zone; ask for it if unknown."""


class Command(BaseCommand):
    help = "Create the demo user, workspace and two GPTs (safe to run again). Needs DEBUG on, or --force."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off. The demo user is a superuser with a published password: "
            "only for a throwaway demo server.",
        )
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000",
            help="Where the server will listen, for the login link this prints (make run passes its PORT).",
        )

    @transaction.atomic
    def handle(self, *args, force=False, url="http://127.0.0.1:8000", **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                f"seed_demo creates a superuser whose password ({DEMO_PASSWORD}) is published, so it runs only "
                "with DEBUG on (make run's local settings). Pass --force to seed this install anyway."
            )
        User = get_user_model()
        user, created_user = User.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": DEMO_EMAIL, "is_staff": True, "is_superuser": True}
        )
        if created_user:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        workspace = Workspace.objects.filter(slug=DEMO_WORKSPACE_SLUG).first()
        if workspace is None:
            workspace = services.workspace_create(name="Demo Workspace", owner=user, slug=DEMO_WORKSPACE_SLUG)
        elif not workspace.memberships.filter(user=user, role=Membership.Role.OWNER).exists():
            # Someone else's workspace that happens to be called "demo": its members and GPTs are
            # theirs. Stop (the transaction undoes the demo user too) rather than join it as owner.
            raise CommandError(
                f"A workspace with the slug “{DEMO_WORKSPACE_SLUG}” already exists (“{workspace.name}”) and "
                f"the {DEMO_USERNAME} user does not own it; seed_demo will not take it over. Nothing was written."
            )

        created = []
        if not workspace.gpts.filter(slug="weather-buddy").exists():
            gpt = services.gpt_create(
                workspace=workspace,
                actor=user,
                name="Weather Buddy",
                slug="weather-buddy",
                description="Current weather and 10-day forecasts for any city, with what to wear.",
                instructions=WEATHER_INSTRUCTIONS,
                conversation_starters=[
                    "What's the weather in Lisbon right now?",
                    "Will it rain in Tokyo this weekend?",
                    "What should I pack for Oslo next week?",
                ],
                capabilities={
                    "web_search": False,
                    "canvas": False,
                    "image_generation": False,
                    "code_interpreter": False,
                },
                visibility="link",
                category="Lifestyle",
            )
            action_create(
                gpt=gpt,
                actor=user,
                name="Weather API",
                schema_text=(DEMO_DIR / "weather_openapi.yaml").read_text(),
                privacy_policy_url="https://weatherapi.example.com/privacy",
                auth_type="api_key",
                api_key_auth_type="custom",
                api_key_custom_header="X-Api-Key",
                api_key="demo-weather-key-not-real",
            )
            services.gpt_set_mcp_enabled(gpt=gpt, actor=user, enabled=True)
            created.append(gpt.name)
        if not workspace.gpts.filter(slug="calendar-helper").exists():
            gpt = services.gpt_create(
                workspace=workspace,
                actor=user,
                name="Calendar Helper",
                slug="calendar-helper",
                description="Reads your Google Calendar and adds events after confirming them with you.",
                instructions=CALENDAR_INSTRUCTIONS,
                conversation_starters=["What's on my calendar tomorrow?", "Book a 30-minute focus block on Friday."],
                capabilities={
                    "web_search": False,
                    "canvas": True,
                    "image_generation": False,
                    "code_interpreter": False,
                },
                visibility="workspace",
                category="Productivity",
            )
            action_create(
                gpt=gpt,
                actor=user,
                name="Google Calendar",
                schema_text=(DEMO_DIR / "calendar_openapi.json").read_text(),
                privacy_policy_url="https://policies.google.com/privacy",
                auth_type="oauth",
                oauth_client_id="1234567890-demo.apps.googleusercontent.com",
                oauth_client_secret="demo-client-secret-not-real",
                oauth_authorization_url="https://accounts.google.com/o/oauth2/auth",
                oauth_token_url="https://oauth2.googleapis.com/token",
                oauth_scope="https://www.googleapis.com/auth/calendar.events",
                oauth_token_exchange_method="default_post",
            )
            services.gpt_set_mcp_enabled(gpt=gpt, actor=user, enabled=True)
            created.append(gpt.name)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Created: {', '.join(created) if created else 'nothing new (already seeded)'}.\n"
                f"Log in at {url.rstrip('/')}/accounts/login/ (and /admin/) as {DEMO_USERNAME} / {DEMO_PASSWORD}\n"
                f"MCP servers (send a personal API token as Bearer): {url.rstrip('/')}/mcp/{DEMO_WORKSPACE_SLUG}/"
                "weather-buddy/ and .../calendar-helper/"
            )
        )
