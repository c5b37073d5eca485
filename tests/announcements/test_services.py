"""Publishing, audiences, withdrawing and the notices of announcements."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from announcements import messages, selectors, services
from announcements.models import Announcement, AnnouncementRead, Audience
from announcements.tasks import announcement_notify
from audit.models import AuditEvent
from notifications.models import Message, PushDelivery
from notifications.push import push_subscribe
from tests.announcements.conftest import publish
from tests.notifications import conftest as push_fixtures

vapid = push_fixtures.vapid
push_service = push_fixtures.push_service

pytestmark = pytest.mark.django_db


def _seen_by(aw, role) -> set[str]:
    """What a person of the other college finds there, and in the main college's lists if asked for it."""
    user = aw.users[role]
    titles = set()
    for college in (aw.college, aw.other_college):
        titles |= set(selectors.announcement_list(viewer=user, college=college).values_list("title", flat=True))
    return titles


def _in_main_college(aw, role) -> set[str]:
    return set(selectors.announcement_list(viewer=aw.users[role], college=aw.college).values_list("title", flat=True))


def test_group_announcement_reaches_its_students_only(aw):
    publish(aw, audience=Audience.GROUPS, groups=[aw.group], title="ИС-21")

    assert _in_main_college(aw, "student") == {"ИС-21"}
    assert _in_main_college(aw, "other_student") == set()
    assert _in_main_college(aw, "parent") == set()
    assert _in_main_college(aw, "teacher") == set()
    assert _in_main_college(aw, "foreign_student") == set()
    assert _seen_by(aw, "foreign_student") == set()


def test_group_announcement_with_parents_reaches_that_groups_parents_only(aw):
    publish(aw, audience=Audience.GROUPS, groups=[aw.group], title="ИС-21", with_parents=True)

    assert _in_main_college(aw, "parent") == {"ИС-21"}
    assert _in_main_college(aw, "other_parent") == set()
    assert _in_main_college(aw, "other_student") == set()


@pytest.mark.parametrize(
    ("audience", "reached"),
    [
        (Audience.COLLEGE, {"student", "other_student", "parent", "other_parent", "teacher", "curator"}),
        (Audience.STAFF, {"teacher", "curator"}),
        (Audience.STUDENTS, {"student", "other_student"}),
        (Audience.PARENTS, {"parent", "other_parent"}),
    ],
)
def test_each_audience_reaches_its_people_and_never_another_college(aw, audience, reached):
    publish(aw, audience=audience, title="Всем")

    seen = {role for role in ("student", "other_student", "parent", "other_parent", "teacher", "curator")
            if _in_main_college(aw, role)}  # fmt: skip

    assert seen == reached
    assert _seen_by(aw, "foreign_student") == set()
    assert _seen_by(aw, "other_administrator") == set()


def test_audience_count_counts_each_person_once(aw):
    from colleges.models import Role
    from tests import factories

    # The parent of ИС-21 also teaches here: two memberships, one person.
    factories.MembershipFactory(college=aw.college, role=Role.TEACHER, user=aw.users["parent"])

    users = selectors.audience_users(college=aw.college, audience=Audience.COLLEGE)

    assert users.count() == 8  # 2 students, 2 parents, teacher, curator, administration, administrator


def test_curator_publishes_to_own_group_but_not_to_another_or_the_college(aw):
    own = publish(aw, actor="curator", audience=Audience.GROUPS, groups=[aw.group])

    with pytest.raises(PermissionDenied, match="только для своих групп"):
        publish(aw, actor="curator", audience=Audience.GROUPS, groups=[aw.other_group])
    with pytest.raises(PermissionDenied):
        publish(aw, actor="curator", audience=Audience.COLLEGE)
    assert own.author == aw.memberships["curator"]


@pytest.mark.parametrize("role", ["student", "parent", "teacher"])
def test_others_cannot_publish(aw, role):
    with pytest.raises(PermissionDenied, match="Публиковать объявления могут"):
        publish(aw, actor=role)


def test_publish_is_audited_and_checks_its_input(aw):
    announcement = publish(aw, title="  Важно  ", text="строка 1\r\nстрока 2\x00")

    assert announcement.title == "Важно"
    assert announcement.text == "строка 1\nстрока 2"
    assert AuditEvent.objects.filter(action="announcement.publish", target_id=str(announcement.pk)).exists()
    with pytest.raises(ValidationError, match=messages.TITLE_REQUIRED):
        publish(aw, title=" ")
    with pytest.raises(ValidationError, match=messages.GROUPS_REQUIRED):
        publish(aw, audience=Audience.GROUPS)
    with pytest.raises(ValidationError, match="Дата закрепления уже прошла"):
        publish(aw, pinned_until=timezone.localdate() - datetime.timedelta(days=1))


