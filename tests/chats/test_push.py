"""Web Push for chats: a mention or a direct message reaches the recipient's browsers through the fake push
service (tests/notifications/fake_push.py checks the VAPID signature and decrypts the payload), after the post
commits, once per message, never to the author, never for a deleted message, never with the chat's push off."""

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEvent
from chats import texts
from chats.models import ChatKind, ChatMember
from chats.services import chat_push_set, direct_chat_get_or_create, message_delete, message_post, message_push
from notifications.push import push_subscribe
from tests.notifications import conftest as push_fixtures

pytestmark = pytest.mark.django_db

# The fake push service and the VAPID keys of the notifications tests.
vapid = push_fixtures.vapid
push_service = push_fixtures.push_service


def subscribe(service, *memberships) -> dict[str, int]:
    """One browser for each membership's person: endpoint path → user id."""
    paths = {}
    for membership in memberships:
        data = service.subscription()
        push_subscribe(
            actor=membership.user, endpoint=data["endpoint"], p256dh=data["keys"]["p256dh"], auth=data["keys"]["auth"]
        )
        paths[data["endpoint"].rsplit("/push", 1)[1]] = membership.user_id
    return paths


def reached(service, paths) -> list[int]:
    """The user ids whose browsers got a correctly signed and encrypted notification."""
    for record in service.received:
        assert "error" not in record, record["error"]
    return sorted(paths[record["path"].rsplit("/push", 1)[1]] for record in service.received)


def post(world, author, chat, text, capture, **kwargs):
    with capture(execute=True):
        return message_post(actor=author.user, chat=chat, text=text, **kwargs)


def test_a_mention_reaches_the_mentioned_members_browser_signed_and_short(
    world,
    push_service,
    django_capture_on_commit_callbacks,
):
    mentioned, bystander = world.students[0], world.students[1]
    paths = subscribe(push_service, mentioned, bystander, world.curator)
    chat = world.group_chat

    message = post(
        world,
        world.curator,
        chat,
        "Завтра\nконсультация в 10:00",
        django_capture_on_commit_callbacks,
        mention_ids=[mentioned.pk, world.curator.pk],
    )

    assert reached(push_service, paths) == [mentioned.user_id]
    [record] = push_service.received
    assert record["payload"] == {
        "title": texts.PUSH_TITLE.format(author=world.curator.user.short_name, chat=chat.title),
        "body": "Завтра консультация в 10:00",
        "url": f"/chats/{chat.pk}/",
        "tag": f"chat-{chat.pk}",
    }
    assert message.pk


def test_a_direct_message_reaches_the_other_person_and_not_the_author(
    world,
    push_service,
    django_capture_on_commit_callbacks,
):
    parent, curator = world.parent, world.curator
    paths = subscribe(push_service, parent, curator)
    chat = direct_chat_get_or_create(actor=parent.user, college=world.college, other=curator)

    post(world, parent, chat, "Добрый день! Сын заболел.", django_capture_on_commit_callbacks)

    assert reached(push_service, paths) == [curator.user_id]
    assert push_service.received[0]["payload"]["title"] == parent.user.short_name


def test_a_plain_message_in_a_group_chat_pushes_nobody(world, push_service, django_capture_on_commit_callbacks):
    subscribe(push_service, *world.students)

    post(world, world.curator, world.group_chat, "Всем добрый вечер", django_capture_on_commit_callbacks)

    assert push_service.received == []


def test_a_chat_with_push_off_stays_silent_and_the_switch_is_audited(
    world,
    push_service,
    django_capture_on_commit_callbacks,
):
    student = world.students[0]
    subscribe(push_service, student)
    chat = world.group_chat

    row = chat_push_set(actor=student.user, chat=chat, enabled=False)
    post(world, world.curator, chat, "Срочно", django_capture_on_commit_callbacks, mention_ids=[student.pk])

    assert row.push_enabled is False
    assert ChatMember.objects.get(chat=chat, member=student).push_enabled is False
    assert push_service.received == []
    assert AuditEvent.objects.filter(action="chat.push_off", actor=student.user).count() == 1


def test_turning_push_back_on_delivers_again(world, push_service, django_capture_on_commit_callbacks):
    student = world.students[0]
    paths = subscribe(push_service, student)
    chat_push_set(actor=student.user, chat=world.group_chat, enabled=False)

    chat_push_set(actor=student.user, chat=world.group_chat, enabled=True)
    post(
        world,
        world.curator,
        world.group_chat,
        "Сдайте отчёт",
        django_capture_on_commit_callbacks,
        mention_ids=[student.pk],
    )

    assert reached(push_service, paths) == [student.user_id]


def test_only_a_member_switches_a_chats_push(world):
    with pytest.raises(PermissionDenied):
        chat_push_set(actor=world.other_student.user, chat=world.group_chat, enabled=False)


def test_a_message_deleted_before_the_task_ran_pushes_nothing(
    world,
    push_service,
    django_capture_on_commit_callbacks,
):
    student = world.students[0]
    subscribe(push_service, student)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        message = message_post(actor=world.curator.user, chat=world.group_chat, text="Ой", mention_ids=[student.pk])
    message_delete(actor=world.curator.user, message=message)

    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()

    assert push_service.received == []


def test_the_task_run_twice_notifies_each_browser_once(world, push_service, django_capture_on_commit_callbacks):
    student = world.students[0]
    subscribe(push_service, student)
    message = post(
        world, world.curator, world.group_chat, "Раз", django_capture_on_commit_callbacks, mention_ids=[student.pk]
    )

    with django_capture_on_commit_callbacks(execute=True):
        again = message_push(message_id=message.pk)

    assert again == 0
    assert len(push_service.received) == 1


def test_a_long_text_is_cut_and_files_only_say_so(world):
    from chats.models import Message
    from chats.services.push import BODY_CHARS, push_body

    long = Message(text="слово " * 100)
    files_only = Message(text="")

    assert len(push_body(long)) == BODY_CHARS and push_body(long).endswith("…")
    assert push_body(files_only) == texts.PUSH_ATTACHMENT_ONLY


def test_without_vapid_keys_nothing_is_queued(world, settings, django_capture_on_commit_callbacks):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    student = world.students[0]
    message = post(
        world, world.curator, world.group_chat, "Тест", django_capture_on_commit_callbacks, mention_ids=[student.pk]
    )

    assert message_push(message_id=message.pk) == 0


def test_the_parents_chat_mention_reaches_a_parent(world, push_service, django_capture_on_commit_callbacks):
    paths = subscribe(push_service, world.parent)
    chat = world.chat(ChatKind.PARENTS)

    post(
        world,
        world.curator,
        chat,
        "Собрание в пятницу",
        django_capture_on_commit_callbacks,
        mention_ids=[world.parent.pk],
    )

    assert reached(push_service, paths) == [world.parent.user_id]
