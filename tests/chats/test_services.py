import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from chats import selectors, services, texts
from chats.models import Chat, ChatKind, ChatMember, Message, MessageAttachment, MessageMention, MessageReport
from colleges.models import Role
from tests import factories
from tests.chats.conftest import EXE_BYTES, PDF_BYTES, member, upload

pytestmark = pytest.mark.django_db


def post(who, chat, text="Добрый день", **kwargs):
    return services.message_post(actor=who.user, chat=chat, text=text, **kwargs)


def test_a_student_posts_in_the_group_chat_and_the_message_is_audited(world):
    message = post(world.students[0], world.group_chat, "Когда экзамен?")

    assert message.author == world.students[0]
    assert Chat.objects.get(pk=world.group_chat.pk).last_message_at == message.created_at
    assert AuditEvent.objects.filter(action="chat.message_post", target_id=str(message.pk)).exists()


@pytest.mark.parametrize(
    "who",
    ["other_student", "parent", "other_teacher", "foreign"],
)
def test_people_outside_the_group_chat_cannot_post(world, other_college, who):
    outsider = member(other_college, Role.STUDENT) if who == "foreign" else getattr(world, who)

    with pytest.raises(PermissionDenied) as error:
        post(outsider, world.group_chat)

    assert str(error.value) == texts.NOT_A_MEMBER


def test_a_muted_member_is_told_until_when(world):
    until = timezone.now() + datetime.timedelta(hours=2)
    services.member_mute(actor=world.curator.user, chat=world.group_chat, member=world.students[0], until=until)

    with pytest.raises(PermissionDenied) as error:
        post(world.students[0], world.group_chat)

    shown = timezone.localtime(until).strftime("%d.%m %H:%M")
    assert str(error.value) == texts.MUTED_UNTIL.format(until=shown)
    assert AuditEvent.objects.filter(action="chat.member_mute").exists()


def test_unmuted_member_writes_again(world):
    until = timezone.now() + datetime.timedelta(hours=2)
    services.member_mute(actor=world.curator.user, chat=world.group_chat, member=world.students[0], until=until)
    services.member_unmute(actor=world.curator.user, chat=world.group_chat, member=world.students[0])

    assert post(world.students[0], world.group_chat).pk


def test_a_removed_member_cannot_post_or_read(world):
    services.member_remove(actor=world.curator.user, chat=world.group_chat, member=world.students[0])
    student = world.students[0].user
    student.__dict__.pop("_chat_members", None)

    with pytest.raises(PermissionDenied) as error:
        post(world.students[0], world.group_chat)

    assert str(error.value) == texts.LEFT_CHAT
    with pytest.raises(Exception) as missing:
        selectors.chat_history(student, world.group_chat)
    assert missing.type.__name__ == "Http404"


def test_a_student_cannot_mute_or_remove(world):
    with pytest.raises(PermissionDenied):
        services.member_remove(actor=world.students[1].user, chat=world.group_chat, member=world.students[0])


def test_a_banned_member_is_not_added_back_by_hand_or_by_the_roster(world):
    chat = world.group_chat
    services.member_ban(actor=world.curator.user, chat=chat, member=world.students[0])

    with pytest.raises(ValidationError):
        services.member_add(actor=world.curator.user, chat=chat, member=world.students[0])
    services.chat_sync_group(group=world.group)

    row = ChatMember.objects.get(chat=chat, member=world.students[0])
    assert row.banned and row.left_at is not None


@pytest.mark.parametrize(
    ("status", "message"), [(Chat.Status.READ_ONLY, texts.READ_ONLY), (Chat.Status.ARCHIVED, texts.ARCHIVED)]
)
def test_read_only_and_archived_chats_refuse_posts_but_stay_readable(world, status, message):
    post(world.students[0], world.group_chat, "до архива")
    services.chat_set_status(actor=world.curator.user, chat=world.group_chat, status=status)
    chat = Chat.objects.get(pk=world.group_chat.pk)

    with pytest.raises(PermissionDenied) as error:
        post(world.students[1], chat)

    assert str(error.value) == message
    texts_seen = [m.text for m in selectors.chat_history(world.students[1].user, chat).messages]
    assert "до архива" in texts_seen


def test_only_moderators_post_in_a_channel_and_members_react(world):
    channel = services.chat_create(
        actor=world.admin.user, college=world.college, kind=ChatKind.CHANNEL, title="Новости"
    )
    services.member_add(actor=world.admin.user, chat=channel, member=world.students[0])
    news = post(world.admin, channel, "Завтра линейка")

    with pytest.raises(PermissionDenied) as error:
        post(world.students[0], channel)
    added = services.reaction_toggle(actor=world.students[0].user, message=news, emoji="👍")

    assert str(error.value) == texts.CHANNEL_POST_DENIED
    assert added is True
    assert services.reaction_toggle(actor=world.students[0].user, message=news, emoji="👍") is False


