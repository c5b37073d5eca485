"""Optional error reports: with SENTRY_DSN set, sentry-sdk reports unhandled errors of the web
processes and the Celery tasks. Personal data (phones, addresses, cookies) is not sent."""

import logging

logger = logging.getLogger(__name__)


def sentry_init(dsn: str, *, environment: str, traces_sample_rate: float) -> bool:
    try:
        import sentry_sdk
        from sentry_sdk.integrations.celery import CeleryIntegration
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError:
        logger.warning("SENTRY_DSN is set but sentry-sdk is not installed: no error reports are sent.")
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
    )
    return True
