"""The chat page's newest history from the college cache (``chats.fragments.history_part``): every write that
changes what the page shows drops it, and what differs per viewer stays the viewer's own."""

import pytest
from django.urls import reverse

from accounts import services as account_services
from chats import services, texts
from chats.models import Chat, ChatKind, ChatMember, Message
from tests.chats.conftest import PDF_BYTES, upload
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.COLLEGE_CACHE_SECONDS = 300


@pytest.fixture
def said(world, django_capture_on_commit_callbacks):
    """A student's message in the group chat, committed."""
    with django_capture_on_commit_callbacks(execute=True):
        return services.message_post(actor=world.students[1].user, chat=world.group_chat, text="Привет всем")


def page(client, membership, chat) -> str:
    """The chat's page as ``membership`` sees it (signing them in unless they are)."""
    if client.session.get("_auth_user_id") != str(membership.user_id):
        client.force_login(membership.user)
    response = client.get(reverse("chats:chat", kwargs={"pk": chat.pk}))
    assert response.status_code == 200
    return response.content.decode()


def history(body: str) -> str:
    """The page's pinned messages and rows (the rest holds a CSRF token, new on every page)."""
    return body[body.index("</header>", body.index('class="chat-header"')) : body.index("</ol>")]


def post(world, said):
    services.message_post(actor=world.curator.user, chat=world.group_chat, text="Новое сообщение")
    return "Новое сообщение"


def post_many(world, said):
    services.messages_post_many_unchecked(
        actor=world.curator.user, chat=world.group_chat, posts=[(world.curator.pk, "Пачка сообщений")]
    )
    return "Пачка сообщений"


def post_a_file(world, said):
    services.message_post(
        actor=world.curator.user, chat=world.group_chat, text="", attachments=[upload("план.pdf", PDF_BYTES)]
    )
    return "план.pdf"


def edit(world, said):
    services.message_edit(actor=world.students[1].user, message=said, text="Привет, группа")
    return "Привет, группа"


def delete(world, said):
    services.message_delete(actor=world.students[1].user, message=said)
    return texts.DELETED_PLACEHOLDER


def moderate(world, said):
    services.message_moderate_delete(actor=world.curator.user, message=said, reason="Не по теме")
    return texts.MODERATED_PLACEHOLDER


def react(world, said):
    services.reaction_toggle(actor=world.students[2].user, message=said, emoji="👍")
    return '<span class="reaction">👍 1</span>'


def pin(world, said):
    services.message_pin(actor=world.curator.user, message=said)
    return "Закреплено: 1"


def archive(world, said):
    services.chat_set_status(actor=world.curator.user, chat=world.group_chat, status=Chat.Status.ARCHIVED)
    return texts.SYSTEM_STATUS[Chat.Status.ARCHIVED]


def rename_author(world, said):
    user = world.students[1].user
    account_services.user_profile_update(actor=user, user=user, last_name="Новикова", first_name="Вера")
    return "Новикова В."


def rename_chat(world, said):
    services.chat_update(actor=world.curator.user, chat=world.group_chat, title="ИС-21: объявления")
    return "ИС-21: объявления"


@pytest.mark.parametrize(
    "write", [post, post_many, post_a_file, edit, delete, moderate, react, pin, archive, rename_author, rename_chat]
)
def test_the_page_shows_each_write_made_after_it_was_cached(
    world, client, said, write, django_capture_on_commit_callbacks
):
    before = page(client, world.students[0], world.group_chat)

    with django_capture_on_commit_callbacks(execute=True):
        shown = write(world, Message.objects.get(pk=said.pk))

    assert shown not in before
    assert shown in page(client, world.students[0], world.group_chat)


