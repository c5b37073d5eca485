"""Writes about accounts: a person's own profile, sessions and API token; people added by phone in bulk."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_has_totp, user_must_use_totp
from audit.services import audit_log, model_snapshot

EMAIL_TAKEN_MESSAGE = "Этот e-mail уже указан в профиле другого пользователя."
TOKEN_NEEDS_TOTP_MESSAGE = "Сначала настройте двухфакторную аутентификацию: для вашей роли она обязательна."
PROFILE_FIELDS = ["last_name", "first_name", "patronymic", "email"]


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


@dataclass(frozen=True)
class PersonByPhone:
    """Someone known by a phone number (E.164, as ``accounts.phones.normalize_phone`` gives it) and names."""

    phone: str
    last_name: str = ""
    first_name: str = ""
    patronymic: str = ""


_E164_RE = re.compile(r"^\+[1-9]\d{7,14}$")
NOT_E164_MESSAGE = "Телефон {phone} не приведён к международному формату."
NAME_MAX_LENGTH = User._meta.get_field("last_name").max_length
NAME_TOO_LONG_MESSAGE = f"Фамилия, имя или отчество (телефон {{phone}}) длиннее {NAME_MAX_LENGTH} символов."


@transaction.atomic
def users_get_or_create_many(*, people: Sequence[PersonByPhone]) -> dict[str, int]:
    """Phone → user id for everyone in ``people``, creating (without a password) those never seen before.

    The bulk twin of ``colleges.services.user_get_or_create_by_phone`` for a roster import: existing users
    keep their names as they are. A phone created by someone else at the same moment is skipped, not
    refused (ON CONFLICT DO NOTHING), and its id is returned all the same. Creating an account is not
    audited here, as in the single service: the role given to the person is.
    """
    by_phone = {person.phone: person for person in people}
    for person in by_phone.values():
        if not _E164_RE.match(person.phone):
            raise ValidationError(_(NOT_E164_MESSAGE).format(phone=person.phone), code="invalid_phone")
        if max(len(person.last_name), len(person.first_name), len(person.patronymic)) > NAME_MAX_LENGTH:
            raise ValidationError(_(NAME_TOO_LONG_MESSAGE).format(phone=person.phone), code="name_too_long")
    known = dict(User.objects.filter(phone__in=by_phone).values_list("phone", "id"))
    new = [person for phone, person in by_phone.items() if phone not in known]
    if new:
        # One unusable password for all: it starts with «!» and matches nothing, whatever follows.
        unusable = make_password(None)
        User.objects.bulk_create(
            [
                User(
                    phone=person.phone,
                    last_name=person.last_name,
                    first_name=person.first_name,
                    patronymic=person.patronymic,
                    password=unusable,
                )
                for person in new
            ],
            ignore_conflicts=True,
        )
        known.update(User.objects.filter(phone__in=[p.phone for p in new]).values_list("phone", "id"))
    return known
