import json
import logging
import threading
import time

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.staticfiles import finders
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import cache_control
from rest_framework.exceptions import NotFound

from core.middleware import wants_json

logger = logging.getLogger(__name__)

THEME_COLOR = "#0172ad"

SERVER_ERROR_MESSAGE = "На сервере произошла ошибка. Попробуйте ещё раз через минуту."


class HealthView(View):
    """Liveness: the process answers. Touches no database, Redis or broker.

    A load balancer or an orchestrator may call it as often as it likes, and
    anonymous callers cannot make the app wait on its dependencies through it.
    Whether those dependencies answer is ``/readyz`` (ReadinessView).
    """

    def get(self, request):
        return JsonResponse({"status": "ok"})


class ReadinessView(View):
    """Readiness: whether the database, Redis and at least one Celery worker answer.

    Without REDIS_URL the app runs tasks in-process, so Redis and the worker
    are reported as ``in-process`` and count as healthy. Any failure answers
    503 so a load balancer or an orchestrator takes the instance out. The
    answer names no host, address or error text: the page is public. The
    answer is kept for ``READINESS_CACHE_SECONDS`` in this process, so a burst
    of calls runs the checks (up to a second of waiting for a worker) once.
    """

    def get(self, request):
        checks = readiness_checks()
        healthy = all(value in ("ok", "in-process") for value in checks.values())
        return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


# The last readiness answer of this process: (monotonic time, checks). Kept in
# memory, not in the Django cache, because that cache is Redis, one of the things checked.
_readiness: dict[str, tuple[float, dict[str, str]]] = {}
_readiness_lock = threading.Lock()


def readiness_checks() -> dict[str, str]:
    ttl = settings.READINESS_CACHE_SECONDS
    cached = _readiness.get("last")
    if cached and time.monotonic() - cached[0] < ttl:
        return cached[1]
    # One thread per process runs the checks (up to a second waiting for a worker);
    # the others answer with the last result meanwhile instead of waiting too and
    # holding threads the pages need. Only a process's very first call waits.
    if not _readiness_lock.acquire(blocking=cached is None):
        return cached[1]
    try:
        cached = _readiness.get("last")
        if cached and time.monotonic() - cached[0] < ttl:
            return cached[1]
        redis = _check_redis()
        # Without the broker a ping would only wait for its timeout.
        celery = _check_celery() if redis != "error" else "error"
        checks = {"database": _check_database(), "redis": redis, "celery": celery}
        _readiness["last"] = (time.monotonic(), checks)
        return checks
    finally:
        _readiness_lock.release()


def readiness_cache_clear() -> None:
    _readiness.clear()


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # noqa: BLE001 (a health check reports any failure)
        logger.warning("readyz: database unavailable: %s", exc.__class__.__name__)
        return "error"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "in-process"
    try:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except Exception as exc:  # noqa: BLE001
        logger.warning("readyz: redis unavailable: %s", exc.__class__.__name__)
        return "error"


def _check_celery() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    from sferum_admin.celery import app

    try:
        # One reply is enough to know a worker runs; without limit the ping waits out its timeout.
        replies = app.control.ping(timeout=1.0, limit=1)
    except Exception as exc:  # noqa: BLE001
        logger.warning("readyz: celery ping failed: %s", exc.__class__.__name__)
        return "error"
    return "ok" if replies else "no-workers"


@method_decorator(cache_control(public=True, max_age=24 * 3600), name="dispatch")
class FaviconView(View):
    """``/favicon.ico``, which browsers ask for on their own (pages without a ``<link rel=icon>``, the API).

    Served from the static files here rather than redirected to them: a
    redirect would lead nowhere where static files are not served by this
    process (DEBUG off without WhiteNoise).
    """

    def get(self, request):
        path = finders.find("favicon.ico")
        if not path:
            raise Http404
        return FileResponse(open(path, "rb"), content_type="image/x-icon")


class ManifestView(View):
    """``/manifest.webmanifest``: what a phone needs to install the site as an app (name, icons, colours)."""

    @method_decorator(cache_control(public=True, max_age=3600))
    def get(self, request):
        manifest = {
            "id": "/",
            "name": "Сферум Админ",
            "short_name": "Сферум",
            "description": "Платформа коммуникаций колледжа",
            "lang": "ru",
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            # Pico's primary colour (azure), as on the buttons.
            "theme_color": THEME_COLOR,
            "background_color": "#ffffff",
            "icons": [
                {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
                for size in (192, 512)
            ],
        }
        return JsonResponse(
            manifest, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
        )


class ServiceWorkerView(View):
    """``/sw.js``: the service worker that shows push notifications, served from the root for the scope «/».

    A worker's scope is at most the folder of its script, so it cannot come from
    /static/. Browsers check for a new worker on their own; no-cache makes each
    check reach this view.
    """

    @method_decorator(cache_control(no_cache=True))
    def get(self, request):
        # As JavaScript string literals: the template has autoescape off.
        context = {
            "icon_url": json.dumps(static("icons/icon-192.png")),
            "badge_url": json.dumps(static("icons/badge-96.png")),
        }
        return render(request, "sw.js", context, content_type="text/javascript; charset=utf-8")


class BenchBareView(LoginRequiredMixin, View):
    """The floor bench/dashboard.py measures pages against: the middleware and the session user, no page work.

    Routed only when ``settings.BENCHMARK`` is set.
    """

    def get(self, request):
        return HttpResponse(str(request.user.pk), content_type="text/plain")

    def post(self, request):
        """The floor bench/invitations_rush.py measures «Присоединиться» against: a signed-in POST, CSRF
        checked, answered by the same redirect, with no work of its own."""
        return redirect("home")


def page_not_found(request, exception=None):
    if wants_json(request):
        # An API address that matches no endpoint (/api/v1/colleges/abc/…): the API's own «not found».
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
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
