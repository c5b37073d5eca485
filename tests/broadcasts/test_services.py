import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from broadcasts import messages, services
from broadcasts.models import Attendance, Audience, Kind, Session
from broadcasts.tasks import sessions_remind_due
from tests.broadcasts.conftest import in_minutes, plan_lesson
from tests.notifications import conftest as push_fixtures

# The fake push service and the VAPID keys of the notifications tests.
vapid = push_fixtures.vapid
push_service = push_fixtures.push_service


def test_teacher_plans_a_lesson_for_a_group_they_teach(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])

    assert session.status == Session.Status.PLANNED
    assert session.host == bw.memberships["teacher"]
    assert list(session.groups.all()) == [bw.group]
    assert session.ends_at - session.starts_at == datetime.timedelta(minutes=45)
    assert session.room_name.startswith("sferum-") and len(session.room_name) >= 30
    assert AuditEvent.objects.filter(action="broadcast.create", target_id=str(session.pk)).exists()


def test_each_session_gets_its_own_room(bw):
    first = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])
    second = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])

    assert first.room_name != second.room_name


def test_teacher_cannot_plan_for_a_group_they_do_not_teach(bw):
    with pytest.raises(PermissionDenied):
        plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.other_group])


@pytest.mark.parametrize("kind", [Kind.BROADCAST, Kind.STAFF_MEETING])
def test_teacher_cannot_plan_broadcasts_or_staff_meetings(bw, kind):
    audience = Audience.STAFF if kind == Kind.STAFF_MEETING else Audience.COLLEGE

    with pytest.raises(PermissionDenied):
        plan_lesson(actor=bw.users["curator"], college=bw.college, groups=[], kind=kind, audience=audience)


def test_parent_meeting_is_for_the_curator_not_the_subject_teacher(bw):
    meeting = plan_lesson(actor=bw.users["curator"], college=bw.college, groups=[bw.group], kind=Kind.PARENT_MEETING)

    assert meeting.kind == Kind.PARENT_MEETING
    with pytest.raises(PermissionDenied):
        plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], kind=Kind.PARENT_MEETING)


def test_administration_plans_a_broadcast_hosted_by_a_teacher(bw):
    session = plan_lesson(
        actor=bw.users["administration"],
        college=bw.college,
        groups=[],
        kind=Kind.BROADCAST,
        audience=Audience.COLLEGE,
        host=bw.memberships["idle_teacher"],
    )

    assert session.audience == Audience.COLLEGE
    assert session.host == bw.memberships["idle_teacher"]
    assert session.created_by == bw.users["administration"]


def test_teacher_cannot_name_another_host(bw):
    with pytest.raises(PermissionDenied) as exc:
        plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], host=bw.memberships["curator"])

    assert str(exc.value) == messages.HOST_SELF_ONLY


def test_a_student_cannot_be_host(bw):
    with pytest.raises(ValidationError) as exc:
        plan_lesson(
            actor=bw.users["administrator"], college=bw.college, groups=[bw.group], host=bw.memberships["student"]
        )

    assert exc.value.message_dict == {"host": [messages.HOST_INVALID]}


def test_group_of_another_college_is_refused(bw):
    with pytest.raises(ValidationError) as exc:
        plan_lesson(actor=bw.users["administrator"], college=bw.college, groups=[bw.foreign_group])

    assert exc.value.message_dict == {"groups": [messages.FOREIGN_GROUP]}


def test_staff_meeting_is_only_for_staff(bw):
    with pytest.raises(ValidationError) as exc:
        plan_lesson(
            actor=bw.users["administrator"],
            college=bw.college,
            groups=[],
            kind=Kind.STAFF_MEETING,
            audience=Audience.COLLEGE,
        )

    assert exc.value.message_dict == {"audience": [messages.STAFF_MEETING_AUDIENCE]}


def test_start_in_the_past_is_refused(bw):
    with pytest.raises(ValidationError) as exc:
        plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=-60)

    assert exc.value.message_dict == {"starts_at": [messages.START_IN_PAST]}


@pytest.mark.parametrize("minutes", [0, 4, 481])
def test_duration_out_of_range_is_refused(bw, minutes):
    with pytest.raises(ValidationError) as exc:
        plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], duration_minutes=minutes)

    assert list(exc.value.message_dict) == ["duration_minutes"]


