"""Web Push: a browser subscribes through the page's call, push_notify reaches it signed and encrypted.

The push service is tests/notifications/fake_push.py, a local HTTP server that
checks the VAPID signature and decrypts the payload with the browser's key.
"""

import json
import time

import pytest
from django.test import Client
from django.urls import reverse

from notifications import messages
from notifications.models import PushDelivery, PushSubscription
from notifications.push import push_notify, push_subscribe
from tests import factories

pytestmark = pytest.mark.django_db

SUBSCRIBE = reverse("notifications:push_subscribe")
UNSUBSCRIBE = reverse("notifications:push_unsubscribe")


def _signed_in_client(user) -> tuple[Client, str]:
    """A browser that checks CSRF as a real one does, signed in, with the token the page gave it."""
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Chrome/131")
    client.force_login(user)
    page = client.get(reverse("notifications:push_device"))
    assert page.status_code == 200
    return client, page.cookies["csrftoken"].value


def _post(client, url, data, token, **extra):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token, **extra)


def _subscribed(user, service) -> PushSubscription:
    data = service.subscription()
    return push_subscribe(
        actor=user, endpoint=data["endpoint"], p256dh=data["keys"]["p256dh"], auth=data["keys"]["auth"]
    )


def test_signed_in_person_subscribes_this_browser_through_the_page(push_service):
    person = factories.UserFactory(phone="+79990001122")
    client, token = _signed_in_client(person)
    browser = push_service.subscription()

    response = _post(client, SUBSCRIBE, browser, token)

    assert response.status_code == 201
    subscription = PushSubscription.objects.get()
    assert subscription.user == person
    assert subscription.endpoint == browser["endpoint"]
    assert subscription.p256dh == browser["keys"]["p256dh"]
    assert "Android" in subscription.user_agent


def test_subscribing_without_the_csrf_token_is_refused(push_service):
    client, _token = _signed_in_client(factories.UserFactory())

    response = client.post(SUBSCRIBE, json.dumps(push_service.subscription()), content_type="application/json")

    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


def test_push_notify_delivers_a_signed_encrypted_notification(push_service, django_capture_on_commit_callbacks):
    person = factories.UserFactory()
    subscription = _subscribed(person, push_service)

    with django_capture_on_commit_callbacks(execute=True):
        queued = push_notify(
            user_ids=[person.pk], title="Петрова М.", body="@Иван, посмотрите", url="/chats/5/", tag="chat-5"
        )

    assert queued == 1
    [request] = push_service.received
    assert "error" not in request, request.get("error")
    assert request["payload"] == {
        "title": "Петрова М.",
        "body": "@Иван, посмотрите",
        "url": "/chats/5/",
        "tag": "chat-5",
    }
    assert request["vapid"]["key"] == push_service_key(push_service)
    assert request["vapid"]["claims"]["aud"] == push_service.origin
    assert request["vapid"]["claims"]["exp"] > time.time()
    assert request["headers"]["content-encoding"] == "aes128gcm"
    assert int(request["headers"]["ttl"]) > 0
    assert len(request["headers"]["topic"]) <= 32
    subscription.refresh_from_db()
    assert subscription.last_success_at is not None
    assert PushDelivery.objects.get().status == PushDelivery.Status.SENT


def push_service_key(push_service) -> str:
    from django.conf import settings

    return settings.VAPID_PUBLIC_KEY


def test_every_browser_of_every_person_named_gets_it_and_nobody_else(push_service, django_capture_on_commit_callbacks):
    first, second, bystander = factories.UserFactory.create_batch(3)
    _subscribed(first, push_service)
    _subscribed(first, push_service)
    _subscribed(second, push_service)
    _subscribed(bystander, push_service)

    with django_capture_on_commit_callbacks(execute=True):
        queued = push_notify(user_ids=[first.pk, second.pk, first.pk], title="Т", body="Б", url="/", tag="")

    assert queued == 3
    assert sorted(r["path"] for r in push_service.received) == ["/push/1", "/push/2", "/push/3"]


