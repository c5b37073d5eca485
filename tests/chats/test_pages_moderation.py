"""The chat pages of moderators, managers and reporters: messages, members, settings, reports, direct chats."""

import pytest
from django.urls import reverse

from chats import services, texts
from chats.models import Chat, ChatKind, ChatMember, Message, MessageReport
from tests.chats.test_pages import chat_url, signed_in

pytestmark = pytest.mark.django_db


def message_url(name, message, **extra):
    return reverse(f"chats:{name}", kwargs={"pk": message.chat_id, "message_id": message.pk, **extra})


def member_url(chat, membership):
    return reverse("chats:member", kwargs={"pk": chat.pk, "member_id": membership.pk})


@pytest.fixture
def rude(world):
    return services.message_post(actor=world.students[1].user, chat=world.group_chat, text="Грубость")


def test_a_moderator_deletes_a_message_with_a_reason_and_members_see_the_placeholder(world, client, rude):
    signed_in(client, world.curator)
    confirm = client.get(message_url("message_moderate", rude))

    response = client.post(message_url("message_moderate", rude), {"reason": "Оскорбление"})

    assert confirm.status_code == 200 and "Причина (обязательно)" in confirm.content.decode()
    assert response.status_code == 302
    rude.refresh_from_db()
    assert (rude.delete_reason, rude.deleted_by) == ("Оскорбление", world.curator.user)
    assert "Оскорбление" in client.get(message_url("message", rude)).content.decode()
    client.force_login(world.students[0].user)
    body = client.get(chat_url(world.group_chat)).content.decode()
    assert texts.MODERATED_PLACEHOLDER in body and "Грубость" not in body
    assert "Оскорбление" not in client.get(message_url("message", rude)).content.decode()


def test_a_moderator_delete_without_a_reason_is_refused_in_russian(world, client, rude):
    response = signed_in(client, world.curator).post(message_url("message_moderate", rude), {"reason": "  "})

    assert response.status_code == 400 and texts.REASON_REQUIRED in response.content.decode()
    assert not Message.objects.get(pk=rude.pk).is_deleted


def test_a_student_cannot_moderate(world, client, rude):
    response = signed_in(client, world.students[0]).post(message_url("message_moderate", rude), {"reason": "Так"})

    assert response.status_code == 403 and not Message.objects.get(pk=rude.pk).is_deleted


def test_the_author_deletes_their_message_after_confirming(world, client, rude):
    signed_in(client, world.students[1])

    confirm = client.get(message_url("message_delete", rude))
    client.post(message_url("message_delete", rude))

    assert "Удалить сообщение?" in confirm.content.decode()
    rude.refresh_from_db()
    assert rude.is_deleted and not rude.delete_reason


def test_the_author_edits_within_the_window(world, client, rude):
    signed_in(client, world.students[1])

    client.post(message_url("message_edit", rude), {"text": "Извините"})

    rude.refresh_from_db()
    assert rude.text == "Извините" and rude.edited_at is not None


def test_an_edit_after_the_window_is_refused(world, client, rude, settings):
    settings.CHAT_EDIT_WINDOW_MINUTES = 0
    signed_in(client, world.students[1])

    response = client.post(message_url("message_edit", rude), {"text": "Поздно"})

    assert response.status_code == 403 and "в течение 0 минут" in response.content.decode()
    assert Message.objects.get(pk=rude.pk).text == "Грубость"


def test_a_moderator_pins_and_unpins(world, client, rude):
    signed_in(client, world.curator)

    client.post(message_url("message_pin", rude), {"pinned": "1"})
    pinned_page = client.get(chat_url(world.group_chat))
    client.post(message_url("message_pin", rude), {"pinned": "0"})

    assert [m.pk for m in pinned_page.context["pinned"]] == [rude.pk]
    assert Message.objects.get(pk=rude.pk).pinned_at is None