def test_an_unpinned_message_leaves_the_pinned_list(world, client, said, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.message_pin(actor=world.curator.user, message=said)
    assert "Закреплено: 1" in page(client, world.students[0], world.group_chat)

    with django_capture_on_commit_callbacks(execute=True):
        services.message_pin(actor=world.curator.user, message=Message.objects.get(pk=said.pk), pinned=False)

    assert "Закреплено" not in page(client, world.students[0], world.group_chat)


def test_the_cached_page_is_what_the_page_computes(world, client, said, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.message_pin(actor=world.curator.user, message=said)
        services.reaction_toggle(actor=world.students[2].user, message=said, emoji="👍")
    cached = history(page(client, world.students[0], world.group_chat))
    assert history(page(client, world.students[0], world.group_chat)) == cached

    settings.COLLEGE_CACHE_SECONDS = 0

    assert history(page(client, world.students[0], world.group_chat)) == cached


def test_a_newcomer_of_a_chat_with_hidden_history_never_gets_the_members_cached_page(
    world, client, django_capture_on_commit_callbacks
):
    owner = world.curator
    newcomer = MembershipFactory(college=world.college, role=world.students[0].role)
    with django_capture_on_commit_callbacks(execute=True):
        chat = services.chat_create(actor=owner.user, college=world.college, kind=ChatKind.FREE, title="Совет")
        services.chat_update(actor=owner.user, chat=chat, history_visible=False)
        services.message_post(actor=owner.user, chat=chat, text="До новичка")
        services.member_add(actor=owner.user, chat=chat, member=newcomer)
    assert "До новичка" in page(client, owner, chat)  # cached after the newcomer joined

    seen = page(client, newcomer, chat)

    assert "До новичка" not in seen and "Сообщений пока нет." in seen


def test_what_differs_per_viewer_is_each_viewers_own_on_the_cached_page(world, client, said):
    student = page(client, world.students[0], world.group_chat)

    moderator = page(client, world.curator, world.group_chat)

    assert f'data-member-id="{world.students[0].pk}"' in student and 'data-can-moderate="0"' in student
    assert f'data-member-id="{world.curator.pk}"' in moderator and 'data-can-moderate="1"' in moderator
    assert "Настройки чата" in moderator and "Настройки чата" not in student
    assert moderator.count(f'id="m-{said.pk}"') == student.count(f'id="m-{said.pk}"') == 1


def test_opening_the_cached_page_marks_it_read_for_each_viewer(world, client, said):
    page(client, world.students[0], world.group_chat)

    page(client, world.students[2], world.group_chat)

    row = ChatMember.objects.get(chat=world.group_chat, member=world.students[2])
    assert row.last_read_message_id == said.pk


@pytest.mark.parametrize("messages", [2, 30])
def test_the_cached_page_asks_a_fixed_number_of_queries(
    world, client, django_assert_num_queries, django_capture_on_commit_callbacks, messages
):
    chat = world.group_chat
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(messages):
            services.message_post(actor=world.curator.user, chat=chat, text=f"Новость {n}")
    page(client, world.students[0], chat)  # cached
    page(client, world.students[1], chat)  # and read
    url = reverse("chats:chat", kwargs={"pk": chat.pk})

    with django_assert_num_queries(CACHED_QUERIES):
        client.get(url)


CACHED_QUERIES = 4  # the session, its user and membership, the viewer's row with the chat


@pytest.mark.parametrize("write", [post, post_many, edit, delete, moderate, react, pin])
def test_a_write_to_the_messages_leaves_the_colleges_other_cached_pages_alone(
    world, said, write, django_capture_on_commit_callbacks
):
    """A busy chat would otherwise empty the dashboard's and the group list's cache with every message."""
    from core import college_cache

    stamp = college_cache.stamp(world.college.pk)
    version = Chat.objects.get(pk=world.group_chat.pk).history_version

    with django_capture_on_commit_callbacks(execute=True):
        write(world, Message.objects.get(pk=said.pk))

    assert college_cache.stamp(world.college.pk) == stamp
    assert Chat.objects.get(pk=world.group_chat.pk).history_version > version


def test_a_chat_setting_still_drops_the_colleges_cached_pages(world, said, django_capture_on_commit_callbacks):
    from core import college_cache

    stamp = college_cache.stamp(world.college.pk)

    with django_capture_on_commit_callbacks(execute=True):
        rename_chat(world, said)

    assert college_cache.stamp(world.college.pk) != stamp