def test_the_same_idempotency_key_reaches_a_browser_once(push_service, django_capture_on_commit_callbacks):
    person = factories.UserFactory()
    _subscribed(person, push_service)
    kwargs = dict(user_ids=[person.pk], title="Т", body="Б", url="/chats/1/", tag="chat-1", idempotency_key="msg:7")

    with django_capture_on_commit_callbacks(execute=True):
        push_notify(**kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        again = push_notify(**kwargs)

    assert again == 0
    assert len(push_service.received) == 1


def test_a_redelivered_task_does_not_send_twice(push_service, django_capture_on_commit_callbacks):
    from notifications.tasks import push_send

    person = factories.UserFactory()
    _subscribed(person, push_service)
    with django_capture_on_commit_callbacks(execute=True):
        push_notify(user_ids=[person.pk], title="Т", body="Б", url="/", tag="t")

    outcome = push_send.apply(kwargs={"delivery_id": PushDelivery.objects.get().pk}).get()

    assert outcome == "skipped"
    assert len(push_service.received) == 1


@pytest.mark.parametrize("status", [404, 410])
def test_a_browser_the_push_service_no_longer_knows_is_forgotten(
    push_service, django_capture_on_commit_callbacks, status
):
    person = factories.UserFactory()
    _subscribed(person, push_service)
    push_service.statuses = [status]

    with django_capture_on_commit_callbacks(execute=True):
        push_notify(user_ids=[person.pk], title="Т", body="Б", url="/", tag="t")

    assert len(push_service.received) == 1
    assert not PushSubscription.objects.exists()
    assert not PushDelivery.objects.exists()


def test_a_server_error_is_counted_and_retried(push_service, django_capture_on_commit_callbacks):
    person = factories.UserFactory()
    subscription = _subscribed(person, push_service)
    push_service.statuses = [503, 201]

    with django_capture_on_commit_callbacks(execute=True):
        push_notify(user_ids=[person.pk], title="Т", body="Б", url="/", tag="t")

    assert len(push_service.received) == 2
    delivery = PushDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (PushDelivery.Status.SENT, 2)
    subscription.refresh_from_db()
    assert subscription.failures == 0 and subscription.last_success_at is not None


def test_a_refusal_is_counted_and_not_retried(push_service, django_capture_on_commit_callbacks):
    person = factories.UserFactory()
    subscription = _subscribed(person, push_service)
    push_service.statuses = [400]

    with django_capture_on_commit_callbacks(execute=True):
        push_notify(user_ids=[person.pk], title="Т", body="Б", url="/", tag="t")

    assert len(push_service.received) == 1
    delivery = PushDelivery.objects.get()
    assert (delivery.status, delivery.error) == (PushDelivery.Status.FAILED, "HTTP 400")
    subscription.refresh_from_db()
    assert subscription.failures == 1


def test_an_unreachable_push_service_is_retried_then_left_failed(
    vapid, django_capture_on_commit_callbacks, refused_url
):
    person = factories.UserFactory()
    endpoint = refused_url.replace("/api/send", "/push/1")
    from tests.notifications.fake_push import FakePushService

    keys = FakePushService().subscription()["keys"]
    subscription = push_subscribe(actor=person, endpoint=endpoint, p256dh=keys["p256dh"], auth=keys["auth"])

    with django_capture_on_commit_callbacks(execute=True):
        push_notify(user_ids=[person.pk], title="Т", body="Б", url="/", tag="t")

    delivery = PushDelivery.objects.get()
    assert delivery.status == PushDelivery.Status.FAILED
    assert delivery.attempts == 6  # the first try and five retries
    subscription.refresh_from_db()
    assert subscription.failures == 6


def test_without_keys_nothing_is_queued_and_the_page_explains(settings, client, django_capture_on_commit_callbacks):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    person = factories.UserFactory()
    client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = push_notify(user_ids=[person.pk], title="Т", body="Б", url="/", tag="t")
    page = client.get(reverse("notifications:push_device"))

    assert queued == 0 and callbacks == []
    assert "Уведомления на устройства на этом сайте пока не настроены" in page.content.decode()
    assert "data-push-enable" not in page.content.decode()


def test_without_keys_a_subscription_is_refused(settings, push_service):
    settings.VAPID_PUBLIC_KEY = ""
    client, token = _signed_in_client(factories.UserFactory())

    response = _post(client, SUBSCRIBE, push_service.subscription(), token)

    assert response.status_code == 400
    assert response.json() == {"error": messages.PUSH_OFF}


def test_the_page_offers_the_button_with_the_sites_key(push_service):
    client, _token = _signed_in_client(factories.UserFactory())

    page = client.get(reverse("notifications:push_device")).content.decode()

    assert "Включить уведомления" in page
    assert f'data-public-key="{push_service_key(push_service)}"' in page
    assert "js/push.js" in page


def _bad(service, **changes):
    data = service.subscription()
    keys = dict(data["keys"])
    for name in ("p256dh", "auth"):
        if name in changes:
            keys[name] = changes.pop(name)
    return {**data, "keys": keys, **changes}


@pytest.mark.parametrize(
    "make_body, message",
    [
        (lambda s: "это не JSON", messages.PUSH_BAD_REQUEST),
        (lambda s: "[1, 2]", messages.PUSH_BAD_REQUEST),
        (lambda s: b"\xff\xfe", messages.PUSH_BAD_REQUEST),
        (lambda s: {**s.subscription(), "endpoint": "не адрес"}, messages.PUSH_BAD_ENDPOINT),
        (
            lambda s: {**s.subscription(), "endpoint": "https://169.254.169.254/latest/meta-data"},
            messages.PUSH_BAD_ENDPOINT,
        ),
        (lambda s: {**s.subscription(), "endpoint": "ftp://127.0.0.1/push"}, messages.PUSH_BAD_ENDPOINT),
        (lambda s: {**s.subscription(), "endpoint": "http://user:pw@127.0.0.1/push"}, messages.PUSH_BAD_ENDPOINT),
        (lambda s: {**s.subscription(), "endpoint": "http://127.0.0.1:99999/push"}, messages.PUSH_BAD_ENDPOINT),
        (lambda s: {**s.subscription(), "endpoint": 5}, messages.PUSH_BAD_ENDPOINT),
        (lambda s: {"endpoint": s.subscription()["endpoint"]}, messages.PUSH_BAD_KEYS),
        (lambda s: _bad(s, p256dh="AAAA"), messages.PUSH_BAD_KEYS),
        (lambda s: _bad(s, p256dh="!!!не base64!!!"), messages.PUSH_BAD_KEYS),
        (lambda s: _bad(s, auth=None), messages.PUSH_BAD_KEYS),
        (lambda s: _bad(s, auth="A" * 200), messages.PUSH_BAD_KEYS),
        (lambda s: {**s.subscription(), "padding": "x" * 5000}, messages.PUSH_TOO_LARGE),
    ],
    ids=[
        "not-json",
        "not-an-object",
        "not-utf8",
        "not-a-url",
        "internal-address",
        "ftp",
        "credentials-in-url",
        "bad-port",
        "endpoint-not-a-string",
        "no-keys",
        "short-p256dh",
        "p256dh-not-base64",
        "auth-missing",
        "auth-too-long",
        "huge-body",
    ],
)
def test_a_forged_or_broken_subscription_gets_a_russian_400_and_stores_nothing(push_service, make_body, message):
    client, token = _signed_in_client(factories.UserFactory())

    response = _post(client, SUBSCRIBE, make_body(push_service), token)

    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert not PushSubscription.objects.exists()


def test_a_plain_http_endpoint_is_refused_outside_tests(push_service, settings):
    settings.PUSH_ALLOW_HTTP_ENDPOINTS = False
    client, token = _signed_in_client(factories.UserFactory())

    response = _post(client, SUBSCRIBE, push_service.subscription(), token)

    assert response.status_code == 400
    assert response.json() == {"error": messages.PUSH_BAD_ENDPOINT}


def test_a_known_push_service_over_https_is_accepted(vapid):
    vapid.PUSH_ENDPOINT_HOSTS = ["fcm.googleapis.com"]
    vapid.PUSH_ALLOW_HTTP_ENDPOINTS = False
    from tests.notifications.fake_push import FakePushService

    keys = FakePushService().subscription()["keys"]

    subscription = push_subscribe(
        actor=factories.UserFactory(), endpoint="https://fcm.googleapis.com/fcm/send/abc:def", **keys
    )

    assert subscription.pk


def test_another_person_cannot_unsubscribe_your_browser(push_service):
    owner, stranger = factories.UserFactory.create_batch(2)
    subscription = _subscribed(owner, push_service)
    client, token = _signed_in_client(stranger)

    response = _post(client, UNSUBSCRIBE, {"endpoint": subscription.endpoint}, token)

    assert response.status_code == 404
    assert response.json() == {"error": messages.PUSH_NOT_FOUND}
    assert PushSubscription.objects.filter(pk=subscription.pk).exists()


def test_the_owner_unsubscribes_the_browser(push_service):
    owner = factories.UserFactory()
    subscription = _subscribed(owner, push_service)
    client, token = _signed_in_client(owner)

    response = _post(client, UNSUBSCRIBE, {"endpoint": subscription.endpoint}, token)

    assert response.status_code == 200
    assert not PushSubscription.objects.exists()


def test_a_browser_subscribed_again_by_another_person_moves_to_them(push_service):
    first, second = factories.UserFactory.create_batch(2)
    data = push_service.subscription()
    push_subscribe(actor=first, endpoint=data["endpoint"], **data["keys"])

    push_subscribe(actor=second, endpoint=data["endpoint"], **data["keys"])

    assert list(PushSubscription.objects.values_list("user_id", flat=True)) == [second.pk]


def test_push_notify_takes_only_a_path_of_this_site(vapid):
    with pytest.raises(ValueError):
        push_notify(user_ids=[1], title="Т", body="Б", url="https://evil.example/", tag="")


def test_week_old_deliveries_are_pruned_and_newer_ones_kept(push_service, django_capture_on_commit_callbacks):
    import datetime

    from django.utils import timezone

    from notifications.tasks import push_deliveries_prune_task

    person = factories.UserFactory()
    _subscribed(person, push_service)
    with django_capture_on_commit_callbacks(execute=True):
        push_notify(user_ids=[person.pk], title="Старое", body="Б", url="/", tag="t")
        push_notify(user_ids=[person.pk], title="Новое", body="Б", url="/", tag="t")
    old = PushDelivery.objects.get(payload__title="Старое")
    PushDelivery.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))

    pruned = push_deliveries_prune_task.apply().get()

    assert pruned == 1
    assert list(PushDelivery.objects.values_list("payload__title", flat=True)) == ["Новое"]


# The session, the person, their colleges (the menu) and their devices.
QUERIES_DEVICE_PAGE = 4


@pytest.mark.parametrize("devices", [1, 6])
def test_the_device_page_reads_a_fixed_number_of_queries(push_service, client, django_assert_num_queries, devices):
    person = factories.UserFactory()
    for _ in range(devices):
        _subscribed(person, push_service)
    client.force_login(person)
    client.get(reverse("notifications:push_device"))  # the session's first request settles its own writes

    with django_assert_num_queries(QUERIES_DEVICE_PAGE):
        page = client.get(reverse("notifications:push_device"))

    assert page.content.decode().count("подключено") == devices
