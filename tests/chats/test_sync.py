"""Roster sync: every movement kind, driven through the real movement and groups services (Celery eager),
then the sync run again by hand must change nothing."""

import datetime

import pytest

from audit.models import AuditEvent
from chats import services
from chats.models import Chat, ChatKind, ChatMember
from colleges.models import Membership, Role
from groups.models import StudyGroup
from groups.services import group_parent_add, study_group_create, study_group_update
from movement import services as movement
from movement.models import MovementKind
from tests import factories
from tests.chats.conftest import member

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def apply(world, django_capture_on_commit_callbacks):
    def run(kind, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return movement.movement_create(
                actor=world.admin.user,
                college=world.college,
                kind=kind,
                order_number="7-к",
                order_date=TODAY,
                effective_date=TODAY,
                **kwargs,
            )

    return run


def snapshot():
    rows = ChatMember.objects.order_by("pk").values_list("chat_id", "member_id", "role", "left_at", "banned")
    return list(Chat.objects.order_by("pk").values_list("pk", "status", "title")), list(rows)


def assert_sync_is_idempotent(world):
    for group in StudyGroup.objects.filter(college=world.college):
        services.chat_sync_group(group=group)
    services.chat_sync_college(college=world.college)
    before, events = snapshot(), AuditEvent.objects.filter(action__startswith="chat.").count()

    for group in StudyGroup.objects.filter(college=world.college):
        services.chat_sync_group(group=group)
    services.chat_sync_college(college=world.college)

    assert snapshot() == before
    assert AuditEvent.objects.filter(action__startswith="chat.").count() == events


def current(chat, membership) -> bool:
    return ChatMember.objects.filter(chat=chat, member=membership, left_at__isnull=True, banned=False).exists()


def college_chat(world):
    return Chat.objects.get(college=world.college, kind=ChatKind.COLLEGE)


def test_the_group_chats_follow_the_roster_with_the_curator_owning_them(world):
    group_chat, parents = world.group_chat, world.chat(ChatKind.PARENTS)
    subject = Chat.objects.get(kind=ChatKind.SUBJECT, study_group=world.group, discipline=world.discipline)

    assert all(current(group_chat, s) for s in world.students) and not current(group_chat, world.other_student)
    assert ChatMember.objects.get(chat=group_chat, member=world.curator).role == ChatMember.Role.OWNER
    assert current(parents, world.parent) and not any(current(parents, s) for s in world.students)
    assert ChatMember.objects.get(chat=subject, member=world.subject_teacher).role == ChatMember.Role.OWNER
    assert_sync_is_idempotent(world)


def test_enrol(world, apply):
    newcomer = member(world.college, Role.STUDENT)

    apply(MovementKind.ENROL, person=newcomer, to_group=world.group)

    assert current(world.group_chat, newcomer) and current(college_chat(world), newcomer)
    assert_sync_is_idempotent(world)


def test_transfer(world, apply):
    student = world.students[0]

    apply(MovementKind.TRANSFER, person=student, to_group=world.other_group)

    assert not current(world.group_chat, student)
    assert current(world.chat(ChatKind.STUDY_GROUP, world.other_group), student)
    assert current(college_chat(world), student)
    assert_sync_is_idempotent(world)


def test_academic_leave_and_return_reuse_the_row(world, apply):
    student = world.students[0]

    apply(MovementKind.ACADEMIC_LEAVE, person=student, planned_return_date=TODAY + datetime.timedelta(days=90))
    assert not current(world.group_chat, student) and current(college_chat(world), student)
    assert_sync_is_idempotent(world)
    apply(MovementKind.LEAVE_RETURN, person=student)

    assert current(world.group_chat, student)
    assert ChatMember.objects.filter(chat=world.group_chat, member=student).count() == 1
    assert_sync_is_idempotent(world)


@pytest.mark.parametrize("kind", [MovementKind.EXPEL, MovementKind.GRADUATE])
def test_leaving_the_college_leaves_every_chat(world, apply, kind):
    student = world.students[0]
    services.chat_sync_college(college=world.college)

    apply(kind, person=student, reason="own_wish")

    assert not current(world.group_chat, student) and not current(college_chat(world), student)
    assert_sync_is_idempotent(world)


def test_reinstate(world, apply):
    student = world.students[0]
    apply(MovementKind.EXPEL, person=student, reason="own_wish")

    apply(MovementKind.REINSTATE, person=student, to_group=world.other_group)

    back = Membership.objects.get(user=student.user, role=Role.STUDENT, status=Membership.Status.ACTIVE)
    assert current(world.chat(ChatKind.STUDY_GROUP, world.other_group), back)
    assert current(college_chat(world), back)
    assert_sync_is_idempotent(world)


def test_a_new_curator_takes_the_group_chats_over(world, apply):
    new = world.other_teacher

    apply(MovementKind.CURATOR_ASSIGN, person=new, to_group=world.group)

    assert ChatMember.objects.get(chat=world.group_chat, member=new).role == ChatMember.Role.OWNER
    assert not current(world.group_chat, world.curator)
    assert ChatMember.objects.get(chat=world.chat(ChatKind.PARENTS), member=new).role == ChatMember.Role.OWNER
    assert_sync_is_idempotent(world)


def test_without_a_curator_the_administrator_owns_the_group_chat(world, apply):
    apply(MovementKind.CURATOR_UNASSIGN, person=world.curator, to_group=world.group)

    owners = ChatMember.objects.filter(chat=world.group_chat, role=ChatMember.Role.OWNER, left_at__isnull=True)
    assert [row.member for row in owners] == [world.admin]
    assert_sync_is_idempotent(world)


def test_subject_assignment_makes_the_subject_chat_and_unassignment_hands_it_to_the_curator(world, apply):
    algebra = factories.DisciplineFactory(college=world.college, name="Алгебра")

    apply(MovementKind.SUBJECT_ASSIGN, person=world.other_teacher, to_group=world.group, discipline=algebra)
    chat = Chat.objects.get(kind=ChatKind.SUBJECT, study_group=world.group, discipline=algebra)
    assert ChatMember.objects.get(chat=chat, member=world.other_teacher).role == ChatMember.Role.OWNER
    assert all(current(chat, s) for s in world.students)
    apply(MovementKind.SUBJECT_UNASSIGN, person=world.other_teacher, to_group=world.group, discipline=algebra)

    assert not current(chat, world.other_teacher)
    assert ChatMember.objects.get(chat=chat, member=world.curator).role == ChatMember.Role.OWNER
    assert_sync_is_idempotent(world)


def test_a_dismissed_teacher_leaves_and_the_subject_chat_keeps_an_owner(world, apply):
    subject = Chat.objects.get(kind=ChatKind.SUBJECT, study_group=world.group, discipline=world.discipline)

    apply(MovementKind.DISMISS, person=world.subject_teacher)

    owners = ChatMember.objects.filter(chat=subject, role=ChatMember.Role.OWNER, left_at__isnull=True)
    assert [row.member for row in owners] == [world.curator]
    assert_sync_is_idempotent(world)


def test_creating_a_group_creates_its_chats_and_archiving_keeps_their_members(
    world, django_capture_on_commit_callbacks
):
    department = factories.DepartmentFactory(college=world.college)
    with django_capture_on_commit_callbacks(execute=True):
        group = study_group_create(
            actor=world.admin.user, college=world.college, department=department, name="ТМ-31", admission_year=2026
        )
    kinds = set(Chat.objects.filter(study_group=group).values_list("kind", flat=True))
    assert kinds == {ChatKind.STUDY_GROUP, ChatKind.PARENTS}
    assert ChatMember.objects.get(chat__study_group=group, chat__kind=ChatKind.STUDY_GROUP).member == world.admin

    with django_capture_on_commit_callbacks(execute=True):
        study_group_update(actor=world.admin.user, group=world.group, status=StudyGroup.Status.GRADUATED)

    chat = Chat.objects.get(pk=world.group_chat.pk)
    assert chat.status == Chat.Status.ARCHIVED
    assert all(current(chat, s) for s in world.students)
    assert_sync_is_idempotent(world)


def test_renaming_a_group_renames_its_chats(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        study_group_update(actor=world.admin.user, group=world.group, name="ИС-31")

    assert Chat.objects.get(pk=world.group_chat.pk).title == "Группа ИС-31"


def test_a_parent_added_to_a_group_joins_its_parents_chat(world, django_capture_on_commit_callbacks):
    parent = member(world.college, Role.PARENT)

    with django_capture_on_commit_callbacks(execute=True):
        group_parent_add(actor=None, parent=parent, group=world.group)

    assert current(world.chat(ChatKind.PARENTS), parent)
    assert not current(world.group_chat, parent)


def test_the_last_owner_leaving_hands_the_chat_to_the_administrator(world):
    chat = services.chat_create(
        actor=world.other_teacher.user, college=world.college, kind=ChatKind.FREE, title="Кружок"
    )
    services.member_add(actor=world.other_teacher.user, chat=chat, member=world.students[0])

    services.member_leave(actor=world.other_teacher.user, chat=chat)

    owners = ChatMember.objects.filter(chat=chat, role=ChatMember.Role.OWNER, left_at__isnull=True)
    assert [row.member for row in owners] == [world.admin]
    assert AuditEvent.objects.filter(action="chat.owner_handover", target_id=str(chat.pk)).exists()


def test_without_an_administrator_the_longest_standing_member_becomes_owner(world):
    chat = services.chat_create(
        actor=world.other_teacher.user, college=world.college, kind=ChatKind.FREE, title="Кружок"
    )
    services.member_add(actor=world.other_teacher.user, chat=chat, member=world.students[0])
    world.admin.status = world.admin.Status.LEFT
    world.admin.save()

    services.moderator_set(actor=world.other_teacher.user, chat=chat, member=world.other_teacher, role="member")

    owner = ChatMember.objects.get(chat=chat, role=ChatMember.Role.OWNER)
    assert owner.member == world.other_teacher  # the only one who joined first


def test_a_member_cannot_leave_a_roster_chat(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.member_leave(actor=world.students[0].user, chat=world.group_chat)


def test_history_hidden_from_newcomers_when_the_chat_says_so(world, apply):
    chat = world.group_chat
    services.chat_update(actor=world.curator.user, chat=chat, history_visible=False)
    services.message_post(actor=world.students[0].user, chat=chat, text="До новичка")
    newcomer = member(world.college, Role.STUDENT)

    apply(MovementKind.ENROL, person=newcomer, to_group=world.group)
    services.message_post(actor=world.students[0].user, chat=chat, text="После")

    from chats import selectors

    seen = [m.text for m in selectors.chat_history(newcomer.user, chat).messages]
    assert seen == ["После"]


def test_one_students_move_costs_the_same_queries_whatever_the_group_size(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.chats.conftest import student_in

    def measure():
        newcomer = student_in(world.group)
        with CaptureQueriesContext(connection) as captured:
            services.chat_sync_group(group=world.group, members={newcomer.pk})
        assert current(world.group_chat, newcomer)
        return len(captured.captured_queries)

    small = measure()
    for _ in range(30):
        student_in(world.group)
    large = measure()

    assert small == large
