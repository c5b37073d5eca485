"""Every write of the support app: one transaction each, permission checked, audited.

A question and each reply may carry up to ``ATTACHMENTS_MAX`` screenshots (PNG, JPEG, WebP) or PDFs, all
checked by content (``core.files``) before anything is written; a refused file leaves nothing behind. An
image gets its small copy for the thread (``support.thumbnails``) in the same step: one whose pixels do not
decode is refused like a forged file.

A reply from the college's administrator or from platform staff tells the
author by e-mail after commit, when the author has an e-mail; nobody gets an
SMS for a reply (the question's page is where the answer is read, and an SMS
per reply would cost the college for what an e-mail or a look at «Помощь» does).
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log
from colleges.models import College
from core.files import Accepted, clean_original_name, detect_file, human_size
from notifications.models import Message
from notifications.services import notification_enqueue
from support import messages, thumbnails
from support.models import Ticket, TicketAttachment, TicketReply, Topic
from support.permissions import (
    REOPEN_DAYS,
    can_answer_as_platform,
    can_ask,
    can_close,
    can_escalate,
    can_manage_tickets,
    can_reopen,
    can_reply,
)

# Long enough for a careful account of a problem, short enough to read on a phone.
TEXT_MAX = 5000
# Questions of one person waiting at once: a slip of the finger or a script cannot flood the administrator's queue.
OPEN_MAX = 10
# Files on one message: a few screenshots of the steps that went wrong, not an album.
ATTACHMENTS_MAX = 3
ACCEPTED = Accepted(
    frozenset({"image/png", "image/jpeg", "image/webp", "application/pdf"}), messages.ATTACHMENT_REFUSED
)


def _clean_text(text: str, *, field: str, required: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: required}, code="required")
    if "\x00" in text:
        raise ValidationError({field: messages.TEXT_NUL}, code="nul")
    if len(text) > TEXT_MAX:
        raise ValidationError({field: messages.TEXT_TOO_LONG.format(limit=TEXT_MAX, length=len(text))}, code="too_long")
    return text


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update(of=("self",)).select_related("college", "author").get(pk=ticket.pk)


def _checked_files(uploads: Iterable[UploadedFile]) -> list[tuple[UploadedFile, str, str, str, bytes | None]]:
    """(file, shown name, content type, extension, thumbnail) of each upload, every one checked — an image's
    small copy made — before any is stored."""
    uploads = [upload for upload in uploads if upload is not None]
    if len(uploads) > ATTACHMENTS_MAX:
        raise ValidationError(
            {"attachments": messages.TOO_MANY_ATTACHMENTS.format(limit=ATTACHMENTS_MAX, count=len(uploads))},
            code="too_many",
        )
    limit = settings.SUPPORT_ATTACHMENT_MAX_BYTES
    checked = []
    for uploaded in uploads:
        raw_name = getattr(uploaded, "name", "") or "файл"
        shown = clean_original_name(raw_name, extension="x").rsplit(".", 1)[0]
        if uploaded.size > limit:
            size, most = human_size(uploaded.size), human_size(limit)
            message = messages.ATTACHMENT_TOO_BIG.format(name=shown, size=size, limit=most)
            raise ValidationError({"attachments": message}, code="too_big")
        try:
            detected = detect_file(uploaded, name=shown, max_bytes={"document": limit, "video": 0}, accept=ACCEPTED)
        except ValidationError as error:
            raise ValidationError({"attachments": error.messages}, code=error.code) from None
        name = clean_original_name(raw_name, extension=detected.extension)
        thumb = None
        if detected.content_type.startswith("image/"):
            try:
                thumb = thumbnails.thumbnail_make(uploaded, name=shown)
            except ValidationError as error:
                raise ValidationError({"attachments": error.messages}, code=error.code) from None
        checked.append((uploaded, name, detected.content_type, detected.extension, thumb))
    return checked


def _attach(ticket: Ticket, reply: TicketReply | None, checked, stored: list[str]) -> list[TicketAttachment]:
    """Store the checked files; ``stored`` collects their names, for the caller to delete on a rollback."""
    saved = []
    for uploaded, name, content_type, extension, thumb in checked:
        record = TicketAttachment(
            college_id=ticket.college_id,
            ticket=ticket,
            reply=reply,
            original_name=name,
            content_type=content_type,
            size=uploaded.size,
        )
        record.file.save(f"upload.{extension}", uploaded, save=False)
        stored.append(record.file.name)
        if thumb is not None:
            record.thumbnail.save(f"thumb.{thumbnails.EXTENSION}", ContentFile(thumb), save=False)
            stored.append(record.thumbnail.name)
        record.save()
        saved.append(record)
    return saved


def _forget_stored(names: list[str]) -> None:
    """The bytes of files (and small copies) whose rows were rolled back: no row points at them, so nobody
    could reach them."""
    storage = TicketAttachment._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def ticket_create(
    *, actor: User, college: College, topic: str, text: str, attachments: Iterable[UploadedFile] = ()
) -> Ticket:
    """A member's question to the college's administrator, with its screenshots if any."""
    stored: list[str] = []
    try:
        return _ticket_create(actor=actor, college=college, topic=topic, text=text, uploads=attachments, stored=stored)
    except BaseException:
        _forget_stored(stored)
        raise


@transaction.atomic
def _ticket_create(*, actor, college, topic, text, uploads, stored) -> Ticket:
    if not can_ask(actor, college):
        raise PermissionDenied(messages.NOT_A_MEMBER)
    if topic not in Topic.values:
        raise ValidationError({"topic": messages.TOPIC_REQUIRED}, code="topic")
    text = _clean_text(text, field="text", required=messages.TEXT_REQUIRED)
    checked = _checked_files(uploads)
    waiting = Ticket.objects.filter(college=college, author=actor, status=Ticket.Status.OPEN).count()
    if waiting >= OPEN_MAX:
        raise ValidationError(messages.TOO_MANY_OPEN.format(count=waiting), code="too_many_open")
    ticket = Ticket.objects.create(college=college, author=actor, topic=topic, text=text)
    files = _attach(ticket, None, checked, stored)
    audit_log(
        actor=actor,
        college=college,
        action="support.ticket_create",
        target=ticket,
        after={"topic": topic, "attachments": [file.pk for file in files]},
    )
    return ticket


def _side(actor: User, ticket: Ticket) -> str:
    if ticket.author_id == actor.pk:
        return TicketReply.Side.AUTHOR
    if can_manage_tickets(actor, ticket.college):
        return TicketReply.Side.COLLEGE
    return TicketReply.Side.PLATFORM


def ticket_reply(*, actor: User, ticket: Ticket, text: str, attachments: Iterable[UploadedFile] = ()) -> TicketReply:
    """A message in the thread, with its screenshots if any. The author's makes the question wait for an
    answer again; an answer (the administrator's or platform staff's) marks it answered and tells the author."""
    stored: list[str] = []
    try:
        return _ticket_reply(actor=actor, ticket=ticket, text=text, uploads=attachments, stored=stored)
    except BaseException:
        _forget_stored(stored)
        raise


@transaction.atomic
def _ticket_reply(*, actor, ticket, text, uploads, stored) -> TicketReply:
    ticket = _locked(ticket)
    if not (can_reply(actor, ticket) or can_answer_as_platform(actor, ticket)):
        raise PermissionDenied(messages.NO_REPLY)
    text = _clean_text(text, field="text", required=messages.REPLY_REQUIRED)
    checked = _checked_files(uploads)
    side = _side(actor, ticket)
    reply = TicketReply.objects.create(ticket=ticket, author=actor, side=side, text=text)
    files = _attach(ticket, reply, checked, stored)
    before = ticket.status
    ticket.status = Ticket.Status.OPEN if side == TicketReply.Side.AUTHOR else Ticket.Status.ANSWERED
    ticket.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=actor,
        college=ticket.college,
        action="support.ticket_reply",
        target=ticket,
        before={"status": before},
        after={"status": ticket.status, "reply": reply.pk, "side": side, "attachments": [f.pk for f in files]},
    )
    if side != TicketReply.Side.AUTHOR:
        _tell_author(ticket, reply)
    return reply


def _tell_author(ticket: Ticket, reply: TicketReply) -> None:
    """An e-mail to the author on commit, if they have an address (once per reply)."""
    author = ticket.author
    if not author.email or not author.is_active:
        return
    notification_enqueue(
        channel=Message.Channel.EMAIL,
        recipient=author.email,
        template="support_reply",
        context={
            "number": ticket.pk,
            "college": ticket.college.short_name,
            "side": reply.get_side_display(),
            "url": settings.SITE_URL.rstrip("/") + reverse("support:ticket", kwargs={"pk": ticket.pk}),
        },
        college=ticket.college,
        idempotency_key=f"support-reply:{reply.pk}",
    )


@transaction.atomic
def ticket_close(*, actor: User, ticket: Ticket) -> Ticket:
    ticket = _locked(ticket)
    if not can_close(actor, ticket):
        raise PermissionDenied(messages.NO_CLOSE)
    before = ticket.status
    ticket.status = Ticket.Status.CLOSED
    ticket.closed_at = timezone.now()
    ticket.save(update_fields=["status", "closed_at", "updated_at"])
    audit_log(actor=actor, action="support.ticket_close", target=ticket, before={"status": before})
    return ticket


@transaction.atomic
def ticket_reopen(*, actor: User, ticket: Ticket) -> Ticket:
    """The author opens a closed question again (within ``REOPEN_DAYS``): it waits for an answer."""
    ticket = _locked(ticket)
    if not can_reopen(actor, ticket):
        raise PermissionDenied(messages.NO_REOPEN.format(days=REOPEN_DAYS))
    ticket.status = Ticket.Status.OPEN
    ticket.closed_at = None
    ticket.save(update_fields=["status", "closed_at", "updated_at"])
    audit_log(actor=actor, action="support.ticket_reopen", target=ticket, after={"status": ticket.status})
    return ticket


@transaction.atomic
def ticket_escalate(*, actor: User, ticket: Ticket) -> Ticket:
    """«Передать в техподдержку»: platform staff see the question from now on; it waits for their answer."""
    ticket = _locked(ticket)
    if not can_escalate(actor, ticket):
        raise PermissionDenied(messages.NO_ESCALATE)
    before = ticket.status
    ticket.escalated_at = timezone.now()
    ticket.escalated_by = actor
    ticket.status = Ticket.Status.OPEN
    ticket.save(update_fields=["escalated_at", "escalated_by", "status", "updated_at"])
    audit_log(
        actor=actor,
        action="support.ticket_escalate",
        target=ticket,
        before={"status": before},
        after={"escalated_at": ticket.escalated_at},
    )
    return ticket
