"""Permission matrix rows of the chat pages.

The chat under test is the main group's chat made by the roster sync: its student is a member, its
curator the owner; every other role of the college is not in it (404 for the chat and everything in it,
the administrator included: nobody reads a chat they are not in), nor is anyone of another college.
The student wrote a message with a PDF; the curator wrote one the student reported.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from chats import services
from chats.models import ChatKind
from tests.matrix import HOME, LOGIN, Case, answers

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
CREATORS = ("teacher", "curator", "administration", "administrator", "other_administrator")


def _chat(world):
    if "chat" not in world.extra:
        services.chat_sync_group(group=world.group)
        chat = world.group.chats.get(kind=ChatKind.STUDY_GROUP)
        student, curator = world.users["student"], world.users["curator"]
        pdf = SimpleUploadedFile("Реферат.pdf", PDF, content_type="application/pdf")
        mine = services.message_post(actor=student, chat=chat, text="Моё сообщение", attachments=[pdf])
        theirs = services.message_post(actor=curator, chat=chat, text="Сообщение куратора")
        report = services.report_create(actor=student, message=theirs, reason="Грубо")
        world.extra.update(chat=chat, mine=mine, theirs=theirs, report=report)
    return world.extra["chat"]


def _chat_pk(world):
    return {"pk": _chat(world).pk}


def _message(world):
    _chat(world)
    return {"pk": world.extra["chat"].pk, "message_id": world.extra["mine"].pk}


def _student_row(world):
    return {"pk": _chat(world).pk, "member_id": world.memberships["student"].pk}


def _attachment(world):
    _chat(world)
    return {"pk": world.extra["mine"].attachments.get().pk}


def _report(world):
    _chat(world)
    return {"pk": world.extra["report"].pk}


def _no_kwargs(world):
    """A list without arguments, once the chat (and its curator's ownership) exists."""
    _chat(world)
    return {}


def page(default, **overrides):
    """A chats page: anonymous → sign-in, no college (platform staff) → home."""
    return answers(default, anonymous=LOGIN, platform_staff=HOME, **overrides)


def in_chat(student, curator, *, others=404):
    """A page of the chat: its student and curator as given, everyone else 404."""
    return page(others, student=student, curator=curator)


CASES = [
    Case("chats:list", page(200)),
    Case("chats:reports_mine", page(200)),
    Case("chats:direct", page(200)),
    Case(
        "chats:direct",
        page(302, curator=403, parent=403, other_administrator=404),
        method="post",
        data=lambda w: {"member": w.memberships["curator"].pk},
        id="post:chats:direct",
    ),
    Case("chats:create", page(403, **{role: 200 for role in CREATORS})),
    Case(
        "chats:create",
        page(403, **{role: 302 for role in CREATORS}),
        method="post",
        data=lambda w: {"kind": ChatKind.FREE, "title": "Кружок"},
        id="post:chats:create",
    ),
    Case("chats:reports", page(403, curator=200, administrator=200, other_administrator=200), kwargs=_no_kwargs),
    Case("chats:report", page(403, curator=200, administrator=200, other_administrator=404), kwargs=_report),
    Case(
        "chats:report",
        page(403, curator=302, administrator=302, other_administrator=404),
        kwargs=_report,
        method="post",
        data=lambda w: {"decision": "dismiss"},
        id="post:chats:report",
    ),
    Case("chats:attachment", in_chat(200, 200), kwargs=_attachment),
    Case("chats:chat", in_chat(200, 200), kwargs=_chat_pk),
    Case(
        "chats:chat",
        in_chat(302, 302),
        kwargs=_chat_pk,
        method="post",
        data=lambda w: {"text": "Здравствуйте"},
        id="post:chats:chat",
    ),
    Case("chats:search", in_chat(200, 200), kwargs=_chat_pk, query="q=Моё"),
    Case("chats:members", in_chat(200, 200), kwargs=_chat_pk),
    Case("chats:leave", in_chat(200, 200), kwargs=_chat_pk),
    Case(
        "chats:push",
        in_chat(302, 302),
        kwargs=_chat_pk,
        method="post",
        data=lambda w: {"enabled": "0"},
        id="post:chats:push",
    ),
    Case("chats:settings", in_chat(403, 200), kwargs=_chat_pk),
    Case(
        "chats:settings",
        in_chat(403, 302),
        kwargs=_chat_pk,
        method="post",
        data=lambda w: {"title": "Группа — новое название", "history_visible": "on"},
        id="post:chats:settings",
    ),
    Case("chats:status", in_chat(403, 200), kwargs=_chat_pk, query="status=read_only"),
    Case(
        "chats:status",
        in_chat(403, 302),
        kwargs=_chat_pk,
        method="post",
        data=lambda w: {"status": "archived"},
        id="post:chats:status",
    ),
    Case("chats:member", in_chat(403, 200), kwargs=_student_row),
    Case(
        "chats:member",
        in_chat(403, 302),
        kwargs=_student_row,
        method="post",
        data=lambda w: {"action": "mute", "period": "hour"},
        id="post:chats:member",
    ),
    Case("chats:message", in_chat(200, 200), kwargs=_message),
    Case(
        "chats:message_edit",
        in_chat(302, 403),
        kwargs=_message,
        method="post",
        data=lambda w: {"text": "Исправлено"},
    ),
    Case("chats:message_delete", in_chat(200, 403), kwargs=_message),
    Case("chats:message_delete", in_chat(302, 403), kwargs=_message, method="post", id="post:chats:message_delete"),
    Case("chats:message_pin", in_chat(403, 302), kwargs=_message, method="post"),
    Case(
        "chats:message_report",
        in_chat(403, 302),
        kwargs=_message,
        method="post",
        data=lambda w: {"reason": "Спам"},
    ),
    Case("chats:message_moderate", in_chat(403, 200), kwargs=_message),
    Case(
        "chats:message_moderate",
        in_chat(403, 302),
        kwargs=_message,
        method="post",
        data=lambda w: {"reason": "Оскорбление"},
        id="post:chats:message_moderate",
    ),
]

# The chats API's rows (/api/v1/colleges/<college_id>/chats/…) live beside these.
from tests.chats.matrix_api import CASES as API_CASES  # noqa: E402

CASES += API_CASES
