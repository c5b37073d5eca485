"""Steps every chats service shares: locking a chat, adding and removing members, keeping an owner.

Functions here check no permission: the services of this package call them after deciding.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db.models import F, Max, OuterRef, Q, Subquery
from django.utils import timezone

from audit.services import audit_log, audit_log_many
from chats import events
from chats.models import Chat, ChatKind, ChatMember, Message
from chats.permissions import forget_chat_roles
from colleges.models import Membership, Role
from groups.models import CuratorAssignment, SubjectTeacherAssignment

_ROLE_RANK = {ChatMember.Role.MEMBER: 0, ChatMember.Role.MODERATOR: 1, ChatMember.Role.OWNER: 2}
_MEMBER = ChatMember.Role.MEMBER
_OWNER = ChatMember.Role.OWNER


def history_changed(chat_id: int) -> None:
    """Inside the writing transaction: what the chat's history shows has changed (its cached newest page is
    keyed by ``history_version``, chats.fragments.history_part)."""
    Chat.objects.filter(pk=chat_id).update(history_version=F("history_version") + 1)


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


def _added_event(row: ChatMember, user_id: int) -> dict:
    return {"type": "member.added", "chat_id": row.chat_id, "member_id": row.member_id, "user_id": user_id}


def _announce_added(chat: Chat, rows: Iterable[ChatMember]) -> None:
    group = events.chat_group(chat.pk)
    events.publish_many([(group, _added_event(row, row.member.user_id)) for row in rows])


def _removed_sends(chat: Chat, row: ChatMember, *, user_id: int | None = None) -> list[tuple[str, dict]]:
    """``member.removed`` to the chat and to the person's own sockets (which drop the chat at once)."""
    user_id = row.member.user_id if user_id is None else user_id
    event = {
        "type": "member.removed",
        "chat_id": chat.pk,
        "member_id": row.member_id,
        "user_id": user_id,
        "banned": row.banned,
    }
    return [(events.chat_group(chat.pk), event), (events.user_group(user_id), event)]


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


@dataclass
class RosterPlan:
    """What one roster chat should hold: ``desired`` (Membership pk → role), within ``scope`` (None: the whole
    chat), and who owns it by the regulation should it have no owner left (``candidates``, first choice first)."""

    chat: Chat
    desired: dict[int, str]
    scope: set[int] | None = None
    candidates: list[int] = field(default_factory=list)
    announce: bool = True


@dataclass
class _Changes:
    """The rows a roster apply writes, across all its chats, and the events it sends."""

    now: datetime.datetime
    created: list[ChatMember] = field(default_factory=list)
    revived: list[ChatMember] = field(default_factory=list)
    raised: list[ChatMember] = field(default_factory=list)
    demoted: list[ChatMember] = field(default_factory=list)
    gone: list[ChatMember] = field(default_factory=list)
    announced: list[ChatMember] = field(default_factory=list)
    handovers: list[tuple[Chat, int]] = field(default_factory=list)
    ownerless: list[Chat] = field(default_factory=list)

    def join(self, row: ChatMember | None, chat: Chat, *, member_id: int, role: str, last_id: int, announce: bool):
        """``members_join_unchecked`` for one member: made, back from leaving, or raised; a banned row stays."""
        if row is None:
            row = ChatMember(chat=chat, member_id=member_id)
            _start_row(row, chat, role=role, source=ChatMember.Source.ROSTER, now=self.now, last_id=last_id)
            self.created.append(row)
        elif row.banned:
            return None
        elif row.left_at is not None:
            _start_row(row, chat, role=role, source=ChatMember.Source.ROSTER, now=self.now, last_id=last_id)
            self.revived.append(row)
        else:
            if _ROLE_RANK[role] > _ROLE_RANK[row.role]:
                row.role = role
                self.raised.append(row)  # the roster raises a role only to «owner»
            return row
        if announce:
            self.announced.append(row)
        return row