def test_blank_title_is_refused(bw):
    with pytest.raises(ValidationError) as exc:
        plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], title="   ")

    assert exc.value.message_dict == {"title": [messages.TITLE_REQUIRED]}


def test_a_failed_audit_leaves_no_session(bw, monkeypatch):
    def broken_audit(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "audit_log", broken_audit)

    with pytest.raises(RuntimeError):
        plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])

    assert not Session.objects.exists()
    assert not Session.groups.through.objects.exists()


def test_moving_a_session_reminds_again(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)
    Session.objects.filter(pk=session.pk).update(reminded_at=timezone.now())

    moved = services.session_update(
        actor=bw.users["teacher"],
        session=session,
        title="Перенесено",
        starts_at=in_minutes(120),
        duration_minutes=90,
        audience=Audience.GROUPS,
        groups=[bw.group],
    )

    moved.refresh_from_db()
    assert moved.reminded_at is None
    assert moved.ends_at == moved.starts_at + datetime.timedelta(minutes=90)
    event = AuditEvent.objects.get(action="broadcast.update", target_id=str(session.pk))
    assert event.before["title"] == "Базы данных"


def test_only_the_host_or_administration_edit(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])

    with pytest.raises(PermissionDenied):
        services.session_cancel(actor=bw.users["curator"], session=session, reason="Не могу")
    cancelled = services.session_cancel(actor=bw.users["administration"], session=session, reason="Праздник")

    assert cancelled.status == Session.Status.CANCELLED


def test_cancel_needs_a_reason_and_happens_once(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])

    with pytest.raises(ValidationError) as exc:
        services.session_cancel(actor=bw.users["teacher"], session=session, reason="  ")
    assert exc.value.message_dict == {"reason": [messages.CANCEL_REASON_REQUIRED]}
    services.session_cancel(actor=bw.users["teacher"], session=session, reason="Болезнь")
    with pytest.raises(ValidationError):
        services.session_cancel(actor=bw.users["teacher"], session=session, reason="Ещё раз")

    session.refresh_from_db()
    assert session.cancel_reason == "Болезнь"
    assert AuditEvent.objects.filter(action="broadcast.cancel", target_id=str(session.pk)).count() == 1


def test_cancelled_session_needs_its_reason_in_the_database(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])

    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED, cancel_reason="")


def test_held_only_after_the_start(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=30)

    with pytest.raises(ValidationError) as exc:
        services.session_mark_held(actor=bw.users["teacher"], session=session)

    assert exc.value.messages == [messages.HELD_NOT_STARTED]


def test_host_marks_held_with_the_recording_link(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=1)
    Session.objects.filter(pk=session.pk).update(starts_at=in_minutes(-50), ends_at=in_minutes(-5))

    held = services.session_mark_held(
        actor=bw.users["teacher"], session=session, recording_url="https://rutube.ru/video/abc/"
    )

    assert held.status == Session.Status.HELD
    assert held.recording_url == "https://rutube.ru/video/abc/"
    assert AuditEvent.objects.filter(action="broadcast.held", target_id=str(session.pk)).exists()


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://example.org/x", "data:text/html,hi", "не ссылка"])
def test_recording_link_must_be_http(bw, link):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=1)
    Session.objects.filter(pk=session.pk).update(starts_at=in_minutes(-50), ends_at=in_minutes(-5))

    with pytest.raises(ValidationError) as exc:
        services.session_mark_held(actor=bw.users["teacher"], session=session, recording_url=link)

    assert exc.value.message_dict == {"recording_url": [messages.RECORDING_SCHEME]}
    session.refresh_from_db()
    assert session.recording_url == ""


def test_first_entry_is_recorded_once(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)
    first_time = timezone.now()

    first = services.session_join(user=bw.users["student"], session=session, now=first_time)
    again = services.session_join(
        user=bw.users["student"], session=session, now=first_time + datetime.timedelta(minutes=5)
    )

    assert again.pk == first.pk
    assert Attendance.objects.get(session=session).joined_at == first_time


@pytest.mark.parametrize("outsider", ["other_student", "other_administrator"])
def test_only_the_audience_enters(bw, outsider):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)

    with pytest.raises(PermissionDenied):
        services.session_join(user=bw.users[outsider], session=session)

    assert not Attendance.objects.exists()


