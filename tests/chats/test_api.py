"""The chats API: chats and their members, with the same rules as the pages (tests/chats/test_api_messages.py:
messages and reports)."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from chats import services, texts
from chats.models import Chat, ChatKind, ChatMember
from colleges.api_base import COLLEGE_NOT_FOUND
from colleges.models import Role
from tests import factories
from tests.accounts.helpers import api_key_for
from tests.chats.api_helpers import api, chat_url, members_url
from tests.chats.test_selectors import fill_chats
from tests.college_api import api_url
from tests.conftest import add_totp

pytestmark = pytest.mark.django_db


def test_the_list_shows_my_chats_with_unread_counts_and_the_last_message(world):
    services.message_post(actor=world.curator.user, chat=world.group_chat, text="Завтра <b>пара</b> в 9:00")

    response = api(world.students[0]).get(chat_url(world))

    assert response.status_code == 200
    items = {item["chat"]["id"]: item for item in response.json()["results"]}
    group = items[world.group_chat.pk]
    assert group["unread"] == 1 and group["role"] == "member"
    assert group["last_message"]["text"] == "Завтра <b>пара</b> в 9:00"
    assert group["last_message"]["html"] == "Завтра &lt;b&gt;пара&lt;/b&gt; в 9:00"
    assert world.chat(ChatKind.STUDY_GROUP, world.other_group).pk not in items


@pytest.mark.parametrize(("chats", "messages"), [(1, 1), (6, 3)])
def test_the_list_asks_the_same_queries_whatever_its_size(world, django_assert_num_queries, chats, messages):
    fill_chats(world, chats, messages)
    client = api(world.students[0])

    # The key and the memberships (2), the chats with their unread counts and their last messages (2).
    with django_assert_num_queries(4):
        response = client.get(chat_url(world))

    assert response.status_code == 200
    free = [item for item in response.json()["results"] if item["chat"]["kind"] == "free"]
    assert len(free) == chats and all(item["unread"] == messages for item in free)


def test_anonymous_is_answered_401(world):
    response = APIClient().get(chat_url(world))

    assert response.status_code == 401


def test_another_groups_student_finds_no_chat(world):
    chat = world.group_chat
    client = api(world.other_student)

    answers = [
        client.get(chat_url(world, "api:chat-detail", pk=chat.pk)).status_code,
        client.get(api_url("api:chat-message-list", world.college, chat_pk=chat.pk)).status_code,
        client.get(members_url(world, chat)).status_code,
        client.post(api_url("api:chat-message-list", world.college, chat_pk=chat.pk), {"text": "Привет"}).status_code,
    ]

    assert answers == [404, 404, 404, 404]
    assert not chat.messages.exists()


def test_another_college_is_not_found(world, other_college):
    stranger = factories.MembershipFactory(college=other_college, role=Role.ADMINISTRATOR)

    response = api(stranger).get(chat_url(world, "api:chat-detail", pk=world.group_chat.pk))

    assert response.status_code == 404
    assert response.json() == {"detail": COLLEGE_NOT_FOUND}


def test_one_key_of_a_person_in_two_colleges_reaches_the_chats_of_both(world, other_college):
    person = world.curator.user
    second = factories.MembershipFactory(college=other_college, user=person, role=Role.TEACHER)
    services.chat_create(actor=second.user, college=other_college, kind=ChatKind.FREE, title="Второй колледж")
    add_totp(person)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(person)}")

    first = client.get(api_url("api:chat-list", world.college))
    other = client.get(api_url("api:chat-list", other_college))

    assert (first.status_code, other.status_code) == (200, 200)
    assert world.group_chat.pk in [item["chat"]["id"] for item in first.json()["results"]]
    assert [item["chat"]["title"] for item in other.json()["results"]] == ["Второй колледж"]


def test_retrieve_says_what_the_viewer_may_do(world):
    ChatMember.objects.filter(chat=world.group_chat, member=world.students[0]).update(
        muted_until=timezone.now() + datetime.timedelta(hours=1)
    )

    body = api(world.students[0]).get(chat_url(world, "api:chat-detail", pk=world.group_chat.pk)).json()

    assert body["chat"]["kind"] == "study_group"
    assert body["viewer"]["can_post"] is False
    assert body["viewer"]["post_refusal"].startswith("Вы не можете писать в этот чат до")
    assert body["viewer"]["can_moderate"] is False


def test_a_teacher_creates_a_free_chat_and_owns_it(world):
    response = api(world.other_teacher).post(chat_url(world), {"kind": "free", "title": "  Кружок  робототехники "})

    assert response.status_code == 201, response.json()
    chat = Chat.objects.get(pk=response.json()["chat"]["id"])
    assert chat.title == "Кружок робототехники"
    assert response.json()["viewer"]["role"] == "owner"


def test_a_student_may_not_create_a_channel(world):
    response = api(world.students[0]).post(chat_url(world), {"kind": "channel", "title": "Мой канал"})

    assert response.status_code == 403
    assert response.json() == {"detail": texts.CREATE_DENIED}
    assert not Chat.objects.filter(kind=ChatKind.CHANNEL).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "direct", "title": "x"}, "kind"),
        ({"kind": "free", "title": "x" * 201}, "title"),
        ({"kind": "subject", "title": "x", "study_group": "abc"}, "study_group"),
        ({"kind": "free", "title": "a\x00b"}, "title"),
    ],
)
def test_bad_chat_input_is_a_russian_400(world, body, field):
    response = api(world.admin).post(chat_url(world), body, format="json")

    assert response.status_code == 400
    message = response.json()[field][0]
    assert any("а" <= ch <= "я" for ch in message.lower()), message


def test_a_group_of_another_college_is_not_found_for_a_group_chat(world, other_college):
    foreign = factories.StudyGroupFactory(college=other_college)

    response = api(world.admin).post(
        chat_url(world), {"kind": "parents", "title": "Родители", "study_group": foreign.pk}, format="json"
    )

    assert response.status_code == 400
    assert "не найден" in response.json()["study_group"][0]


def test_the_owner_renames_and_a_member_may_not(world):
    chat = world.group_chat
    url = chat_url(world, "api:chat-detail", pk=chat.pk)

    denied = api(world.students[0]).patch(url, {"title": "Наш чат"}, format="json")
    renamed = api(world.curator).patch(url, {"title": "Группа ИС-21 (2025)", "history_visible": False}, format="json")

    assert denied.status_code == 403 and denied.json() == {"detail": texts.MANAGE_DENIED}
    assert renamed.status_code == 200
    chat.refresh_from_db()
    assert (chat.title, chat.history_visible) == ("Группа ИС-21 (2025)", False)


def test_a_read_only_chat_refuses_posts_with_the_reason(world):
    chat = world.group_chat
    api(world.curator).post(chat_url(world, "api:chat-status", pk=chat.pk), {"status": "read_only"})
    before = chat.messages.count()

    response = api(world.students[0]).post(
        api_url("api:chat-message-list", world.college, chat_pk=chat.pk), {"text": "Можно вопрос?"}
    )

    assert response.status_code == 403
    assert response.json() == {"detail": texts.READ_ONLY}
    assert chat.messages.count() == before


def test_a_direct_chat_is_opened_once_for_the_pair(world):
    client = api(world.students[0])

    first = client.post(chat_url(world, "api:chat-direct"), {"member": world.curator.pk})
    again = client.post(chat_url(world, "api:chat-direct"), {"member": world.curator.pk})

    assert first.status_code == again.status_code == 200
    assert first.json()["chat"]["id"] == again.json()["chat"]["id"]
    assert first.json()["chat"]["kind"] == "direct"


def test_a_student_may_not_write_to_the_administrator_directly(world):
    response = api(world.students[0]).post(chat_url(world, "api:chat-direct"), {"member": world.admin.pk})

    assert response.status_code == 403
    assert response.json() == {"detail": texts.DIRECT_DENIED}


def test_the_read_marker_moves_forward_only(world):
    chat = world.group_chat
    first = services.message_post(actor=world.curator.user, chat=chat, text="Первое")
    second = services.message_post(actor=world.curator.user, chat=chat, text="Второе")
    client = api(world.students[0])
    url = chat_url(world, "api:chat-read", pk=chat.pk)

    forward = client.post(url, {"message_id": second.pk})
    back = client.post(url, {"message_id": first.pk})

    assert forward.json() == back.json() == {"last_read_message_id": second.pk}


def test_members_are_listed_added_muted_and_removed_by_a_moderator(world):
    chat = services.chat_create(actor=world.curator.user, college=world.college, kind=ChatKind.FREE, title="Кружок")
    client = api(world.curator)
    student = world.students[0]
    until = (timezone.now() + datetime.timedelta(hours=2)).isoformat()

    added = client.post(members_url(world, chat), {"member": student.pk})
    muted = client.post(members_url(world, chat, student.pk, "mute"), {"until": until})
    refused = api(student).post(api_url("api:chat-message-list", world.college, chat_pk=chat.pk), {"text": "Я тут"})
    listed = client.get(members_url(world, chat))
    removed = client.delete(members_url(world, chat, student.pk))

    assert added.status_code == 201 and added.json()["role"] == "member"
    assert muted.status_code == 200 and muted.json()["muted_until"]
    assert refused.status_code == 403 and refused.json()["detail"].startswith("Вы не можете писать в этот чат до")
    assert {row["member"] for row in listed.json()["results"]} == {world.curator.pk, student.pk}
    assert removed.status_code == 204
    assert api(student).get(chat_url(world, "api:chat-detail", pk=chat.pk)).status_code == 404


def test_a_member_may_not_moderate_members(world):
    chat = world.group_chat
    target = world.students[1]

    answers = [
        api(world.students[0]).post(members_url(world, chat, target.pk, action)).status_code
        for action in ("ban", "unmute")
    ] + [api(world.students[0]).delete(members_url(world, chat, target.pk)).status_code]

    assert answers == [403, 403, 403]
    assert ChatMember.objects.get(chat=chat, member=target).is_current


def test_a_banned_member_is_kept_out_until_unbanned(world):
    chat = services.chat_create(actor=world.curator.user, college=world.college, kind=ChatKind.FREE, title="Кружок")
    client = api(world.curator)
    student = world.students[0]
    client.post(members_url(world, chat), {"member": student.pk})

    banned = client.post(members_url(world, chat, student.pk, "ban"))
    readded = client.post(members_url(world, chat), {"member": student.pk})
    unbanned = client.post(members_url(world, chat, student.pk, "unban"))
    again = client.post(members_url(world, chat), {"member": student.pk})

    assert banned.status_code == 200 and banned.json()["banned"] is True
    assert readded.status_code == 400 and readded.json() == {"detail": [texts.MEMBER_BANNED]}
    assert unbanned.status_code == 200
    assert again.status_code == 201


def test_moderators_list_the_banned_and_a_lifted_ban_leaves_the_list(world):
    chat = services.chat_create(actor=world.curator.user, college=world.college, kind=ChatKind.FREE, title="Кружок")
    client = api(world.curator)
    for student in world.students[:2]:
        client.post(members_url(world, chat), {"member": student.pk})
    client.post(members_url(world, chat, world.students[0].pk, "ban"))
    url = api_url("api:chat-member-banned", world.college, chat_pk=chat.pk)

    banned = client.get(url)
    client.post(members_url(world, chat, world.students[0].pk, "unban"))
    after = client.get(url)
    by_member = api(world.students[1]).get(url)

    assert banned.status_code == 200
    assert [(row["member"], row["banned"]) for row in banned.json()["results"]] == [(world.students[0].pk, True)]
    assert after.json()["results"] == []
    assert by_member.status_code == 403


def test_the_owner_appoints_a_moderator(world):
    chat = world.group_chat
    student = world.students[0]

    response = api(world.curator).post(members_url(world, chat, student.pk, "role"), {"role": "moderator"})
    denied = api(student).post(members_url(world, chat, world.students[1].pk, "role"), {"role": "moderator"})

    assert response.status_code == 200 and response.json()["role"] == "moderator"
    assert denied.status_code == 403 and denied.json() == {"detail": texts.MANAGE_DENIED}


def test_a_roster_member_may_not_leave_but_a_free_chat_member_may(world):
    free = services.chat_create(actor=world.curator.user, college=world.college, kind=ChatKind.FREE, title="Кружок")
    services.member_add(actor=world.curator.user, chat=free, member=world.students[0])
    client = api(world.students[0])

    roster = client.post(chat_url(world, "api:chat-leave", pk=world.group_chat.pk))
    left = client.post(chat_url(world, "api:chat-leave", pk=free.pk))

    assert roster.status_code == 403 and roster.json() == {"detail": texts.LEAVE_ROSTER}
    assert left.status_code == 204
    assert client.get(chat_url(world, "api:chat-detail", pk=free.pk)).status_code == 404


@pytest.mark.parametrize("pk", ["9" * 30, "0"])
def test_a_chat_id_beyond_any_is_not_found(world, pk):
    response = api(world.admin).get(f"{chat_url(world)}{pk}/")

    assert response.status_code == 404


@pytest.mark.parametrize(("members", "size"), [(1, "small"), (8, "large")])
def test_the_member_list_asks_the_same_queries_whatever_its_size(world, django_assert_num_queries, members, size):
    chat = services.chat_create(actor=world.curator.user, college=world.college, kind=ChatKind.FREE, title="Кружок")
    for _ in range(members):
        services.member_add(
            actor=world.curator.user, chat=chat, member=factories.MembershipFactory(college=world.college)
        )
    client = api(world.curator)

    # Key and memberships (2), the viewer's row with the chat (1), the page and its count (2).
    with django_assert_num_queries(5):
        response = client.get(members_url(world, chat))

    assert len(response.json()["results"]) == members + 1


def test_a_deleted_last_message_carries_no_text_in_the_list(world):
    sent = services.message_post(actor=world.students[1].user, chat=world.group_chat, text="Обидные слова")
    services.message_moderate_delete(actor=world.curator.user, message=sent, reason="Оскорбление")

    items = api(world.students[0]).get(chat_url(world)).json()["results"]

    last = next(item for item in items if item["chat"]["id"] == world.group_chat.pk)["last_message"]
    assert (last["deleted"], last["text"], last["html"]) == (True, "", texts.MODERATED_PLACEHOLDER)
    assert "Обидные" not in str(items) and "Оскорбление" not in str(items)
