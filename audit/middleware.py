from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied

from audit.context import current_ip


def client_ip(request) -> str | None:
    """The client's address as the rate limits see it: behind ``ALLAUTH_TRUSTED_PROXY_COUNT`` proxies, the
    forwarded one, not the proxy's (allauth's adapter is the one place that reads the proxy headers)."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:  # allauth's answer when no address can be told
        return None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
