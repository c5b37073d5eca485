"""The one extension point for django-allauth: phones in E.164, SMS through notifications."""

import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.phones import normalize_phone

logger = logging.getLogger(__name__)

SMS_NOT_SENT_MESSAGE = "Не удалось отправить SMS с кодом. Попробуйте ещё раз через несколько минут."


class RussianPhoneField(forms.CharField):
    """Accepts a phone as people type it and cleans it to E.164."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.pop("validators", None)
        kwargs.setdefault("label", "Номер телефона")
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"placeholder": "+7 912 345-67-89", "autocomplete": "tel", "type": "tel", "inputmode": "tel"}
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value:
            value = normalize_phone(value)
        return value


class AccountAdapter(DefaultAccountAdapter):
    def phone_form_field(self, **kwargs: Any) -> Any:
        return RussianPhoneField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        try:
            return normalize_phone(phone)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc

    def save_user(self, request, user, form, commit: bool = True):
        # The phone is the username here and unique: set it (and the patronymic,
        # which allauth does not know) before the first save, not after.
        data = form.cleaned_data
        if data.get("phone"):
            user.phone = data["phone"]
        if data.get("patronymic"):
            user.patronymic = data["patronymic"]
        return super().save_user(request, user, form, commit=commit)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """allauth asks to sign in again before any 2FA change; not for the first TOTP right after sign-in.

        Staff are sent to set up TOTP straight after signing in by an SMS
        code; a second SMS to prove the same thing a minute later only gets in
        the way. The exemption is narrow: a sign-in in this very session
        within the reauthentication timeout, and no second factor that
        existed before that sign-in (so 2FA set up earlier is still guarded).
        """
        required = super().is_reauthentication_required(app=app, **kwargs)
        if not required or app != "allauth.mfa":
            return required
        from allauth.core import context

        request = context.request
        return not (request is not None and _may_activate_first_totp_without_reauthentication(request))

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs: Any) -> None:
        from notifications.backends import SmsDeliveryError
        from notifications.services import notification_send

        try:
            notification_send(
                channel="sms",
                recipient=phone,
                template="login_code",
                context={"code": code},
                secret_keys=("code",),
            )
        except SmsDeliveryError:
            # The gateway is down: say so on the code page instead of a server error.
            logger.warning("login code SMS not delivered", exc_info=True)
            from allauth.core import context

            if context.request is not None:
                messages.error(context.request, _(SMS_NOT_SENT_MESSAGE))

    def send_account_already_exists_sms(self, phone: str) -> None:
        """Sign-up with a phone that already has an account: say so by SMS, not on the page (no enumeration)."""
        from django.conf import settings
        from django.urls import reverse

        from notifications.services import notification_send

        notification_send(
            channel="sms",
            recipient=phone,
            template="account_exists",
            context={"login_url": settings.SITE_URL.rstrip("/") + reverse("account_login")},
        )

    def set_phone(self, user, phone: str, verified: bool) -> None:
        from django.db import transaction

        from accounts.models import User
        from accounts.signals import names_changed
        from audit.services import audit_log

        # One transaction: the copies of the phone in the person's memberships change with it.
        with transaction.atomic():
            previous = User.objects.filter(pk=user.pk).values_list("phone", flat=True).first()
            user.phone = phone
            user.phone_verified = verified
            user.save(update_fields=["phone", "phone_verified"])
            if previous and previous != phone:
                names_changed(user, ["phone"])
                audit_log(
                    actor=user,
                    action="accounts.phone_change",
                    target=user,
                    before={"phone": previous},
                    after={"phone": phone},
                )

    def get_phone(self, user) -> tuple[str, bool] | None:
        if not user.phone:
            return None
        return user.phone, user.phone_verified

    def set_phone_verified(self, user, phone: str) -> None:
        """``phone`` was proven by a code: it becomes the user's (verified) phone.

        A user has one phone, so a verified new number from «Изменить номер
        телефона» replaces the old one (allauth calls only this method then).
        """
        if user.phone == phone and user.phone_verified:
            return
        self.set_phone(user, phone, True)

    def get_user_by_phone(self, phone: str):
        from accounts.models import User

        return User.objects.filter(phone=phone).first()


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": "Для вашей роли двухфакторная аутентификация обязательна: отключить её нельзя.",
    }

    def can_delete_authenticator(self, authenticator) -> bool:
        """Roles that must use TOTP may not switch it off (they may re-create recovery codes)."""
        from allauth.mfa.models import Authenticator

        from accounts.selectors import user_must_use_totp

        if authenticator.type == Authenticator.Type.TOTP and user_must_use_totp(user=authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)

    def encrypt(self, text: str) -> str:
        """TOTP keys and recovery-code seeds are stored encrypted (Fernet, ``MFA_ENCRYPTION_KEY``)."""
        from accounts.mfa_secrets import mfa_secret_encrypt

        return mfa_secret_encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        from accounts.mfa_secrets import mfa_secret_decrypt

        return mfa_secret_decrypt(encrypted_text)


def _may_activate_first_totp_without_reauthentication(request) -> bool:
    """Signed in here less than the reauthentication timeout ago, with no second factor older than that."""
    import datetime
    import time

    from allauth.account import app_settings as account_settings
    from allauth.account.internal.flows.login import get_authentication_records
    from allauth.mfa.models import Authenticator

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    records = get_authentication_records(request, user)
    if not records:
        return False
    signed_in_at = records[0]["at"]
    if time.time() - signed_in_at >= account_settings.REAUTHENTICATION_TIMEOUT:
        return False
    signed_in = datetime.datetime.fromtimestamp(signed_in_at, tz=datetime.UTC)
    return not Authenticator.objects.filter(user=user, created_at__lt=signed_in).exists()
