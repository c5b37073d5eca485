"""Forms of the accounts app: allauth's sign-in and sign-up with this project's fields."""

import math

from allauth.account.adapter import get_adapter
from allauth.account.forms import ConfirmLoginCodeForm as AllauthConfirmLoginCodeForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import PasswordField
from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.forms import VerifyPhoneForm as AllauthVerifyPhoneForm
from allauth.core import context, ratelimit
from allauth.mfa.base.forms import AuthenticateForm as AllauthMfaAuthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm as AllauthActivateTOTPForm
from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(AllauthLoginForm):
    """E-mail (or phone) and password.

    Sign-up takes no password, so allauth would drop the password field from
    its sign-in form; people who set a password sign in with it here, and
    everyone else asks for an SMS code on the same page.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("E-mail")
        self.fields["login"].widget.attrs.update(
            {"placeholder": "name@example.ru", "autocomplete": "email", "inputmode": "email"}
        )
        self.fields["password"].label = _("Пароль")
        self.fields["password"].help_text = ""
        self.fields["password"].widget.attrs["placeholder"] = _("Пароль")

    def _setup_password_field(self) -> None:
        self.fields["password"] = PasswordField(label=_("Пароль"), autocomplete="current-password")


def _numeric_code_field(form) -> None:
    form.fields["code"].label = _("Код из SMS")
    form.fields["code"].widget.attrs.update(
        {"inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": "123456", "autofocus": True}
    )


# «мин.» and «ч.» read right after any number (no Russian catalogue for ngettext's three forms yet).
CODE_REQUESTS_TOO_MANY_MESSAGE = "Слишком много запросов кода, попробуйте через %(minutes)s мин."
CODE_REQUESTS_TOO_MANY_HOURS_MESSAGE = (
    "Слишком много запросов кода на этот номер за сутки, попробуйте через %(hours)s ч."
)


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    """Sign-in code by phone only: e-mail sign-in goes with a password.

    Limits: ``ACCOUNT_RATE_LIMITS["request_login_code"]`` (per phone, per day per
    phone, and a high ceiling per client address); when one is reached the
    person is told how many minutes to wait.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("email", None)
        self.fields["phone"].required = True

    def clean_phone(self) -> str:
        try:
            return super().clean_phone()
        except forms.ValidationError as exc:
            if exc.code != "too_many_login_attempts":
                raise
            from allauth.account import app_settings

            from accounts.ratelimits import retry_after_minutes

            minutes = retry_after_minutes(
                context.request,
                app="allauth.account",
                action="request_login_code",
                rates=app_settings.RATE_LIMITS,
                key=self.cleaned_data["phone"].lower(),
            )
            if minutes > 60:
                message = _(CODE_REQUESTS_TOO_MANY_HOURS_MESSAGE) % {"hours": math.ceil(minutes / 60)}
            else:
                message = _(CODE_REQUESTS_TOO_MANY_MESSAGE) % {"minutes": minutes}
            raise forms.ValidationError(message, code="too_many_code_requests") from exc


class ConfirmLoginCodeForm(AllauthConfirmLoginCodeForm):
    """The SMS code; attempts are also counted per address (``ACCOUNT_RATE_LIMITS["confirm_login_code"]``).

    allauth voids a code after three wrong tries, but does not use the
    ``confirm_login_code`` limit itself: without it one address could try
    codes of many phones one after another.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _numeric_code_field(self)

    def clean_code(self) -> str:
        if not ratelimit.consume(context.request, action="confirm_login_code"):
            raise get_adapter().validation_error("too_many_login_attempts")
        return super().clean_code()


class VerifyPhoneForm(AllauthVerifyPhoneForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _numeric_code_field(self)


class SignupForm(AllauthSignupForm):
    """Sign-up by phone for people who come by an invitation link: ФИО and phone."""

    last_name = forms.CharField(label=_("Фамилия"), max_length=100)
    first_name = forms.CharField(label=_("Имя"), max_length=100)
    patronymic = forms.CharField(label=_("Отчество"), max_length=100, required=False, help_text=_("если есть"))

    field_order = ["last_name", "first_name", "patronymic", "phone"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["patronymic"].widget.attrs["autocomplete"] = "additional-name"
        self.order_fields(self.field_order)

    def clean_last_name(self) -> str:
        return self.cleaned_data["last_name"].strip()

    def clean_first_name(self) -> str:
        return self.cleaned_data["first_name"].strip()

    def clean_patronymic(self) -> str:
        return self.cleaned_data["patronymic"].strip()


class NameForm(forms.Form):
    """Фамилия, имя, отчество: what a newcomer gives once after the code; the service validates and saves."""

    last_name = forms.CharField(label=_("Фамилия"), max_length=100)
    first_name = forms.CharField(label=_("Имя"), max_length=100)
    patronymic = forms.CharField(label=_("Отчество"), max_length=100, required=False, help_text=_("если есть"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["patronymic"].widget.attrs["autocomplete"] = "additional-name"

    @staticmethod
    def initial_from_full_name(full_name: str) -> dict[str, str]:
        """«Иванова Мария Петровна» → the three fields (a name as an administrator typed it)."""
        parts = full_name.split()
        if len(parts) < 2:
            return {}
        return {"last_name": parts[0], "first_name": parts[1], "patronymic": " ".join(parts[2:])}


class ProfileForm(NameForm):
    """Own names and e-mail; the service validates and saves."""

    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("для входа по e-mail и паролю и для писем"),
        error_messages={"invalid": _("Введите правильный адрес электронной почты.")},
    )


class ActivateTOTPForm(AllauthActivateTOTPForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("Код из приложения")
        self.fields["code"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": "123456"}
        )


class MfaAuthenticateForm(AllauthMfaAuthenticateForm):
    """The TOTP question at sign-in; a recovery code (letters and digits) is accepted too."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("Код из приложения или резервный код")
        self.fields["code"].widget.attrs.update({"autocomplete": "one-time-code", "placeholder": "123456"})
