"""Secrets at rest: a text field encrypted with Fernet.

The key comes from the environment (``FIELD_ENCRYPTION_KEY``), never from the database.
Several comma-separated keys may be given: the first encrypts, all of them decrypt
(``MultiFernet``), so a key is rotated by putting the new one in front and re-saving.
The column holds only the Fernet token; the plaintext is never written.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _keys() -> list[str]:
    return [key.strip() for key in (settings.FIELD_ENCRYPTION_KEY or "").split(",") if key.strip()]


def encryption_configured() -> bool:
    return bool(_keys())


def _fernet() -> MultiFernet:
    keys = _keys()
    if not keys:
        msg = (
            "FIELD_ENCRYPTION_KEY is not set: secrets cannot be stored. Generate one with "
            "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        )
        raise ImproperlyConfigured(msg)
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        msg = (
            "FIELD_ENCRYPTION_KEY must be url-safe base64 Fernet keys (32 bytes), comma-separated."
        )
        raise ImproperlyConfigured(msg) from exc


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        msg = (
            "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEY (was the key replaced "
            "instead of rotated?)."
        )
        raise ImproperlyConfigured(msg) from exc


class EncryptedTextField(models.TextField):
    """Holds a secret; the database only ever sees its Fernet token ("" stays "")."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return ""
        return encrypt(value)
