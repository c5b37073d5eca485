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

A sync is set-based (``chat_sync_roster``): the roster of every group it names is read in a query per kind of
row, the missing chats made in one INSERT, and the differences of all the chats applied together
(``common.members_apply_roster_unchecked``): a whole college's batch of changes costs the same few dozen
statements as one student's move.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from audit.services import audit_log, audit_log_batch
from chats import texts
from chats.models import HISTORY_VISIBLE_DEFAULT, Chat, ChatKind, ChatMember, ChatSettings
from chats.services.chats import chat_set_status_unchecked
from chats.services.common import RosterPlan, members_apply_roster_unchecked
from colleges.models import STAFF_ROLES, College, Membership, Role
from groups.models import CuratorAssignment, Enrollment, GroupParent, StudyGroup, SubjectTeacherAssignment

COLLEGE_CHAT_ROLES = (*STAFF_ROLES, Role.STUDENT)
_MEMBER = ChatMember.Role.MEMBER
_OWNER = ChatMember.Role.OWNER
_ACTIVE = Membership.Status.ACTIVE


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


def _admins(college: College) -> list[int]:
    """The college's active administrators in ``owner_candidates``' order (by name), without joining colleges."""
    admins = Membership.objects.filter(college=college, role=Role.ADMINISTRATOR, status=_ACTIVE)
    return list(admins.order_by("sort_name", "pk").values_list("pk", flat=True))


@dataclass
class _Groups:
    """What the roster says of some study groups of one college, read in a query per kind of row."""

    groups: list[StudyGroup]
    admins: list[int]
    taught: dict[int, dict[int, str]] = field(default_factory=dict)  # group → discipline → its name
    teachers: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # active, first assigned first
    curators: dict[int, list[int]] = field(default_factory=dict)
    students: dict[int, list[int]] = field(default_factory=dict)
    parents: dict[int, list[int]] = field(default_factory=dict)

    def candidates(self, chat: Chat) -> list[int]:
        """``common.owner_candidates`` of a group's chat, from the rows read."""
        subject = self.teachers.get((chat.study_group_id, chat.discipline_id), [])
        if chat.kind != ChatKind.SUBJECT:
            subject = []
        return [*subject, *self.curators.get(chat.study_group_id, []), *self.admins]

    def owners(self, chat: Chat) -> list[int]:
        """The owners the roster gives ``chat``: a subject's teachers, or the first candidate."""
        if chat.kind == ChatKind.SUBJECT and self.teachers.get((chat.study_group_id, chat.discipline_id)):
            return self.teachers[(chat.study_group_id, chat.discipline_id)]
        return self.candidates(chat)[:1]


def _read_staff(groups: list[StudyGroup], admins: list[int]) -> _Groups:
    read = _Groups(groups=groups, admins=admins)
    ids = [group.pk for group in groups]
    taught = SubjectTeacherAssignment.objects.filter(group_id__in=ids, ended_at__isnull=True).order_by(
        "started_at", "id"
    )
    for group_id, discipline_id, name, teacher_id, status in taught.values_list(
        "group_id", "discipline_id", "discipline__name", "teacher_id", "teacher__status"
    ):
        read.taught.setdefault(group_id, {})[discipline_id] = name
        if status == _ACTIVE:
            read.teachers.setdefault((group_id, discipline_id), []).append(teacher_id)
    curators = CuratorAssignment.objects.filter(group_id__in=ids, ended_at__isnull=True, teacher__status=_ACTIVE)
    for group_id, teacher_id in curators.order_by("pk").values_list("group_id", "teacher_id"):
        read.curators.setdefault(group_id, []).append(teacher_id)
    return read


def _read_people(read: _Groups, ids: list[int], people: set[int] | None) -> None:
    """The active students and parents of the groups ``ids`` (only ``people`` among them, when given)."""
    students = Enrollment.objects.filter(group_id__in=ids, ended_at__isnull=True, student__status=_ACTIVE)
    parents = GroupParent.objects.filter(group_id__in=ids, parent__status=_ACTIVE)
    if people is not None:
        students, parents = students.filter(student_id__in=people), parents.filter(parent_id__in=people)
    for group_id, student_id in students.order_by().values_list("group_id", "student_id"):
        read.students.setdefault(group_id, []).append(student_id)
    for group_id, parent_id in parents.order_by().values_list("group_id", "parent_id"):
        read.parents.setdefault(group_id, []).append(parent_id)


