"""The audience is told when a planned session is cancelled or gets a new time: a push and an e-mail,
once per change, never an SMS; reminders and notices go as one e-mail batch, not a task per person."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from broadcasts import services
from broadcasts.models import Audience, Kind, Session
from notifications.models import Message, PushDelivery
from notifications.push import push_subscribe
from tests import factories
from tests.broadcasts.conftest import in_minutes, plan_lesson
from tests.notifications import conftest as push_fixtures

# The fake push service and the VAPID keys of the notifications tests.
vapid = push_fixtures.vapid
push_service = push_fixtures.push_service

pytestmark = pytest.mark.django_db


def _with_emails(bw, *roles):
    for role in roles:
        user = bw.users[role]
        user.email = f"{role}@example.org"
        user.save(update_fields=["email"])


def _move(bw, session, *, actor, minutes: int):
    return services.session_update(
        actor=actor,
        session=session,
        title=session.title,
        starts_at=session.starts_at + datetime.timedelta(minutes=minutes),
        duration_minutes=session.duration_minutes,
        audience=session.audience,
        groups=list(session.groups.all()),
    )


def test_cancelling_emails_the_audience_with_the_reason_but_not_the_canceller(
    bw, sms_outbox, django_capture_on_commit_callbacks
):
    _with_emails(bw, "student", "other_student", "teacher")
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])

    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(actor=bw.users["teacher"], session=session, reason="Преподаватель заболел")

    [letter] = mail.outbox
    assert letter.to == ["student@example.org"]
    assert letter.subject == "Сеанс отменён: Базы данных"
    assert "Причина: Преподаватель заболел" in letter.body
    assert Message.objects.get().status == Message.Status.SENT
    assert sms_outbox == []


def test_the_administration_cancelling_tells_the_host_too(bw, django_capture_on_commit_callbacks):
    _with_emails(bw, "student", "teacher")
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])

    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(actor=bw.users["administration"], session=session, reason="Карантин")

    assert sorted(m.to[0] for m in mail.outbox) == ["student@example.org", "teacher@example.org"]


def test_a_new_time_is_told_and_a_new_title_alone_is_not(bw, django_capture_on_commit_callbacks):
    _with_emails(bw, "student")
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])

    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            actor=bw.users["teacher"],
            session=session,
            title="Новая тема",
            starts_at=session.starts_at,
            duration_minutes=session.duration_minutes,
            audience=Audience.GROUPS,
            groups=[bw.group],
        )
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        _move(bw, Session.objects.get(pk=session.pk), actor=bw.users["teacher"], minutes=30)

    [letter] = mail.outbox
    assert letter.subject == "Сеанс перенесён: Новая тема"
    assert "Новое время начала" in letter.body


def test_a_redelivered_notice_sends_nothing_twice(bw, django_capture_on_commit_callbacks):
    _with_emails(bw, "student")
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])

    with django_capture_on_commit_callbacks() as callbacks:
        services.session_cancel(actor=bw.users["teacher"], session=session, reason="Болезнь")
    for callback in callbacks + callbacks:
        callback()

    assert len(mail.outbox) == 1


def test_moving_there_and_back_is_two_notices(bw, django_capture_on_commit_callbacks):
    _with_emails(bw, "student")
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])

    with django_capture_on_commit_callbacks(execute=True):
        moved = _move(bw, session, actor=bw.users["teacher"], minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        _move(bw, moved, actor=bw.users["teacher"], minutes=-30)

    assert [m.subject for m in mail.outbox] == ["Сеанс перенесён: Базы данных"] * 2


def test_a_failed_change_tells_nobody(bw, django_capture_on_commit_callbacks):
    _with_emails(bw, "student")
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.session_cancel(actor=bw.users["student"], session=session, reason="Не хочу")

    assert mail.outbox == []


def test_cancelling_pushes_to_the_audiences_browsers_once(bw, push_service, django_capture_on_commit_callbacks):
    data = push_service.subscription()
    push_subscribe(
        actor=bw.users["student"], endpoint=data["endpoint"], p256dh=data["keys"]["p256dh"], auth=data["keys"]["auth"]
    )
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])

    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(actor=bw.users["teacher"], session=session, reason="Болезнь")

    delivery = PushDelivery.objects.get()
    assert delivery.payload["title"] == "Сеанс отменён: Базы данных"
    assert "Причина: Болезнь" in delivery.payload["body"]
    assert delivery.payload["url"] == f"/broadcasts/{session.pk}/"


def test_a_college_wide_reminder_is_one_email_task_not_one_per_person(bw, django_capture_on_commit_callbacks):
    for membership in factories.MembershipFactory.create_batch(25, college=bw.college, role="student"):
        membership.user.email = f"s{membership.user.pk}@example.org"
        membership.user.save(update_fields=["email"])
    session = services.session_create(
        actor=bw.users["administration"],
        college=bw.college,
        kind=Kind.BROADCAST,
        title="Итоги месяца",
        starts_at=in_minutes(10),
        duration_minutes=60,
        audience=Audience.COLLEGE,
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.session_remind(session_id=session.pk)

    assert len(callbacks) == 1
    assert len(mail.outbox) == 25
    assert Message.objects.filter(template="session_reminder", status=Message.Status.SENT).count() == 25


def test_the_old_per_person_reminder_task_still_sends_once(bw):
    from broadcasts.tasks import session_reminder_email_send

    _with_emails(bw, "student")
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)

    session_reminder_email_send.delay(session.pk, bw.users["student"].pk)
    session_reminder_email_send.delay(session.pk, bw.users["student"].pk)

    assert [m.to[0] for m in mail.outbox] == ["student@example.org"]


def test_cancelling_a_session_already_over_tells_nobody(bw, django_capture_on_commit_callbacks):
    _with_emails(bw, "student")
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])
    Session.objects.filter(pk=session.pk).update(starts_at=in_minutes(-120), ends_at=in_minutes(-75))

    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(actor=bw.users["teacher"], session=session, reason="Не отметили вовремя")

    assert mail.outbox == []
    assert Session.objects.get(pk=session.pk).status == Session.Status.CANCELLED
