"""Invitation tokens: 192 random bits, found by their SHA-256, sealed for staff to copy again.

A token never reaches a log line or the database in the clear.
"""

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def token_new() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = hashlib.sha256(f"invitations.token:{secret_key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def token_seal(token: str) -> str:
    return _fernet(settings.SECRET_KEY).encrypt(token.encode()).decode()


def token_unseal(sealed: str) -> str:
    """The token back for staff pages; empty when SECRET_KEY changed since (regenerate then)."""
    try:
        return _fernet(settings.SECRET_KEY).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return ""


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)
