"""Web Push: a person's browsers subscribe, ``push_notify`` queues a notification to all of them.

Keys (VAPID) come from the settings: without ``VAPID_PUBLIC_KEY`` and
``VAPID_PRIVATE_KEY`` push is off, ``push_notify`` sends nothing and the
device page says so. Each notification to each browser is a ``PushDelivery``
row claimed before it is sent, so a retried or redelivered task never shows
it twice; the push service's 404/410 (the browser unsubscribed, the
subscription expired) deletes the subscription.

Subscribing is a person's own setting for their own browser, kept here in the
delivery app; the audit trail is a sibling layer and records college changes,
so these services log instead.
"""

import base64
import binascii
import datetime
import hashlib
import json
import logging
import uuid
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from notifications import messages
from notifications.models import PushDelivery, PushSubscription

logger = logging.getLogger(__name__)

# A push service answers in seconds; a claim this old belongs to a worker that died.
SENDING_ABANDONED_AFTER = datetime.timedelta(minutes=10)
# Long past any retry (about an hour at most) and any repeat of the same event by its caller.
KEEP_DELIVERIES = datetime.timedelta(days=7)
TITLE_MAX = 120
BODY_MAX = 300
TAG_MAX = 64


class PushDeliveryError(Exception):
    """The push service could not be reached or asked to come back later: worth another try."""


def push_enabled() -> bool:
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


# --- Subscriptions ---------------------------------------------------------------


@transaction.atomic
def push_subscribe(*, actor, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> PushSubscription:
    """Remember that ``actor``'s browser accepts push at ``endpoint``; the same browser again updates its row.

    A browser belongs to whoever subscribed on it last: when another person signs
    in on it and subscribes, the endpoint moves to them and the first stops
    receiving there.
    """
    if not push_enabled():
        raise ValidationError(messages.PUSH_OFF)
    _check_endpoint(endpoint)
    _check_key(p256dh, length=65, first=4)
    _check_key(auth, length=16)
    subscription, created = PushSubscription.objects.select_for_update().update_or_create(
        endpoint=endpoint,
        defaults={"user": actor, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300], "failures": 0},
    )
    logger.info("push: subscription %s %s for user %s", subscription.pk, "added" if created else "renewed", actor.pk)
    return subscription


@transaction.atomic
def push_unsubscribe(*, actor, endpoint: str) -> bool:
    """Forget ``actor``'s subscription at ``endpoint``; False when ``actor`` has none there (another person's stays)."""
    deleted, _ = PushSubscription.objects.filter(user=actor, endpoint=endpoint).delete()
    if deleted:
        logger.info("push: a subscription of user %s removed", actor.pk)
    return bool(deleted)


def _check_endpoint(endpoint: str) -> None:
    """Only a known push service over HTTPS: the server POSTs to this address, so it must not point inside."""
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > 1000:
        raise ValidationError(messages.PUSH_BAD_ENDPOINT)
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number)
    except ValueError as exc:
        raise ValidationError(messages.PUSH_BAD_ENDPOINT) from exc
    schemes = {"https", "http"} if settings.PUSH_ALLOW_HTTP_ENDPOINTS else {"https"}
    if parts.scheme not in schemes or not host or parts.username or parts.password:
        raise ValidationError(messages.PUSH_BAD_ENDPOINT)
    if not any(host == allowed or host.endswith("." + allowed) for allowed in settings.PUSH_ENDPOINT_HOSTS):
        raise ValidationError(messages.PUSH_BAD_ENDPOINT)


def _check_key(value: str, *, length: int, first: int | None = None) -> None:
    """A browser's key: unpadded base64url of ``length`` bytes (p256dh: an uncompressed P-256 point, 0x04 first)."""
    if not isinstance(value, str) or not value or len(value) > 128:
        raise ValidationError(messages.PUSH_BAD_KEYS)
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(messages.PUSH_BAD_KEYS) from exc
    if len(raw) != length or (first is not None and raw[0] != first):
        raise ValidationError(messages.PUSH_BAD_KEYS)


# --- Notifications ---------------------------------------------------------------


