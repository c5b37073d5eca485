"""Reads of movement: scoped to a college, shaped so no caller can make them N+1."""

import datetime

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.search import Within, name_order, search_q
from colleges.models import College, Membership, Role
from groups.models import Enrollment, StudyGroup
from movement.models import STUDENT_KINDS, ImportBatch, Movement, MovementKind, RosterRow
from movement.permissions import can_view_all_movements, curated_group_ids

# Year roll-over: a group of this course graduates unless the administrator says otherwise; none goes past the last.
FINAL_COURSE = 4
MAX_COURSE = 6


def current_enrollment(membership: Membership) -> Enrollment | None:
    return Enrollment.objects.filter(student=membership, ended_at__isnull=True).select_related("group").first()


def current_enrollment_by_phone(*, college: College, phone: str) -> Enrollment | None:
    """The group a student of the college with this phone is in now, if any."""
    return (
        Enrollment.objects.filter(
            college=college, student__user__phone=phone, student__role=Role.STUDENT, ended_at__isnull=True
        )
        .select_related("group")
        .first()
    )


def last_leave(membership: Membership) -> Movement | None:
    """The academic leave the student is on now, if the last applied student movement of this user is one."""
    last = (
        Movement.objects.filter(
            person__user_id=membership.user_id,
            college_id=membership.college_id,
            kind__in=STUDENT_KINDS,
            status=Movement.Status.APPLIED,
        )
        .order_by("-applied_at", "-id")
        .first()
    )
    return last if last is not None and last.kind == MovementKind.ACADEMIC_LEAVE else None


def due_movement_ids(*, today: datetime.date | None = None) -> list[int]:
    """Pending orders whose effective date has come, in the order they are to be applied."""
    today = today or timezone.localdate()
    return list(
        Movement.objects.filter(status=Movement.Status.PENDING, effective_date__lte=today)
        .order_by("effective_date", "id")
        .values_list("pk", flat=True)
    )


def movement_list(*, viewer: User, college: College, search: str = "", status: str = "", kind: str = "") -> QuerySet:
    """All movements of the college for the administrator and administration; a curator's groups for a teacher."""
    qs = Movement.objects.filter(college=college).select_related("person__user", "from_group", "to_group", "discipline")
    if not can_view_all_movements(viewer, college):
        groups = curated_group_ids(viewer, college)
        qs = qs.filter(Q(from_group_id__in=groups) | Q(to_group_id__in=groups))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    # People and groups are looked up among the college's own (see accounts.search.Within).
    members = Membership.objects.filter(college=college)
    groups = StudyGroup.objects.filter(college=college)
    qs = qs.filter(
        search_q(
            search,
            fields=("last_name", "first_name", "phone", "order_number"),
            within=(
                Within("person", members, people=("",)),
                Within("to_group", groups, fields=("name",)),
                Within("from_group", groups, fields=("name",)),
            ),
        )
    )
    return qs.order_by("-effective_date", "-id")


def movement_get_for(*, college: College | None, pk) -> Movement:
    try:
        return Movement.objects.select_related("college", "person__user").get(pk=pk, college=college)
    except (Movement.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def person_get_for(*, college: College | None, pk) -> Membership:
    """A member of the current college, else 404 (the same answer for missing and foreign)."""
    if not college:
        raise Http404
    try:
        return Membership.objects.select_related("user", "college").get(pk=pk, college=college)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def person_latest(*, person: Membership) -> Membership:
    """The person's newest membership with the same role here: after reinstatement, the current one.

    Reinstatement gives the student a new membership; the one that ended stays for history.
    """
    if person.status != Membership.Status.LEFT:
        return person
    return (
        Membership.objects.filter(user_id=person.user_id, college_id=person.college_id, role=person.role)
        .order_by("-pk")
        .first()
    )


def group_get_for(*, college: College | None, pk) -> StudyGroup:
    if not college:
        raise Http404
    try:
        return StudyGroup.objects.select_related("college").get(pk=pk, college=college)
    except (StudyGroup.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def person_timeline(*, person: Membership) -> list[dict]:
    """Movements and enrollments of this person in the college (all their memberships), newest first."""
    movements = (
        Movement.objects.filter(college_id=person.college_id, person__user_id=person.user_id)
        .select_related("from_group", "to_group", "discipline", "entered_by")
        .order_by("-effective_date", "-id")
    )
    return [{"date": m.effective_date, "movement": m} for m in movements]


def person_enrollments(*, person: Membership) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(college_id=person.college_id, student__user_id=person.user_id)
        .select_related("group")
        .order_by("-started_at", "-id")
    )


def people_group_ids(*, college: College, user_ids) -> dict[int, set[int]]:
    """``person_group_ids`` for many people at once, by user id (one query for a page of movements)."""
    result: dict[int, set[int]] = {}
    rows = Enrollment.objects.filter(college=college, student__user_id__in=set(user_ids)).values_list(
        "student__user_id", "group_id"
    )
    for user_id, group_id in rows:
        result.setdefault(user_id, set()).add(group_id)
    return result


def person_group_ids(*, person: Membership) -> set[int]:
    """Groups the person studies in now or studied in (for a curator's right to see the card)."""
    return set(
        Enrollment.objects.filter(college_id=person.college_id, student__user_id=person.user_id).values_list(
            "group_id", flat=True
        )
    )


def roster_on_date(*, group: StudyGroup, on: datetime.date) -> QuerySet[Enrollment]:
    """Who was in ``group`` on ``on``: enrollments started by that day and not ended by it."""
    return (
        Enrollment.objects.filter(group=group, started_at__lte=on)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=on))
        .select_related("student__user")
        .order_by(name_order("student"), "id")
    )


