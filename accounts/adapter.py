"""The one extension point for django-allauth: phones in E.164, SMS through notifications."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.core.exceptions import ValidationError

from accounts.phones import normalize_phone


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

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs: Any) -> None:
        from notifications.services import notification_send

        notification_send(
            channel="sms",
            recipient=phone,
            template="login_code",
            context={"code": code},
            secret_keys=("code",),
        )

    def set_phone(self, user, phone: str, verified: bool) -> None:
        user.phone = phone
        user.phone_verified = verified
        user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user) -> tuple[str, bool] | None:
        if not user.phone:
            return None
        return user.phone, user.phone_verified

    def set_phone_verified(self, user, phone: str) -> None:
        if user.phone == phone and not user.phone_verified:
            user.phone_verified = True
            user.save(update_fields=["phone_verified"])

    def get_user_by_phone(self, phone: str):
        from accounts.models import User

        return User.objects.filter(phone=phone).first()