def _locked_chats(chat_ids: list[int]) -> dict[int, Chat]:
    """The chats locked in primary-key order (two syncs never wait on each other in a circle)."""
    rows = Chat.objects.select_for_update(of=("self",)).select_related("college").filter(pk__in=chat_ids)
    return {chat.pk: chat for chat in rows.order_by("pk")}


def _last_message_ids(chat_ids: list[int]) -> dict[int, int]:
    last = Message.objects.filter(chat=OuterRef("pk")).order_by("-id").values("id")[:1]
    rows = Chat.objects.filter(pk__in=chat_ids).annotate(last=Subquery(last)).values_list("pk", "last")
    return {pk: last or 0 for pk, last in rows}


def _rows_by_chat(plans: list[RosterPlan]) -> dict[int, dict[int, ChatMember]]:
    """In one query: every row of the chats synced whole; of the others, the rows of the members in scope,
    desired or candidates, and every current owner (whether the chat keeps one)."""
    whole = [plan.chat.pk for plan in plans if plan.scope is None]
    scoped = [plan.chat.pk for plan in plans if plan.scope is not None]
    people: set[int] = set()
    for plan in plans:
        if plan.scope is not None:
            people |= plan.scope | set(plan.desired) | set(plan.candidates)
    owners = Q(role=ChatMember.Role.OWNER, left_at__isnull=True, banned=False)
    query = Q(chat_id__in=whole) | Q(chat_id__in=scoped) & (Q(member_id__in=people) | owners)
    found: dict[int, dict[int, ChatMember]] = {plan.chat.pk: {} for plan in plans}
    for row in ChatMember.objects.filter(query):
        found[row.chat_id][row.member_id] = row
    return found


def _plan_changes(plan: RosterPlan, rows: dict[int, ChatMember], last_id: int, changes: _Changes) -> None:
    """The difference between ``rows`` and the plan, kept in ``changes``: joins, roster owners made members,
    roster rows nobody wants ended; then the first free candidate owns a chat left without an owner."""
    chat, desired = plan.chat, plan.desired
    current = [
        row
        for member_id, row in rows.items()
        if row.left_at is None and not row.banned and (plan.scope is None or member_id in plan.scope)
    ]
    for member_id, role in desired.items():
        row = changes.join(
            rows.get(member_id), chat, member_id=member_id, role=role, last_id=last_id, announce=plan.announce
        )
        if row is not None:
            rows[member_id] = row
    has_owner = _OWNER in desired.values()
    for row in current:
        if row.source != ChatMember.Source.ROSTER:
            continue
        if row.member_id not in desired:
            row.left_at, row.role = changes.now, _MEMBER
            changes.gone.append(row)
        elif has_owner and row.role == _OWNER and desired[row.member_id] == _MEMBER:
            row.role = _MEMBER
            changes.demoted.append(row)
    if chat.kind != ChatKind.DIRECT and not any(r.is_current and r.role == _OWNER for r in rows.values()):
        _hand_over(plan, rows, last_id, changes)


def _hand_over(plan: RosterPlan, rows: dict[int, ChatMember], last_id: int, changes: _Changes) -> None:
    """``ensure_owner`` within the apply: the first candidate who is not banned owns the chat."""
    for member_id in plan.candidates:
        row = rows.get(member_id)
        if row is not None and row.banned:
            continue
        if row in changes.gone:  # an owner by the regulation stays, now as the owner
            changes.gone.remove(row)
            row.left_at = None
        if row in changes.demoted:
            changes.demoted.remove(row)
        if row is not None and row.left_at is None:
            row.role = _OWNER
            if row not in changes.raised and row not in changes.created and row not in changes.revived:
                changes.raised.append(row)
        else:
            rows[member_id] = changes.join(
                row, plan.chat, member_id=member_id, role=_OWNER, last_id=last_id, announce=True
            )
        changes.handovers.append((plan.chat, member_id))
        return
    changes.ownerless.append(plan.chat)


