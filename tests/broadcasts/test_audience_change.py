"""When a planned session's audience changes, the people taken out of it are told, once, that it is off for
them (a push and an e-mail, never an SMS); the people who stay are told only of a new time; the people added
learn of it as everyone does, from the reminder."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from broadcasts import services
from broadcasts.models import Audience, Kind, Session
from colleges.middleware import college_zone
from colleges.models import Role
from groups.services import group_parent_add
from notifications.models import Message, PushDelivery
from notifications.push import push_subscribe
from tests import factories
from tests.broadcasts.conftest import in_minutes, plan_lesson
from tests.notifications import conftest as push_fixtures

vapid = push_fixtures.vapid
push_service = push_fixtures.push_service

pytestmark = pytest.mark.django_db

REMOVED = "Сеанс «Базы данных» для вас отменён"


def _with_emails(bw, *roles):
    for role in roles:
        user = bw.users[role]
        user.email = f"{role}@example.org"
        user.save(update_fields=["email"])


def _everyone_with_email(bw):
    _with_emails(bw, *(role for role in bw.memberships if role != "other_administrator"))


def _change(session, *, actor, **changes):
    session = Session.objects.get(pk=session.pk)
    fields = {
        "title": session.title,
        "starts_at": session.starts_at,
        "duration_minutes": session.duration_minutes,
        "audience": session.audience,
        "groups": list(session.groups.all()),
        "host": session.host,
    }
    return services.session_update(actor=actor, session=session, **{**fields, **changes})


def _both_groups_lesson(bw, **extra):
    """A lesson for ИС-1 and ТМ-2, planned by the administration and hosted by ИС-1's subject teacher."""
    return plan_lesson(
        actor=bw.users["administration"],
        college=bw.college,
        groups=[bw.group, bw.other_group],
        host=bw.memberships["teacher"],
        **extra,
    )


def _subscribe(push_service, user):
    data = push_service.subscription()
    push_subscribe(actor=user, endpoint=data["endpoint"], p256dh=data["keys"]["p256dh"], auth=data["keys"]["auth"])


def _local(bw, moment, fmt="%d.%m.%Y %H:%M"):
    return format(timezone.localtime(moment, college_zone(bw.college)), fmt)


def test_removing_a_group_tells_its_students_and_nobody_else(bw, sms_outbox, django_capture_on_commit_callbacks):
    _everyone_with_email(bw)
    session = _both_groups_lesson(bw)

    with django_capture_on_commit_callbacks(execute=True):
        _change(session, actor=bw.users["administration"], groups=[bw.group])

    [letter] = mail.outbox
    assert letter.to == ["other_student@example.org"]
    assert letter.subject == REMOVED
    assert "пройдёт без вас: организатор изменил состав участников. Подключаться не нужно." in letter.body
    assert f"назначенный на {_local(bw, session.starts_at)}" in letter.body
    assert letter.body.count("/broadcasts/") == 1 and f"/broadcasts/{session.pk}/" not in letter.body
    assert Message.objects.get().template == "session_removed"
    assert sms_outbox == []


def test_removing_a_group_from_a_parent_meeting_tells_its_parents_not_its_students(
    bw, django_capture_on_commit_callbacks
):
    other_parent = factories.MembershipFactory(college=bw.college, role=Role.PARENT)
    group_parent_add(actor=None, parent=other_parent, group=bw.other_group)
    other_parent.user.email = "other_parent@example.org"
    other_parent.user.save(update_fields=["email"])
    _everyone_with_email(bw)
    meeting = plan_lesson(
        actor=bw.users["administration"],
        college=bw.college,
        groups=[bw.group, bw.other_group],
        kind=Kind.PARENT_MEETING,
        title="Итоги сессии",
        host=bw.memberships["curator"],
    )

    with django_capture_on_commit_callbacks(execute=True):
        _change(meeting, actor=bw.users["administration"], groups=[bw.group])

    [letter] = mail.outbox
    assert letter.to == ["other_parent@example.org"]
    assert letter.subject == "Сеанс «Итоги сессии» для вас отменён"
    assert "(родительское собрание)" in letter.body


def test_the_actor_taken_out_of_the_audience_is_not_told(bw, django_capture_on_commit_callbacks):
    _everyone_with_email(bw)
    session = plan_lesson(
        actor=bw.users["administration"], college=bw.college, groups=[bw.group], host=bw.memberships["administration"]
    )

    with django_capture_on_commit_callbacks(execute=True):
        _change(session, actor=bw.users["administration"], host=bw.memberships["teacher"])

    assert mail.outbox == []


