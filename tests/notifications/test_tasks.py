import pytest

from notifications.backends import SmsDeliveryError
from notifications.models import Message
from notifications.tasks import MAX_RETRIES, send_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_retries(monkeypatch):
    """Eager mode runs retries in-process only when errors are not propagated at once."""
    monkeypatch.setitem(send_message.app.conf, "task_eager_propagates", False)


def _kwargs(**extra):
    return {
        "channel": "sms",
        "recipient": "+79161234567",
        "template": "login_code",
        "context": {"code": "5551"},
        "secret_keys": ["code"],
        **extra,
    }


def test_task_sends_and_returns_the_message_id(sms_outbox, college):
    message_id = send_message.delay(**_kwargs(college_id=college.pk)).get()

    message = Message.objects.get(pk=message_id)
    assert message.status == Message.Status.SENT
    assert message.college == college
    assert "5551" in sms_outbox[0]["text"]


def test_task_retries_a_gateway_error_and_then_sends_once(gateway, eager_retries):
    gateway.statuses = [503, 500, 200]

    message_id = send_message.delay(**_kwargs()).get()

    message = Message.objects.get(pk=message_id)
    assert message.status == Message.Status.SENT
    assert message.attempts == 3
    assert Message.objects.count() == 1
    assert len(gateway.requests) == 3


def test_task_gives_up_after_a_bounded_number_of_retries(gateway, eager_retries):
    gateway.statuses = [503]

    result = send_message.delay(**_kwargs())

    with pytest.raises(SmsDeliveryError):
        result.get()

    message = Message.objects.get()
    assert message.status == Message.Status.FAILED
    assert message.attempts == MAX_RETRIES + 1
    assert len(gateway.requests) == MAX_RETRIES + 1


def test_task_does_not_retry_a_refused_number(gateway):
    gateway.statuses = [400]

    send_message.delay(**_kwargs())

    assert len(gateway.requests) == 1
    assert Message.objects.get().status == Message.Status.FAILED


def test_task_run_twice_with_the_same_key_sends_once(sms_outbox):
    send_message.delay(**_kwargs(idempotency_key="bulk:7"))

    send_message.delay(**_kwargs(idempotency_key="bulk:7"))

    assert len(sms_outbox) == 1


def test_enqueue_sends_after_commit(sms_outbox, django_capture_on_commit_callbacks):
    from notifications.services import notification_enqueue

    with django_capture_on_commit_callbacks(execute=True):
        notification_enqueue(
            channel="sms", recipient="+79161234567", template="login_code", context={"code": "77"}, secret_keys=["code"]
        )
        assert sms_outbox == []

    assert len(sms_outbox) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_real_worker_sends_queued_messages_and_logs_no_secret(tmp_path, settings, monkeypatch):
    import time

    from notifications.services import notification_enqueue
    from tests.sferum_admin.worker import start_worker, stop_worker

    secret = "Z9XQ7K2M"
    db = settings.DATABASES["default"]
    database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    monkeypatch.setitem(send_message.app.conf, "task_always_eager", False)
    log_path = tmp_path / "worker.log"
    worker = start_worker(log_path, DATABASE_URL=database_url, LOG_JSON="true", LOG_LEVEL="INFO")
    try:
        notification_enqueue(
            **{**_kwargs(context={"code": secret}, idempotency_key="enqueued"), "secret_keys": ["code"]}
        )
        send_message.delay(**_kwargs(context={"code": secret}, idempotency_key="direct"))
        # Generous: on a loaded 2-core CI machine a cold worker can take a while to fetch.
        deadline = time.monotonic() + 90
        while Message.objects.filter(status=Message.Status.SENT).count() < 2:
            assert time.monotonic() < deadline, log_path.read_text(encoding="utf-8")[-2000:]
            time.sleep(0.2)
    finally:
        stop_worker(worker)

    messages = Message.objects.order_by("idempotency_key")
    assert [m.idempotency_key for m in messages] == ["direct", "enqueued"]
    assert all(m.provider_message_id.startswith("mem-") and secret not in m.body for m in messages)
    log = log_path.read_text(encoding="utf-8")
    assert "succeeded" in log
    assert secret not in log