def test_attendance_is_unique_per_person_in_the_database(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)
    Attendance.objects.create(session=session, user=bw.users["student"], joined_at=timezone.now())

    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(session=session, user=bw.users["student"], joined_at=timezone.now())


@pytest.mark.parametrize("starts_in", [16, -50])
def test_no_entry_outside_the_window(bw, starts_in):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=20)
    Session.objects.filter(pk=session.pk).update(starts_at=in_minutes(starts_in), ends_at=in_minutes(starts_in + 45))
    session.refresh_from_db()

    assert services.session_join(user=bw.users["student"], session=session) is None
    assert not Attendance.objects.exists()


def test_no_entry_into_a_cancelled_session(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=5)
    session = services.session_cancel(actor=bw.users["teacher"], session=session, reason="Болезнь")

    assert services.session_join(user=bw.users["student"], session=session) is None


def _with_emails(bw, *roles):
    for role in roles:
        user = bw.users[role]
        user.email = f"{role}@example.org"
        user.save(update_fields=["email"])


def test_reminder_goes_to_the_groups_students_and_the_host(bw, django_capture_on_commit_callbacks):
    _with_emails(bw, "student", "other_student", "parent", "teacher")
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)

    with django_capture_on_commit_callbacks(execute=True):
        reminded = services.session_remind(session_id=session.pk)

    assert reminded == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["student@example.org", "teacher@example.org"]
    assert "Базы данных" in mail.outbox[0].subject


def test_parent_meeting_reminds_the_groups_parents_not_its_students(bw, django_capture_on_commit_callbacks):
    _with_emails(bw, "student", "parent")
    session = plan_lesson(
        actor=bw.users["curator"], college=bw.college, groups=[bw.group], starts_in=10, kind=Kind.PARENT_MEETING
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.session_remind(session_id=session.pk)

    assert [m.to[0] for m in mail.outbox] == ["parent@example.org"]


def test_reminder_is_sent_once(bw, django_capture_on_commit_callbacks):
    _with_emails(bw, "student")
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)

    with django_capture_on_commit_callbacks(execute=True):
        first = services.session_remind(session_id=session.pk)
        second = services.session_remind(session_id=session.pk)

    assert (first, second) == (2, 0)
    assert len(mail.outbox) == 1


def test_beat_reminds_only_sessions_starting_within_fifteen_minutes(bw):
    soon = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=14)
    later = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=16)
    cancelled = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=5)
    services.session_cancel(actor=bw.users["teacher"], session=cancelled, reason="Болезнь")

    assert sessions_remind_due() == 1

    assert Session.objects.get(pk=soon.pk).reminded_at is not None
    assert Session.objects.get(pk=later.pk).reminded_at is None
    assert Session.objects.get(pk=cancelled.pk).reminded_at is None


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_reminder_runs_at_once_remind_once(bw):
    import threading

    from django.db import connection

    _with_emails(bw, "student")
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)
    barrier = threading.Barrier(4)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(services.session_remind(session_id=session.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [0, 0, 0, 2]
    assert len(mail.outbox) == 1


def test_reminder_reaches_the_audiences_browsers_once(bw, push_service):
    from notifications.models import PushDelivery
    from notifications.push import push_subscribe

    for role in ("student", "other_student"):
        data = push_service.subscription()
        push_subscribe(
            actor=bw.users[role], endpoint=data["endpoint"], p256dh=data["keys"]["p256dh"], auth=data["keys"]["auth"]
        )
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)

    services.session_remind(session_id=session.pk)
    services.session_remind(session_id=session.pk)

    delivery = PushDelivery.objects.select_related("subscription").get()
    assert delivery.subscription.user == bw.users["student"]
    assert delivery.payload["url"] == f"/broadcasts/{session.pk}/"
    assert delivery.payload["title"] == "Скоро начнётся: Базы данных"


def test_the_beat_runs_the_registered_reminder_task(settings):
    from sferum_admin.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["broadcasts.remind_due"]

    assert entry["task"] == sessions_remind_due.name
    assert app.tasks[entry["task"]].run is sessions_remind_due.run
    assert entry["schedule"] <= 60
