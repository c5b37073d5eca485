"""notification_send_sms_batch: many SMS with one statement each, under notification_send's rules."""

import pytest

from notifications.models import Message
from notifications.services import MASK, OutgoingSms, notification_send, notification_send_sms_batch

pytestmark = pytest.mark.django_db


def _sms(n: int, **overrides) -> OutgoingSms:
    fields = dict(
        idempotency_key=f"batch:{n}",
        recipient=f"+7916555{n:04d}",
        template="login_code",
        body=f"Код для входа: {n:06d}",
        stored_body=f"Код для входа: {MASK}",
        stored_context={"code": MASK},
    )
    return OutgoingSms(**{**fields, **overrides})


def test_batch_sends_each_message_once_and_records_it_sent(sms_outbox):
    messages = [_sms(n) for n in range(5)]

    outcome = notification_send_sms_batch(messages=messages)

    assert sorted(outcome.sent) == [m.idempotency_key for m in messages]
    assert [sms["phone"] for sms in sms_outbox] == [m.recipient for m in messages]
    assert Message.objects.filter(status=Message.Status.SENT).count() == 5
    assert not Message.objects.filter(body__contains="000001").exists()


def test_batch_run_again_sends_nothing_twice(sms_outbox):
    messages = [_sms(n) for n in range(3)]
    notification_send_sms_batch(messages=messages)

    outcome = notification_send_sms_batch(messages=messages)

    assert len(sms_outbox) == 3
    assert outcome.sent == {}
    assert sorted(outcome.left) == sorted(m.idempotency_key for m in messages)


def test_a_key_already_used_by_notification_send_is_left_to_the_caller(sms_outbox):
    notification_send(
        channel="sms", recipient="+79165550001", template="login_code", context={"code": "1"}, idempotency_key="batch:1"
    )

    outcome = notification_send_sms_batch(messages=[_sms(1), _sms(2)])

    assert outcome.left == ["batch:1"]
    assert list(outcome.sent) == ["batch:2"]
    assert len(sms_outbox) == 2


def test_a_refused_message_is_recorded_failed_and_not_retryable(gateway):
    gateway.statuses = [400]

    outcome = notification_send_sms_batch(messages=[_sms(7)])

    assert outcome.failed["batch:7"][1] is False
    assert Message.objects.get(idempotency_key="batch:7").status == Message.Status.FAILED
