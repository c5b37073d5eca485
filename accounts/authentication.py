"""DRF authentication by a named API key (``Authorization: Token <key>``), looked up by its hash."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.middleware import MFA_REQUIRED_API_MESSAGE

TOKEN_INVALID_MESSAGE = "Ключ API недействителен: он отозван, истёк или введён с ошибкой."


class ApiTokenAuthentication(TokenAuthentication):
    """``request.auth`` is the ``ApiToken``; its college (if any) is the only one the API acts in
    (``colleges.api_base.api_college_get``: any other college's id is 404 to the key)."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        from accounts.selectors import api_token_for_key

        token = api_token_for_key(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed(_(TOKEN_INVALID_MESSAGE))
        # The key stands in for a sign-in, so a role that requires TOTP needs it set up (keys made before the role).
        if token.must_use_totp and not token.has_totp:
            raise exceptions.PermissionDenied(_(MFA_REQUIRED_API_MESSAGE))
        return token.user, token
