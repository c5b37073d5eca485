"""The set-based roster sync keeps the rules of the one-chat steps: hand-added members stay, one batch moves
people between groups, an owner who leaves within a limited sync hands the chat on."""

import datetime

import pytest

from audit.models import AuditEvent
from chats import services
from chats.models import Chat, ChatKind, ChatMember
from chats.roster_queue import COLLEGE, roster_sync
from colleges.models import Membership
from groups.models import CuratorAssignment, Enrollment
from tests.chats.conftest import student_in

pytestmark = pytest.mark.django_db


def current(chat, membership) -> bool:
    return ChatMember.objects.filter(chat=chat, member=membership, left_at__isnull=True, banned=False).exists()


def test_a_member_added_by_hand_stays_through_a_whole_college_sync(world):
    services.member_add(actor=world.curator.user, chat=world.group_chat, member=world.other_student)
    scopes = {world.group.pk: None, world.other_group.pk: None, None: None}

    services.chat_sync_roster(college=world.college, scopes=scopes)

    assert current(world.group_chat, world.other_student)
    row = ChatMember.objects.get(chat=world.group_chat, member=world.other_student)
    assert row.source == ChatMember.Source.MANUAL


def test_one_batch_moves_a_student_between_groups_and_adds_a_newcomer(world):
    moved, newcomer = world.students[0], student_in(world.other_group)
    Enrollment.objects.filter(student=moved, ended_at__isnull=True).update(group=world.other_group)
    items = [f"{world.group.pk}:{moved.pk}", f"{world.other_group.pk}:{moved.pk}"]
    items += [f"{world.other_group.pk}:{newcomer.pk}", f"{COLLEGE}:{newcomer.pk}"]

    assert roster_sync(world.college.pk, items) == 4

    other_chat = world.chat(ChatKind.STUDY_GROUP, world.other_group)
    assert not current(world.group_chat, moved) and current(other_chat, moved)
    assert current(other_chat, newcomer)
    assert current(Chat.objects.get(college=world.college, kind=ChatKind.COLLEGE), newcomer)


def test_the_curator_leaving_within_a_limited_sync_hands_the_group_chat_to_the_administrator(world):
    CuratorAssignment.objects.filter(group=world.group).update(ended_at=datetime.date(2026, 1, 1))

    services.chat_sync_group(group=world.group, members={world.curator.pk})

    owners = ChatMember.objects.filter(chat=world.group_chat, role=ChatMember.Role.OWNER, left_at__isnull=True)
    assert [row.member for row in owners] == [world.admin]
    assert not current(world.group_chat, world.curator)
    assert AuditEvent.objects.filter(action="chat.owner_handover", target_id=str(world.group_chat.pk)).exists()


def test_with_nobody_to_own_it_by_the_regulation_a_member_owns_the_college_chat(world):
    college_chat, _ = services.chat_sync_college(college=world.college)
    world.admin.status = Membership.Status.LEFT
    world.admin.save()

    services.chat_sync_college(college=world.college, members={world.admin.pk})

    owners = list(ChatMember.objects.filter(chat=college_chat, role=ChatMember.Role.OWNER, left_at__isnull=True))
    assert len(owners) == 1 and owners[0].member != world.admin
    assert not current(college_chat, world.admin)