def test_a_member_reports_and_reads_the_outcome_in_my_reports(world, client, rude):
    signed_in(client, world.students[0])
    client.post(message_url("message_report", rude), {"reason": "Грубит"})
    report = MessageReport.objects.get()
    client.force_login(world.curator.user)
    queue = client.get(reverse("chats:reports"))

    client.post(reverse("chats:report", kwargs={"pk": report.pk}), {"decision": "uphold", "outcome": "Удалено"})

    assert [r.pk for r in queue.context["reports"]] == [report.pk]
    assert Message.objects.get(pk=rude.pk).delete_reason == "Грубит"
    client.force_login(world.students[0].user)
    mine = client.get(reverse("chats:reports_mine")).content.decode()
    assert "сообщение удалено" in mine and "Удалено" in mine


def test_a_dismissed_report_says_so_and_the_message_stays(world, client, rude):
    report = services.report_create(actor=world.students[0].user, message=rude, reason="Не нравится")
    signed_in(client, world.curator)

    client.post(reverse("chats:report", kwargs={"pk": report.pk}), {"decision": "dismiss"})

    report.refresh_from_db()
    assert (report.status, report.outcome) == (MessageReport.Status.DISMISSED, texts.OUTCOME_DISMISSED)
    assert not Message.objects.get(pk=rude.pk).is_deleted


def test_a_report_without_a_reason_or_a_decision_gets_a_russian_message(world, client, rude):
    signed_in(client, world.students[0])
    empty = client.post(message_url("message_report", rude), {"reason": ""})
    report = services.report_create(actor=world.students[0].user, message=rude, reason="Спам")
    client.force_login(world.curator.user)

    undecided = client.post(reverse("chats:report", kwargs={"pk": report.pk}), {"decision": "maybe"})

    assert empty.status_code == 400 and texts.REASON_REQUIRED in empty.content.decode()
    assert undecided.status_code == 400 and "Выберите решение." in undecided.content.decode()
    assert MessageReport.objects.get().status == MessageReport.Status.OPEN


@pytest.mark.parametrize(("period", "indefinite"), [("hour", False), ("week", False), ("forever", True)])
def test_a_moderator_mutes_for_a_period_and_the_members_composer_says_so(world, client, period, indefinite):
    signed_in(client, world.curator)

    client.post(member_url(world.group_chat, world.students[1]), {"action": "mute", "period": period})

    client.force_login(world.students[1].user)
    body = client.get(chat_url(world.group_chat)).content.decode()
    assert 'id="composer-refusal"' in body
    assert (texts.MUTED_INDEFINITELY in body) is indefinite
    assert ("Вы не можете писать в этот чат до" in body) is not indefinite


def test_an_unknown_mute_period_is_refused(world, client):
    response = signed_in(client, world.curator).post(
        member_url(world.group_chat, world.students[1]), {"action": "mute", "period": "year"}
    )

    assert response.status_code == 400 and "Выберите срок из списка." in response.content.decode()
    assert ChatMember.objects.get(chat=world.group_chat, member=world.students[1]).muted_until is None


def test_removing_asks_first_then_removes(world, client):
    signed_in(client, world.curator)
    url = member_url(world.group_chat, world.students[2])

    confirm = client.post(url, {"action": "remove"})
    still = ChatMember.objects.get(chat=world.group_chat, member=world.students[2]).left_at
    client.post(url, {"action": "remove", "confirm": "1"})

    assert "Исключить" in confirm.content.decode() and still is None
    assert ChatMember.objects.get(chat=world.group_chat, member=world.students[2]).left_at is not None


def test_a_ban_then_unban(world, client):
    signed_in(client, world.curator)
    url = member_url(world.group_chat, world.students[2])

    client.post(url, {"action": "ban", "confirm": "1"})
    members = client.get(reverse("chats:members", kwargs={"pk": world.group_chat.pk}))
    client.post(url, {"action": "unban"})

    assert [row.member for row in members.context["banned"]] == [world.students[2]]
    assert not ChatMember.objects.get(chat=world.group_chat, member=world.students[2]).banned


def test_the_owner_makes_a_member_moderator(world, client):
    signed_in(client, world.curator)

    client.post(member_url(world.group_chat, world.students[0]), {"action": "role", "role": "moderator"})

    assert ChatMember.objects.get(chat=world.group_chat, member=world.students[0]).role == "moderator"


