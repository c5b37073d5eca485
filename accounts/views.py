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
from accounts.selectors import user_api_token, user_has_totp, user_must_use_totp, user_session_list
from sferum_admin.pages import apply_service_errors

NEW_TOKEN_SESSION_KEY = "accounts_new_api_token"


def _profile_context(request, *, form=None, new_token_key=None) -> dict:
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
        "api_token": user_api_token(user=user),
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
    def post(self, request):
        try:
            token = services.api_token_create(actor=request.user)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect(reverse("accounts:profile") + "#api-token")
        messages.success(request, _("Новый ключ API создан. Скопируйте его сейчас: позже он не будет показан целиком."))
        # Shown once, on the page the redirect leads to; a reload does not make another key.
        request.session[NEW_TOKEN_SESSION_KEY] = token.key
        return redirect(reverse("accounts:profile") + "#api-token")


class ApiTokenRevokeView(LoginRequiredMixin, View):
    def post(self, request):
        if services.api_token_revoke(actor=request.user):
            messages.success(request, _("Ключ API отозван."))
        else:
            messages.info(request, _("Ключа API не было."))
        return redirect(reverse("accounts:profile") + "#api-token")


class MfaRequiredView(LoginRequiredMixin, TemplateView):
    """«Настройте двухфакторную аутентификацию»: where the TOTP middleware sends staff without it."""

    template_name = "accounts/mfa_required.html"

    def get(self, request, *args, **kwargs):
        if user_has_totp(user=request.user):
            return redirect("home")
        return super().get(request, *args, **kwargs)
