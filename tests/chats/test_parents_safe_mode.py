"""Safe mode: whom each role may write to privately, and who may be added to which chat, so that a parent
reaches only the staff of their child's group and never sees students of another group."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chats import permissions, texts
from chats.models import Chat, ChatKind, ChatMember
from chats.selectors import chat_members, direct_candidates
from chats.services import chat_create, direct_chat_get_or_create, member_add
from colleges.models import Role
from groups.models import Enrollment, GroupParent, Guardian
from groups.services import enrollment_transfer, guardian_claim, guardian_confirm
from tests import factories
from tests.chats.conftest import member, student_in

pytestmark = pytest.mark.django_db

PEOPLE = [
    "admin",
    "curator",
    "subject_teacher",
    "other_teacher",
    "student",
    "classmate",
    "other_student",
    "parent",
    "other_parent",
    "foreign",
]
# Whom each viewer may open a direct chat with; everyone else in PEOPLE is refused.
REACH = {
    "admin": {
        "curator",
        "subject_teacher",
        "other_teacher",
        "student",
        "classmate",
        "other_student",
        "parent",
        "other_parent",
    },
    "curator": {
        "admin",
        "subject_teacher",
        "other_teacher",
        "student",
        "classmate",
        "other_student",
        "parent",
        "other_parent",
    },
    "other_teacher": {
        "admin",
        "curator",
        "subject_teacher",
        "student",
        "classmate",
        "other_student",
        "parent",
        "other_parent",
    },
    "student": {"curator", "subject_teacher", "classmate"},
    "other_student": set(),  # the other group has no staff here, and no classmate
    "parent": {"curator", "subject_teacher"},
    "other_parent": set(),
    "foreign": set(),
}


@pytest.fixture
def people(world, other_college):
    other_parent = member(world.college, Role.PARENT)
    GroupParent.objects.create(college=world.college, parent=other_parent, group=world.other_group)
    return {
        "admin": world.admin,
        "curator": world.curator,
        "subject_teacher": world.subject_teacher,
        "other_teacher": world.other_teacher,
        "student": world.students[0],
        "classmate": world.students[1],
        "other_student": world.other_student,
        "parent": world.parent,
        "other_parent": other_parent,
        "foreign": member(other_college, Role.STUDENT),
    }


@pytest.mark.parametrize("viewer", list(REACH))
def test_who_may_write_to_whom_privately(people, viewer):
    reach = {other for other in PEOPLE if other != viewer and permissions.direct_allowed(people[viewer], people[other])}

    assert reach == REACH[viewer]


def test_a_parent_cannot_open_a_direct_chat_with_a_student(world):
    with pytest.raises(PermissionDenied) as error:
        direct_chat_get_or_create(actor=world.parent.user, college=world.college, other=world.students[0])

    assert str(error.value) == texts.DIRECT_DENIED


def test_a_confirmed_childs_new_group_brings_its_curator_in_reach(world, people):
    child = world.students[0]
    guardian = guardian_claim(actor=world.parent.user, group=world.group, student=child)
    guardian_confirm(actor=child.user, guardian=guardian)
    new_curator = member(world.college, Role.TEACHER)
    factories.CuratorAssignmentFactory(group=world.other_group, teacher=new_curator)
    assert not permissions.direct_allowed(world.parent, new_curator)

    enrollment_transfer(
        actor=None,
        enrollment=Enrollment.objects.get(student=child, ended_at__isnull=True),
        group=world.other_group,
        transferred_at=datetime.date(2026, 1, 12),
    )

    assert permissions.direct_allowed(world.parent, new_curator)
    # «Написать» offers whom direct_allowed allows: the search follows the child too.
    assert new_curator in direct_candidates(world.parent.user, world.college)
    assert Guardian.objects.get(pk=guardian.pk).status == Guardian.Status.CONFIRMED


def test_the_parents_chat_shows_a_parent_no_student(world):
    rows = chat_members(world.parent.user, world.chat(ChatKind.PARENTS))

    roles = {row.member.role for row in rows}
    assert Role.STUDENT not in roles
    assert {row.member_id for row in rows} == {world.parent.pk, world.curator.pk}


def test_a_parent_is_not_added_to_another_groups_parents_chat(world, people):
    with pytest.raises(ValidationError) as error:
        member_add(actor=world.admin.user, chat=world.chat(ChatKind.PARENTS), member=people["other_parent"])

    assert error.value.messages == [texts.SAFE_MODE_MEMBER]


@pytest.mark.parametrize("kind", [ChatKind.STUDY_GROUP, ChatKind.SUBJECT])
def test_a_parent_is_not_added_to_a_students_chat(world, kind):
    chat = Chat.objects.get(kind=kind, study_group=world.group)

    with pytest.raises(ValidationError):
        member_add(actor=world.admin.user, chat=chat, member=world.parent)

    assert not ChatMember.objects.filter(chat=chat, member=world.parent).exists()


def test_a_student_is_not_added_to_the_parents_chat(world):
    with pytest.raises(ValidationError):
        member_add(actor=world.curator.user, chat=world.chat(ChatKind.PARENTS), member=world.students[0])


def _free_chat(world, *memberships):
    chat = chat_create(actor=world.curator.user, college=world.college, kind=ChatKind.FREE, title="Экскурсия")
    for membership in memberships:
        member_add(actor=world.curator.user, chat=chat, member=membership)
    return chat


def test_a_parent_joins_a_free_chat_with_their_groups_students(world):
    chat = _free_chat(world, world.students[0], world.parent)

    assert ChatMember.objects.filter(chat=chat, member=world.parent, left_at__isnull=True).exists()


def test_a_parent_is_kept_out_of_a_free_chat_with_another_groups_student(world):
    chat = _free_chat(world, world.other_student)

    with pytest.raises(ValidationError):
        member_add(actor=world.curator.user, chat=chat, member=world.parent)


def test_another_groups_student_is_kept_out_of_a_free_chat_with_a_parent(world):
    chat = _free_chat(world, world.parent)

    with pytest.raises(ValidationError):
        member_add(actor=world.curator.user, chat=chat, member=world.other_student)
    member_add(actor=world.curator.user, chat=chat, member=student_in(world.group))
