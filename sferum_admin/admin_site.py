"""Django's admin for platform staff, reached only through allauth's sign-in and its second factor.

The admin's own password form would skip TOTP and allauth's rate limits, so
its login page only sends people to allauth's sign-in; a session opens the
admin only when its sign-in passed the second factor.
"""

from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

ADMIN_SIGN_IN_AGAIN_MESSAGE = (
    "Для панели управления платформой войдите снова: понадобится код из приложения-аутентификатора."
)
ADMIN_NOT_STAFF_MESSAGE = "Панель управления доступна только сотрудникам платформы."


class PlatformAdminSite(admin.AdminSite):
    site_header = "Сферум Админ — управление платформой"
    site_title = "Сферум Админ"
    index_title = "Данные платформы"

    def has_permission(self, request) -> bool:
        from accounts.selectors import session_passed_mfa

        return super().has_permission(request) and session_passed_mfa(request=request)

    def login(self, request, extra_context=None):
        """No password form here: allauth signs in (code or password, then TOTP), and sends the person back."""
        from accounts.selectors import user_has_totp

        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
            next_url = reverse("admin:index", current_app=self.name)
        user = request.user
        if user.is_authenticated:
            if not (user.is_active and user.is_staff):
                raise PermissionDenied(_(ADMIN_NOT_STAFF_MESSAGE))
            if self.has_permission(request):
                return redirect(next_url)
            if not user_has_totp(user=user):
                return redirect("accounts:mfa_required")
            # Signed in without the second factor (before TOTP was set up, or
            # by the admin's former password form): sign in again through allauth.
            auth_logout(request)
            messages.info(request, _(ADMIN_SIGN_IN_AGAIN_MESSAGE))
        return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


class PlatformAdminConfig(AdminConfig):
    default_site = "sferum_admin.admin_site.PlatformAdminSite"