def import_batch_list(*, college: College) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(college=college).select_related("created_by").defer("raw_rows")


def import_batch_get_for(*, college: College | None, pk) -> ImportBatch:
    if not college:
        raise Http404
    try:
        return ImportBatch.objects.get(pk=pk, college=college)
    except (ImportBatch.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def import_missing_enrollments(*, batch: ImportBatch) -> QuerySet[Enrollment]:
    """The current students of the batch's college whose phone is not in its file («нет в файле»).

    Read from the roster when asked, never stored per student at the dry run: a two-line file must not
    write a row for every student of the college. Applying with expulsions stores them as rows then.
    """
    in_file = RosterRow.objects.filter(batch_id=batch.pk).exclude(action=RosterRow.Action.MISSING).values("phone")
    return (
        Enrollment.objects.filter(college_id=batch.college_id, ended_at__isnull=True)
        .exclude(student__user__phone__in=in_file)
        .order_by(name_order("student"), "student_id")
    )


def import_missing_rows(*, batch: ImportBatch, start: int = 0, stop: int | None = None) -> list:
    """Unsaved roster rows («нет в файле») for pages and the API, from ``import_missing_enrollments``."""
    enrollments = import_missing_enrollments(batch=batch).select_related("group", "student__user")[start:stop]

    return [
        RosterRow(
            batch_id=None,
            line_no=None,
            last_name=e.student.user.last_name,
            first_name=e.student.user.first_name,
            patronymic=e.student.user.patronymic,
            phone=e.student.user.phone or "",
            current_group=e.group,
            membership_id=e.student_id,
            action=RosterRow.Action.MISSING,
        )
        for e in enrollments
    ]


def _stuck_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.STUCK_WORK_MINUTES)


def import_stuck() -> Q:
    """Batches still «применяется» longer than ``STUCK_WORK_MINUTES`` after they were queued: their worker was lost."""
    before = _stuck_before()
    return Q(status=ImportBatch.Status.APPLYING) & (
        Q(queued_at__lt=before) | Q(queued_at__isnull=True, created_at__lt=before)
    )


def import_is_stuck(batch: ImportBatch) -> bool:
    """``import_stuck`` for a batch at hand (the page's «Повторить» button)."""
    queued_at = batch.queued_at or batch.created_at
    return batch.status == ImportBatch.Status.APPLYING and queued_at < _stuck_before()


def rollover_plan(*, college: College, graduating_ids: set[int] | None = None) -> list[dict]:
    """Each active group and what the roll-over does to it: up one course, or graduate (final course by default)."""
    groups = (
        StudyGroup.objects.filter(college=college, status=StudyGroup.Status.ACTIVE)
        .annotate(students=Count("enrollments", filter=Q(enrollments__ended_at__isnull=True)))
        .order_by("course", "name")
    )
    plan = []
    for group in groups:
        graduate = (group.course >= FINAL_COURSE) if graduating_ids is None else group.pk in graduating_ids
        if not graduate and group.course >= MAX_COURSE:
            graduate = True
        plan.append(
            {
                "group": group,
                "students": group.students,
                "graduate": graduate,
                "new_course": None if graduate else group.course + 1,
            }
        )
    return plan


def pending_movement_count(*, college: College) -> int:
    return Movement.objects.filter(college=college, status=Movement.Status.PENDING).count()


NOT_JOINED = "в контингенте, но не присоединился"
NOT_IN_ROSTER = "присоединился, но нет в контингенте"


