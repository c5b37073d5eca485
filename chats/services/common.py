"""Steps every chats service shares: locking a chat, adding and removing members, keeping an owner.

Functions here check no permission: the services of this package call them after deciding.
"""

from collections.abc import Iterable

from django.db.models import Max
from django.utils import timezone

from audit.services import audit_log, audit_log_many
from chats import events
from chats.models import Chat, ChatKind, ChatMember, Message
from chats.permissions import forget_chat_roles
from colleges.models import Membership, Role
from groups.models import CuratorAssignment, SubjectTeacherAssignment

_ROLE_RANK = {ChatMember.Role.MEMBER: 0, ChatMember.Role.MODERATOR: 1, ChatMember.Role.OWNER: 2}


def lock_chat(chat: Chat) -> Chat:
    """The chat row locked for this transaction: membership changes of one chat run one at a time."""
    return Chat.objects.select_for_update(of=("self",)).select_related("college").get(pk=chat.pk)


def last_message_id(chat: Chat) -> int:
    return Message.objects.filter(chat=chat).aggregate(last=Max("id"))["last"] or 0


def _start_row(row: ChatMember, chat: Chat, *, role: str, source: str, now, last_id: int) -> None:
    """(Re)join: newcomers read from now on unless the chat shows them its history."""
    row.left_at = None
    row.joined_at = now
    row.role = role
    row.source = source
    row.last_read_message_id = last_id
    row.first_visible_message_id = 0 if chat.history_visible else last_id + 1


def _announce_added(chat: Chat, rows: Iterable[ChatMember]) -> None:
    group = events.chat_group(chat.pk)
    events.publish_many(
        [
            (
                group,
                {"type": "member.added", "chat_id": chat.pk, "member_id": row.member_id, "user_id": row.member.user_id},
            )
            for row in rows
        ]
    )


def _removed_sends(chat: Chat, row: ChatMember) -> list[tuple[str, dict]]:
    """``member.removed`` to the chat and to the person's own sockets (which drop the chat at once)."""
    event = {
        "type": "member.removed",
        "chat_id": chat.pk,
        "member_id": row.member_id,
        "user_id": row.member.user_id,
        "banned": row.banned,
    }
    return [(events.chat_group(chat.pk), event), (events.user_group(row.member.user_id), event)]


def announce_removed(chat: Chat, row: ChatMember) -> None:
    events.publish_many(_removed_sends(chat, row))


def members_join_unchecked(
    *, actor, chat: Chat, roles: dict[int, str], source: str, announce: bool = True
) -> list[ChatMember]:
    """Make the memberships ``roles`` (Membership pk → role) current members of the locked ``chat``.

    A current member keeps their row; a role is raised, never lowered, here. A member who left comes
    back on the same row. A banned row is skipped: nobody re-adds a banned person but a moderator's
    ``member_unban``. Returns the rows that became current.
    """
    if not roles:
        return []
    now = timezone.now()
    last_id = last_message_id(chat)
    existing = {row.member_id: row for row in ChatMember.objects.filter(chat=chat, member_id__in=list(roles))}
    created, revived, raised = [], [], []
    for member_id, role in roles.items():
        row = existing.get(member_id)
        if row is None:
            row = ChatMember(chat=chat, member_id=member_id)
            _start_row(row, chat, role=role, source=source, now=now, last_id=last_id)
            created.append(row)
        elif row.banned:
            continue
        elif row.left_at is not None:
            _start_row(row, chat, role=role, source=source, now=now, last_id=last_id)
            revived.append(row)
        elif _ROLE_RANK[role] > _ROLE_RANK[row.role]:
            row.role = role
            raised.append(row)
    ChatMember.objects.bulk_create(created)
    fields = ["left_at", "joined_at", "role", "source", "last_read_message_id", "first_visible_message_id"]
    ChatMember.objects.bulk_update(revived, fields)
    ChatMember.objects.bulk_update(raised, ["role"])
    joined = created + revived
    audit_log_many(
        actor=actor,
        college=chat.college,
        action="chat.member_add",
        model=ChatMember,
        ids=[row.pk for row in joined],
        after={"chat": chat.pk, "source": source},
    )
    if announce and joined:
        rows = ChatMember.objects.filter(pk__in=[row.pk for row in joined]).select_related("member")
        _announce_added(chat, rows)
    if actor is not None:
        forget_chat_roles(actor)
    return joined


