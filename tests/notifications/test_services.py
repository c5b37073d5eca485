import datetime
import logging
import threading
import time

import pytest
from django.core import mail
from django.db import connection

from notifications.backends import MemorySmsBackend, SmsDeliveryError
from notifications.models import Message
from notifications.services import MASK, notification_send

pytestmark = pytest.mark.django_db

CODE = "864209"


def _send_code(**kwargs):
    return notification_send(
        channel="sms",
        recipient="+79161234567",
        template="login_code",
        context={"code": CODE},
        secret_keys=("code",),
        **kwargs,
    )


def test_sent_sms_is_recorded_with_provider_id_and_status_sent(gateway):
    message = _send_code()

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.provider_message_id == "gw-1"
    assert (message.recipient, message.channel, message.template, message.attempts) == (
        "+79161234567",
        "sms",
        "login_code",
        1,
    )
    assert message.sent_at is not None


def test_the_code_goes_out_but_is_masked_in_the_stored_body_and_context(sms_outbox):
    message = _send_code()

    message.refresh_from_db()
    assert CODE in sms_outbox[0]["text"]
    assert CODE not in message.body
    assert MASK in message.body
    assert message.context == {"code": MASK}


def test_the_code_is_never_logged(gateway, caplog):
    gateway.statuses = [500]
    caplog.set_level(logging.DEBUG)

    with pytest.raises(SmsDeliveryError):
        _send_code()
    gateway.statuses = [200]
    _send_code()

    assert caplog.records
    assert CODE not in caplog.text


@pytest.mark.parametrize("status", [500, 503])
def test_gateway_server_error_marks_the_message_failed_and_asks_for_a_retry(gateway, status):
    gateway.statuses = [status]

    with pytest.raises(SmsDeliveryError) as caught:
        _send_code()

    assert caught.value.retryable is True
    message = Message.objects.get()
    assert message.status == Message.Status.FAILED
    assert str(status) in message.error


def test_refused_connection_marks_the_message_failed_and_asks_for_a_retry(settings, refused_url):
    settings.SMS_BACKEND = "notifications.backends.HttpGatewaySmsBackend"
    settings.SMS_GATEWAY_URL = refused_url

    with pytest.raises(SmsDeliveryError) as caught:
        _send_code()

    assert caught.value.retryable is True
    assert Message.objects.get().status == Message.Status.FAILED


def test_gateway_refusal_is_recorded_and_not_raised(gateway):
    gateway.statuses = [400]

    message = _send_code()

    assert message.status == Message.Status.FAILED
    assert Message.objects.get().status == Message.Status.FAILED
    assert len(gateway.requests) == 1


def test_second_send_with_the_same_key_sends_nothing(sms_outbox):
    first = _send_code(idempotency_key="invite:1:+79161234567")

    second = _send_code(idempotency_key="invite:1:+79161234567")

    assert len(sms_outbox) == 1
    assert second.pk == first.pk
    assert Message.objects.count() == 1


def test_failed_message_with_a_key_is_sent_on_the_next_try(gateway):
    gateway.statuses = [503, 200]
    with pytest.raises(SmsDeliveryError):
        _send_code(idempotency_key="k-1")

    message = _send_code(idempotency_key="k-1")

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 2
    assert message.error == ""
    assert Message.objects.count() == 1


def test_email_takes_its_subject_from_the_first_line_of_the_template():
    message = notification_send(
        channel="email",
        recipient="person@example.org",
        template="login_code",
        context={"code": CODE},
        secret_keys=("code",),
    )

    assert mail.outbox[0].subject == "Код для входа в Сферум Админ"
    assert CODE in mail.outbox[0].body
    assert CODE not in Message.objects.get(pk=message.pk).body


class SlowMemoryBackend(MemorySmsBackend):
    """Holds each send for a moment, so a racing second sender overlaps the first."""

    def send(self, phone, text):
        time.sleep(0.3)
        return super().send(phone, text)


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_threads_racing_with_the_same_key_send_once(settings, sms_outbox):
    settings.SMS_BACKEND = "tests.notifications.test_services.SlowMemoryBackend"
    barrier = threading.Barrier(4)
    results, errors = [], []

    def send():
        try:
            barrier.wait()
            results.append(_send_code(idempotency_key="race-key").pk)
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(sms_outbox) == 1
    assert Message.objects.count() == 1
    assert len(set(results)) == 1


def _stuck_message(*, minutes_ago: int) -> Message:
    from django.utils import timezone

    return Message.objects.create(
        channel="sms",
        recipient="+79161234567",
        template="login_code",
        status=Message.Status.SENDING,
        attempts=1,
        idempotency_key="stuck",
        claimed_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def test_message_abandoned_mid_send_by_a_dead_worker_is_sent_by_the_next_try(sms_outbox):
    stuck = _stuck_message(minutes_ago=11)

    message = _send_code(idempotency_key="stuck")

    assert message.pk == stuck.pk
    assert message.status == Message.Status.SENT
    assert message.attempts == 2
    assert len(sms_outbox) == 1


def test_message_being_sent_right_now_is_not_taken_over(sms_outbox):
    _stuck_message(minutes_ago=1)

    message = _send_code(idempotency_key="stuck")

    assert message.status == Message.Status.SENDING
    assert sms_outbox == []
