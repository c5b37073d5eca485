"""Test helpers of the accounts app."""

import time

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.account.internal.userkit import user_id_to_str


def mark_signed_in_now(client, user) -> None:
    """Record in the client's session that ``user`` has just signed in (as allauth does on a real sign-in).

    ``Client.force_login`` skips allauth, so without this allauth treats the
    session as stale and asks to sign in again before 2FA changes.
    """
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "password", "at": time.time()}]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()


def force_login_fresh(client, user):
    client.force_login(user)
    mark_signed_in_now(client, user)
    return client


def sign_in_with_second_factor(client, user):
    """``client`` signed in as ``user`` who has TOTP and passed it, as allauth records it (what the admin asks)."""
    from allauth.mfa.models import Authenticator

    from tests.conftest import add_totp

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        add_totp(user)
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time()},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()
    return client


def api_key_for(user, *, college=None, name: str | None = None, days: int = 90) -> str:
    """A live API key of ``user`` (acting in ``college``), made directly as a fixture; returns the key."""
    import datetime

    from django.utils import timezone

    from accounts.api_keys import API_KEY_PREFIX_LENGTH, api_key_hash, api_key_new
    from accounts.models import ApiToken

    key = api_key_new()
    ApiToken.objects.create(
        user=user,
        college=college,
        name=name or f"Интеграция {key[-6:]}",
        key_prefix=key[:API_KEY_PREFIX_LENGTH],
        key_hash=api_key_hash(key),
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    return key
