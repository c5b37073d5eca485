"""Receivers of allauth signals."""

from accounts.middleware import TOTP_SEEN_SESSION_KEY


def forget_totp_seen(sender, request=None, **kwargs) -> None:
    """An authenticator was removed: check TOTP again on the next request of this session."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(TOTP_SEEN_SESSION_KEY, None)
