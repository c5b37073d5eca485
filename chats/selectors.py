"""Reads of chats, shaped against N+1 and scoped to one college and one viewer.

Each read asks a fixed number of queries whatever the number of chats, messages, reactions or
attachments (pinned by tests at two sizes): the list of chats 3, a page of history 5 (the texts come as stored HTML).
"""

from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.safestring import mark_safe

from accounts.search import fold, name_order, search_q
from chats import permissions, texts
from chats.formatting import render_message
from chats.models import (
    Chat,
    ChatKind,
    ChatMember,
    Message,
    MessageAttachment,
    MessageMention,
    MessageReaction,
    MessageReport,
)
from colleges.models import STAFF_ROLES, College, Membership, Role
from core.compiled import PLACEHOLDER_INT, CompiledSelect
from core.pages import ID_MAX
from groups.models import CuratorAssignment, Enrollment, SubjectTeacherAssignment

HISTORY_LIMIT_MAX = 100
SEARCH_LIMIT = 50
DIRECT_CANDIDATES_LIMIT = 20


def _viewer_rows(viewer, college: College) -> QuerySet[ChatMember]:
    return ChatMember.objects.filter(
        member__user=viewer,
        member__college=college,
        member__status=Membership.Status.ACTIVE,
        chat__college=college,
        left_at__isnull=True,
        banned=False,
    )


@dataclass
class ChatListItem:
    chat: Chat
    member: ChatMember
    unread: int
    unread_mentions: int
    last_message: Message | None


def chats_for(viewer, college: College) -> list[ChatListItem]:
    """The viewer's chats (current memberships), the latest activity first, each with its unread count
    (visible messages after the read marker, not the viewer's own), unread mentions and last message."""
    visible = Message.objects.filter(
        chat=OuterRef("chat_id"), pk__gte=OuterRef("first_visible_message_id"), deleted_at__isnull=True
    )
    unread = (
        visible.filter(pk__gt=OuterRef("last_read_message_id"), kind=Message.Kind.TEXT)
        .exclude(author_id=OuterRef("member_id"))
        .order_by()
        .values("chat")
        .annotate(n=Count("pk"))
        .values("n")
    )
    mentions = (
        MessageMention.objects.filter(
            member_id=OuterRef("member_id"),
            message__chat=OuterRef("chat_id"),
            message__pk__gt=OuterRef("last_read_message_id"),
            message__deleted_at__isnull=True,
        )
        .order_by()
        .values("member")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last = Message.objects.filter(chat=OuterRef("chat_id"), pk__gte=OuterRef("first_visible_message_id"))
    rows = list(
        _viewer_rows(viewer, college)
        .select_related("chat", "member")
        .annotate(
            unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0),
            unread_mentions=Coalesce(Subquery(mentions, output_field=IntegerField()), 0),
            last_id=Subquery(last.order_by("-pk").values("pk")[:1]),
        )
        .order_by(F("chat__last_message_at").desc(nulls_last=True), "-chat__created_at", "-chat_id")
    )
    last_ids = [row.last_id for row in rows if row.last_id]
    messages = Message.objects.filter(pk__in=last_ids).select_related("author__user") if last_ids else []
    by_id = {message.pk: message for message in messages}
    for message in by_id.values():
        _shape(message, moderator=False)
    return [ChatListItem(row.chat, row, row.unread, row.unread_mentions, by_id.get(row.last_id)) for row in rows]


def _viewer_row_with_chat(user_id, chat_id, college_id):
    return (
        permissions.viewer_rows_of(user_id).filter(chat_id=chat_id, chat__college_id=college_id).select_related("chat")
    )


# Every chat page and chats endpoint asks it: built by the ORM once per process (core.compiled), which otherwise
# spends longer building the statement than the database answering it.
_VIEWER_ROW_WITH_CHAT = CompiledSelect(
    ChatMember, _viewer_row_with_chat, PLACEHOLDER_INT, PLACEHOLDER_INT - 1, PLACEHOLDER_INT - 2
)


