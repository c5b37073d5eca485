import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from notifications.models import Message
from support import messages, services
from support.models import Ticket, TicketReply, Topic
from tests.write_owners import writes_owned

pytestmark = pytest.mark.django_db


def test_a_member_asks_a_question_that_waits_for_an_answer(sw):
    with writes_owned():
        ticket = sw.ask("parent", text="  Как войти в чат родителей?  ")

    assert (ticket.status, ticket.author, ticket.college) == (Ticket.Status.OPEN, sw.users["parent"], sw.college)
    assert ticket.text == "Как войти в чат родителей?"
    assert AuditEvent.objects.filter(action="support.ticket_create", target_id=str(ticket.pk)).exists()


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_an_empty_question_is_refused(sw, text):
    with pytest.raises(ValidationError) as error:
        sw.ask(text=text)

    assert error.value.message_dict == {"text": [messages.TEXT_REQUIRED]}
    assert not Ticket.objects.exists()


def test_a_question_of_20000_characters_is_refused_with_the_limit(sw):
    with pytest.raises(ValidationError) as error:
        sw.ask(text="я" * 20_000)

    assert error.value.message_dict["text"] == [messages.TEXT_TOO_LONG.format(limit=services.TEXT_MAX, length=20_000)]


def test_a_nul_byte_in_the_text_is_refused(sw):
    with pytest.raises(ValidationError):
        sw.ask(text="код\x00")


def test_an_unknown_topic_is_refused(sw):
    with pytest.raises(ValidationError) as error:
        sw.ask(topic="hacking")

    assert error.value.message_dict == {"topic": [messages.TOPIC_REQUIRED]}


def test_an_eleventh_question_waiting_at_once_is_refused(sw):
    for n in range(services.OPEN_MAX):
        sw.ask(text=f"Вопрос {n}")

    with pytest.raises(ValidationError) as error:
        sw.ask(text="Ещё один")

    assert error.value.messages == [messages.TOO_MANY_OPEN.format(count=services.OPEN_MAX)]


def test_answered_questions_do_not_count_against_the_cap(sw):
    for n in range(services.OPEN_MAX):
        services.ticket_reply(actor=sw.users["administrator"], ticket=sw.ask(text=f"Вопрос {n}"), text="Ответ")

    assert sw.ask(text="Новый вопрос").status == Ticket.Status.OPEN


def test_someone_of_another_college_cannot_ask_in_it(sw):
    with pytest.raises(PermissionDenied):
        sw.ask("other_administrator")


def test_the_administrators_answer_marks_it_answered_and_emails_the_author_on_commit(
    sw, django_capture_on_commit_callbacks, mailoutbox
):
    ticket = sw.ask()

    with django_capture_on_commit_callbacks(execute=True), writes_owned():
        reply = services.ticket_reply(actor=sw.users["administrator"], ticket=ticket, text="Проверьте номер.")

    ticket.refresh_from_db()
    assert (ticket.status, reply.side) == (Ticket.Status.ANSWERED, TicketReply.Side.COLLEGE)
    assert [m.to for m in mailoutbox] == [["student@example.org"]]
    assert f"№{ticket.pk}" in mailoutbox[0].subject
    assert Message.objects.get(idempotency_key=f"support-reply:{reply.pk}").channel == Message.Channel.EMAIL


def test_an_answer_to_an_author_without_email_sends_nothing_no_sms(sw, django_capture_on_commit_callbacks, mailoutbox):
    ticket = sw.ask("parent")

    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(actor=sw.users["administrator"], ticket=ticket, text="Ответ")

    assert mailoutbox == []
    assert not Message.objects.exists()


def test_the_authors_reply_makes_it_wait_again_and_tells_nobody(sw, django_capture_on_commit_callbacks):
    ticket = sw.ask()

    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(actor=sw.users["administrator"], ticket=ticket, text="Проверьте номер.")
        reply = services.ticket_reply(actor=sw.users["student"], ticket=ticket, text="Номер верный.")

    ticket.refresh_from_db()
    assert (ticket.status, reply.side) == (Ticket.Status.OPEN, TicketReply.Side.AUTHOR)
    assert Message.objects.count() == 1  # the administrator's answer only


