"""Encryption at rest of second-factor secrets (TOTP keys, recovery-code seeds).

allauth stores them in ``Authenticator.data`` and passes each through the MFA
adapter's ``encrypt``/``decrypt``; these do the work, with Fernet and
``settings.MFA_ENCRYPTION_KEY``. Several keys may be given, separated by
commas: the first encrypts, every one decrypts, so a key can be rotated.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Every Fernet token starts with the version byte 0x80 and a timestamp: "gAAAAA"
# in base64. Neither a base32 TOTP key nor a hex seed can start like that.
_FERNET_PREFIX = "gAAAAA"


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.strip()) for key in keys.split(",") if key.strip()])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "MFA_ENCRYPTION_KEY must be a Fernet key (32 bytes, url-safe base64), or several separated by commas."
        ) from exc


def mfa_secret_encrypt(text: str) -> str:
    return _fernet(settings.MFA_ENCRYPTION_KEY).encrypt(text.encode()).decode()


def mfa_secret_decrypt(stored: str) -> str:
    try:
        return _fernet(settings.MFA_ENCRYPTION_KEY).decrypt(stored.encode()).decode()
    except InvalidToken as exc:
        # Answering with an empty secret would make recovery codes guessable: fail loudly instead.
        raise ImproperlyConfigured(
            "A second-factor secret cannot be decrypted: MFA_ENCRYPTION_KEY is not the key it was encrypted with."
        ) from exc


def mfa_secret_is_encrypted(stored: str) -> bool:
    return stored.startswith(_FERNET_PREFIX)


def authenticator_data_encrypt(data: dict) -> dict:
    """``Authenticator.data`` with its secrets encrypted (those already encrypted left as they are)."""
    return _map_secrets(data, lambda value: value if mfa_secret_is_encrypted(value) else mfa_secret_encrypt(value))


def authenticator_data_decrypt(data: dict) -> dict:
    """``Authenticator.data`` with its secrets in the clear (those already clear left as they are)."""
    return _map_secrets(data, lambda value: mfa_secret_decrypt(value) if mfa_secret_is_encrypted(value) else value)


def _map_secrets(data: dict, convert) -> dict:
    # The fields allauth passes through encrypt(): the TOTP key, the recovery-code
    # seed, and the codes carried over from django-allauth-2fa ("migrated_codes").
    data = dict(data)
    for name in ("secret", "seed"):
        if isinstance(data.get(name), str):
            data[name] = convert(data[name])
    if isinstance(data.get("migrated_codes"), list):
        data["migrated_codes"] = [convert(code) for code in data["migrated_codes"]]
    return data