def push_notify(
    *, user_ids: Iterable[int], title: str, body: str, url: str, tag: str = "", idempotency_key: str | None = None
) -> int:
    """Queue a notification to every subscribed browser of ``user_ids``; how many deliveries were queued.

    ``url`` is a path of this site («/chats/5/»), opened when the notification
    is tapped. ``tag`` groups notifications on the device: a newer one with the
    same tag replaces the older in the tray, and a push service still holding
    an undelivered one drops it (the Topic header). With ``idempotency_key``
    («chat-message:123») a repeated call sends nothing to a browser that
    already has it. Sent by ``notifications.tasks.push_send`` after commit, one
    task per browser; without VAPID keys nothing is queued.
    """
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError("push_notify: url must be a path of this site")
    user_ids = sorted({int(pk) for pk in user_ids})
    if not push_enabled() or not user_ids:
        return 0
    payload = {"title": title[:TITLE_MAX], "body": body[:BODY_MAX], "url": url, "tag": tag[:TAG_MAX]}
    key = (idempotency_key or uuid.uuid4().hex)[:128]
    with transaction.atomic():
        subscription_ids = list(
            PushSubscription.objects.filter(user_id__in=user_ids).order_by("pk").values_list("pk", flat=True)
        )
        if not subscription_ids:
            return 0
        PushDelivery.objects.bulk_create(
            [PushDelivery(subscription_id=pk, key=key, payload=payload) for pk in subscription_ids],
            ignore_conflicts=True,
        )
        delivery_ids = list(
            PushDelivery.objects.filter(
                key=key, subscription_id__in=subscription_ids, status=PushDelivery.Status.QUEUED, attempts=0
            ).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: _queue(delivery_ids), robust=True)
    return len(delivery_ids)


def _queue(delivery_ids: list[int]) -> None:
    from notifications.tasks import push_send

    for pk in delivery_ids:
        push_send.delay(delivery_id=pk)


def push_deliver(*, delivery_id: int) -> str:
    """Send one claimed delivery; «sent», «gone» (subscription deleted), «refused», or «skipped» (not ours).

    Raises ``PushDeliveryError`` when the push service is unreachable, times
    out, or answers 429/5xx: the failure is counted and the task retries.
    """
    now = timezone.now()
    claimable = Q(status__in=[PushDelivery.Status.QUEUED, PushDelivery.Status.FAILED]) | Q(
        status=PushDelivery.Status.SENDING, claimed_at__lt=now - SENDING_ABANDONED_AFTER
    )
    claimed = PushDelivery.objects.filter(claimable, pk=delivery_id).update(
        status=PushDelivery.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    if not claimed:
        return "skipped"
    delivery = PushDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    try:
        _webpush(subscription, delivery.payload)
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", None)
        if status in (404, 410):
            # The browser is gone for good; the delivery goes with it.
            PushSubscription.objects.filter(pk=subscription.pk).delete()
            logger.info("push: subscription %s gone (%s), removed", subscription.pk, status)
            return "gone"
        retryable = status is None or status in (408, 429) or status >= 500
        _record_failure(delivery, f"HTTP {status}" if status else exc.__class__.__name__)
        if retryable:
            raise PushDeliveryError(f"push service answered {status}") from exc
        return "refused"
    except requests.RequestException as exc:
        _record_failure(delivery, exc.__class__.__name__)
        raise PushDeliveryError(exc.__class__.__name__) from exc
    moment = timezone.now()
    PushDelivery.objects.filter(pk=delivery.pk).update(status=PushDelivery.Status.SENT, sent_at=moment, error="")
    PushSubscription.objects.filter(pk=subscription.pk).update(last_success_at=moment, failures=0)
    return "sent"


def push_deliveries_prune(*, older_than: datetime.timedelta = KEEP_DELIVERIES) -> int:
    """Delete deliveries older than ``older_than``: a retry or a repeated key that late no longer matters."""
    deleted, _ = PushDelivery.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


def _record_failure(delivery: PushDelivery, error: str) -> None:
    PushDelivery.objects.filter(pk=delivery.pk).update(status=PushDelivery.Status.FAILED, error=error[:300])
    PushSubscription.objects.filter(pk=delivery.subscription_id).update(failures=F("failures") + 1)
    logger.warning("push: delivery %s failed: %s", delivery.pk, error)


def _topic(tag: str) -> str:
    """The Topic header: at most 32 URL-safe base64 characters, so the tag goes in hashed."""
    return base64.urlsafe_b64encode(hashlib.sha256(tag.encode()).digest()).decode()[:32]


def _webpush(subscription: PushSubscription, payload: dict) -> None:
    headers = {"Urgency": "normal"}
    if payload.get("tag"):
        headers["Topic"] = _topic(payload["tag"])
    webpush(
        subscription_info={
            "endpoint": subscription.endpoint,
            "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
        },
        data=json.dumps(payload, ensure_ascii=False),
        vapid_private_key=_vapid(settings.VAPID_PRIVATE_KEY),
        # A fresh dict each time: webpush fills in «aud» and «exp» in place.
        vapid_claims={"sub": settings.VAPID_SUBJECT},
        ttl=settings.PUSH_TTL_SECONDS,
        timeout=settings.PUSH_TIMEOUT_SECONDS,
        headers=headers,
    )


@lru_cache(maxsize=2)
def _vapid(private_key: str):
    return Vapid.from_string(private_key=private_key)
