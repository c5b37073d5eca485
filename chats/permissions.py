"""Who may do what in chats (seed §2.1–2.6): one predicate per action, asked alike by pages, API, menu,
templates and the WebSocket consumer.

- Every member of a college sees the chats they are a current member of (``left_at`` empty, not banned),
  archived and read-only ones included; nobody else reads a chat, the administrator included (the
  administrator reads reported messages in the report queue).
- Posting needs an active chat, a current, unmuted membership, and in a channel the owner or moderator role.
- Moderation (delete with a reason, mute, remove, ban, pin) belongs to the chat's owners and moderators and,
  in every chat but a direct one, to the college's administrator.
- Creating: the administrator creates any common chat (college, staff, channel, free); the administration
  staff chats, channels and free chats; a teacher channels and free chats; group chats are made by the roster
  sync, or by the group's curator (group, parents) and the subject's teacher (subject).
- Direct chats (safe mode): staff write to anyone of the college; a student to the curator and subject
  teachers of their group and to classmates; a parent to the curator and subject teachers of their child's
  group (``GroupParent``). Nobody writes across colleges.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from chats import texts
from chats.models import GROUP_KINDS, Chat, ChatKind, ChatMember, Message, MessageReport
from colleges.models import STAFF_ROLES, College, Membership, Role
from colleges.permissions import has_role, is_member, roles_in
from groups.models import (
    CuratorAssignment,
    Enrollment,
    GroupParent,
    Guardian,
    StudyGroup,
    SubjectTeacherAssignment,
)
from groups.permissions import teacher_scope
from invitations.permissions import can_invite_parents

_CACHE = "_chat_members"
MODERATOR_ROLES = (ChatMember.Role.OWNER, ChatMember.Role.MODERATOR)
# A mute «до отмены» is stored as a far-off time; anything this far ahead is shown as «до отмены».
MUTE_INDEFINITE = datetime.timedelta(days=365 * 100)
_MUTE_SHOWN_INDEFINITE = datetime.timedelta(days=365 * 50)
# Which common chats each role may create (group-bound kinds: see can_create_group_chat).
CREATABLE_KINDS = {
    Role.ADMINISTRATOR: {ChatKind.COLLEGE, ChatKind.STAFF, ChatKind.CHANNEL, ChatKind.FREE},
    Role.ADMINISTRATION: {ChatKind.STAFF, ChatKind.CHANNEL, ChatKind.FREE},
    Role.TEACHER: {ChatKind.CHANNEL, ChatKind.FREE},
}


def viewer_rows(user):
    """The user's rows in chats through their active memberships, in the order ``viewer_member`` picks from."""
    return viewer_rows_of(user.pk)


def viewer_rows_of(user_id: int):
    """``viewer_rows`` of the user with that pk."""
    return (
        ChatMember.objects.filter(member__user_id=user_id, member__status=Membership.Status.ACTIVE)
        .select_related("member")
        .order_by("left_at", "-id")
    )


