"""System checks of the installation itself (run by `manage.py check`, `migrate` and `runserver`)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error

# Addresses that reach only the machine the server runs on.
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


def site_url_check(app_configs, **kwargs) -> list[Error]:
    """In production SITE_URL must be the public address: every invitation link, QR code and SMS
    starts with it, and the development default would send people to their own phone."""
    if not settings.PRODUCTION:
        return []
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme in ("http", "https") and parts.hostname and parts.hostname not in _LOCAL_HOSTS:
        return []
    return [
        Error(
            f"SITE_URL is {settings.SITE_URL!r}: links in SMS, e-mails, QR codes and print sheets would point there.",
            hint="Set SITE_URL to the address people open, e.g. SITE_URL=https://sferum.college.ru",
            id="sferum_admin.E001",
        )
    ]
