"""Chats that follow the roster: each computes the members it should have and applies the difference.

- the college chat: every active student and staff member of the college, the administrator owning it;
- the staff chat: every active administrator, administration and teacher membership;
- a study group's chat: its enrolled students, its curator owning it;
- a group's parents' chat (``ChatSettings.parents_chat_per_group``): its ``GroupParent`` parents, the curator
  owning it;
- a subject chat (group × discipline, made when a teacher is assigned the discipline): the group's students,
  the discipline's teachers owning it.

A chat's owner by the roster is its curator (subject chats: its teachers), or else the college's
administrator (``common.owner_candidates``). Only rows the sync made (``source=roster``) are removed
by it: members added by hand or by link stay. Banned rows are never re-added. Running a sync twice
changes nothing the second time. An archived group's chats are archived and keep their members: they
stay readable to the people who were in them.
"""

from django.db import IntegrityError, transaction

from audit.services import audit_log
from chats import texts
from chats.models import HISTORY_VISIBLE_DEFAULT, Chat, ChatKind, ChatMember, ChatSettings
from chats.services.chats import chat_set_status_unchecked
from chats.services.common import (
    ensure_owner,
    lock_chat,
    members_join_unchecked,
    members_leave_unchecked,
    owner_candidates,
)
from colleges.models import STAFF_ROLES, College, Membership, Role
from groups.models import Enrollment, GroupParent, StudyGroup, SubjectTeacherAssignment

COLLEGE_CHAT_ROLES = (*STAFF_ROLES, Role.STUDENT)
_MEMBER = ChatMember.Role.MEMBER
_OWNER = ChatMember.Role.OWNER


def parents_chat_enabled(college: College) -> bool:
    settings_row = ChatSettings.objects.filter(college=college).first()
    return settings_row.parents_chat_per_group if settings_row else True


def _chat_get_or_create(*, college: College, kind: str, title: str, group=None, discipline=None) -> tuple[Chat, bool]:
    lookup = {"college": college, "kind": kind}
    if group is not None:
        lookup["study_group"] = group
    if discipline is not None:
        lookup["discipline"] = discipline
    chat = Chat.objects.filter(**lookup).first()
    if chat is not None:
        return chat, False
    try:
        with transaction.atomic():
            chat = Chat.objects.create(**lookup, title=title[:200], history_visible=HISTORY_VISIBLE_DEFAULT[kind])
            audit_log(actor=None, college=college, action="chat.create", target=chat, after={"kind": kind})
    except IntegrityError:
        return Chat.objects.get(**lookup), False
    return chat, True


def _apply_roster(*, actor, chat: Chat, desired: dict[int, str], scope: set[int] | None = None, announce=True) -> None:
    """Make the roster rows of ``chat`` match ``desired`` (Membership pk → role), within ``scope`` if given."""
    chat = lock_chat(chat)
    if chat.status == Chat.Status.ARCHIVED:
        return
    rows = ChatMember.objects.filter(chat=chat).select_related("member")
    if scope is not None:
        rows = rows.filter(member_id__in=scope)
    current = {row.member_id: row for row in rows if row.left_at is None and not row.banned}
    wanted = {
        member_id: role
        for member_id, role in desired.items()
        if member_id not in current or (role == _OWNER and current[member_id].role != _OWNER)
    }
    members_join_unchecked(actor=actor, chat=chat, roles=wanted, source=ChatMember.Source.ROSTER, announce=announce)
    has_owner = _OWNER in desired.values()
    demoted = [
        row
        for member_id, row in current.items()
        if has_owner
        and row.source == ChatMember.Source.ROSTER
        and row.role == _OWNER
        and desired.get(member_id) == _MEMBER
    ]
    for row in demoted:
        row.role = _MEMBER
    ChatMember.objects.bulk_update(demoted, ["role"])
    gone = [
        row for member_id, row in current.items() if row.source == ChatMember.Source.ROSTER and member_id not in desired
    ]
    members_leave_unchecked(actor=actor, chat=chat, rows=gone)
    ensure_owner(actor=actor, chat=chat)


def _roster_owners(chat: Chat) -> list[int]:
    """The owners the roster gives ``chat``: a subject's teachers, or the first of ``owner_candidates``."""
    if chat.kind == ChatKind.SUBJECT:
        teachers = list(
            SubjectTeacherAssignment.objects.filter(
                group_id=chat.study_group_id,
                discipline_id=chat.discipline_id,
                ended_at__isnull=True,
                teacher__status=Membership.Status.ACTIVE,
            ).values_list("teacher_id", flat=True)
        )
        if teachers:
            return teachers
    candidates = owner_candidates(chat)
    return candidates[:1]


def _desired(chat: Chat, base: list[int]) -> dict[int, str]:
    desired = dict.fromkeys(base, _MEMBER)
    desired.update(dict.fromkeys(_roster_owners(chat), _OWNER))
    return desired