def test_a_host_replaced_by_the_administration_is_told(bw, django_capture_on_commit_callbacks):
    _everyone_with_email(bw)
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])

    with django_capture_on_commit_callbacks(execute=True):
        _change(session, actor=bw.users["administration"], host=bw.memberships["curator"])

    [letter] = mail.outbox
    assert letter.to == ["teacher@example.org"]
    assert letter.subject == REMOVED


def test_narrowing_a_college_broadcast_to_the_staff_tells_students_and_parents(bw, django_capture_on_commit_callbacks):
    _everyone_with_email(bw)
    broadcast = services.session_create(
        actor=bw.users["administration"],
        college=bw.college,
        kind=Kind.BROADCAST,
        title="Базы данных",
        starts_at=in_minutes(60),
        duration_minutes=60,
        audience=Audience.COLLEGE,
    )

    with django_capture_on_commit_callbacks(execute=True):
        _change(broadcast, actor=bw.users["administration"], audience=Audience.STAFF)

    assert sorted(m.to[0] for m in mail.outbox) == [
        "other_student@example.org",
        "parent@example.org",
        "student@example.org",
    ]
    assert {m.subject for m in mail.outbox} == {REMOVED}


def test_narrowing_the_college_to_one_group_tells_everyone_outside_it(bw, django_capture_on_commit_callbacks):
    _everyone_with_email(bw)
    broadcast = services.session_create(
        actor=bw.users["administration"],
        college=bw.college,
        kind=Kind.BROADCAST,
        title="Базы данных",
        starts_at=in_minutes(60),
        duration_minutes=60,
        audience=Audience.COLLEGE,
    )

    with django_capture_on_commit_callbacks(execute=True):
        _change(broadcast, actor=bw.users["administration"], audience=Audience.GROUPS, groups=[bw.group])

    # The host (the administration) stays and changes it; ИС-1's student stays.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "administrator@example.org",
        "curator@example.org",
        "idle_teacher@example.org",
        "other_student@example.org",
        "parent@example.org",
        "teacher@example.org",
    ]


def test_moving_and_removing_a_group_at_once_tells_each_side_its_own_news(bw, django_capture_on_commit_callbacks):
    _with_emails(bw, "student", "other_student")
    session = _both_groups_lesson(bw)
    old_start = session.starts_at

    with django_capture_on_commit_callbacks(execute=True):
        _change(
            session,
            actor=bw.users["administration"],
            groups=[bw.group],
            starts_at=old_start + datetime.timedelta(minutes=30),
            title="Базы данных: нормализация",
        )

    letters = {m.to[0]: m for m in mail.outbox}
    assert sorted(letters) == ["other_student@example.org", "student@example.org"]
    assert letters["student@example.org"].subject == "Сеанс перенесён: Базы данных: нормализация"
    # The removed student is told of the session they knew: its old title and time.
    assert letters["other_student@example.org"].subject == REMOVED
    assert f"назначенный на {_local(bw, old_start)}" in letters["other_student@example.org"].body


def test_a_retried_removal_notice_sends_nothing_twice(bw, push_service, django_capture_on_commit_callbacks):
    _with_emails(bw, "other_student")
    _subscribe(push_service, bw.users["other_student"])
    session = _both_groups_lesson(bw)

    with django_capture_on_commit_callbacks() as callbacks:
        _change(session, actor=bw.users["administration"], groups=[bw.group])
    for callback in callbacks + callbacks:
        callback()

    assert len(mail.outbox) == 1
    assert PushDelivery.objects.count() == 1
    assert len(push_service.received) == 1


def test_removing_the_same_group_again_after_adding_it_back_is_a_new_notice(bw, django_capture_on_commit_callbacks):
    _with_emails(bw, "other_student")
    session = _both_groups_lesson(bw)

    for groups in ([bw.group], [bw.group, bw.other_group], [bw.group]):
        with django_capture_on_commit_callbacks(execute=True):
            _change(session, actor=bw.users["administration"], groups=groups)

    assert [m.subject for m in mail.outbox] == [REMOVED, REMOVED]