def chat_get_for(*, user, college: College, pk) -> Chat:
    """The chat if ``user`` may read it; Http404 alike for a missing chat and one that is not theirs.

    One query: the viewer's row in the chat with the chat (no row: not theirs), remembered for
    ``permissions.viewer_member``; the chat's college is the one asked for.
    """
    if not getattr(user, "is_authenticated", False):
        raise Http404
    try:
        chat_id = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < chat_id <= ID_MAX:  # no chat has it (and the compiled statement would hand it to the database)
        raise Http404
    row = _VIEWER_ROW_WITH_CHAT.first(user.pk, chat_id, college.pk)
    if row is None:
        raise Http404
    chat = row.chat
    chat.college = college
    permissions.remember_viewer_member(user, chat, row)
    if not permissions.can_view_chat(user, chat):
        raise Http404
    return chat


def _shape(message: Message, *, moderator: bool) -> Message:
    """Attach what a page shows: ``html`` (or the placeholder of a deleted message, its text withheld);
    ``_summarise_reactions`` and ``_reply_preview`` add ``reactions_summary`` [(emoji, count, mine)] and
    ``reply_preview`` to a message of ``_history_queryset``, which also lists its files in ``files``."""
    message.hidden = message.is_deleted
    message.moderation_reason = message.delete_reason if moderator else ""
    if message.hidden:
        message.html = texts.MODERATED_PLACEHOLDER if message.delete_reason else texts.DELETED_PLACEHOLDER
        message.text = ""
    elif message.text_html or not message.text:
        message.html = mark_safe(message.text_html)  # render_message's output, stored by the chats services
    else:  # a row written around the services (a factory): no mentions, rendered here
        message.html = render_message(message.text)
    return message


def _summarise_reactions(message: Message, viewer_member_id: int | None) -> None:
    counts: dict[str, list] = {}
    for reaction in message.reaction_rows:
        entry = counts.setdefault(reaction.emoji, [reaction.emoji, 0, False])
        entry[1] += 1
        entry[2] = entry[2] or reaction.member_id == viewer_member_id
    message.reactions_summary = [tuple(entry) for entry in counts.values()]


def _reply_preview(message: Message) -> None:
    reply = message.reply_to
    if reply is None:
        message.reply_preview = None
        return
    text = texts.DELETED_PLACEHOLDER if reply.is_deleted else reply.text[:140]
    author = reply.author.user.short_name if reply.author else ""
    message.reply_preview = {"id": reply.pk, "author": author, "text": text}


@dataclass
class HistoryPage:
    messages: list[Message]
    has_more: bool
    before_id: int | None = None  # pass as ``before_id`` to read the older page
    pinned: list[Message] = field(default_factory=list)


def _history_queryset(chat: Chat) -> QuerySet[Message]:
    return (
        Message.objects.filter(chat=chat)
        .select_related("author__user", "reply_to__author__user")
        .prefetch_related(
            # Into lists (``to_attr``): a related manager per message is what a prefetch costs most.
            Prefetch("attachments", to_attr="files"),
            Prefetch(
                "reactions", queryset=MessageReaction.objects.order_by("created_at", "pk"), to_attr="reaction_rows"
            ),
        )
    )


_NAME_FIELDS = ("last_name", "first_name", "patronymic", "phone")  # what ``User.short_name`` is made of
# The columns a page of history shows (the rows, the API's messages, reply previews): of a page's five joined
# tables' hundred-odd columns, the ones read, which saves a fifth of the page's reading.
_HISTORY_FIELDS = (
    *("id", "chat_id", "author_id", "kind", "text", "text_html", "reply_to_id", "created_at", "edited_at"),
    *("deleted_at", "delete_reason", "pinned_at", "author__user_id"),
    *(f"author__user__{name}" for name in _NAME_FIELDS),
    *("reply_to__text", "reply_to__deleted_at", "reply_to__author_id", "reply_to__author__user_id"),
    *(f"reply_to__author__user__{name}" for name in _NAME_FIELDS),
)


