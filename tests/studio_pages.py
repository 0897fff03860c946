"""Every URL of the browser studio, enumerated from the URL configuration, with a small world of
data to fill its parameters. Used by the page-wide checks (no inline code, labels on every
control): a new page is checked as soon as it is routed, without anyone adding it to a list."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from gpts import services
from gpts.models import Job
from gptstudio import services as token_services
from tests.factories import WEATHER_SCHEMA, UserFactory, make_action, make_gpt, make_workspace

# The studio's own URL namespaces, plus the account pages (allauth, in the site layout).
STUDIO_NAMESPACES = ("gpts", "actions", "gpts_export")
STUDIO_NAMES = ("rules", "styleguide")
ACCOUNT_PREFIXES = ("account_", "mfa_")


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "gpts:gpt_edit"
    params: tuple[str, ...]


def studio_routes() -> list[Route]:
    routes = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                ours = namespace in STUDIO_NAMESPACES or name in STUDIO_NAMES
                if ours or (namespace is None and pattern.name.startswith(ACCOUNT_PREFIXES)):
                    routes.append(Route(name, tuple(pattern.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns, None)
    return sorted(set(routes), key=lambda r: r.name)


@dataclass
class World:
    """One workspace with everything a studio page can show: a GPT (imported from ChatGPT) with an
    action, a knowledge file and two revisions, a member, an open invitation, an API token and an import job.
    The owner is staff, so the staff-only style guide is walked like every other page."""

    owner: object
    workspace: object
    gpt: object
    action: object
    member: object
    kwargs: dict = field(default_factory=dict)

    def url(self, route: Route) -> str:
        return reverse(route.name, kwargs={p: self.kwargs[p] for p in route.params})

    def post_data(self) -> dict:
        """One body that every studio form accepts (each reads the keys it knows)."""
        return {
            "version": self.gpt.version,
            "name": "Posted",
            "visibility": "invite_only",
            "schema_text": WEATHER_SCHEMA,
            "auth_type": "none",
            "url": "https://127.0.0.1/openapi.json",  # refused by the fetcher before any network
            "email": "someone.new@example.com",
            "role": "editor",
            "expires_in": "30",
        }


def make_world() -> World:
    # Fixed names, so the screenshots of these pages (tests/browser/test_responsive.py) are the same each run.
    owner = UserFactory(username="ada", is_staff=True)
    workspace = make_workspace(owner=owner, name="Acme")
    member = UserFactory(username="grace")
    services.membership_set(workspace=workspace, user=member, role="editor")
    gpt = make_gpt(workspace=workspace, actor=owner, name="Weather Buddy", conversation_starters=["Hi"])
    action = make_action(gpt, actor=owner)
    knowledge = services.knowledge_file_add(gpt=gpt, actor=owner, upload=SimpleUploadedFile("notes.txt", b"hello"))
    # Rescued from ChatGPT, so the editor shows its origin, pending knowledge and picture fetch too.
    services.gpt_chatgpt_identity_set(
        gpt=gpt,
        chatgpt_id="g-WorldGPT001",
        profile_picture_url="https://127.0.0.1/picture.png",  # refused by the fetcher before any network
        knowledge_file_ids=["file-World001"],
        imported_at=timezone.now(),
    )
    gpt.refresh_from_db()
    invitation, invitation_token = services.invitation_create(
        workspace=workspace, email="invited@example.com", role="viewer", invited_by=owner
    )
    api_token = token_services.token_create(user=owner, name="script").token
    job = Job.objects.create(workspace=workspace, gpt=gpt, kind=Job.Kind.SCHEMA_IMPORT)
    world = World(owner=owner, workspace=workspace, gpt=gpt, action=action, member=member)
    world.kwargs = {
        "ws": workspace.slug,
        "gpt": gpt.slug,
        "action": action.slug,
        "job_id": job.pk,
        "operation": "getCurrent",
        "token": invitation_token,
        "number": 1,
        "file_id": knowledge.pk,
        "user_id": member.pk,
        "invitation_id": invitation.pk,
        "target": "chatgpt",
        "token_id": api_token.pk,
        "key": "no-such-key",
        "uidb36": "zz",
    }
    return world


DATA_SCRIPT_TYPES = ("application/json", "application/ld+json")


class InlineCodeFinder(HTMLParser):
    """Collects inline scripts, inline styles, on* handlers, htmx hx-on handlers and javascript:
    URLs: everything the site's CSP (script-src/style-src 'self') refuses or that needs eval."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"<{tag} style=…>")
            elif name.startswith(("on", "hx-on")):
                self.problems.append(f"<{tag} {name}=…>")
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            attributes = dict(attrs)
            # A JSON data block (allauth passes its page settings so) is never executed: CSP allows it.
            is_data = (attributes.get("type") or "").lower() in DATA_SCRIPT_TYPES
            if "src" not in attributes and not is_data:
                self.problems.append("<script> without src")
            self._in_script = not is_data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script text {data.strip()[:40]!r}")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems
