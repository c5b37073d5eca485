"""The chats predicates as one role × action table: who may read, post in, moderate and manage the
group's chat, the parents' chat and the subject chat, and who may create which chat."""

import pytest

from accounts.models import User
from chats import permissions
from chats.models import Chat, ChatKind
from colleges.models import Role
from tests.chats.conftest import member

pytestmark = pytest.mark.django_db

PEOPLE = ["admin", "curator", "subject_teacher", "other_teacher", "student", "other_student", "parent", "foreign"]


def person(world, other_college, who) -> User:
    if who == "foreign":
        return member(other_college, Role.ADMINISTRATOR).user
    membership = world.students[0] if who == "student" else getattr(world, who)
    return User.objects.get(pk=membership.user_id)


def subject_chat(world) -> Chat:
    return Chat.objects.get(kind=ChatKind.SUBJECT, study_group=world.group, discipline=world.discipline)


# (chat, predicate): the people for whom it is True; everyone else in PEOPLE gets False.
TABLE = {
    ("group", "can_view_chat"): {"curator", "student"},
    ("group", "can_post"): {"curator", "student"},
    ("group", "can_moderate"): {"curator", "admin"},
    ("group", "can_manage_chat"): {"curator", "admin"},
    ("parents", "can_view_chat"): {"curator", "parent"},
    ("parents", "can_post"): {"curator", "parent"},
    ("parents", "can_moderate"): {"curator", "admin"},
    ("subject", "can_view_chat"): {"subject_teacher", "student"},
    ("subject", "can_moderate"): {"subject_teacher", "admin"},
    ("subject", "can_manage_chat"): {"subject_teacher", "admin"},
}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize(("chat_name", "predicate"), list(TABLE))
def test_chat_predicates(world, other_college, who, chat_name, predicate):
    chat = {
        "group": world.group_chat,
        "parents": world.chat(ChatKind.PARENTS),
        "subject": subject_chat(world),
    }[chat_name]

    allowed = getattr(permissions, predicate)(person(world, other_college, who), chat)

    assert allowed == (who in TABLE[(chat_name, predicate)])


CREATE = {
    ChatKind.COLLEGE: {"admin"},
    ChatKind.STAFF: {"admin"},
    ChatKind.CHANNEL: {"admin", "curator", "subject_teacher", "other_teacher"},
    ChatKind.FREE: {"admin", "curator", "subject_teacher", "other_teacher"},
}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("kind", list(CREATE))
def test_who_creates_which_chat(world, other_college, who, kind):
    allowed = permissions.can_create_chat(person(world, other_college, who), world.college, kind)

    assert allowed == (who in CREATE[kind])


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_open_the_reports_queue(world, other_college, who):
    allowed = permissions.can_view_reports(person(world, other_college, who), world.college)

    assert allowed == (who in {"admin", "curator", "subject_teacher"})
