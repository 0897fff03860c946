"""Personal API tokens: the one write path for creating, using and revoking them.

The API's token endpoints and the browser's tokens page both call these. A token is
`gps_` + 43 url-safe characters (256 random bits); the database keeps only its SHA-256 digest.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import APIToken

# Recording every use would turn each API read into a write; once a minute is precise enough to
# answer "is this token still used?".
LAST_USED_RESOLUTION = timedelta(minutes=1)
PREFIX_LENGTH = 12


@dataclass(frozen=True)
class CreatedToken:
    """The stored token and its plaintext, which exists only in this object: show it once."""

    token: APIToken
    plaintext: str


def token_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def token_create(*, user, name: str, expires_at: datetime | None = None) -> CreatedToken:
    name = (name or "").strip()
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    plaintext = APIToken.PREFIX + secrets.token_urlsafe(32)
    token = APIToken(
        user=user, name=name, prefix=plaintext[:PREFIX_LENGTH], digest=token_digest(plaintext), expires_at=expires_at
    )
    token.full_clean()
    token.save()
    return CreatedToken(token=token, plaintext=plaintext)


@transaction.atomic
def token_revoke(*, token: APIToken) -> APIToken:
    """Revoke a token now (idempotent: revoking twice keeps the first time)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(plaintext: str) -> APIToken | None:
    """The active token for `plaintext` (with its user loaded), recording its use; else None."""
    if not plaintext.startswith(APIToken.PREFIX):
        return None
    token = APIToken.objects.select_related("user").filter(digest=token_digest(plaintext)).first()
    now = timezone.now()
    if token is None or not token.is_active(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