def _chat_key(kind: str, group_id: int, discipline_id: int | None) -> tuple[str, int, int | None]:
    return kind, group_id, discipline_id if kind == ChatKind.SUBJECT else None


def _new_chats(college: College, read: _Groups, existing: set[tuple]) -> list[Chat]:
    """The roster chats the groups lack: the group's, the parents' (if the college wants it, or had one) and
    one subject chat per discipline taught to the group now."""
    parents_on = parents_chat_enabled(college)
    made = []
    for group in read.groups:
        wanted = [(ChatKind.STUDY_GROUP, None, texts.GROUP_CHAT_TITLE.format(group=group.name))]
        if parents_on:
            wanted.append((ChatKind.PARENTS, None, texts.PARENTS_CHAT_TITLE.format(group=group.name)))
        for discipline_id, name in read.taught.get(group.pk, {}).items():
            title = texts.SUBJECT_CHAT_TITLE.format(group=group.name, discipline=name)
            wanted.append((ChatKind.SUBJECT, discipline_id, title))
        made += [
            Chat(
                college=college,
                kind=kind,
                study_group=group,
                discipline_id=discipline_id,
                title=title[:200],
                history_visible=HISTORY_VISIBLE_DEFAULT[kind],
            )
            for kind, discipline_id, title in wanted
            if _chat_key(kind, group.pk, discipline_id) not in existing
        ]
    return made


def _group_chats(college: College, read: _Groups) -> dict[int, list[tuple[Chat, bool]]]:
    """Each group's roster chats (chat, made now), the missing ones made in one INSERT (one at a time, should
    another sync make the same chats at this moment)."""
    chats: dict[int, list[tuple[Chat, bool]]] = defaultdict(list)
    existing = Chat.objects.filter(
        study_group__in=read.groups, kind__in=[ChatKind.STUDY_GROUP, ChatKind.PARENTS, ChatKind.SUBJECT]
    )
    for chat in existing.order_by("pk"):
        chats[chat.study_group_id].append((chat, False))
    keys = {
        _chat_key(chat.kind, chat.study_group_id, chat.discipline_id) for pairs in chats.values() for chat, _ in pairs
    }
    new = _new_chats(college, read, keys)
    if not new:
        return chats
    try:
        with transaction.atomic():
            Chat.objects.bulk_create(new)
    except IntegrityError:
        new = [
            _chat_get_or_create(
                college=college, kind=chat.kind, title=chat.title, group=chat.study_group, discipline=chat.discipline
            )
            for chat in new
        ]
    else:
        for chat in new:
            audit_log(actor=None, college=college, action="chat.create", target=chat, after={"kind": chat.kind})
        new = [(chat, True) for chat in new]
    for chat, made in new:
        chats[chat.study_group_id].append((chat, made))
    return chats


def _group_plans(read: _Groups, chats: dict[int, list[tuple[Chat, bool]]], scopes: dict[int, set[int] | None]):
    plans = []
    for group in read.groups:
        scope = scopes.get(group.pk)
        for chat, made in chats[group.pk]:
            base = read.parents if chat.kind == ChatKind.PARENTS else read.students
            desired = dict.fromkeys(base.get(group.pk, []), _MEMBER)
            desired.update(dict.fromkeys(read.owners(chat), _OWNER))
            if scope is not None:
                desired = {member_id: role for member_id, role in desired.items() if member_id in scope}
            plans.append(RosterPlan(chat, desired, scope, read.candidates(chat), announce=not made))
    return plans


