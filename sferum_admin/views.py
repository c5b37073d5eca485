import logging

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import View

from sferum_admin.middleware import wants_json

logger = logging.getLogger(__name__)

SERVER_ERROR_MESSAGE = "На сервере произошла ошибка. Попробуйте ещё раз через минуту."


class HealthView(View):
    """Whether the database, Redis and at least one Celery worker answer.

    Without REDIS_URL the app runs tasks in-process, so Redis and the worker
    are reported as ``in-process`` and count as healthy. Any failure answers
    503 so a load balancer or an orchestrator takes the instance out. The
    answer names no host, address or error text: the page is public.
    """

    def get(self, request):
        redis = _check_redis()
        # Without the broker a ping would only wait for its timeout.
        celery = _check_celery() if redis != "error" else "error"
        checks = {"database": _check_database(), "redis": redis, "celery": celery}
        healthy = all(value in ("ok", "in-process") for value in checks.values())
        return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # noqa: BLE001 (a health check reports any failure)
        logger.warning("healthz: database unavailable: %s", exc.__class__.__name__)
        return "error"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "in-process"
    try:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except Exception as exc:  # noqa: BLE001
        logger.warning("healthz: redis unavailable: %s", exc.__class__.__name__)
        return "error"


def _check_celery() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    from sferum_admin.celery import app

    try:
        # One reply is enough to know a worker runs; without limit the ping waits out its timeout.
        replies = app.control.ping(timeout=1.0, limit=1)
    except Exception as exc:  # noqa: BLE001
        logger.warning("healthz: celery ping failed: %s", exc.__class__.__name__)
        return "error"
    return "ok" if replies else "no-workers"


class BenchBareView(LoginRequiredMixin, View):
    """The floor bench/dashboard.py measures pages against: the middleware and the session user, no page work.

    Routed only when ``settings.BENCHMARK`` is set.
    """

    def get(self, request):
        return HttpResponse(str(request.user.pk), content_type="text/plain")


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def bad_request(request, exception=None):
    if wants_json(request):
        return JsonResponse({"detail": str(exception or "")}, status=400)
    return render(request, "errors/400.html", {"reason": str(exception or "")}, status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


def server_error(request):
    if wants_json(request):
        return JsonResponse({"detail": SERVER_ERROR_MESSAGE}, status=500)
    return render(request, "errors/500.html", status=500)