def test_the_removal_push_names_the_session_and_links_to_the_list(bw, push_service, django_capture_on_commit_callbacks):
    for role in ("student", "other_student"):
        _subscribe(push_service, bw.users[role])
    session = _both_groups_lesson(bw)

    with django_capture_on_commit_callbacks(execute=True):
        _change(session, actor=bw.users["administration"], groups=[bw.group])

    delivery = PushDelivery.objects.select_related("subscription").get()
    assert delivery.subscription.user == bw.users["other_student"]
    assert delivery.payload["title"] == REMOVED
    assert delivery.payload["body"] == (
        f"Онлайн-занятие {_local(bw, session.starts_at, '%d.%m в %H:%M')} пройдёт без вас: "
        "организатор изменил состав участников. Подключаться не нужно."
    )
    assert delivery.payload["url"] == "/broadcasts/"
    assert delivery.payload["tag"] == f"broadcast-{session.pk}"


def test_a_session_already_over_says_nothing_when_its_audience_changes(bw, django_capture_on_commit_callbacks):
    _everyone_with_email(bw)
    session = _both_groups_lesson(bw)
    Session.objects.filter(pk=session.pk).update(starts_at=in_minutes(-120), ends_at=in_minutes(-75))

    with django_capture_on_commit_callbacks(execute=True):
        _change(session, actor=bw.users["administration"], groups=[bw.group])

    assert mail.outbox == []
    assert list(Session.objects.get(pk=session.pk).groups.all()) == [bw.group]


def test_people_added_to_a_moved_session_get_no_new_time_notice(bw, django_capture_on_commit_callbacks):
    _with_emails(bw, "student", "other_student")
    session = plan_lesson(actor=bw.users["administration"], college=bw.college, groups=[bw.group])

    with django_capture_on_commit_callbacks(execute=True):
        _change(
            session,
            actor=bw.users["administration"],
            groups=[bw.group, bw.other_group],
            starts_at=session.starts_at + datetime.timedelta(minutes=30),
        )

    [letter] = mail.outbox
    assert letter.to == ["student@example.org"]
    assert letter.subject == "Сеанс перенесён: Базы данных"


def test_people_added_before_the_reminder_are_reminded_with_everyone(bw, django_capture_on_commit_callbacks):
    _with_emails(bw, "student", "other_student")
    session = plan_lesson(actor=bw.users["administration"], college=bw.college, groups=[bw.group], starts_in=10)

    with django_capture_on_commit_callbacks(execute=True):
        _change(session, actor=bw.users["administration"], groups=[bw.group, bw.other_group])
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.session_remind(session_id=session.pk)

    assert sorted(m.to[0] for m in mail.outbox) == ["other_student@example.org", "student@example.org"]
    assert {m.subject for m in mail.outbox} == {"Скоро начнётся: Базы данных"}


def test_people_added_after_the_reminder_get_it_at_once_and_only_they(
    bw, push_service, django_capture_on_commit_callbacks
):
    _with_emails(bw, "student", "other_student")
    _subscribe(push_service, bw.users["other_student"])
    session = plan_lesson(actor=bw.users["administration"], college=bw.college, groups=[bw.group], starts_in=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_remind(session_id=session.pk)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks() as callbacks:
        _change(session, actor=bw.users["administration"], groups=[bw.group, bw.other_group])
    for callback in callbacks + callbacks:
        callback()

    [letter] = mail.outbox
    assert letter.to == ["other_student@example.org"]
    assert letter.subject == "Скоро начнётся: Базы данных"
    delivery = PushDelivery.objects.get()
    assert delivery.payload["title"] == "Скоро начнётся: Базы данных"
    assert delivery.payload["url"] == f"/broadcasts/{session.pk}/"


def test_removing_a_group_costs_the_same_queries_for_2_and_20_students(bw, django_capture_on_commit_callbacks):
    def enrol(n):
        for _ in range(n):
            student = factories.MembershipFactory(college=bw.college, role=Role.STUDENT)
            student.user.email = f"s{student.user.pk}@example.org"
            student.user.save(update_fields=["email"])
            factories.EnrollmentFactory(student=student, group=bw.other_group)

    def removal_queries():
        session = _both_groups_lesson(bw)
        session = Session.objects.select_related("host").get(pk=session.pk)
        with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks():
            services.session_update(
                actor=bw.users["administration"],
                session=session,
                title=session.title,
                starts_at=session.starts_at,
                duration_minutes=session.duration_minutes,
                audience=session.audience,
                groups=[bw.group],
                host=session.host,
            )
        return len(captured.captured_queries)

    enrol(1)
    small = removal_queries()
    enrol(18)
    large = removal_queries()

    assert small == large
