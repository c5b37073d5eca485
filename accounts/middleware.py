from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Paths a signed-in user without TOTP may still open: setting it up (allauth's
# pages and the profile live under /accounts/), signing out, static files.
_MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/media/", "/healthz", "/readyz", "/i18n/", "/i/")

# Session key: the user id whose TOTP was seen, so the check costs no query per request.
# Cleared when an authenticator is removed (accounts.receivers).
TOTP_SEEN_SESSION_KEY = "accounts_totp_seen_for"

MFA_REQUIRED_API_MESSAGE = "Для вашей роли обязательна двухфакторная аутентификация. Настройте её в профиле."


class RequireStaffMfaMiddleware:
    """Platform staff, administrators and administration must set up TOTP before any other page.

    allauth offers MFA but forces it on no one; this closes that gap. The
    check runs after CurrentCollegeMiddleware, which loads the user's roles.
    Pages answer with a redirect to «Настройте двухфакторную аутентификацию»,
    the API with 403 and a Russian message.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up_totp(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _(MFA_REQUIRED_API_MESSAGE)}, status=403)
            return redirect(reverse("accounts:mfa_required"))
        return self.get_response(request)

    def _must_set_up_totp(self, request) -> bool:
        user = getattr(request, "user", None)
        # API keys are checked by accounts.authentication, where DRF authenticates them.
        if user is None or not user.is_authenticated:
            return False
        if request.path.startswith(_MFA_EXEMPT_PREFIXES):
            return False
        if not user.is_staff and not set(getattr(request, "all_roles", ())) & set(settings.MFA_REQUIRED_ROLES):
            return False
        if request.session.get(TOTP_SEEN_SESSION_KEY) == user.pk:
            return False
        from accounts.selectors import user_has_totp

        if user_has_totp(user=user):
            request.session[TOTP_SEEN_SESSION_KEY] = user.pk
            return False
        return True
