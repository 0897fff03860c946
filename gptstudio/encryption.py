"""Secrets at rest: authenticated encryption (Fernet: AES-128-CBC + HMAC-SHA256) with rotation.

Keys come from settings.FIELD_ENCRYPTION_KEYS (comma-separated Fernet keys): the first encrypts,
every key decrypts, so a new key is added in front, `manage.py rotate_encryption_keys` re-encrypts
every stored secret, and the old key can then be removed. Without keys (local/test only; production
settings refuse to start) a development key is derived from SECRET_KEY.

Decrypted values are `Secret` objects, not strings, so a secret cannot end up in a log line, a
repr or a template by accident: only `.reveal()` gives the plaintext.
"""

from __future__ import annotations

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class DecryptionError(Exception):
    """Stored ciphertext failed authentication: tampered, truncated, or encrypted under a key
    that is no longer in FIELD_ENCRYPTION_KEYS."""


class SecretNotSerializable(Exception):
    """A stored secret met Django's serialisers (`dumpdata`, `serializers.serialize`).

    Writing it as plaintext would leak it into a file; writing it as "" (what an unset secret
    is) would make a later `loaddata` wipe it without a word. So serialising refuses instead.
    Backups are taken of the database itself, which keeps the ciphertext (docs/REFERENCE.md, "Backups")."""


class Secret:
    """A plaintext secret that never prints itself."""

    __slots__ = ("_value",)
    MASK = "********"

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    def __str__(self) -> str:
        return self.MASK if self._value else ""

    def __repr__(self) -> str:
        return f"Secret({self.MASK!r})" if self._value else "Secret('')"


def _dev_key() -> bytes:
    digest = hashlib.sha256(b"gptstudio-field-encryption:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


@functools.cache
def _fernet_for(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    try:
        fernets = [Fernet(key.strip().encode()) for key in keys if key.strip()] or [Fernet(_dev_key())]
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe base64-encoded bytes)."
        ) from exc
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            "A stored secret could not be decrypted: the ciphertext was altered, or it was encrypted "
            "with a key that is not in FIELD_ENCRYPTION_KEYS."
        ) from None


def rotate(token: str) -> str:
    """Re-encrypt a token under the first (newest) key."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            "A stored secret could not be re-encrypted: its ciphertext failed authentication."
        ) from None


class _SecretAttribute:
    """Wraps whatever is assigned to the model attribute in `Secret`, so even an unsaved
    instance never holds a bare plaintext string."""

    def __init__(self, field_name: str):
        self.field_name = field_name

    def __get__(self, instance, owner):
        if instance is None:
            return self
        if self.field_name not in instance.__dict__ and instance.pk is not None:
            # A deferred column (`.defer()` / `.only()`): load it, as Django's own descriptor
            # does, rather than answering None ("no secret") for a secret that is stored.
            instance.refresh_from_db(fields=[self.field_name])
        return instance.__dict__.get(self.field_name)

    def __set__(self, instance, value):
        if value is not None and not isinstance(value, Secret):
            value = Secret(str(value))
        instance.__dict__[self.field_name] = value


class EncryptedTextField(models.TextField):
    """A text column holding Fernet ciphertext; Python sees `Secret` values.

    The empty string is stored as is (no secret set), so `has_api_key` is a plain column check.
    """

    description = "Encrypted text"

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        setattr(cls, self.attname, _SecretAttribute(self.attname))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return Secret("") if value == "" else None
        return Secret(decrypt(value))

    def to_python(self, value):
        if value is None or isinstance(value, Secret):
            return value
        return Secret(str(value))

    def get_prep_value(self, value):
        if value is None:
            return None
        plaintext = value.reveal() if isinstance(value, Secret) else str(value)
        return encrypt(plaintext) if plaintext else ""

    def value_to_string(self, obj):
        # Fixtures and serializers never see a secret: an empty one is "", a stored one refuses.
        if self.value_from_object(obj):
            raise SecretNotSerializable(
                f"{obj._meta.label} #{obj.pk} has a stored {self.name}, and secrets are never serialised "
                "(a fixture would carry it as plaintext, or restore it as empty). Back up the database "
                "itself (pg_dump, or a copy of the SQLite file) with FIELD_ENCRYPTION_KEYS; to dump the "
                f"rest, add --exclude {obj._meta.label}."
            )
        return ""