def test_a_group_of_another_college_is_refused(aw):
    from groups.models import StudyGroup

    foreign = StudyGroup.objects.get(college=aw.other_college)

    with pytest.raises(ValidationError, match=messages.FOREIGN_GROUP):
        publish(aw, audience=Audience.GROUPS, groups=[foreign])


def test_withdrawn_announcement_leaves_the_list_and_the_audience_cannot_open_it(aw):
    announcement = publish(aw, title="Ошибка")

    services.announcement_withdraw(actor=aw.users["administration"], announcement=announcement, reason="Не та дата")

    announcement.refresh_from_db()
    assert announcement.withdraw_reason == "Не та дата"
    assert _in_main_college(aw, "student") == set()
    assert _in_main_college(aw, "administration") == set()
    assert not Announcement.objects.filter(
        selectors.announcement_visibility_q(user=aw.users["student"], college=aw.college), pk=announcement.pk
    ).exists()
    assert AuditEvent.objects.filter(action="announcement.withdraw").exists()


def test_withdraw_needs_a_reason_and_the_right_person(aw):
    announcement = publish(aw, actor="curator", audience=Audience.GROUPS, groups=[aw.group])

    with pytest.raises(ValidationError, match=messages.REASON_REQUIRED):
        services.announcement_withdraw(actor=aw.users["curator"], announcement=announcement, reason="  ")
    with pytest.raises(PermissionDenied):
        services.announcement_withdraw(actor=aw.users["student"], announcement=announcement, reason="Нет")
    with pytest.raises(PermissionDenied):
        services.announcement_withdraw(actor=aw.users["teacher"], announcement=announcement, reason="Нет")
    services.announcement_withdraw(actor=aw.users["curator"], announcement=announcement, reason="Перенос")
    with pytest.raises(ValidationError, match=messages.ALREADY_WITHDRAWN):
        services.announcement_withdraw(actor=aw.users["administration"], announcement=announcement, reason="Ещё")


def test_reading_is_recorded_once_and_counted(aw):
    announcement = publish(aw, audience=Audience.STUDENTS)

    services.announcement_mark_read(user=aw.users["student"], announcement=announcement)
    services.announcement_mark_read(user=aw.users["student"], announcement=announcement)

    assert AnnouncementRead.objects.filter(announcement=announcement).count() == 1
    assert selectors.announcement_read_figures(announcement=announcement) == {"total": 2, "read": 1}
    unread = selectors.announcement_unread_people(announcement=announcement)
    assert list(unread) == [aw.users["other_student"]]


def _with_emails(aw, *roles):
    for role in roles:
        user = aw.users[role]
        user.email = f"{role}@example.org"
        user.save(update_fields=["email"])


def test_publishing_tells_the_audience_once_by_email_and_push_never_by_sms(
    aw, sms_outbox, push_service, django_capture_on_commit_callbacks
):
    _with_emails(aw, "student", "other_student", "administration")
    data = push_service.subscription()
    push_subscribe(
        actor=aw.users["student"], endpoint=data["endpoint"], p256dh=data["keys"]["p256dh"], auth=data["keys"]["auth"]
    )

    with django_capture_on_commit_callbacks(execute=True):
        announcement = publish(aw, audience=Audience.GROUPS, groups=[aw.group], title="Экскурсия")
    with django_capture_on_commit_callbacks(execute=True):
        assert announcement_notify.apply(args=[announcement.pk]).get() == 0  # run again: already claimed

    [letter] = mail.outbox
    assert letter.to == ["student@example.org"]
    assert letter.subject == "Объявление: Экскурсия"
    assert "Текст объявления." in letter.body
    assert Message.objects.filter(channel="email").count() == 1
    delivery = PushDelivery.objects.get()
    assert delivery.payload["title"] == "Объявление: Экскурсия"
    assert delivery.payload["url"] == f"/announcements/{announcement.pk}/"
    assert sms_outbox == []
    announcement.refresh_from_db()
    assert announcement.notified_at is not None


def test_a_withdrawn_announcement_is_told_to_nobody(aw, django_capture_on_commit_callbacks):
    _with_emails(aw, "student")
    announcement = publish(aw, audience=Audience.STUDENTS)
    services.announcement_withdraw(actor=aw.users["administration"], announcement=announcement, reason="Ошибка")

    assert services.announcement_notify(announcement_id=announcement.pk) == 0

    assert mail.outbox == []


def test_the_task_is_registered_under_its_pinned_name():
    assert announcement_notify.name == "announcements.tasks.announcement_notify"
