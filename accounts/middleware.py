from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# Paths a signed-in user without TOTP may still open: setting it up, signing out.
_MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/media/", "/healthz", "/i18n/", "/admin/")


class RequireStaffMfaMiddleware:
    """Administrators and administration must set up TOTP before any college page.

    allauth offers MFA but forces it on no one; this closes that gap. The
    check runs after CurrentCollegeMiddleware, which loads the user's roles.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up_totp(request):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse(
                    {"detail": "Для вашей роли обязательна двухфакторная аутентификация. Настройте её в профиле."},
                    status=403,
                )
            return redirect(reverse("accounts:mfa_required"))
        return self.get_response(request)

    def _must_set_up_totp(self, request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path.startswith(_MFA_EXEMPT_PREFIXES):
            return False
        # Token-authenticated API clients are checked by DRF, not by the session.
        if not set(getattr(request, "all_roles", ())) & set(settings.MFA_REQUIRED_ROLES):
            return False
        from accounts.selectors import user_has_totp

        return not user_has_totp(user=user)
