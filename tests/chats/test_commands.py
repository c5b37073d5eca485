import pytest
from django.core.management import call_command

from chats.models import Chat, ChatKind, ChatMember, Message
from colleges.models import Role
from tests import factories
from tests.chats.conftest import student_in

pytestmark = pytest.mark.django_db


def test_chats_sync_makes_the_chats_of_a_college_that_had_none_and_twice_changes_nothing(college):
    admin = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR)
    group = factories.StudyGroupFactory(college=college)
    student = student_in(group)

    call_command("chats_sync", stdout=None)
    rows = list(ChatMember.objects.order_by("pk").values_list("chat_id", "member_id", "role", "left_at"))
    call_command("chats_sync", stdout=None)

    assert set(Chat.objects.values_list("kind", flat=True)) == {
        ChatKind.COLLEGE,
        ChatKind.STAFF,
        ChatKind.STUDY_GROUP,
        ChatKind.PARENTS,
    }
    college_chat = Chat.objects.get(kind=ChatKind.COLLEGE)
    assert ChatMember.objects.get(chat=college_chat, member=admin).role == ChatMember.Role.OWNER
    assert ChatMember.objects.filter(chat=college_chat, member=student, left_at__isnull=True).exists()
    assert list(ChatMember.objects.order_by("pk").values_list("chat_id", "member_id", "role", "left_at")) == rows


def test_the_demo_college_has_its_chats_and_greetings():
    call_command("seed_demo", "--students", "30", stdout=None)

    assert Chat.objects.filter(kind=ChatKind.COLLEGE).count() == 1
    assert Chat.objects.filter(kind=ChatKind.STUDY_GROUP).count() >= 1
    assert Message.objects.count() == 2
