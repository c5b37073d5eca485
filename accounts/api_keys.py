"""API keys: 256 random bits with a recognisable prefix, found by their SHA-256.

A key never reaches the database or a log line in the clear. SHA-256 (not a
slow password hash) is enough: the key is random, not chosen by a person.
"""

import hashlib
import secrets

API_KEY_PREFIX = "sfa_"
# The first characters, kept to tell keys apart on the profile page: the prefix and 6 random ones.
API_KEY_PREFIX_LENGTH = len(API_KEY_PREFIX) + 6


def api_key_new() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