def test_who_may_create_which_chat(world):
    teacher, student = world.other_teacher.user, world.students[0].user

    free = services.chat_create(actor=teacher, college=world.college, kind=ChatKind.FREE, title="Кружок")
    with pytest.raises(PermissionDenied):
        services.chat_create(actor=teacher, college=world.college, kind=ChatKind.STAFF, title="Сотрудники 2")
    with pytest.raises(PermissionDenied):
        services.chat_create(actor=student, college=world.college, kind=ChatKind.FREE, title="Свой чат")

    assert ChatMember.objects.get(chat=free).role == ChatMember.Role.OWNER


def test_a_second_group_chat_of_one_group_is_refused_by_the_database(world):
    with pytest.raises(ValidationError) as error:
        services.chat_create(
            actor=world.curator.user,
            college=world.college,
            kind=ChatKind.STUDY_GROUP,
            title="Ещё один",
            study_group=world.group,
        )

    assert error.value.messages == [texts.ALREADY_EXISTS]


def test_edit_own_message_within_the_window_only(world, settings):
    message = post(world.students[0], world.group_chat, "Черновик")

    services.message_edit(actor=world.students[0].user, message=message, text="Исправлено")
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=16))
    message.refresh_from_db()

    assert message.text == "Исправлено" and message.edited_at is not None
    with pytest.raises(PermissionDenied):
        services.message_edit(actor=world.students[0].user, message=message, text="Поздно")
    with pytest.raises(PermissionDenied):
        services.message_edit(actor=world.students[1].user, message=message, text="Чужое")


def test_delete_own_only(world):
    message = post(world.students[0], world.group_chat)

    with pytest.raises(PermissionDenied):
        services.message_delete(actor=world.students[1].user, message=message)
    services.message_delete(actor=world.students[0].user, message=message)

    shown = selectors.chat_history(world.students[1].user, world.group_chat).messages[-1]
    assert shown.hidden and shown.text == "" and shown.html == texts.DELETED_PLACEHOLDER


def test_moderated_message_is_hidden_from_members_and_kept_in_the_audit(world):
    message = post(world.students[0], world.group_chat, "Грубое слово")

    services.message_moderate_delete(actor=world.curator.user, message=message, reason="Оскорбление")

    shown = selectors.chat_history(world.students[1].user, world.group_chat).messages[-1]
    assert shown.html == texts.MODERATED_PLACEHOLDER and shown.text == "" and shown.moderation_reason == ""
    event = AuditEvent.objects.get(action="chat.message_moderate_delete", target_id=str(message.pk))
    assert event.actor == world.curator.user
    assert event.before["text"] == "Грубое слово" and event.after["reason"] == "Оскорбление"


def test_moderate_delete_needs_a_reason_and_a_moderator(world):
    message = post(world.students[0], world.group_chat)

    with pytest.raises(ValidationError):
        services.message_moderate_delete(actor=world.curator.user, message=message, reason="  ")
    with pytest.raises(PermissionDenied):
        services.message_moderate_delete(actor=world.students[1].user, message=message, reason="Не нравится")


def test_report_upheld_removes_the_message_and_the_reporter_sees_the_outcome(world):
    message = post(world.students[0], world.group_chat, "Спам")
    report = services.report_create(actor=world.students[1].user, message=message, reason="Спам")

    with pytest.raises(ValidationError):
        services.report_create(actor=world.students[1].user, message=message, reason="Ещё раз")
    assert list(selectors.reports_queue(world.curator.user, world.college)) == [report]
    assert list(selectors.reports_queue(world.admin.user, world.college)) == [report]
    assert list(selectors.reports_queue(world.students[2].user, world.college)) == []
    services.report_decide(actor=world.curator.user, report=report, uphold=True)

    mine = selectors.reports_mine(world.students[1].user, world.college).get()
    assert mine.status == MessageReport.Status.UPHELD and mine.outcome == texts.OUTCOME_UPHELD
    assert Message.objects.get(pk=message.pk).delete_reason == "Спам"


def test_report_dismissed_keeps_the_message(world):
    message = post(world.students[0], world.group_chat)
    report = services.report_create(actor=world.students[1].user, message=message, reason="Не по теме")

    services.report_decide(actor=world.admin.user, report=report, uphold=False, outcome="Всё в порядке")

    report.refresh_from_db()
    assert report.status == MessageReport.Status.DISMISSED and report.outcome == "Всё в порядке"
    assert not Message.objects.get(pk=message.pk).is_deleted
    with pytest.raises(ValidationError):
        services.report_decide(actor=world.admin.user, report=report, uphold=True)


def test_mentions_by_name_and_by_id(world):
    target = world.students[1]
    name = f"@{target.user.last_name} {target.user.first_name}"

    message = post(world.students[0], world.group_chat, f"{name}, посмотри", mention_ids=[world.curator.pk])

    assert set(MessageMention.objects.filter(message=message).values_list("member_id", flat=True)) == {
        target.pk,
        world.curator.pk,
    }
    html = selectors.chat_history(world.students[0].user, world.group_chat).messages[-1].html
    assert f'data-member="{target.pk}"' in html