def _write(changes: _Changes) -> None:
    ChatMember.objects.bulk_create(changes.created)
    fields = ["left_at", "joined_at", "role", "source", "last_read_message_id", "first_visible_message_id"]
    ChatMember.objects.bulk_update(changes.revived, fields)
    for rows, values in (
        (changes.raised, {"role": _OWNER}),
        (changes.demoted, {"role": _MEMBER}),
        (changes.gone, {"left_at": changes.now, "role": _MEMBER}),
    ):
        if rows:
            ChatMember.objects.filter(pk__in=[row.pk for row in rows]).update(**values)


def _audit(actor, changes: _Changes) -> None:
    """One event per action and college for every chat of the apply (``audit_log_many``: one INSERT each)."""
    for action, rows, after in (
        ("chat.member_add", changes.created + changes.revived, {"source": ChatMember.Source.ROSTER}),
        ("chat.member_remove", changes.gone, {}),
    ):
        by_college: dict[int, list[ChatMember]] = defaultdict(list)
        for row in rows:
            by_college[row.chat.college_id].append(row)
        for college_rows in by_college.values():
            chats = sorted({row.chat_id for row in college_rows})
            audit_log_many(
                actor=actor,
                college=college_rows[0].chat.college,
                action=action,
                model=ChatMember,
                ids=[row.pk for row in college_rows],
                after={**after, "chats": chats},
            )
    for chat, member_id in changes.handovers:
        audit_log(
            actor=actor, college=chat.college, action="chat.owner_handover", target=chat, after={"owner": member_id}
        )


def _publish(changes: _Changes) -> None:
    """Every chat's ``member.added`` and ``member.removed`` in one ``publish_many`` (the people's user ids read
    in one query)."""
    people = {row.member_id for row in changes.announced + changes.gone}
    if not people:
        return
    users = dict(Membership.objects.filter(pk__in=people).values_list("pk", "user_id"))
    sends = [(events.chat_group(row.chat_id), _added_event(row, users[row.member_id])) for row in changes.announced]
    for row in changes.gone:
        sends += _removed_sends(row.chat, row, user_id=users[row.member_id])
    events.publish_many(sends)


def members_apply_roster_unchecked(*, actor, plans: list[RosterPlan]) -> None:
    """Bring the roster rows of many chats in line with their plans, in a number of queries that grows with
    neither the chats nor the people: the chats locked in one, their rows read in one, then one INSERT of
    the joins, one UPDATE per kind of change, one audit event per action (with ``audit_log_batch`` around
    it, the handovers' too) and one ``publish_many``.

    The rules are those of ``members_join_unchecked``, ``members_leave_unchecked`` and ``ensure_owner``:
    only rows the roster made (``source=roster``) are ended; a banned row is never re-added; an owner is
    made a member only when the plan names another owner; an archived chat is left as it is.
    """
    chats = _locked_chats([plan.chat.pk for plan in plans])
    plans = [
        replace(plan, chat=chats[plan.chat.pk])
        for plan in plans
        if plan.chat.pk in chats and chats[plan.chat.pk].status != Chat.Status.ARCHIVED
    ]
    if not plans:
        return
    chat_ids = [plan.chat.pk for plan in plans]
    rows, last_ids = _rows_by_chat(plans), _last_message_ids(chat_ids)
    changes = _Changes(now=timezone.now())
    for plan in plans:
        for row in rows[plan.chat.pk].values():
            row.chat = plan.chat
        _plan_changes(plan, rows[plan.chat.pk], last_ids[plan.chat.pk], changes)
    _write(changes)
    _audit(actor, changes)
    _publish(changes)
    for chat in changes.ownerless:  # nobody by the regulation: the longest-standing member (rare)
        ensure_owner(actor=actor, chat=chat)
    if actor is not None:
        forget_chat_roles(actor)