def test_an_unknown_member_action_is_a_russian_400(world, client):
    response = signed_in(client, world.curator).post(member_url(world.group_chat, world.students[0]), {"action": "x"})

    assert response.status_code == 400 and "Выберите действие" in response.content.decode()


def test_the_owner_renames_and_archives_after_confirming(world, client):
    signed_in(client, world.curator)
    chat = world.group_chat

    client.post(reverse("chats:settings", kwargs={"pk": chat.pk}), {"title": "ИС-21: общий", "history_visible": "on"})
    confirm = client.get(reverse("chats:status", kwargs={"pk": chat.pk}), {"status": "archived"})
    client.post(reverse("chats:status", kwargs={"pk": chat.pk}), {"status": "archived"})

    chat.refresh_from_db()
    assert "Перенести чат в архив?" in confirm.content.decode()
    assert (chat.title, chat.status) == ("ИС-21: общий", Chat.Status.ARCHIVED)
    client.force_login(world.students[0].user)
    assert texts.ARCHIVED in client.get(chat_url(chat)).content.decode()


def test_an_empty_title_is_refused(world, client):
    response = signed_in(client, world.curator).post(
        reverse("chats:settings", kwargs={"pk": world.group_chat.pk}), {"title": " "}
    )

    assert response.status_code == 400 and texts.TITLE_REQUIRED in response.content.decode()


def test_a_teacher_creates_a_free_chat_and_owns_it(world, client):
    response = signed_in(client, world.other_teacher).post(
        reverse("chats:create"), {"kind": ChatKind.FREE, "title": "Кружок робототехники"}
    )

    chat = Chat.objects.get(title="Кружок робототехники")
    assert response.status_code == 302
    assert chat.members.get().role == ChatMember.Role.OWNER


def test_the_create_form_offers_only_the_kinds_allowed(world, client):
    teacher = signed_in(client, world.other_teacher).get(reverse("chats:create"))
    client.force_login(world.curator.user)
    curator = client.get(reverse("chats:create"))

    assert {v for v, _ in teacher.context["form"].fields["kind"].choices} == {ChatKind.FREE, ChatKind.CHANNEL}
    assert ChatKind.SUBJECT in {v for v, _ in curator.context["form"].fields["kind"].choices}
    refused = client.post(reverse("chats:create"), {"kind": ChatKind.COLLEGE, "title": "Весь колледж 2"})
    assert refused.status_code == 400 and "Такой чат создать нельзя." in refused.content.decode()


def test_a_student_finds_only_allowed_people_and_opens_a_direct_chat(world, client):
    signed_in(client, world.students[0])

    found = client.get(reverse("chats:direct"))
    response = client.post(reverse("chats:direct"), {"member": world.curator.pk})

    people = set(found.context["people"])
    assert world.curator in people and world.students[1] in people
    assert world.admin not in people and world.other_student not in people and world.other_teacher not in people
    chat = Chat.objects.get(kind=ChatKind.DIRECT)
    assert response["Location"] == chat_url(chat)


def test_a_student_cannot_open_a_direct_chat_with_someone_not_allowed(world, client):
    response = signed_in(client, world.students[0]).post(reverse("chats:direct"), {"member": world.admin.pk})

    assert response.status_code == 403 and texts.DIRECT_DENIED in response.content.decode()
    assert not Chat.objects.filter(kind=ChatKind.DIRECT).exists()


def test_a_forged_member_id_is_a_russian_400(world, client):
    response = signed_in(client, world.students[0]).post(reverse("chats:direct"), {"member": "²"})

    assert response.status_code == 400


@pytest.mark.parametrize("reports", [1, 6])
def test_the_report_queue_asks_a_fixed_number_of_queries(world, client, django_assert_num_queries, reports):
    for n in range(reports):
        message = services.message_post(actor=world.students[n % 2 + 1].user, chat=world.group_chat, text=f"Спам {n}")
        services.report_create(actor=world.students[0].user, message=message, reason="Спам")
    signed_in(client, world.curator)
    client.get(reverse("chats:reports"))  # the session's first request loads what every later one finds cached

    with django_assert_num_queries(REPORT_QUERIES):
        response = client.get(reverse("chats:reports"))

    assert len(response.context["reports"]) == reports


REPORT_QUERIES = 7
