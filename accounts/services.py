"""Writes about a person's own account: profile, sessions, API token."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_has_totp, user_must_use_totp
from audit.services import audit_log, model_snapshot

EMAIL_TAKEN_MESSAGE = "Этот e-mail уже указан в профиле другого пользователя."
TOKEN_NEEDS_TOTP_MESSAGE = "Сначала настройте двухфакторную аутентификацию: для вашей роли она обязательна."
PROFILE_FIELDS = ["last_name", "first_name", "patronymic", "email"]


def user_get_or_create_by_phone(*, phone: str) -> User:
    """The account of ``phone`` (E.164), made now with no name and an unconfirmed phone if it is new here.

    A person who follows an invitation gets the sign-in code whether or not they
    have been here before; the code needs an account to belong to (allauth's own
    sign-up also makes the account before the code). The phone is confirmed by
    the code, the name is asked after it.
    """
    user = User.objects.filter(phone=phone).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            user = User.objects.create_user(phone=phone)
            audit_log(actor=None, action="accounts.user_create", target=user, after={"by": "invitation"})
    except IntegrityError:
        # The same phone asked twice at once: the unique phone lets one through.
        user = User.objects.get(phone=phone)
    return user


@transaction.atomic
def user_profile_update(
    *, actor: User, user: User, last_name: str, first_name: str, patronymic: str = "", email: str | None = None
) -> User:
    """A person edits their own names and e-mail (unique, case-insensitive)."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("Можно изменить только свой профиль."))
    user = User.objects.select_for_update().get(pk=user.pk)
    last_name, first_name, patronymic = last_name.strip(), first_name.strip(), (patronymic or "").strip()
    errors = {}
    if not last_name:
        errors["last_name"] = _("Укажите фамилию.")
    if not first_name:
        errors["first_name"] = _("Укажите имя.")
    # Lower case whole: sign-in looks e-mails up in lower case.
    email = email.strip().lower() if email and email.strip() else None
    if email and User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        errors["email"] = _(EMAIL_TAKEN_MESSAGE)
    if errors:
        raise ValidationError(errors)

    before = model_snapshot(user, PROFILE_FIELDS)
    user.last_name, user.first_name, user.patronymic, user.email = last_name, first_name, patronymic, email
    user.full_clean(exclude=["password", "phone"], validate_unique=False, validate_constraints=False)
    user.save(update_fields=PROFILE_FIELDS)
    _sync_allauth_email(user=user)
    audit_log(
        actor=actor,
        action="accounts.profile_update",
        target=user,
        before=before,
        after=model_snapshot(user, PROFILE_FIELDS),
    )
    return user


def _sync_allauth_email(*, user: User) -> None:
    """Keep allauth's EmailAddress (used for e-mail sign-in and password reset) in step with ``user.email``."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email or "").delete()
    if user.email:
        EmailAddress.objects.update_or_create(
            user=user, email__iexact=user.email, defaults={"email": user.email, "primary": True}
        )


@transaction.atomic
def user_sessions_end_others(*, actor: User, request) -> int:
    """Sign the person out everywhere except this browser; returns how many sessions ended."""
    from allauth.usersessions.models import UserSession

    current = request.session.session_key
    ended = 0
    for session in UserSession.objects.filter(user=actor).exclude(session_key=current):
        session.end()
        ended += 1
    audit_log(actor=actor, action="accounts.sessions_end_others", target=actor, after={"ended": ended})
    return ended


@transaction.atomic
def api_token_create(*, actor: User):
    """Issue a new personal API token, replacing the old one. The key is shown once on the page."""
    from rest_framework.authtoken.models import Token

    # The API trusts the token alone, so a role that requires TOTP gets a token only with TOTP set up.
    if user_must_use_totp(user=actor) and not user_has_totp(user=actor):
        raise PermissionDenied(_(TOKEN_NEEDS_TOTP_MESSAGE))
    replaced = Token.objects.filter(user=actor).delete()[0] > 0
    token = Token.objects.create(user=actor)
    audit_log(actor=actor, action="accounts.api_token_create", target=actor, after={"replaced": replaced})
    return token


@transaction.atomic
def api_token_revoke(*, actor: User) -> bool:
    """Revoke the person's API token; returns whether there was one."""
    from rest_framework.authtoken.models import Token

    deleted = Token.objects.filter(user=actor).delete()[0] > 0
    if deleted:
        audit_log(actor=actor, action="accounts.api_token_revoke", target=actor)
    return deleted
