"""Named read queries for the shared infrastructure."""

from django.db.models import QuerySet

from .models import APIToken


def tokens_of(user) -> QuerySet[APIToken]:
    """The user's API tokens, newest first (revoked and expired ones too, for the record)."""
    if not user.is_authenticated:
        return APIToken.objects.none()
    return APIToken.objects.filter(user=user).order_by("-created_at", "-id")