def chat_history(viewer, chat: Chat, *, before_id: int | None = None, limit: int = 50) -> HistoryPage:
    """Messages of ``chat`` older than ``before_id`` (the newest when None), oldest first on the page.

    A newcomer of a chat whose history is hidden starts at their ``first_visible_message_id``. Deleted
    messages come as placeholders without their text («Сообщение удалено модератором»).
    """
    row = permissions.viewer_member(viewer, chat)
    if not permissions.can_view_chat(viewer, chat):
        raise Http404
    moderator = permissions.can_moderate(viewer, chat)
    limit = max(1, min(int(limit), HISTORY_LIMIT_MAX))
    query = _history_queryset(chat).only(*_HISTORY_FIELDS).filter(pk__gte=row.first_visible_message_id)
    if before_id:
        query = query.filter(pk__lt=before_id)
    page = list(query.order_by("-pk")[: limit + 1])
    has_more = len(page) > limit
    page = page[:limit]
    page.reverse()
    for message in page:
        _shape(message, moderator=moderator)
        _summarise_reactions(message, row.member_id)
        _reply_preview(message)
    return HistoryPage(messages=page, has_more=has_more, before_id=page[0].pk if has_more and page else None)


def message_for(viewer, chat: Chat, message_id: int) -> Message | None:
    """One message as ``chat_history`` shapes it (the consumer renders a ``message.new`` event with it)."""
    row = permissions.viewer_member(viewer, chat)
    if not permissions.can_view_chat(viewer, chat):
        return None
    message = _history_queryset(chat).filter(pk=message_id, pk__gte=row.first_visible_message_id).first()
    if message is None:
        return None
    _shape(message, moderator=permissions.can_moderate(viewer, chat))
    _summarise_reactions(message, row.member_id)
    _reply_preview(message)
    return message


def message_broadcast(chat: Chat | int, message_id: int) -> Message | None:
    """One message shaped for every member alike (no moderation reason, no «mine» on reactions): what
    ``chats.events`` renders once into the ``chats.fragments`` fragment a live event carries. Not for a
    viewer's page: it asks no permission (the consumer authorises each socket before forwarding)."""
    message = _history_queryset(chat).select_related("chat").filter(pk=message_id).first()
    if message is None:
        return None
    _shape(message, moderator=False)
    _summarise_reactions(message, None)
    _reply_preview(message)
    return message


def pinned_messages(viewer, chat: Chat) -> list[Message]:
    if not permissions.can_view_chat(viewer, chat):
        raise Http404
    row = permissions.viewer_member(viewer, chat)
    pinned = (
        Message.objects.filter(chat=chat, pinned_at__isnull=False, deleted_at__isnull=True)
        .filter(pk__gte=row.first_visible_message_id)
        .select_related("author__user")
        .order_by("-pinned_at")
    )
    return [_shape(message, moderator=False) for message in pinned]


def chat_members(viewer, chat: Chat) -> QuerySet[ChatMember]:
    """The chat's current members (owners, then moderators, then members, by name) for one who may read it."""
    if not permissions.can_view_chat(viewer, chat):
        raise Http404
    return (
        ChatMember.objects.filter(chat=chat, left_at__isnull=True, banned=False)
        .select_related("member__user")
        .order_by("-role", name_order("member__user"), "pk")
    )


def reports_queue(viewer, college: College) -> QuerySet[MessageReport]:
    """Open reports the viewer decides: of the chats they own or moderate; all the college's for the
    administrator."""
    reports = MessageReport.objects.filter(college=college, status=MessageReport.Status.OPEN)
    if not permissions.is_college_administrator(viewer, college):
        moderated = _viewer_rows(viewer, college).filter(role__in=permissions.MODERATOR_ROLES).values("chat_id")
        reports = reports.filter(message__chat_id__in=moderated)
    return reports.select_related("message__chat", "message__author__user", "reporter__user").order_by(
        "created_at", "pk"
    )


def reports_mine(viewer, college: College) -> QuerySet[MessageReport]:
    """The viewer's own reports with their status and outcome."""
    return (
        MessageReport.objects.filter(college=college, reporter__user=viewer)
        .select_related("message__chat")
        .order_by("-created_at", "-pk")
    )


class _RussianVector(Func):
    """``to_tsvector('russian', text)``, spelled as the GIN index of migration 0002 is, so it is used."""

    function = "to_tsvector"
    template = "%(function)s('russian'::regconfig, %(expressions)s)"
    output_field = SearchVectorField()


