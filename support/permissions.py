"""Who may ask, see and answer support questions (seed §3.2: consultations and technical support).

- every member of a college asks questions and sees their own;
- the college's administrator (``administrator``) answers the college's
  questions and passes them on to platform support («осуществляет связь со
  службой технической поддержки разработчика Платформы»);
- the administration (director, deputies) sees only its own questions, like
  any member: the queue is the administrator's work, and questions carry
  people's phones and access troubles that need not travel further;
- platform staff see the escalated questions of every college, and only those.

Anyone else — another college's person, a parent or student asking about a
question not theirs — is answered 404 by the lookups (``selectors``).
"""

import datetime

from django.utils import timezone

from broadcasts.permissions import can_host_sessions
from colleges.models import College, Role
from colleges.permissions import has_role, is_member, is_platform_staff
from materials.permissions import can_view_materials
from support.models import Ticket

# How long a closed question may be reopened by its author.
REOPEN_DAYS = 14


def can_ask(user, college: College | None) -> bool:
    """Ask a question and see one's own: every member of the college."""
    return is_member(user, college)


def can_see_seminars(user, college: College | None) -> bool:
    """«Семинары и вебинары» on the help page: the staff (seed §3.4: «педагогические работники … имеют право
    посещать семинары и вебинары»), who may also host a session; the link leads to «Видеосвязь»."""
    return can_host_sessions(user, college)


def can_see_documents(user, college: College | None) -> bool:
    """The link to the college's documents (the regulation, seminars' handouts): whoever sees materials."""
    return can_view_materials(user, college)


def can_manage_tickets(user, college: College | None) -> bool:
    """The college's queue: answer, pass on to platform support, close."""
    return has_role(user, college, Role.ADMINISTRATOR)


def can_view_platform_queue(user) -> bool:
    return is_platform_staff(user)


def _is_author(user, ticket: Ticket) -> bool:
    return ticket.author_id == getattr(user, "pk", None) and is_member(user, ticket.college)


def can_view_ticket(user, ticket: Ticket) -> bool:
    if _is_author(user, ticket) or can_manage_tickets(user, ticket.college):
        return True
    return ticket.is_escalated and can_view_platform_queue(user)


def can_reply(user, ticket: Ticket) -> bool:
    return not ticket.is_closed and can_view_ticket(user, ticket)


def can_answer_as_platform(user, ticket: Ticket) -> bool:
    """Platform staff answer a question passed on to them (and no other)."""
    return ticket.is_escalated and not ticket.is_closed and can_view_platform_queue(user)


def can_close(user, ticket: Ticket) -> bool:
    """The author closes a question answered to them; the administrator one that needs nothing more."""
    if ticket.is_closed:
        return False
    return _is_author(user, ticket) or can_manage_tickets(user, ticket.college)


def can_reopen(user, ticket: Ticket, *, now: datetime.datetime | None = None) -> bool:
    """The author, within ``REOPEN_DAYS`` of the closing."""
    if not ticket.is_closed or not _is_author(user, ticket):
        return False
    return (now or timezone.now()) - ticket.closed_at <= datetime.timedelta(days=REOPEN_DAYS)


def can_escalate(user, ticket: Ticket) -> bool:
    """Pass on to platform support: the administrator, once, while the question is not closed."""
    return not ticket.is_closed and not ticket.is_escalated and can_manage_tickets(user, ticket.college)


def can_view_attachment(user, attachment) -> bool:
    """A screenshot or PDF of a ticket: whoever sees the ticket's page (its author, the administrator,
    platform staff once it is passed on to them)."""
    return can_view_ticket(user, attachment.ticket)