@pytest.mark.parametrize("who", ["classmate", "parent", "other_parent", "teacher", "administration", "platform_staff"])
def test_people_it_is_not_for_cannot_reply(sw, who):
    ticket = sw.ask()

    with pytest.raises(PermissionDenied):
        services.ticket_reply(actor=sw.users[who], ticket=ticket, text="Чужой ответ")

    assert not TicketReply.objects.exists()


def test_an_empty_reply_is_refused(sw):
    ticket = sw.ask()

    with pytest.raises(ValidationError) as error:
        services.ticket_reply(actor=sw.users["student"], ticket=ticket, text=" ")

    assert error.value.message_dict == {"text": [messages.REPLY_REQUIRED]}


def test_the_administrator_passes_it_on_and_platform_staff_answer(sw, django_capture_on_commit_callbacks, mailoutbox):
    ticket = sw.ask()

    with writes_owned():
        services.ticket_escalate(actor=sw.users["administrator"], ticket=ticket)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.ticket_reply(actor=sw.users["platform_staff"], ticket=ticket, text="Исправили.")

    ticket.refresh_from_db()
    assert ticket.is_escalated and ticket.escalated_by == sw.users["administrator"]
    assert (ticket.status, reply.side) == (Ticket.Status.ANSWERED, TicketReply.Side.PLATFORM)
    assert len(mailoutbox) == 1
    assert AuditEvent.objects.filter(action="support.ticket_escalate").count() == 1


@pytest.mark.parametrize("who", ["student", "administration", "other_administrator", "platform_staff"])
def test_only_the_administrator_passes_it_on(sw, who):
    ticket = sw.ask()

    with pytest.raises(PermissionDenied):
        services.ticket_escalate(actor=sw.users[who], ticket=ticket)

    ticket.refresh_from_db()
    assert not ticket.is_escalated


def test_it_is_passed_on_once(sw):
    ticket = services.ticket_escalate(actor=sw.users["administrator"], ticket=sw.ask())

    with pytest.raises(PermissionDenied):
        services.ticket_escalate(actor=sw.users["administrator"], ticket=ticket)


def test_the_author_closes_and_cannot_reply_until_reopening(sw):
    ticket = services.ticket_close(actor=sw.users["student"], ticket=sw.ask())

    with pytest.raises(PermissionDenied):
        services.ticket_reply(actor=sw.users["student"], ticket=ticket, text="Ещё вопрос")
    services.ticket_reopen(actor=sw.users["student"], ticket=ticket)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.closed_at) == (Ticket.Status.OPEN, None)


def test_a_question_closed_more_than_14_days_ago_is_not_reopened(sw):
    ticket = services.ticket_close(actor=sw.users["student"], ticket=sw.ask())
    Ticket.objects.filter(pk=ticket.pk).update(closed_at=timezone.now() - datetime.timedelta(days=15))

    with pytest.raises(PermissionDenied) as error:
        services.ticket_reopen(actor=sw.users["student"], ticket=ticket)

    assert str(error.value) == messages.NO_REOPEN.format(days=14)


def test_the_administrator_closes_but_only_the_author_reopens(sw):
    ticket = services.ticket_close(actor=sw.users["administrator"], ticket=sw.ask())

    with pytest.raises(PermissionDenied):
        services.ticket_reopen(actor=sw.users["administrator"], ticket=ticket)

    assert ticket.status == Ticket.Status.CLOSED


def test_platform_staff_cannot_answer_a_question_not_passed_on(sw):
    ticket = sw.ask()

    with pytest.raises(PermissionDenied):
        services.ticket_reply(actor=sw.users["platform_staff"], ticket=ticket, text="Ответ")


def test_an_author_who_left_the_college_no_longer_closes(sw):
    from colleges.models import Membership

    ticket = sw.ask("parent")
    Membership.objects.filter(user=sw.users["parent"]).update(status=Membership.Status.LEFT)
    sw.users["parent"].__dict__.pop("_college_roles", None)

    with pytest.raises(PermissionDenied):
        services.ticket_close(actor=sw.users["parent"], ticket=ticket)


def test_the_demo_college_gets_an_answered_and_an_open_question(db):
    from django.core.management import call_command

    call_command("seed_demo", students=30, stdout=open("/dev/null", "w"))

    assert sorted(Ticket.objects.values_list("status", flat=True)) == [Ticket.Status.ANSWERED, Ticket.Status.OPEN]
    assert Ticket.objects.filter(topic=Topic.ACCESS).get().replies.count() == 1
