"""The page «Уведомления на этом устройстве» and the two JSON calls its script makes (static/js/push.js)."""

import json

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.views import View

from notifications import messages
from notifications.models import PushSubscription
from notifications.push import push_enabled, push_subscribe, push_unsubscribe

# A browser's subscription is an endpoint (a few hundred characters) and two short keys.
MAX_BODY_BYTES = 4096


class PushDevicePage(LoginRequiredMixin, View):
    template_name = "notifications/push_device.html"

    def get(self, request):
        devices = PushSubscription.objects.filter(user=request.user).only("user_agent", "created_at", "last_success_at")
        context = {"push_on": push_enabled(), "public_key": settings.VAPID_PUBLIC_KEY, "devices": devices}
        return render(request, self.template_name, context)


def _json_body(request) -> dict:
    """The request's JSON object, or ValidationError with the Russian sentence to answer."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_BODY_BYTES + 1
    if length > MAX_BODY_BYTES:
        raise ValidationError(messages.PUSH_TOO_LARGE)
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError(messages.PUSH_BAD_REQUEST) from exc
    if not isinstance(data, dict):
        raise ValidationError(messages.PUSH_BAD_REQUEST)
    return data


def _error(exc: ValidationError, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": " ".join(exc.messages)}, status=status)


class PushSubscribeView(LoginRequiredMixin, View):
    """POST the browser's ``PushSubscription.toJSON()``: ``{"endpoint", "keys": {"p256dh", "auth"}}``."""

    def post(self, request):
        try:
            data = _json_body(request)
            keys = data.get("keys")
            if not isinstance(keys, dict):
                raise ValidationError(messages.PUSH_BAD_KEYS)
            push_subscribe(
                actor=request.user,
                endpoint=data.get("endpoint"),
                p256dh=keys.get("p256dh"),
                auth=keys.get("auth"),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except ValidationError as exc:
            return _error(exc)
        return JsonResponse({"ok": True}, status=201)


class PushUnsubscribeView(LoginRequiredMixin, View):
    """POST ``{"endpoint"}``: this browser stops receiving; only its owner's subscription is removed."""

    def post(self, request):
        try:
            data = _json_body(request)
        except ValidationError as exc:
            return _error(exc)
        endpoint = data.get("endpoint")
        if not isinstance(endpoint, str) or not push_unsubscribe(actor=request.user, endpoint=endpoint):
            return _error(ValidationError(messages.PUSH_NOT_FOUND), status=404)
        return JsonResponse({"ok": True})
