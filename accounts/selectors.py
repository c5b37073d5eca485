"""Reads about people and their sign-in state."""

from allauth.mfa.models import Authenticator
from django.conf import settings


def user_has_totp(*, user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def user_must_use_totp(*, user) -> bool:
    """Whether the user holds a role (``settings.MFA_REQUIRED_ROLES``) that requires TOTP.

    Memberships live in the colleges app, a higher layer: they are reached
    through the reverse relation, with the same filter as the current-college
    middleware (active membership in an active college).
    """
    if not user or not user.is_authenticated:
        return False
    return user.memberships.filter(
        role__in=settings.MFA_REQUIRED_ROLES, status="active", college__status="active"
    ).exists()


def user_session_list(*, user) -> list:
    """The user's signed-in sessions, newest first, in two queries whatever their number.

    A session that ended elsewhere (expired, signed out) still has its
    allauth row until the next sign-in purges it; it is left out here.
    """
    from allauth.usersessions.models import UserSession
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    sessions = list(UserSession.objects.filter(user=user).order_by("-created_at"))
    live = set(
        Session.objects.filter(
            session_key__in=[s.session_key for s in sessions], expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    return [s for s in sessions if s.session_key in live]


def user_api_token(*, user):
    """The user's personal API token (DRF authtoken) or None."""
    from rest_framework.authtoken.models import Token

    return Token.objects.filter(user=user).first()
