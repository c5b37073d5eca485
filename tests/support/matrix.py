"""Permission matrix rows of the support pages and API.

The question under test is the main college's student's: the student and
the college's administrator see it; the parent, teachers and the
administration of the same college (questions are not theirs) and anyone
of another college get 404. Platform staff, who hold no membership, see only
escalated questions on their own pages (/platform/support/) and download their
files from the API outside any college (/api/v1/platform/support/…): 404 for the rest.
"""

from support import services
from support.models import Topic
from tests.matrix import HOME, LOGIN, ROLES, Case, answers, college_api_for, in_college
from tests.support.files import png

MEMBERS = ("student", "parent", "teacher", "curator", "administration", "administrator")
SEES = ("student", "administrator")


def _ticket(world):
    if "ticket" not in world.extra:
        world.extra["ticket"] = services.ticket_create(
            actor=world.users["student"], college=world.college, topic=Topic.ACCESS, text="Не приходит код"
        )
    return world.extra["ticket"]


def _ticket_pk(world):
    return {"pk": _ticket(world).pk}


def _closed_pk(world):
    ticket = _ticket(world)
    if not ticket.is_closed:  # the rows may be asked more than once (tests/colleges/test_api_base.py)
        world.extra["ticket"] = services.ticket_close(actor=world.users["student"], ticket=ticket)
    return {"pk": ticket.pk}


def _escalated_pk(world):
    ticket = _ticket(world)
    if not ticket.is_escalated:
        world.extra["ticket"] = services.ticket_escalate(actor=world.users["administrator"], ticket=ticket)
    return {"pk": ticket.pk}


def _attachment_pk(world):
    """The student's screenshot on a reply of theirs to the question (the files live in the test storage)."""
    if "attachment" not in world.extra:
        reply = services.ticket_reply(
            actor=world.users["student"], ticket=_ticket(world), text="Вот снимок", attachments=[png()]
        )
        world.extra["attachment"] = reply.attachments.get()
    return {"pk": world.extra["attachment"].pk}


def _attachment_in_ticket(world):
    pk = _attachment_pk(world)["pk"]
    return {"ticket_pk": _ticket(world).pk, "pk": pk}


def _escalated_attachment_pk(world):
    pk = _attachment_pk(world)
    _escalated_pk(world)
    return pk


def _question(world):
    return {"topic": Topic.CHATS, "text": "Как выйти из чата?"}


def _reply(world):
    return {"text": "Спасибо, понятно."}


def page(default, **overrides):
    """A college page: anonymous → sign-in, no college (platform staff) → home."""
    return answers(default, anonymous=LOGIN, platform_staff=HOME, **overrides)


def ticket_page(ok, **overrides):
    """An action on the student's question: the student and the administrator ``ok``, the rest 404."""
    return page(404, **({role: ok for role in SEES} | overrides))


def platform(ok):
    """Platform staff's pages: ``ok`` for them, sign-in for the anonymous, 404 for everyone else."""
    return answers(404, anonymous=LOGIN, platform_staff=ok)


EVERYONE = {role: 200 for role in ROLES}

CASES = [
    Case("support:help", page(200)),
    Case("support:help", page(302), method="post", data=_question, id="post:support:help"),
    Case("support:articles", EVERYONE),
    Case("support:article", EVERYONE, kwargs=lambda w: {"slug": "sign-in-by-phone"}),
    Case("support:queue", page(403, administrator=200, other_administrator=200)),
    Case("support:ticket", ticket_page(200), kwargs=_ticket_pk),
    Case("support:ticket", ticket_page(302), kwargs=_ticket_pk, method="post", data=_reply, id="post:support:ticket"),
    Case("support:close", ticket_page(200), kwargs=_ticket_pk),
    Case("support:close", ticket_page(302), kwargs=_ticket_pk, method="post", id="post:support:close"),
    Case("support:reopen", ticket_page(302, administrator=403), kwargs=_closed_pk, method="post"),
    Case("support:escalate", ticket_page(200, student=403), kwargs=_ticket_pk),
    Case(
        "support:escalate", ticket_page(302, student=403), kwargs=_ticket_pk, method="post", id="post:support:escalate"
    ),
    Case("support:attachment", ticket_page(200), kwargs=_attachment_pk),
    Case("support:attachment", ticket_page(200), kwargs=_attachment_pk, query="thumb=1", id="support:attachment:thumb"),
    Case("support:platform_queue", platform(200)),
    Case("support:platform_attachment", platform(200), kwargs=_escalated_attachment_pk),
    Case(
        "support:platform_attachment",
        platform(200),
        kwargs=_escalated_attachment_pk,
        query="thumb=1",
        id="support:platform_attachment:thumb",
    ),
    Case(
        "support:platform_attachment",
        platform(404),
        kwargs=_attachment_pk,
        id="support:platform_attachment:not-escalated",
    ),
    Case("support:platform_ticket", platform(200), kwargs=_escalated_pk),
    Case("support:platform_ticket", platform(404), kwargs=_ticket_pk, id="support:platform_ticket:not-escalated"),
    Case(
        "support:platform_ticket",
        platform(302),
        kwargs=_escalated_pk,
        method="post",
        data=_reply,
        id="post:support:platform_ticket",
    ),
    # API: no membership in the college (platform staff, another college's administrator) → 404 before any lookup.
    Case("api:support-ticket-list", college_api_for(*MEMBERS), kwargs=in_college()),
    Case(
        "api:support-ticket-list",
        college_api_for(*MEMBERS, ok=201),
        kwargs=in_college(),
        method="post",
        data=_question,
        id="post:api:support-ticket-list",
    ),
    Case("api:support-ticket-detail", college_api_for(*SEES, denied=404), kwargs=in_college(_ticket_pk)),
    Case(
        "api:support-ticket-reply",
        college_api_for(*SEES, ok=201, denied=404),
        kwargs=in_college(_ticket_pk),
        method="post",
        data=_reply,
    ),
    Case(
        "api:support-ticket-attachment-detail",
        college_api_for(*SEES, denied=404),
        kwargs=in_college(_attachment_in_ticket),
    ),
    Case(
        "api:support-ticket-attachment-detail",
        college_api_for(*SEES, denied=404),
        kwargs=in_college(_attachment_in_ticket),
        query="thumb=1",
        id="api:support-ticket-attachment-detail:thumb",
    ),
    # Platform staff's download outside any college: theirs once the question is passed on, 404 for everyone else.
    Case(
        "api:support-platform-attachment",
        answers(404, anonymous=401, platform_staff=200),
        kwargs=_escalated_attachment_pk,
    ),
    Case(
        "api:support-platform-attachment",
        answers(404, anonymous=401),
        kwargs=_attachment_pk,
        id="api:support-platform-attachment:not-escalated",
    ),
    Case("api:support-ticket-close", college_api_for(*SEES, denied=404), kwargs=in_college(_ticket_pk), method="post"),
    Case(
        "api:support-ticket-reopen",
        college_api_for(*SEES, denied=404) | {"administrator": 403},
        kwargs=in_college(_closed_pk),
        method="post",
    ),
    Case(
        "api:support-ticket-escalate",
        college_api_for(*SEES, denied=404) | {"student": 403},
        kwargs=in_college(_ticket_pk),
        method="post",
    ),
]