def viewer_member(user, chat: Chat) -> ChatMember | None:
    """The user's row in ``chat`` (current rows first), cached on the user object per chat."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache = user.__dict__.setdefault(_CACHE, {})
    if chat.pk not in cache:
        cache[chat.pk] = viewer_rows(user).filter(chat=chat).first()
    return cache[chat.pk]


def remember_viewer_member(user, chat: Chat, row: ChatMember | None) -> None:
    """Keep ``row`` (found by ``viewer_rows``) as the user's row in ``chat``: a selector that read it with the
    chat spares ``viewer_member`` its query."""
    user.__dict__.setdefault(_CACHE, {})[chat.pk] = row


def forget_chat_roles(user) -> None:
    """Drop the cached rows after a write changed them (the services call it)."""
    user.__dict__.pop(_CACHE, None)


def _is_current(row: ChatMember | None) -> bool:
    return row is not None and row.left_at is None and not row.banned


def is_college_administrator(user, college: College) -> bool:
    return has_role(user, college, Role.ADMINISTRATOR)


def can_view_chats(user, college: College | None) -> bool:
    return is_member(user, college)


def can_view_chat(user, chat: Chat) -> bool:
    return _is_current(viewer_member(user, chat))


def post_refusal(user, chat: Chat) -> str | None:
    """Why ``user`` may not write in ``chat`` now (a sentence to show), or None when they may."""
    row = viewer_member(user, chat)
    if row is None:
        return texts.NOT_A_MEMBER
    if row.banned:
        return texts.BANNED
    if row.left_at is not None:
        return texts.LEFT_CHAT
    if chat.status == Chat.Status.ARCHIVED:
        return texts.ARCHIVED
    if chat.status == Chat.Status.READ_ONLY:
        return texts.READ_ONLY
    if row.muted_until is not None and row.muted_until > timezone.now():
        if row.muted_until - timezone.now() > _MUTE_SHOWN_INDEFINITE:
            return texts.MUTED_INDEFINITELY
        until = timezone.localtime(row.muted_until).strftime("%d.%m %H:%M")
        return texts.MUTED_UNTIL.format(until=until)
    if chat.kind == ChatKind.CHANNEL and row.role not in MODERATOR_ROLES:
        return texts.CHANNEL_POST_DENIED
    return None


def can_post(user, chat: Chat) -> bool:
    return post_refusal(user, chat) is None


def can_react(user, chat: Chat) -> bool:
    """Members react in active chats, channels included."""
    return can_view_chat(user, chat) and chat.status == Chat.Status.ACTIVE


def can_moderate(user, chat: Chat) -> bool:
    row = viewer_member(user, chat)
    if _is_current(row) and row.role in MODERATOR_ROLES:
        return True
    return chat.kind != ChatKind.DIRECT and is_college_administrator(user, chat.college)


def can_manage_chat(user, chat: Chat) -> bool:
    """Rename, change settings and status, appoint moderators: an owner, or the administrator."""
    if chat.kind == ChatKind.DIRECT:
        return False
    row = viewer_member(user, chat)
    if _is_current(row) and row.role == ChatMember.Role.OWNER:
        return True
    return is_college_administrator(user, chat.college)


def can_create_chat(user, college: College | None, kind: str) -> bool:
    """Common chats (college, staff, channel, free); group chats: ``can_create_group_chat``."""
    if college is None:
        return False
    return any(kind in CREATABLE_KINDS.get(role, ()) for role in roles_in(user, college))


def can_create_group_chat(user, group: StudyGroup, kind: str, discipline_id: int | None = None) -> bool:
    if kind not in GROUP_KINDS:
        return False
    if is_college_administrator(user, group.college):
        return True
    scope = teacher_scope(user, group.college)
    if kind == ChatKind.SUBJECT:
        return (group.pk, discipline_id) in scope.subjects or group.pk in scope.curated
    return group.pk in scope.curated


def can_invite_parents_to(user, chat: Chat) -> bool:
    """«Пригласить родителей» on a group's parents' chat: whoever may make the group's parent link (its curator,
    the administration, the administrator — ``invitations.permissions.can_invite_parents``)."""
    if chat.kind != ChatKind.PARENTS or chat.study_group_id is None:
        return False
    return can_invite_parents(user, chat.study_group)


def _active(membership: Membership | None, college: College) -> bool:
    return membership is not None and membership.college_id == college.pk and membership.is_active


def _staff_of_groups(group_ids, other: Membership) -> bool:
    if other.role != Role.TEACHER or not group_ids:
        return False
    return (
        CuratorAssignment.objects.filter(group_id__in=group_ids, teacher=other, ended_at__isnull=True).exists()
        or SubjectTeacherAssignment.objects.filter(
            group_id__in=group_ids, teacher=other, ended_at__isnull=True
        ).exists()
    )


def direct_allowed(viewer: Membership, other: Membership) -> bool:
    """Safe mode between two memberships of one college (see the module's docstring)."""
    if viewer.college_id != other.college_id or viewer.user_id == other.user_id:
        return False
    if not (viewer.is_active and other.is_active):
        return False
    if viewer.role in STAFF_ROLES:
        return True
    if viewer.role == Role.STUDENT:
        group_ids = list(
            Enrollment.objects.filter(student=viewer, ended_at__isnull=True).values_list("group_id", flat=True)
        )
        if other.role == Role.STUDENT:
            return Enrollment.objects.filter(student=other, group_id__in=group_ids, ended_at__isnull=True).exists()
        if other.role in (Role.ADMINISTRATOR, Role.ADMINISTRATION):
            return False
        return _staff_of_groups(group_ids, other)
    if viewer.role == Role.PARENT:
        return _staff_of_groups(parent_group_ids(viewer), other)
    return False


def parent_group_ids(parent: Membership) -> set[int]:
    """A parent's groups: those whose parent link they followed (``GroupParent``) and the current groups of the
    children confirmed as theirs (``Guardian``), so a child's transfer brings the new group's staff in reach."""
    linked = set(GroupParent.objects.filter(parent=parent).values_list("group_id", flat=True))
    wards = Guardian.objects.filter(parent=parent, status=Guardian.Status.CONFIRMED).values("student_id")
    current = Enrollment.objects.filter(student_id__in=wards, ended_at__isnull=True).values_list("group_id", flat=True)
    return linked | set(current)


def _student_group_id(student: Membership) -> int | None:
    return Enrollment.objects.filter(student=student, ended_at__isnull=True).values_list("group_id", flat=True).first()


def member_allowed_in(member: Membership, chat: Chat) -> bool:
    """Safe mode for adding someone by hand or by link (the roster sync follows its own rules): a parent joins
    their groups' parents' chats and free chats or channels with no student of another group; a student joins
    no parents' chat and no free chat or channel holding a parent of another group."""
    if member.role not in (Role.PARENT, Role.STUDENT):
        return True
    current = ChatMember.objects.filter(chat=chat, left_at__isnull=True, banned=False)
    if member.role == Role.PARENT:
        groups = parent_group_ids(member)
        if chat.kind == ChatKind.PARENTS:
            return chat.study_group_id in groups
        if chat.kind not in (ChatKind.FREE, ChatKind.CHANNEL):
            return False
        students = current.filter(member__role=Role.STUDENT).values("member_id")
        return not (
            Enrollment.objects.filter(student_id__in=students, ended_at__isnull=True).exclude(group_id__in=groups)
        ).exists()
    if chat.kind == ChatKind.PARENTS:
        return False
    if chat.kind not in (ChatKind.FREE, ChatKind.CHANNEL):
        return True
    group_id = _student_group_id(member)
    parents = current.filter(member__role=Role.PARENT).select_related("member")
    return all(group_id in parent_group_ids(row.member) for row in parents)


def direct_membership_for(user, college: College, other: Membership) -> Membership | None:
    """The user's membership that may open a direct chat with ``other`` (staff roles tried first), or None."""
    if not _active(other, college) or not getattr(user, "is_authenticated", False):
        return None
    order = {role: i for i, role in enumerate([*STAFF_ROLES, Role.STUDENT, Role.PARENT])}
    mine = sorted(
        Membership.objects.filter(user=user, college=college, status=Membership.Status.ACTIVE),
        key=lambda m: order.get(m.role, 99),
    )
    return next((membership for membership in mine if direct_allowed(membership, other)), None)


def can_open_direct(user, other: Membership) -> bool:
    return direct_membership_for(user, other.college, other) is not None


def can_edit_message(user, message: Message) -> bool:
    if message.is_deleted or message.kind != Message.Kind.TEXT or message.author is None:
        return False
    if message.author.user_id != getattr(user, "pk", None) or not can_post(user, message.chat):
        return False
    window = datetime.timedelta(minutes=settings.CHAT_EDIT_WINDOW_MINUTES)
    return timezone.now() - message.created_at <= window


def can_delete_message(user, message: Message) -> bool:
    """Own messages, while the author is still a member of the chat."""
    if message.is_deleted or message.author is None or message.author.user_id != getattr(user, "pk", None):
        return False
    return can_view_chat(user, message.chat)


def can_report(user, message: Message) -> bool:
    if message.is_deleted or message.kind != Message.Kind.TEXT:
        return False
    if message.author is not None and message.author.user_id == getattr(user, "pk", None):
        return False
    return can_view_chat(user, message.chat)


def can_decide_report(user, report: MessageReport) -> bool:
    """The chat's moderators; and the administrator for every chat, a direct one included (a student
    reporting what someone wrote to them privately has nobody else to turn to)."""
    chat = report.message.chat
    return can_moderate(user, chat) or is_college_administrator(user, chat.college)


def can_view_attachment(user, attachment) -> bool:
    """A chat attachment: whoever reads its message (a member from the message on, not after its deletion),
    and the chat's moderators of a deleted one (to decide a report)."""
    message = attachment.message
    if message.is_deleted:
        return can_moderate(user, message.chat)
    row = viewer_member(user, message.chat)
    return can_view_chat(user, message.chat) and message.pk >= row.first_visible_message_id


def can_view_reports(user, college: College | None) -> bool:
    """The queue page: anyone who may moderate something (the queue itself shows only their chats)."""
    if college is None:
        return False
    return (
        is_college_administrator(user, college)
        or ChatMember.objects.filter(
            chat__college=college,
            member__user=user,
            member__status=Membership.Status.ACTIVE,
            role__in=MODERATOR_ROLES,
            left_at__isnull=True,
            banned=False,
        ).exists()
    )
