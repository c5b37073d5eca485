"""Reads about people and their sign-in state."""

from allauth.mfa.models import Authenticator
from django.conf import settings


def user_has_totp(*, user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def user_must_use_totp(*, user) -> bool:
    """Whether the user is platform staff or holds a role (``settings.MFA_REQUIRED_ROLES``) that requires TOTP.

    Memberships live in the colleges app, a higher layer: they are reached
    through the reverse relation, with the same filter as the current-college
    middleware (active membership in an active college).
    """
    if not user or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return user.memberships.filter(
        role__in=settings.MFA_REQUIRED_ROLES, status="active", college__status="active"
    ).exists()


def session_passed_mfa(*, request) -> bool:
    """Whether this session's sign-in passed the second factor (allauth records each step of a sign-in)."""
    from allauth.account.internal.flows.login import get_authentication_records

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


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


def user_api_token_list(*, user) -> list:
    """The person's keys that are not revoked, newest first, with their college: one query."""
    from accounts.models import ApiToken

    return list(ApiToken.objects.filter(user=user, revoked_at__isnull=True).select_related("college"))


def user_api_token_colleges(*, user) -> list:
    """Colleges a new key may act in: those of the person's active memberships (once each, by name)."""
    seen: dict[int, object] = {}
    memberships = user.memberships.filter(status="active", college__status="active").select_related("college")
    for membership in memberships.order_by("college__short_name", "college_id"):
        seen.setdefault(membership.college_id, membership.college)
    return list(seen.values())


def api_token_for_key(*, key: str):
    """The live key (not revoked, not expired, of an active person) ``key`` is, or None: one query.

    It carries ``must_use_totp`` and ``has_totp``, so the API can refuse the
    key of someone whose role requires TOTP they have not set up.
    """
    from django.db.models import Exists, OuterRef, Q
    from django.utils import timezone

    from accounts.api_keys import api_key_hash
    from accounts.models import ApiToken, User

    required_role = User.objects.filter(
        pk=OuterRef("user_id"),
        memberships__role__in=settings.MFA_REQUIRED_ROLES,
        memberships__status="active",
        memberships__college__status="active",
    )
    return (
        ApiToken.objects.select_related("user")
        .annotate(
            must_use_totp=Q(user__is_staff=True) | Exists(required_role),
            has_totp=Exists(Authenticator.objects.filter(user_id=OuterRef("user_id"), type=Authenticator.Type.TOTP)),
        )
        .filter(
            key_hash=api_key_hash(key),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


# Statement and column names of ``user_by_pk``, per database vendor.
_USER_BY_PK: dict[str, tuple[str, list[str]]] = {}


def user_by_pk(pk):
    """The user with primary key ``pk``, or None: what every request does to load the signed-in person.

    The statement is compiled once per process: the ORM spends more building
    ``SELECT … WHERE id = %s`` (0.5 ms) than the database spends answering it.
    """
    from django.db import connections, router

    from accounts.models import User

    alias = router.db_for_read(User)
    connection = connections[alias]
    if connection.vendor not in _USER_BY_PK:
        sql, params = User._default_manager.filter(pk=0).query.sql_with_params()
        if list(params) != [0]:  # not the plain statement expected: let the ORM do it each time
            return User._default_manager.filter(pk=pk).first()
        _USER_BY_PK[connection.vendor] = (sql, [field.attname for field in User._meta.concrete_fields])
    sql, names = _USER_BY_PK[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    return User.from_db(alias, names, row) if row is not None else None
