"""Reads of the support app, scoped to a college (or, for platform staff, to the escalated questions)."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.search import search_q
from colleges.models import College
from support.models import Ticket, TicketAttachment, TicketReply
from support.permissions import can_manage_tickets, can_view_attachment, can_view_platform_queue, can_view_ticket


def _filtered(qs: QuerySet[Ticket], *, status: str = "", search: str = "") -> QuerySet[Ticket]:
    if status in Ticket.Status.values:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(search_q(search, fields=("text",)))
    return qs


def ticket_list_mine(*, user, college: College, status: str = "") -> QuerySet[Ticket]:
    """The viewer's own questions in the college, latest change first."""
    qs = Ticket.objects.filter(college=college, author=user).order_by("-updated_at", "-id")
    return _filtered(qs, status=status)


def ticket_list_for_college(*, college: College, status: str = "", search: str = "") -> QuerySet[Ticket]:
    """The administrator's queue: every question of the college with its author, latest change first."""
    qs = Ticket.objects.filter(college=college).select_related("author").order_by("-updated_at", "-id")
    return _filtered(qs, status=status, search=search)


def ticket_list_visible(*, user, college: College, status: str = "", search: str = "") -> QuerySet[Ticket]:
    """What the API lists: the college's questions for its administrator, one's own for everyone else."""
    if can_manage_tickets(user, college):
        return ticket_list_for_college(college=college, status=status, search=search)
    return _filtered(ticket_list_mine(user=user, college=college).select_related("author"), search=search)


def ticket_list_escalated(*, status: str = "", search: str = "") -> QuerySet[Ticket]:
    """Platform staff's queue: questions passed on by every college's administrator, latest passed first."""
    qs = (
        Ticket.objects.filter(escalated_at__isnull=False)
        .select_related("author", "college")
        .order_by("-escalated_at", "-id")
    )
    return _filtered(qs, status=status, search=search)


def _with_thread(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    replies = TicketReply.objects.select_related("author").order_by("created_at", "id")
    return qs.select_related("author", "college", "escalated_by").prefetch_related(
        Prefetch("replies", queryset=replies), Prefetch("attachments", queryset=TicketAttachment.objects.order_by("id"))
    )


def thread_attachments(ticket: Ticket) -> dict[int | None, list[TicketAttachment]]:
    """The ticket's files by the reply they came with (``None``: the question), from the prefetched rows."""
    by_reply: dict[int | None, list[TicketAttachment]] = {}
    for attachment in ticket.attachments.all():
        by_reply.setdefault(attachment.reply_id, []).append(attachment)
    return by_reply


def ticket_get_for(*, user, college: College, pk: int) -> Ticket:
    """A question of the college that ``user`` may see, with its thread; else 404 (missing, foreign, not theirs)."""
    ticket = _with_thread(Ticket.objects.filter(college=college)).filter(pk=pk).first()
    if ticket is None or not can_view_ticket(user, ticket):
        raise Http404
    return ticket


def ticket_get_escalated(*, user, pk: int) -> Ticket:
    """An escalated question of any college, for platform staff; else 404."""
    if not can_view_platform_queue(user):
        raise Http404
    ticket = _with_thread(Ticket.objects.filter(escalated_at__isnull=False)).filter(pk=pk).first()
    if ticket is None:
        raise Http404
    return ticket


def open_ticket_count(*, college: College) -> int:
    return Ticket.objects.filter(college=college, status=Ticket.Status.OPEN).count()


def attachment_get_for(*, user, college: College, pk: int, ticket_pk: int | None = None) -> TicketAttachment:
    """A file of the college's ticket (of ``ticket_pk``, when the address names it) that ``user`` may see
    (``permissions.can_view_attachment``, asked by the page and the API alike); else 404."""
    qs = TicketAttachment.objects.filter(pk=pk, college=college)
    if ticket_pk is not None:
        qs = qs.filter(ticket_id=ticket_pk)
    attachment = qs.select_related("ticket__college").first()
    if attachment is None or not can_view_attachment(user, attachment):
        raise Http404
    return attachment


def attachment_get_escalated(*, user, pk: int) -> TicketAttachment:
    """A file of an escalated ticket of any college, for platform staff; else 404."""
    if not can_view_platform_queue(user):
        raise Http404
    attachment = (
        TicketAttachment.objects.filter(pk=pk, ticket__escalated_at__isnull=False)
        .select_related("ticket__college")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment
