from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts import services
from accounts.forms import ProfileForm
from accounts.selectors import (
    user_api_token_colleges,
    user_api_token_list,
    user_has_totp,
    user_must_use_totp,
    user_session_list,
)
from accounts.token_forms import ApiTokenForm
from core.pages import apply_service_errors

NEW_TOKEN_SESSION_KEY = "accounts_new_api_token"


def _token_form(user, data=None) -> ApiTokenForm:
    return ApiTokenForm(data, colleges=user_api_token_colleges(user=user), lifetimes=services.API_TOKEN_LIFETIME_DAYS)


def _profile_context(request, *, form=None, new_token_key=None, token_form=None) -> dict:
    user = request.user
    if form is None:
        form = ProfileForm(
            initial={
                "last_name": user.last_name,
                "first_name": user.first_name,
                "patronymic": user.patronymic,
                "email": user.email or "",
            }
        )
    current_key = request.session.session_key
    sessions = user_session_list(user=user)
    return {
        "form": form,
        "sessions": sessions,
        "current_session_key": current_key,
        "other_session_count": sum(1 for s in sessions if s.session_key != current_key),
        "has_totp": user_has_totp(user=user),
        "must_use_totp": user_must_use_totp(user=user),
        "api_tokens": user_api_token_list(user=user),
        "token_form": token_form or _token_form(user),
        "new_token_key": new_token_key,
    }


class ProfileView(LoginRequiredMixin, View):
    """Own names and e-mail, phone, sessions, 2FA link and the personal API token."""

    template_name = "accounts/profile.html"

    def get(self, request):
        new_token_key = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
        return render(request, self.template_name, _profile_context(request, new_token_key=new_token_key))

    def post(self, request):
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.user_profile_update(actor=request.user, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Профиль сохранён."))
                return redirect("accounts:profile")
        return render(request, self.template_name, _profile_context(request, form=form), status=400)


class SessionsEndOthersView(LoginRequiredMixin, View):
    def post(self, request):
        ended = services.user_sessions_end_others(actor=request.user, request=request)
        if ended:
            messages.success(
                request, _("Вы вышли на других устройствах (сеансов завершено: %(count)s).") % {"count": ended}
            )
        else:
            messages.info(request, _("Других активных сеансов нет."))
        return redirect(reverse("accounts:profile") + "#sessions")


class ApiTokenCreateView(LoginRequiredMixin, View):
    """Make a named API key; the key is shown once, on the profile page the redirect leads to."""

    def post(self, request):
        form = _token_form(request.user, request.POST)
        if form.is_valid():
            try:
                _token, key = services.api_token_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    college=form.cleaned_data.get("college"),
                    lifetime_days=form.cleaned_data["lifetime_days"],
                )
            except PermissionDenied as exc:
                messages.error(request, str(exc))
                return redirect(reverse("accounts:profile") + "#api-tokens")
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Ключ API создан. Скопируйте его сейчас: позже он не будет показан целиком.")
                )
                # Shown once, on the page the redirect leads to; a reload does not make another key.
                request.session[NEW_TOKEN_SESSION_KEY] = key
                return redirect(reverse("accounts:profile") + "#api-tokens")
        return render(request, ProfileView.template_name, _profile_context(request, token_form=form), status=400)


class ApiTokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        token = services.api_token_revoke(actor=request.user, token_id=pk)
        messages.success(request, _("Ключ API «%(name)s» отозван.") % {"name": token.name})
        return redirect(reverse("accounts:profile") + "#api-tokens")


class MfaRequiredView(LoginRequiredMixin, TemplateView):
    """«Настройте двухфакторную аутентификацию»: where the TOTP middleware sends staff without it."""

    template_name = "accounts/mfa_required.html"

    def get(self, request, *args, **kwargs):
        if user_has_totp(user=request.user):
            return redirect("home")
        return super().get(request, *args, **kwargs)