def messages_search(viewer, college: College, q: str, *, chat: Chat | None = None) -> list[Message]:
    """Messages the viewer can read (in their current chats, from their first visible one) matching ``q``,
    newest first, at most ``SEARCH_LIMIT``. PostgreSQL: full-text search with Russian morphology («сессии»
    finds «сессия»); SQLite: a case-insensitive substring with «ё» as «е» (``accounts.search.fold``).
    """
    q = " ".join((q or "").split())
    if len(q) < 2:
        raise ValidationError({"q": texts.SEARCH_TOO_SHORT}, code="too_short")
    visible = Q(
        chat__members__member__user=viewer,
        chat__members__member__status=Membership.Status.ACTIVE,
        chat__members__left_at__isnull=True,
        chat__members__banned=False,
        pk__gte=F("chat__members__first_visible_message_id"),
    )
    found = Message.objects.filter(visible, college=college, deleted_at__isnull=True, kind=Message.Kind.TEXT)
    if chat is not None:
        found = found.filter(chat=chat)
    if connection.vendor == "postgresql":
        found = found.annotate(document=_RussianVector("text")).filter(
            document=SearchQuery(q, config="russian", search_type="plain")
        )
    else:
        found = found.filter(text__fold__contains=fold(q))
    found = found.select_related("chat", "author__user").order_by("-pk")[:SEARCH_LIMIT]
    return [_shape(message, moderator=False) for message in found]


def chat_banned(viewer, chat: Chat) -> QuerySet[ChatMember]:
    """The chat's banned members, for one who may moderate it (to lift a ban)."""
    if not permissions.can_moderate(viewer, chat):
        raise Http404
    return (
        ChatMember.objects.filter(chat=chat, banned=True)
        .select_related("member__user")
        .order_by(name_order("member__user"), "pk")
    )


def attachment_get_for(*, user, college: College, pk) -> MessageAttachment:
    """An attachment ``user`` may download (``permissions.can_view_attachment``); Http404 for any other."""
    attachment = (
        MessageAttachment.objects.filter(pk=pk, college=college)
        .select_related("message__chat__college", "message__author")
        .first()
    )
    if attachment is None or not permissions.can_view_attachment(user, attachment):
        raise Http404
    return attachment


def report_get_for(*, user, college: College, pk) -> MessageReport:
    """A report ``user`` may decide (``permissions.can_decide_report``); Http404 for any other."""
    report = (
        MessageReport.objects.filter(pk=pk, college=college)
        .select_related("message__chat__college", "message__author__user", "reporter__user")
        .first()
    )
    if report is None or not permissions.can_decide_report(user, report):
        raise Http404
    _shape(report.message, moderator=True)
    return report


def direct_candidates(viewer, college: College, q: str = "") -> list[Membership]:
    """Whom the viewer may write to personally (safe mode, as ``permissions.direct_allowed``), matching ``q``
    by name or phone, by name, at most ``DIRECT_CANDIDATES_LIMIT``.

    Staff find every active member of the college; a student their classmates and the curator and subject
    teachers of their group; a parent the curator and subject teachers of their child's group.
    """
    mine = list(Membership.objects.filter(user=viewer, college=college, status=Membership.Status.ACTIVE))
    people = Membership.objects.filter(college=college, status=Membership.Status.ACTIVE).exclude(user=viewer)
    if not mine:
        return []
    if not any(membership.role in STAFF_ROLES for membership in mine):
        students = [m.pk for m in mine if m.role == Role.STUDENT]
        own = Enrollment.objects.filter(student_id__in=students, ended_at__isnull=True).values("group_id")
        # A parent's groups as safe mode counts them (links followed and confirmed children's groups).
        children = {pk for m in mine if m.role == Role.PARENT for pk in permissions.parent_group_ids(m)}
        groups = Q(group_id__in=own) | Q(group_id__in=children)
        teachers = CuratorAssignment.objects.filter(groups, ended_at__isnull=True).values("teacher_id")
        subjects = SubjectTeacherAssignment.objects.filter(groups, ended_at__isnull=True).values("teacher_id")
        classmates = Enrollment.objects.filter(group_id__in=own, ended_at__isnull=True).values("student_id")
        people = people.filter(
            Q(role=Role.TEACHER, pk__in=teachers)
            | Q(role=Role.TEACHER, pk__in=subjects)
            | Q(role=Role.STUDENT, pk__in=classmates)
        )
    # The membership's own copies of its user's search text and sort key: the college's rows in name order by
    # its (college, sort_name, id) index, not a join and sort of every user (see Membership.search_text).
    people = people.filter(search_q(q, people=("",))).select_related("user")
    return list(people.order_by(name_order(), "pk")[:DIRECT_CANDIDATES_LIMIT])


