"""Named read queries for actions, scoped to the caller's workspaces."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery

from gpts.models import Membership

from .models import Action


def actions_for(user) -> QuerySet[Action]:
    """The user's actions with their GPT and workspace, and `api_key_set` / `client_secret_set`
    read from the stored ciphertext (an empty column means no secret), so nothing is decrypted;
    `user_role` is the user's role in the action's workspace."""
    if not user.is_authenticated:
        return Action.objects.none()
    member_of = Membership.objects.filter(user=user).values("workspace_id")
    return (
        Action.objects.filter(gpt__workspace_id__in=member_of)
        .select_related("gpt__workspace")
        .defer("api_key", "oauth_client_secret")
        .annotate(
            api_key_set=ExpressionWrapper(~Q(api_key=""), output_field=BooleanField()),
            client_secret_set=ExpressionWrapper(~Q(oauth_client_secret=""), output_field=BooleanField()),
            user_role=Subquery(
                Membership.objects.filter(workspace=OuterRef("gpt__workspace"), user=user).values("role")[:1]
            ),
        )
        .order_by("gpt_id", "position", "id")
    )


def action_list(*, user, gpt_id: int | None = None) -> QuerySet[Action]:
    queryset = actions_for(user)
    return queryset.filter(gpt_id=gpt_id) if gpt_id is not None else queryset