def _group_chats(group: StudyGroup) -> list[tuple[Chat, bool]]:
    """The group's roster chats, made if missing: the group's, the parents' (if the college wants it) and one
    subject chat per discipline taught to it now."""
    college = group.college
    made = [
        _chat_get_or_create(
            college=college,
            kind=ChatKind.STUDY_GROUP,
            group=group,
            title=texts.GROUP_CHAT_TITLE.format(group=group.name),
        )
    ]
    if parents_chat_enabled(college) or Chat.objects.filter(study_group=group, kind=ChatKind.PARENTS).exists():
        made.append(
            _chat_get_or_create(
                college=college,
                kind=ChatKind.PARENTS,
                group=group,
                title=texts.PARENTS_CHAT_TITLE.format(group=group.name),
            )
        )
    taught = SubjectTeacherAssignment.objects.filter(group=group, ended_at__isnull=True).select_related("discipline")
    for discipline in {assignment.discipline for assignment in taught}:
        made.append(
            _chat_get_or_create(
                college=college,
                kind=ChatKind.SUBJECT,
                group=group,
                discipline=discipline,
                title=texts.SUBJECT_CHAT_TITLE.format(group=group.name, discipline=discipline.name),
            )
        )
    known = {chat.pk for chat, _ in made}
    made += [
        (chat, False) for chat in Chat.objects.filter(study_group=group, kind=ChatKind.SUBJECT).exclude(pk__in=known)
    ]
    return made


@transaction.atomic
def chat_sync_group(*, group: StudyGroup, actor=None, members: set[int] | None = None) -> list[Chat]:
    """Create the group's roster chats if missing and bring their members in line with the roster;
    ``members`` limits the work to those memberships (one student's move) instead of the whole group.

    An archived or graduated group's chats are archived instead, their members kept.
    """
    group = StudyGroup.objects.select_related("college").get(pk=group.pk)
    chats = _group_chats(group)
    if group.status != StudyGroup.Status.ACTIVE:
        for chat, _ in chats:
            chat_set_status_unchecked(actor=actor, chat=chat, status=Chat.Status.ARCHIVED)
        return [chat for chat, _ in chats]
    students = Enrollment.objects.filter(group=group, ended_at__isnull=True, student__status=Membership.Status.ACTIVE)
    parents = GroupParent.objects.filter(group=group, parent__status=Membership.Status.ACTIVE)
    if members is not None:
        students, parents = students.filter(student_id__in=members), parents.filter(parent_id__in=members)
    students = list(students.values_list("student_id", flat=True))
    parents = list(parents.values_list("parent_id", flat=True))
    for chat, created in chats:
        desired = _desired(chat, parents if chat.kind == ChatKind.PARENTS else students)
        if members is not None:
            desired = {member_id: role for member_id, role in desired.items() if member_id in members}
        _apply_roster(actor=actor, chat=chat, desired=desired, scope=members, announce=not created)
    return [chat for chat, _ in chats]


@transaction.atomic
def chat_group_restore(*, group: StudyGroup, actor=None) -> list[Chat]:
    """A group active again: its archived roster chats open again, then the roster sync runs."""
    for chat in Chat.objects.filter(study_group=group, status=Chat.Status.ARCHIVED):
        chat_set_status_unchecked(actor=actor, chat=chat, status=Chat.Status.ACTIVE)
    return chat_sync_group(group=group, actor=actor)


@transaction.atomic
def chat_group_rename(*, group: StudyGroup) -> None:
    """Titles of the roster chats follow the group's new name."""
    titles = {
        ChatKind.STUDY_GROUP: texts.GROUP_CHAT_TITLE.format(group=group.name),
        ChatKind.PARENTS: texts.PARENTS_CHAT_TITLE.format(group=group.name),
    }
    for kind, title in titles.items():
        Chat.objects.filter(study_group=group, kind=kind).exclude(title=title).update(title=title[:200])
    for chat in Chat.objects.filter(study_group=group, kind=ChatKind.SUBJECT).select_related("discipline"):
        title = texts.SUBJECT_CHAT_TITLE.format(group=group.name, discipline=chat.discipline.name)[:200]
        if chat.title != title:
            Chat.objects.filter(pk=chat.pk).update(title=title)


def college_chats(college: College) -> tuple[tuple[Chat, bool], tuple[Chat, bool]]:
    """The college chat and the staff chat, made on first need."""
    name = college.short_name
    return (
        _chat_get_or_create(
            college=college, kind=ChatKind.COLLEGE, title=texts.COLLEGE_CHAT_TITLE.format(college=name)
        ),
        _chat_get_or_create(college=college, kind=ChatKind.STAFF, title=texts.STAFF_CHAT_TITLE.format(college=name)),
    )


def _college_desired(chat: Chat, *, roles, scope: set[int] | None) -> dict[int, str]:
    members = Membership.objects.filter(college_id=chat.college_id, status=Membership.Status.ACTIVE, role__in=roles)
    if scope is not None:
        members = members.filter(pk__in=scope)
    desired = dict.fromkeys(members.values_list("pk", flat=True), _MEMBER)
    owners = _roster_owners(chat)
    if scope is None or set(owners) & scope:
        desired.update(dict.fromkeys(owners, _OWNER))
    return desired


@transaction.atomic
def chat_sync_college(*, college: College, actor=None, members: set[int] | None = None) -> tuple[Chat, Chat]:
    """The college and staff chats with their members; ``members`` limits the sync to those memberships
    (one person's enrolment, hire or leaving) instead of the whole college."""
    (college_chat, college_new), (staff_chat, staff_new) = college_chats(college)
    for chat, created, roles in (
        (college_chat, college_new, COLLEGE_CHAT_ROLES),
        (staff_chat, staff_new, STAFF_ROLES),
    ):
        desired = _college_desired(chat, roles=roles, scope=members)
        _apply_roster(actor=actor, chat=chat, desired=desired, scope=members, announce=not created)
    return college_chat, staff_chat