# --- Figures of the analytics page («Чаты», «Преподаватели»): aggregates in a fixed number of queries. ---

TOP_CHATS = 10
SILENT_GROUPS_SHOWN = 30


def _posted(college: College, since, until) -> QuerySet[Message]:
    return Message.objects.filter(college=college, kind=Message.Kind.TEXT, created_at__gte=since, created_at__lt=until)


def chat_activity(*, college: College, since, until) -> dict:
    """Messages written in [since, until) (service lines aside, deleted ones counted: they were written):

    ``total`` and ``authors`` (distinct), ``by_kind`` (kind → messages, authors), ``top`` (the busiest
    chats), ``silent`` (study groups' chats with no message, up to ``SILENT_GROUPS_SHOWN``, and
    ``silent_count``), ``moderated`` (messages a moderator removed), ``reports_filed`` and ``reports_open``
    (open now, whenever filed). Seven queries.
    """
    posted = _posted(college, since, until)
    total = message_totals(college=college, since=since, until=until)
    # The chats are the college's too: saying so reads them by its index, not every chat of the installation.
    joined = posted.filter(chat__college=college)
    by_kind = {
        row["chat__kind"]: {"messages": row["messages"], "authors": row["authors"]}
        for row in joined.values("chat__kind")
        .annotate(messages=Count("pk"), authors=Count("author", distinct=True))
        .order_by()
    }
    # Counted by chat without the distinct authors, which would want the messages in chat order (the
    # installation's (chat, id) index); the authors are counted for the busiest few alone.
    busiest = list(posted.values("chat_id").annotate(messages=Count("pk")).order_by("-messages", "chat_id")[:TOP_CHATS])
    in_period = Q(messages__created_at__gte=since, messages__created_at__lt=until, messages__kind=Message.Kind.TEXT)
    found = {
        row["pk"]: row
        for row in Chat.objects.filter(college=college, pk__in=[row["chat_id"] for row in busiest])
        .values("pk", "title", "kind")
        .annotate(authors=Count("messages__author", distinct=True, filter=in_period))
        .order_by()
    }
    top = [
        {
            **row,
            "chat__title": found[row["chat_id"]]["title"],
            "chat__kind": found[row["chat_id"]]["kind"],
            "authors": found[row["chat_id"]]["authors"],
        }
        for row in busiest
    ]
    silent = (
        Chat.objects.filter(college=college, kind=ChatKind.STUDY_GROUP)
        .exclude(status=Chat.Status.ARCHIVED)
        .exclude(Exists(posted.filter(chat_id=OuterRef("pk"))))
        .values("pk", "title")
        .order_by("title", "pk")
    )
    silent_rows = list(silent[: SILENT_GROUPS_SHOWN + 1])
    silent_count = len(silent_rows) if len(silent_rows) <= SILENT_GROUPS_SHOWN else silent.count()
    moderated_or_reported = MessageReport.objects.filter(college=college).aggregate(
        filed=Count("pk", filter=Q(created_at__gte=since, created_at__lt=until)),
        open=Count("pk", filter=Q(status=MessageReport.Status.OPEN)),
    )
    moderated = (
        Message.objects.filter(college=college, deleted_at__gte=since, deleted_at__lt=until)
        .exclude(delete_reason="")
        .count()
    )
    return {
        "total": total,
        "by_kind": by_kind,
        "top": top,
        "silent": silent_rows[:SILENT_GROUPS_SHOWN],
        "silent_count": silent_count,
        "moderated": moderated,
        "reports_filed": moderated_or_reported["filed"],
        "reports_open": moderated_or_reported["open"],
    }


def message_totals(*, college: College, since, until) -> dict[str, int]:
    """``messages`` written in [since, until) and their distinct ``authors``: one query."""
    return _posted(college, since, until).aggregate(messages=Count("pk"), authors=Count("author", distinct=True))


def message_counts_by_author(*, college: College, since, until, member_ids) -> dict[int, int]:
    """Membership id → messages written in [since, until), for these memberships (one GROUP BY)."""
    rows = (
        _posted(college, since, until)
        .filter(author_id__in=list(member_ids))
        .values_list("author_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)
