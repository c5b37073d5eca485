import pytest
from django.db import connection

from accounts.models import User
from chats import selectors, services
from chats.models import ChatKind
from tests.chats.conftest import PDF_BYTES, upload

pytestmark = pytest.mark.django_db


def fresh(membership) -> User:
    """The user as a new request loads it: nothing cached on the object."""
    return User.objects.get(pk=membership.user_id)


def fill_chats(world, count: int, messages: int) -> None:
    teacher = world.other_teacher
    for n in range(count):
        chat = services.chat_create(actor=teacher.user, college=world.college, kind=ChatKind.FREE, title=f"Чат {n}")
        services.member_add(actor=teacher.user, chat=chat, member=world.students[0])
        for i in range(messages):
            services.message_post(actor=teacher.user, chat=chat, text=f"Новость {i}")


@pytest.mark.parametrize(("chats", "messages"), [(1, 1), (6, 4)])
def test_the_chat_list_takes_two_queries_whatever_its_size(world, django_assert_num_queries, chats, messages):
    fill_chats(world, chats, messages)
    viewer = fresh(world.students[0])

    with django_assert_num_queries(2):
        items = selectors.chats_for(viewer, world.college)

    free = [item for item in items if item.chat.kind == ChatKind.FREE]
    assert len(free) == chats and all(item.unread == messages for item in free)
    assert free[0].last_message.text == f"Новость {messages - 1}"


def test_the_chat_list_is_ordered_by_last_activity(world):
    fill_chats(world, 2, 1)
    services.message_post(actor=world.students[0].user, chat=world.group_chat, text="Свежее")

    items = selectors.chats_for(fresh(world.students[0]), world.college)

    assert items[0].chat == world.group_chat and items[0].unread == 0


def fill_history(world, count: int) -> None:
    chat = world.group_chat
    first = None
    for i in range(count):
        author = world.students[i % 3]
        message = services.message_post(
            actor=author.user,
            chat=chat,
            text=f"Сообщение {i} @{world.curator.user.last_name}",
            reply_to=first,
            attachments=[upload("Файл.pdf", PDF_BYTES)] if i % 2 else [],
        )
        services.reaction_toggle(actor=world.curator.user, message=message, emoji="👍")
        first = first or message


@pytest.mark.parametrize("count", [3, 12])
def test_a_history_page_takes_five_queries_whatever_its_size(world, django_assert_num_queries, count):
    fill_history(world, count)
    viewer = fresh(world.students[1])
    chat = selectors.chat_get_for(user=fresh(world.students[1]), college=world.college, pk=world.group_chat.pk)

    with django_assert_num_queries(5):
        page = selectors.chat_history(viewer, chat, limit=10)
        shaped = [(m.html, m.reactions_summary, m.reply_preview, m.files) for m in page.messages]

    assert len(shaped) == min(count, 10) and page.has_more == (count > 10)
    assert shaped[-1][1] == [("👍", 1, False)]
    curator = world.curator.user.last_name
    assert f'<span class="mention" data-member="{world.curator.pk}">@{curator}</span>' in shaped[-1][0]


def test_history_pages_backwards_by_cursor(world):
    fill_history(world, 5)
    viewer = fresh(world.students[1])

    newest = selectors.chat_history(viewer, world.group_chat, limit=3)
    older = selectors.chat_history(viewer, world.group_chat, before_id=newest.before_id, limit=3)

    assert [m.text.split()[1] for m in newest.messages] == ["2", "3", "4"]
    assert [m.text.split()[1] for m in older.messages] == ["0", "1"] and not older.has_more


def test_parents_see_only_the_parents_chat_members(world):
    members = selectors.chat_members(fresh(world.parent), world.chat(ChatKind.PARENTS))

    assert {row.member for row in members} == {world.parent, world.curator}


def test_search_finds_only_readable_messages(world):
    services.message_post(actor=world.students[0].user, chat=world.group_chat, text="Расписание экзаменов ЁЛКА")
    other = world.chat(ChatKind.STUDY_GROUP, world.other_group)
    services.message_post(actor=world.other_student.user, chat=other, text="Расписание чужой группы")

    found = selectors.messages_search(fresh(world.students[1]), world.college, "расписание")

    assert [m.text for m in found] == ["Расписание экзаменов ЁЛКА"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite fallback; PostgreSQL: test_search_pg")
def test_sqlite_search_folds_case_and_yo(world):
    services.message_post(actor=world.students[0].user, chat=world.group_chat, text="Купили ёлку")

    found = selectors.messages_search(fresh(world.students[1]), world.college, "ЕЛКУ")

    assert [m.text for m in found] == ["Купили ёлку"]


def test_search_within_one_chat_and_deleted_messages_are_not_found(world):
    message = services.message_post(actor=world.students[0].user, chat=world.group_chat, text="Секретный текст")
    services.message_moderate_delete(actor=world.curator.user, message=message, reason="Лишнее")

    found = selectors.messages_search(fresh(world.students[1]), world.college, "Секретный", chat=world.group_chat)

    assert found == []
