"""Writes about accounts: a person's own profile, sessions and API keys; people added by phone in bulk."""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api_keys import API_KEY_PREFIX_LENGTH, api_key_hash, api_key_new
from accounts.models import ApiToken, User
from accounts.phones import normalize_phone
from accounts.selectors import user_api_token_colleges, user_has_totp, user_must_use_totp
from accounts.signals import names_changed
from audit.services import audit_log, model_snapshot
from core.bulk import instance_maker

EMAIL_TAKEN_MESSAGE = "Этот e-mail уже указан в профиле другого пользователя."
TOKEN_NEEDS_TOTP_MESSAGE = "Сначала настройте двухфакторную аутентификацию: для вашей роли она обязательна."
TOKEN_NAME_TAKEN_MESSAGE = "Ключ с таким названием уже есть: отзовите его или выберите другое название."
# Lifetimes offered on the profile page, in days; the default is the first.
API_TOKEN_LIFETIME_DAYS = (90, 30, 180, 365)
API_TOKEN_DEFAULT_DAYS = API_TOKEN_LIFETIME_DAYS[0]
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


def user_get_or_create_with_names(
    *, phone: str, last_name: str = "", first_name: str = "", patronymic: str = "", email: str | None = None
) -> tuple[User, bool]:
    """The user with this phone, created (without a password) when new. Names fill in blanks only.

    For people added by name (an approved college application, a hired employee, an imported student):
    making the account is not audited, the role given to the person is. A phone alone (someone following
    an invitation) is ``user_get_or_create_by_phone``.
    """
    phone = normalize_phone(phone)
    user = User.objects.select_for_update().filter(phone=phone).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    phone=phone, last_name=last_name, first_name=first_name, patronymic=patronymic, email=email or None
                )
            return user, True
        except IntegrityError:
            # Someone created the same phone at the same moment, or the e-mail belongs to another user.
            user = User.objects.filter(phone=phone).first()
            if user is None:
                raise ValidationError({"email": "Этот e-mail уже используется другим пользователем."}) from None
    changed = []
    for field, value in (("last_name", last_name), ("first_name", first_name), ("patronymic", patronymic)):
        if value and not getattr(user, field):
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)
        names_changed(user, changed)
    return user, False


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
    names_changed(user, PROFILE_FIELDS)
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
def user_sessions_end_others(*, actor: User, request: HttpRequest) -> int:
    """Sign the person out everywhere except this browser; returns how many sessions ended."""
    from allauth.usersessions.models import UserSession

    current = request.session.session_key
    ended = 0
    for session in UserSession.objects.filter(user=actor).exclude(session_key=current):
        session.end()
        ended += 1
    # API keys are signed-in programs too: signing out everywhere stops them.
    revoked = api_tokens_revoke_all(actor=actor, user=actor, reason="sessions_end_others")
    audit_log(
        actor=actor, action="accounts.sessions_end_others", target=actor, after={"ended": ended, "api_tokens": revoked}
    )
    return ended


@transaction.atomic
def api_token_create(
    *, actor: User, name: str, college: Model | None = None, lifetime_days: int = API_TOKEN_DEFAULT_DAYS
) -> tuple[ApiToken, str]:
    """Issue a named API key for one integration, acting in ``college``; returns the token and the key.

    The key is returned once, to be shown once: only its SHA-256 is stored.
    """
    # The API trusts the key alone, so a role that requires TOTP gets a key only with TOTP set up.
    if user_must_use_totp(user=actor) and not user_has_totp(user=actor):
        raise PermissionDenied(_(TOKEN_NEEDS_TOTP_MESSAGE))
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Укажите, для какой программы этот ключ (например, «Электронный журнал»).")
    elif ApiToken.objects.filter(user=actor, name=name, revoked_at__isnull=True).exists():
        errors["name"] = _(TOKEN_NAME_TAKEN_MESSAGE)
    colleges = user_api_token_colleges(user=actor)
    if college is None and colleges:
        errors["college"] = _("Выберите колледж, в котором будет работать ключ.")
    elif college is not None and college.pk not in {c.pk for c in colleges}:
        errors["college"] = _("Ключ можно создать только для колледжа, в котором вы состоите.")
    if lifetime_days not in API_TOKEN_LIFETIME_DAYS:
        errors["lifetime_days"] = _("Выберите срок действия ключа из списка.")
    if errors:
        raise ValidationError(errors)

    key = api_key_new()
    now = timezone.now()
    try:
        # Two forms sent at once with one name: the partial unique index decides.
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=actor,
                college=college,
                name=name,
                key_prefix=key[:API_KEY_PREFIX_LENGTH],
                key_hash=api_key_hash(key),
                created_at=now,
                expires_at=now + datetime.timedelta(days=lifetime_days),
            )
    except IntegrityError:
        raise ValidationError({"name": _(TOKEN_NAME_TAKEN_MESSAGE)}) from None
    audit_log(
        actor=actor,
        action="accounts.api_token_create",
        target=token,
        after={"name": name, "college": college.pk if college else None, "expires_at": token.expires_at},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of the person's own keys; another person's key answers «not found»."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
    if token is None:
        raise Http404
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(actor=actor, action="accounts.api_token_revoke", target=token, after={"name": token.name})
    return token


@transaction.atomic
def api_tokens_revoke_all(*, actor: User, user: User, reason: str) -> int:
    """Revoke every live key of ``user`` (on signing out everywhere); returns how many."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("Можно отозвать только свои ключи API."))
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        audit_log(
            actor=actor,
            action="accounts.api_tokens_revoke_all",
            target=user,
            after={"revoked": revoked, "reason": reason},
        )
    return revoked


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

    The bulk twin of ``user_get_or_create_with_names`` for a roster import: existing users
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
        make = instance_maker(User, password=unusable)
        users = [
            make(
                phone=person.phone,
                last_name=person.last_name,
                first_name=person.first_name,
                patronymic=person.patronymic,
            )
            for person in new
        ]
        for user in users:
            user.fill_search_fields()  # bulk_create skips save(), which sets them
        try:
            with transaction.atomic():
                User.objects.bulk_create(users)  # PostgreSQL and SQLite ≥ 3.35 return the new ids
        except IntegrityError:
            # Someone created one of these phones meanwhile: theirs is kept and its id read back below.
            User.objects.bulk_create(users, ignore_conflicts=True)
            users = []
        if users and all(user.pk is not None for user in users):
            known.update((user.phone, user.pk) for user in users)
        else:
            known.update(User.objects.filter(phone__in=[p.phone for p in new]).values_list("phone", "id"))
    return known
