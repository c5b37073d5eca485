"""notification_send_email_batch: one letter to many people over one connection, a status per person."""

import smtplib

import pytest
from django.core import mail

from notifications import services
from notifications.models import Message
from notifications.services import notification_enqueue_email_batch, notification_send_email_batch
from notifications.tasks import send_email_batch
from tests.notifications.fake_mail import FlakyMailer

pytestmark = pytest.mark.django_db

CONTEXT = {
    "title": "Базы данных",
    "kind": "онлайн-занятие",
    "college": "Технический колледж",
    "host": "Иванов И. И.",
    "starts": "01.12.2026 10:00",
    "url": "https://college.example/broadcasts/1/",
}


@pytest.fixture(autouse=True)
def mailer(settings):
    settings.EMAIL_BACKEND = "tests.notifications.fake_mail.FlakyMailer"
    FlakyMailer.reset()
    yield FlakyMailer
    FlakyMailer.reset()


def _people(n: int) -> list[tuple[str, str]]:
    return [(f"person{i}@example.org", f"batch-test:{i}") for i in range(n)]


def _send(recipients, **extra):
    return notification_send_email_batch(template="session_reminder", context=CONTEXT, recipients=recipients, **extra)


def test_each_person_gets_one_letter_over_one_connection_and_a_status(mailer):
    outcome = _send(_people(120))

    assert (outcome.sent, outcome.failed, outcome.skipped) == (120, 0, 0)
    assert mailer.opened == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(address for address, _ in _people(120))
    assert mail.outbox[0].subject == "Скоро начнётся: Базы данных"
    assert Message.objects.filter(status=Message.Status.SENT, channel="email").count() == 120


def test_run_again_sends_nothing_twice():
    _send(_people(5))

    again = _send(_people(5))

    assert (again.sent, again.skipped) == (0, 5)
    assert len(mail.outbox) == 5
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}


def test_a_refused_address_is_recorded_and_the_rest_go_out(mailer):
    mailer.refused = {"person1@example.org"}

    outcome = _send(_people(3))

    assert (outcome.sent, outcome.failed) == (2, 1)
    refused = Message.objects.get(recipient="person1@example.org")
    assert (refused.status, refused.error) == (Message.Status.FAILED, "SMTPRecipientsRefused")
    assert "No such user" not in refused.error


def test_a_dropped_connection_is_raised_and_the_retry_sends_only_to_the_rest(mailer):
    mailer.break_after = 2

    with pytest.raises(smtplib.SMTPServerDisconnected):
        _send(_people(5))
    assert Message.objects.filter(status=Message.Status.SENT).count() == 2
    assert Message.objects.filter(status=Message.Status.FAILED).count() == 3
    mailer.break_after = None
    retry = _send(_people(5))

    assert (retry.sent, retry.skipped) == (3, 2)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(address for address, _ in _people(5))


def test_the_college_is_recorded_on_each_letter():
    from tests import factories

    college = factories.CollegeFactory()

    _send(_people(2), college=college.pk)

    assert set(Message.objects.values_list("college_id", flat=True)) == {college.pk}


def test_enqueue_waits_for_commit_and_makes_one_task_per_thousand(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "EMAIL_TASK_SIZE", 2)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = notification_enqueue_email_batch(
            template="session_reminder", context=CONTEXT, recipients=_people(5), college=None
        )
        assert not mail.outbox

    assert queued == 5
    assert len(callbacks) == 3
    assert len(mail.outbox) == 5


def test_the_task_is_registered_under_its_pinned_name():
    assert send_email_batch.name == "notifications.tasks.send_email_batch"