def test_mention_of_someone_outside_the_chat_is_ignored(world):
    message = post(world.students[0], world.group_chat, "привет", mention_ids=[world.other_student.pk])

    assert not MessageMention.objects.filter(message=message).exists()


def test_attachment_checked_by_content_and_stored_privately(world):
    message = post(world.students[0], world.group_chat, "", attachments=[upload("Реферат.pdf", PDF_BYTES)])

    attachment = MessageAttachment.objects.get(message=message)
    assert attachment.content_type == "application/pdf" and attachment.original_name == "Реферат.pdf"
    assert attachment.file.storage.exists(attachment.file.name)
    with pytest.raises(NotImplementedError):
        attachment.file.url  # noqa: B018 — private: no URL


def test_an_executable_disguised_as_pdf_is_refused(world):
    with pytest.raises(ValidationError) as error:
        post(world.students[0], world.group_chat, "вот", attachments=[upload("Приказ.pdf", EXE_BYTES)])

    assert "attachments" in error.value.message_dict
    assert not Message.objects.filter(chat=world.group_chat).exists()


def test_empty_message_is_refused(world):
    with pytest.raises(ValidationError) as error:
        post(world.students[0], world.group_chat, "   ")

    assert error.value.message_dict["text"] == [texts.EMPTY_MESSAGE]


def test_pin_by_moderator_only(world):
    message = post(world.students[0], world.group_chat)

    with pytest.raises(PermissionDenied):
        services.message_pin(actor=world.students[1].user, message=message)
    services.message_pin(actor=world.curator.user, message=message)

    assert [m.pk for m in selectors.pinned_messages(world.students[1].user, world.group_chat)] == [message.pk]


def test_read_marker_moves_forward_only_and_unread_counts_follow(world):
    chat = world.group_chat
    first = post(world.students[0], chat)
    second = post(world.students[0], chat)
    reader = world.students[1].user

    unread = {item.chat.pk: item.unread for item in selectors.chats_for(reader, world.college)}
    services.chat_mark_read(actor=reader, chat=chat, up_to_message_id=second.pk)
    services.chat_mark_read(actor=reader, chat=chat, up_to_message_id=first.pk)

    assert unread[chat.pk] == 2
    assert ChatMember.objects.get(chat=chat, member=world.students[1]).last_read_message_id == second.pk
    after = {item.chat.pk: item.unread for item in selectors.chats_for(reader, world.college)}
    assert after[chat.pk] == 0


class TestDirectChats:
    def test_a_student_writes_to_the_curator_and_a_classmate(self, world):
        student = world.students[0].user

        with_curator = services.direct_chat_get_or_create(actor=student, college=world.college, other=world.curator)
        with_classmate = services.direct_chat_get_or_create(
            actor=student, college=world.college, other=world.students[1]
        )
        again = services.direct_chat_get_or_create(
            actor=world.curator.user, college=world.college, other=world.students[0]
        )

        assert with_curator.pk == again.pk and with_classmate.kind == ChatKind.DIRECT

    @pytest.mark.parametrize("other", ["other_student", "other_teacher", "parent", "admin"])
    def test_a_student_cannot_write_outside_their_group(self, world, other):
        with pytest.raises(PermissionDenied):
            services.direct_chat_get_or_create(
                actor=world.students[0].user, college=world.college, other=getattr(world, other)
            )

    def test_a_parent_writes_to_the_staff_of_their_childs_group_only(self, world):
        parent = world.parent.user

        chat = services.direct_chat_get_or_create(actor=parent, college=world.college, other=world.subject_teacher)

        assert chat.kind == ChatKind.DIRECT
        for other in (world.students[0], world.other_teacher):
            with pytest.raises(PermissionDenied):
                services.direct_chat_get_or_create(actor=parent, college=world.college, other=other)

    def test_staff_write_to_anyone_of_the_college_but_not_across_colleges(self, world, other_college):
        stranger = member(other_college, Role.STUDENT)

        assert services.direct_chat_get_or_create(
            actor=world.other_teacher.user, college=world.college, other=world.other_student
        )
        with pytest.raises(PermissionDenied):
            services.direct_chat_get_or_create(actor=world.other_teacher.user, college=world.college, other=stranger)


def test_another_colleges_administrator_cannot_moderate(world, other_college):
    foreign_admin = factories.MembershipFactory(college=other_college, role=Role.ADMINISTRATOR)
    message = post(world.students[0], world.group_chat)

    with pytest.raises(PermissionDenied):
        services.message_moderate_delete(actor=foreign_admin.user, message=message, reason="Чужой")
    with pytest.raises(PermissionDenied):
        services.chat_set_status(actor=foreign_admin.user, chat=world.group_chat, status=Chat.Status.ARCHIVED)