def _group_sync_plans(*, actor, college: College, scopes: dict, admins: list[int]) -> tuple[list[RosterPlan], dict]:
    """The plans of the groups ``scopes`` names (group pk → its memberships to sync, or None: all of them), and
    each found group's chats; an archived or graduated group's chats archived instead, their members kept."""
    groups = list(StudyGroup.objects.filter(college=college, pk__in=list(scopes)).order_by("pk"))
    for group in groups:
        group.college = college
    read = _read_staff(groups, admins)
    chats = _group_chats(college, read)
    active = [group for group in groups if group.status == StudyGroup.Status.ACTIVE]
    for group in groups:
        if group.status != StudyGroup.Status.ACTIVE:
            for chat, _ in chats[group.pk]:
                chat_set_status_unchecked(actor=actor, chat=chat, status=Chat.Status.ARCHIVED)
    read.groups = active
    # A chat made now takes everyone of its group, whatever the change that made it.
    scopes = {pk: None if any(made for _, made in chats[pk]) else scope for pk, scope in scopes.items()}
    scoped = [scopes[group.pk] for group in active]
    people = None if not scoped or None in scoped else set().union(*scoped)
    _read_people(read, [group.pk for group in active], people)
    return _group_plans(read, chats, scopes), {group.pk: [chat for chat, _ in chats[group.pk]] for group in groups}


def _college_sync_plans(college: College, scope: set[int] | None, admins: list[int]):
    """The plans of the college chat (every active student and staff member) and the staff chat, the first
    administrator owning both."""
    (college_chat, college_new), (staff_chat, staff_new) = college_chats(college)
    people = Membership.objects.filter(college=college, status=_ACTIVE, role__in=COLLEGE_CHAT_ROLES)
    if scope is not None:
        people = people.filter(pk__in=scope)
    people = list(people.values_list("pk", "role"))
    owners = admins[:1]
    plans = []
    for chat, made, roles in (
        (college_chat, college_new, COLLEGE_CHAT_ROLES),
        (staff_chat, staff_new, STAFF_ROLES),
    ):
        desired = {member_id: _MEMBER for member_id, role in people if role in roles}
        if scope is None or set(owners) & scope:
            desired.update(dict.fromkeys(owners, _OWNER))
        plans.append(RosterPlan(chat, desired, scope, admins, announce=not made))
    return plans, (college_chat, staff_chat)


@transaction.atomic
def chat_sync_roster(*, college: College, scopes: dict[int | None, set[int] | None], actor=None) -> dict:
    """Create the roster chats of the college's groups in ``scopes`` if missing and bring their members, and
    the college and staff chats' (key None), in line with the roster: group pk → the memberships to sync (one
    student's move), or None for everyone. One transaction and a number of queries that grows with neither
    the groups nor the people (``common.members_apply_roster_unchecked``).

    Returns the chats synced: group pk → its roster chats, and None → (college chat, staff chat).
    """
    admins = _admins(college)
    groups = {group_id: scope for group_id, scope in scopes.items() if group_id is not None}
    synced: dict = {}
    plans: list[RosterPlan] = []
    with audit_log_batch():  # the chats made, the handovers and the archivings: one INSERT
        if groups:
            plans, synced = _group_sync_plans(actor=actor, college=college, scopes=groups, admins=admins)
        if None in scopes:
            college_plans, synced[None] = _college_sync_plans(college, scopes[None], admins)
            plans += college_plans
        members_apply_roster_unchecked(actor=actor, plans=plans)
    return synced


def chat_sync_group(*, group: StudyGroup, actor=None, members: set[int] | None = None) -> list[Chat]:
    """Create the group's roster chats if missing and bring their members in line with the roster;
    ``members`` limits the work to those memberships (one student's move) instead of the whole group.

    An archived or graduated group's chats are archived instead, their members kept.
    """
    return chat_sync_roster(college=group.college, scopes={group.pk: members}, actor=actor).get(group.pk, [])


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


def chat_sync_college(*, college: College, actor=None, members: set[int] | None = None) -> tuple[Chat, Chat]:
    """The college and staff chats with their members; ``members`` limits the sync to those memberships
    (one person's enrolment, hire or leaving) instead of the whole college."""
    return chat_sync_roster(college=college, scopes={None: members}, actor=actor)[None]