def members_leave_unchecked(*, actor, chat: Chat, rows: list[ChatMember], action: str = "chat.member_remove") -> None:
    """End the current memberships ``rows`` of the locked ``chat`` (owners lose the role), then keep an owner."""
    rows = [row for row in rows if row.left_at is None]
    if not rows:
        return
    now = timezone.now()
    for row in rows:
        row.left_at = now
        row.role = ChatMember.Role.MEMBER
    ChatMember.objects.bulk_update(rows, ["left_at", "role"])
    audit_log_many(
        actor=actor,
        college=chat.college,
        action=action,
        model=ChatMember,
        ids=[row.pk for row in rows],
        after={"chat": chat.pk},
    )
    removed = ChatMember.objects.filter(pk__in=[row.pk for row in rows]).select_related("member")
    events.publish_many([send for row in removed for send in _removed_sends(chat, row)])
    ensure_owner(actor=actor, chat=chat)


def owner_candidates(chat: Chat) -> list[int]:
    """Who owns a chat by the regulation, first choice first (Membership pks).

    A subject chat: the discipline's current teachers of the group, then the group's curator; a group
    or parents' chat: the curator; then, for every chat, the college's administrator.
    """
    candidates: list[int] = []
    active = {"ended_at__isnull": True, "teacher__status": Membership.Status.ACTIVE}
    if chat.kind == ChatKind.SUBJECT:
        candidates += (
            SubjectTeacherAssignment.objects.filter(
                group_id=chat.study_group_id, discipline_id=chat.discipline_id, **active
            )
            .order_by("started_at", "id")
            .values_list("teacher_id", flat=True)
        )
    if chat.study_group_id is not None:
        candidates += CuratorAssignment.objects.filter(group_id=chat.study_group_id, **active).values_list(
            "teacher_id", flat=True
        )
    candidates += Membership.objects.filter(
        college_id=chat.college_id, role=Role.ADMINISTRATOR, status=Membership.Status.ACTIVE
    ).values_list("pk", flat=True)
    return candidates


def ensure_owner(*, actor, chat: Chat) -> ChatMember | None:
    """A chat always keeps an owner: when none is left, the first candidate of ``owner_candidates`` becomes
    one (joining if needed); with no candidate at all, the longest-standing moderator, then member.

    Direct chats have no owner. Audited as ``chat.owner_handover``.
    """
    if chat.kind == ChatKind.DIRECT:
        return None
    current = ChatMember.objects.filter(chat=chat, left_at__isnull=True, banned=False)
    if current.filter(role=ChatMember.Role.OWNER).exists():
        return None
    owner = None
    for member_id in owner_candidates(chat):
        joined = members_join_unchecked(
            actor=actor, chat=chat, roles={member_id: ChatMember.Role.OWNER}, source=ChatMember.Source.ROSTER
        )
        row = ChatMember.objects.filter(chat=chat, member_id=member_id, left_at__isnull=True, banned=False).first()
        if joined or (row is not None and row.role == ChatMember.Role.OWNER):
            owner = row
            break
    if owner is None:
        owner = current.order_by("-role", "joined_at", "id").first()  # «moderator» before «member»
        if owner is None:
            return None
        owner.role = ChatMember.Role.OWNER
        owner.save(update_fields=["role"])
    audit_log(
        actor=actor, college=chat.college, action="chat.owner_handover", target=chat, after={"owner": owner.member_id}
    )
    return owner


def touch_chat(chat: Chat, *, at=None) -> None:
    Chat.objects.filter(pk=chat.pk).update(last_message_at=at or timezone.now())