def joined_report(*, college: College) -> list[dict]:
    """Per group: roster people who never signed in, and signed-in students missing from the roster.

    The roster («контингент») is the last applied roster import of the college
    (its rows by group); without one, the current enrollments. «Присоединился»
    means the person has signed in at least once (``last_login``) and is an
    active student of the group.

    Everything is read as plain values by the college's own rows (a college of 5 000 made 30 000 model
    instances, and a ``phone = ANY(…)`` list over every user of the installation, in 2 s): whoever is in
    the roster and has signed in but is no active student of that group is «не присоединился» anyway,
    so the roster's phones need no look-up among the users.
    """
    last = (
        ImportBatch.objects.filter(college=college, kind=ImportBatch.Kind.ROSTER, status=ImportBatch.Status.APPLIED)
        .order_by("-applied_at", "-id")
        .values_list("pk", flat=True)  # not the batch itself: its raw_rows hold the whole file
        .first()
    )
    # (group id, group name, name, phone, signed in) of the active students, by group and name.
    active = [
        (group_id, group_name, _full_name(last_name, first_name, patronymic), phone, last_login is not None)
        for group_id, group_name, last_name, first_name, patronymic, phone, last_login in _active_students(college)
    ]
    if last is None:
        return [
            _report_row(group, NOT_JOINED, name, phone) for _, group, name, phone, signed_in in active if not signed_in
        ]
    roster = (
        RosterRow.objects.filter(batch_id=last, group__isnull=False)
        .exclude(action__in=[RosterRow.Action.ERROR, RosterRow.Action.MISSING])
        .order_by("group__name", "last_name", "first_name")
        .values_list("group_id", "group__name", "last_name", "first_name", "patronymic", "phone")
    )
    joined_in_group = {(phone, group_id) for group_id, _, _, phone, signed_in in active if signed_in}
    rows: list[dict] = []
    in_roster = set()
    for group_id, group_name, last_name, first_name, patronymic, phone in roster:
        in_roster.add((phone, group_id))
        if (phone, group_id) not in joined_in_group:
            rows.append(_report_row(group_name, NOT_JOINED, _full_name(last_name, first_name, patronymic), phone))
    for group_id, group_name, name, phone, signed_in in active:
        if signed_in and (phone, group_id) not in in_roster:
            rows.append(_report_row(group_name, NOT_IN_ROSTER, name, phone))
    rows.sort(key=lambda row: (row["group"], row["status"], row["name"]))
    return rows


def _active_students(college: College):
    # The membership and the group are of the college too: saying so lets PostgreSQL read them by
    # their college_id indexes instead of hashing every membership and group of the installation.
    return (
        Enrollment.objects.filter(
            college=college,
            ended_at__isnull=True,
            student__college=college,
            student__status=Membership.Status.ACTIVE,
            group__college=college,
        )
        .order_by("group__name", name_order("student"), "id")
        .values_list(
            "group_id",
            "group__name",
            "student__user__last_name",
            "student__user__first_name",
            "student__user__patronymic",
            "student__user__phone",
            "student__user__last_login",
        )
    )


def _full_name(*parts: str) -> str:
    """``User.full_name`` and ``RosterRow.full_name`` of plain values."""
    return " ".join(part for part in parts if part)


def _report_row(group: str, status: str, name: str, phone: str) -> dict:
    return {"group": group, "status": status, "name": name, "phone": phone}


def people_list(*, college: College, search: str = "", role: str = "") -> QuerySet[Membership]:
    """Students and staff of the college (all statuses, so expelled people can be reinstated from their card)."""
    # One row per person and role: a reinstated student's ended membership stays for history, not in the list.
    # Only an ended membership can have a newer one (one current per role; an ended one never comes back),
    # so the newer one is looked for under ended rows alone, each by its user: an anti-join of the whole
    # list would walk the installation's user_id index.
    newer = Membership.objects.filter(
        user_id=OuterRef("user_id"), college_id=college.pk, role=OuterRef("role"), pk__gt=OuterRef("pk")
    )
    qs = (
        Membership.objects.filter(college=college, role__in=[Role.STUDENT, Role.TEACHER, Role.ADMINISTRATION])
        .filter(~Q(status=Membership.Status.LEFT) | ~Exists(newer))
        .select_related("user")
        .order_by(name_order(), "id")
    )
    if role:
        qs = qs.filter(role=role)
    # The membership's own copies of the user's search text and sort key (see Membership.search_text).
    return qs.filter(search_q(search, people=("",)))
