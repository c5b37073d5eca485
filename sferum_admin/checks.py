"""System checks of the installation itself (run by `manage.py check`, `migrate` and `runserver`)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error
from django.core.exceptions import ImproperlyConfigured

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


# Backends that only print, keep in memory or write a local file: in production nobody would get the message.
_LOCAL_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
_LOCAL_SMS_BACKENDS = {
    "notifications.backends.ConsoleSmsBackend",
    "notifications.backends.MemorySmsBackend",
    "notifications.backends.FileSmsBackend",
}
_DEVELOPMENT_SECRET_PREFIX = "dev-only-insecure-key"


def production_settings_check(app_configs, **kwargs) -> list[Error]:
    """In production the app refuses to start without a secret key, allowed hosts, a real e-mail and SMS
    backend: each would otherwise fail quietly (sign-in codes and invitation links printed to a log)."""
    if not settings.PRODUCTION:
        return []
    errors = []
    try:
        secret_key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django's own answer to an empty one
        secret_key = ""
    if not secret_key.strip() or secret_key.startswith(_DEVELOPMENT_SECRET_PREFIX):
        errors.append(
            Error(
                "DJANGO_SECRET_KEY is empty or the development default: sessions and invitation links could be forged.",
                hint="Set DJANGO_SECRET_KEY, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'",
                id="sferum_admin.E002",
            )
        )
    if not [host for host in settings.ALLOWED_HOSTS if host.strip()]:
        errors.append(
            Error(
                "DJANGO_ALLOWED_HOSTS is empty: every request would be refused.",
                hint="Set DJANGO_ALLOWED_HOSTS to the site's host name, e.g. DJANGO_ALLOWED_HOSTS=sferum.college.ru",
                id="sferum_admin.E003",
            )
        )
    if settings.EMAIL_BACKEND in _LOCAL_EMAIL_BACKENDS:
        errors.append(
            Error(
                f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: e-mails with sign-in links would never leave the server.",
                hint="Set EMAIL_URL, e.g. EMAIL_URL=smtp+tls://user:password@smtp.college.ru:587",
                id="sferum_admin.E004",
            )
        )
    if settings.SMS_BACKEND in _LOCAL_SMS_BACKENDS:
        errors.append(
            Error(
                f"SMS_BACKEND is {settings.SMS_BACKEND}: sign-in codes and invitations would never reach a phone.",
                hint="Set SMS_BACKEND=notifications.backends.HttpGatewaySmsBackend and SMS_GATEWAY_URL",
                id="sferum_admin.E005",
            )
        )
    elif settings.SMS_BACKEND == "notifications.backends.HttpGatewaySmsBackend" and not settings.SMS_GATEWAY_URL:
        errors.append(
            Error(
                "SMS_GATEWAY_URL is empty: the HTTP gateway backend has nowhere to send.",
                hint="Set SMS_GATEWAY_URL (and SMS_GATEWAY_TOKEN) to the provider's address",
                id="sferum_admin.E006",
            )
        )
    return errors
