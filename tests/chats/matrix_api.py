"""Permission matrix rows of the chats API (/api/v1/colleges/<college_id>/chats/…).

The chat under test is the main group's chat as the roster sync makes it: its student and its curator
(the owner) are members. Everyone else of the college gets 404 for it and what is in it (a chat is read by
its members only, the administrator included), another college's administrator and platform staff 404 for
the college itself, anonymous 401. The message under test is the student's; the report is the student's on
the curator's message.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from chats import services
from chats.models import ChatKind
from tests.matrix import Case, college_api_for, in_college

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
MEMBERS = ("student", "parent", "teacher", "curator", "administration", "administrator")
CREATORS = ("teacher", "curator", "administration", "administrator")


def _chat(world):
    if "chat" not in world.extra:
        chats = services.chat_sync_group(group=world.group)
        world.extra["chat"] = next(chat for chat in chats if chat.kind == ChatKind.STUDY_GROUP)
    return world.extra["chat"]


def _message(world):
    if "message" not in world.extra:
        world.extra["message"] = services.message_post(
            actor=world.users["student"],
            chat=_chat(world),
            text="Когда консультация?",
            attachments=[SimpleUploadedFile("Вопросы.pdf", PDF, "application/pdf")],
        )
    return world.extra["message"]


def _report(world):
    if "report" not in world.extra:
        message = services.message_post(actor=world.users["curator"], chat=_chat(world), text="Консультация в 15:00")
        world.extra["report"] = services.report_create(actor=world.users["student"], message=message, reason="Спам")
    return world.extra["report"]


def chat_kw(world):
    return {"pk": _chat(world).pk}


def in_chat(world):
    return {"chat_pk": _chat(world).pk}


def member_kw(world):
    return {"chat_pk": _chat(world).pk, "pk": world.memberships["student"].pk}


def message_kw(world):
    return {"chat_pk": _chat(world).pk, "pk": _message(world).pk}


def attachment_kw(world):
    return {"chat_pk": _chat(world).pk, "pk": _message(world).attachments.get().pk}


def report_kw(world):
    return {"pk": _report(world).pk}


def in_the_chat(default: int = 404, **overrides: int) -> dict:
    """An answer about the chat: its members as given, everyone else of the college ``default``."""
    return college_api_for(denied=default, **overrides)


def row(url_name: str, expect: dict, kwargs=None, method: str = "get", data=None, query: str = "") -> object:

    return Case(
        url_name,
        expect,
        kwargs=in_college(kwargs),
        method=method,
        data=data,
        query=query,
        id=f"{method}:{url_name}" + (f"?{query}" if query else ""),
    )


MODERATED = in_the_chat(student=403, curator=200)

CASES = [
    row("api:chat-list", college_api_for(*MEMBERS)),
    row(
        "api:chat-list",
        college_api_for(*CREATORS, ok=201),
        method="post",
        data=lambda w: {"kind": "free", "title": "Кружок"},
    ),
    row("api:chat-search", college_api_for(*MEMBERS), query="q=консультация"),
    row(
        "api:chat-direct",
        college_api_for("student", "teacher", "administration", "administrator"),
        method="post",
        data=lambda w: {"member": w.memberships["curator"].pk},
    ),  # fmt: skip
    row("api:chat-detail", in_the_chat(student=200, curator=200), chat_kw),
    # The matrix's client sends no JSON: past the rules, the owner's empty body is refused as unsupported (415).
    row("api:chat-detail", in_the_chat(student=403, curator=415), chat_kw, method="patch"),
    row("api:chat-status", MODERATED, chat_kw, method="post", data=lambda w: {"status": "read_only"}),
    row(
        "api:chat-read", in_the_chat(student=200, curator=200), chat_kw, method="post", data=lambda w: {"message_id": 0}
    ),
    # Both are members by the roster: leaving would be undone by the next sync.
    row("api:chat-leave", in_the_chat(student=403, curator=403), chat_kw, method="post"),
    row("api:chat-pinned", in_the_chat(student=200, curator=200), chat_kw),
    row("api:chat-member-list", in_the_chat(student=200, curator=200), in_chat),
    row(
        "api:chat-member-list",
        in_the_chat(student=403, curator=201),
        in_chat,
        method="post",
        data=lambda w: {"member": w.memberships["teacher"].pk},
    ),  # fmt: skip
    row("api:chat-member-detail", in_the_chat(student=403, curator=204), member_kw, method="delete"),
    row("api:chat-member-banned", MODERATED, in_chat),
    row("api:chat-member-ban", MODERATED, member_kw, method="post"),
    row("api:chat-member-unban", MODERATED, member_kw, method="post"),
    row(
        "api:chat-member-mute",
        MODERATED,
        member_kw,
        method="post",
        data=lambda w: {"until": "2099-01-01T10:00:00+03:00"},
    ),  # fmt: skip
    row("api:chat-member-unmute", MODERATED, member_kw, method="post"),
    row("api:chat-member-role", MODERATED, member_kw, method="post", data=lambda w: {"role": "moderator"}),
    row("api:chat-message-list", in_the_chat(student=200, curator=200), in_chat),
    row(
        "api:chat-message-list",
        in_the_chat(student=201, curator=201),
        in_chat,
        method="post",
        data=lambda w: {"text": "Спасибо!"},
    ),  # fmt: skip
    row("api:chat-message-search", in_the_chat(student=200, curator=200), in_chat, query="q=консультация"),
    row("api:chat-message-detail", in_the_chat(student=200, curator=200), message_kw),
    # Only the author deletes their own message (a moderator deletes with a reason).
    row("api:chat-message-detail", in_the_chat(student=204, curator=403), message_kw, method="delete"),
    row("api:chat-message-moderate-delete", MODERATED, message_kw, method="post", data=lambda w: {"reason": "Флуд"}),
    row("api:chat-message-pin", MODERATED, message_kw, method="post"),
    row("api:chat-message-unpin", MODERATED, message_kw, method="post"),
    row(
        "api:chat-message-react",
        in_the_chat(student=200, curator=200),
        message_kw,
        method="post",
        data=lambda w: {"emoji": "👍"},
    ),  # fmt: skip
    # Nobody reports their own message.
    row(
        "api:chat-message-report",
        in_the_chat(student=403, curator=201),
        message_kw,
        method="post",
        data=lambda w: {"reason": "Не по теме"},
    ),  # fmt: skip
    row("api:chat-attachment-detail", in_the_chat(student=200, curator=200), attachment_kw),
    # The queue: those who moderate some chat and the administrator; no chat exists yet in this row's world,
    # so only the administrator (a chat's owner: tests/chats/test_api_messages.py).
    row("api:chat-report-list", college_api_for("administrator")),
    row("api:chat-report-mine", college_api_for(*MEMBERS)),
    # The reporter sees their report but does not decide it; the curator (owner) and the administrator do.
    row(
        "api:chat-report-decide",
        in_the_chat(student=403, curator=200, administrator=200),
        report_kw,
        method="post",
        data=lambda w: {"uphold": False},
    ),  # fmt: skip
]
