"""Which GPT a command means: the commands take a slug, and a workspace only when needed."""

from __future__ import annotations

from django.core.management.base import CommandError

from gpts.models import GPT
from gpts.selectors import gpt_with_document


def gpt_for_command(slug: str, workspace: str | None, *, what: str = "GPT") -> GPT:
    """The GPT `slug` in `workspace`, or, without a workspace, the one GPT of that slug across all
    workspaces (slugs are unique per workspace only). Raises CommandError with exit status 2 (bad
    usage) when there is none, or when several workspaces have one and none was named. `what`
    names what the argument could have been, for the message ("file or GPT")."""
    if workspace:
        gpt = gpt_with_document(workspace_slug=workspace, gpt_slug=slug)
        if gpt is None:
            raise CommandError(f"No {what} {slug!r} in workspace {workspace!r}.", returncode=2)
        return gpt
    matches = GPT.objects.filter(slug=slug).order_by("workspace__slug")
    workspaces = list(matches.values_list("workspace__slug", flat=True))
    if not workspaces:
        raise CommandError(f"No {what} {slug!r} in any workspace.", returncode=2)
    if len(workspaces) > 1:
        raise CommandError(
            f"Several workspaces have a GPT {slug!r} ({', '.join(workspaces)}): name one with --workspace.",
            returncode=2,
        )
    return gpt_with_document(workspace_slug=workspaces[0], gpt_slug=slug)
