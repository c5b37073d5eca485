"""Students in groups: enrolment, leaving, transfer (one at a time and in bulk) and parents of a group."""

import datetime
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log, audit_log_many
from colleges.models import College, Membership, Role
from core import batching
from core.bulk import instance_maker
from groups.models import Enrollment, GroupParent, StudyGroup
from groups.services.student_counts import student_counts_add
from groups.signals import EnrollmentChange, enrollment_changed, group_parent_added

ALREADY_ENROLLED_MESSAGE = "Обучающийся уже состоит в учебной группе. Для смены группы оформите перевод."
NOT_A_STUDENT_MESSAGE = "Зачислить в группу можно только участника с ролью «обучающийся» этого колледжа."
NOT_A_PARENT_MESSAGE = "Родителем группы может быть только участник с ролью «родитель» этого колледжа."

logger = logging.getLogger(__name__)


def enrollment_start(
    *, actor: User | None, student: Membership, group: StudyGroup, kind: str, started_at: datetime.date | None = None
) -> Enrollment:
    """Put a student into a group. Fails if the student already studies in a group.

    ``kind`` (``EnrollmentChange``: ENROL, LEAVE_RETURN, REINSTATE) is what ``enrollment_changed``,
    sent on commit, tells its receivers.

    No permission check: callers are services that already checked (join
    request approval, movement application). The partial unique index
    ``one_active_enrollment_per_student`` is the last word under races.
    """
    kind = EnrollmentChange(kind)
    if student.role != Role.STUDENT or student.college_id != group.college_id:
        raise ValidationError(NOT_A_STUDENT_MESSAGE, code="not_a_student")
    enrollment = _enrollment_create(actor=actor, student=student, group=group, started_at=started_at)
    enrollment_changed_on_commit(
        college_id=group.college_id, student_id=student.pk, old_group_id=None, new_group_id=group.pk, kind=kind
    )
    return enrollment


def _enrollment_create(
    *,
    actor: User | None,
    student: Membership,
    group: StudyGroup,
    started_at: datetime.date | None,
    counted: bool = True,
) -> Enrollment:
    """The enrollment row, its audit event and (unless ``counted=False``, as for ``_enrollment_end``) the
    group's ``student_count``."""
    started_at = started_at or timezone.localdate()
    # The partial unique index decides (no read-then-write pre-check): one
    # statement fewer on the hot path of accepting an invitation, and the
    # same answer under races. No savepoint either (two statements fewer): a
    # clash rolls back the caller's transaction too; a caller that goes on
    # after the ValidationError opens its own savepoint, as movement does.
    try:
        with transaction.atomic(savepoint=False):
            enrollment = Enrollment.objects.create(
                college_id=group.college_id, student=student, group=group, started_at=started_at
            )
            if counted:
                student_counts_add({group.pk: 1})
            audit_log(
                actor=actor,
                college=group.college,
                action="enrollment.start",
                target=enrollment,
                after={"group": group.pk, "started_at": started_at},
            )
    except IntegrityError as exc:
        raise ValidationError(ALREADY_ENROLLED_MESSAGE, code="already_enrolled") from exc
    return enrollment


def group_parent_add(*, actor: User | None, parent: Membership, group: StudyGroup) -> GroupParent:
    """Record that ``parent`` is a parent of ``group`` (they followed its parent link); twice changes nothing.

    No permission check: callers are services that already checked (invitation
    acceptance, join request approval).
    """
    if parent.role != Role.PARENT or parent.college_id != group.college_id:
        raise ValidationError(NOT_A_PARENT_MESSAGE, code="not_a_parent")
    existing = GroupParent.objects.filter(parent=parent, group=group).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            link = GroupParent.objects.create(college_id=group.college_id, parent=parent, group=group)
            audit_log(
                actor=actor,
                college=group.college,
                action="group_parent.add",
                target=link,
                after={"group": group.pk, "parent": parent.pk},
            )
            college_id, group_id, parent_id = group.college_id, group.pk, parent.pk
            transaction.on_commit(
                lambda: group_parent_added.send(
                    sender=GroupParent, college_id=college_id, group_id=group_id, parent_id=parent_id
                ),
                robust=True,
            )
    except IntegrityError:
        # The same parent following the same link twice at once: the unique constraint let one through.
        return GroupParent.objects.get(parent=parent, group=group)
    return link


def enrollment_end(
    *, actor: User | None, enrollment: Enrollment, kind: str, ended_at: datetime.date | None = None
) -> Enrollment:
    """Close a student's current enrollment (academic leave, expulsion, graduation).

    ``kind`` (``EnrollmentChange``) goes out with ``enrollment_changed`` on commit; an enrollment already
    closed is left as it is and announced no more. A transfer is ``enrollment_transfer``.
    """
    kind = EnrollmentChange(kind)
    locked = _enrollment_end(actor=actor, enrollment=enrollment, ended_at=ended_at)
    if locked is not None:
        enrollment_changed_on_commit(
            college_id=locked.college_id,
            student_id=locked.student_id,
            old_group_id=locked.group_id,
            new_group_id=None,
            kind=kind,
        )
        return locked
    return Enrollment.objects.get(pk=enrollment.pk)


def _enrollment_end(
    *, actor: User | None, enrollment: Enrollment, ended_at: datetime.date | None, counted: bool = True
) -> Enrollment | None:
    """Close the enrollment; None if it was already closed. ``counted=False`` leaves the group's
    ``student_count`` to the caller (a transfer changes both groups' counts in one call)."""
    ended_at = ended_at or timezone.localdate()
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if locked.ended_at is not None:
            return None
        if ended_at < locked.started_at:
            raise ValidationError("Дата окончания раньше даты зачисления.", code="ended_before_started")
        locked.ended_at = ended_at
        locked.save(update_fields=["ended_at"])
        if counted:
            student_counts_add({locked.group_id: -1})
        audit_log(actor=actor, action="enrollment.end", target=locked, after={"ended_at": ended_at})
    return locked


def enrollment_transfer(
    *, actor: User | None, enrollment: Enrollment, group: StudyGroup, transferred_at: datetime.date | None = None
) -> Enrollment:
    """Move a student from the group of their current ``enrollment`` to ``group``; returns the new enrollment.

    One transaction; one ``enrollment_changed`` (TRANSFER, both groups) on commit.
    """
    with transaction.atomic():
        ended = _enrollment_end(actor=actor, enrollment=enrollment, ended_at=transferred_at, counted=False)
        old_group_id = ended.group_id if ended is not None else None
        student = enrollment.student
        if student.role != Role.STUDENT or student.college_id != group.college_id:
            raise ValidationError(NOT_A_STUDENT_MESSAGE, code="not_a_student")
        new = _enrollment_create(actor=actor, student=student, group=group, started_at=transferred_at, counted=False)
        # Both groups in one call: their rows are locked in primary-key order, whichever way the student moves.
        moves = {group.pk: 1}
        if old_group_id is not None:
            moves[old_group_id] = moves.get(old_group_id, 0) - 1
        student_counts_add(moves)
    enrollment_changed_on_commit(
        college_id=group.college_id,
        student_id=student.pk,
        old_group_id=old_group_id,
        new_group_id=group.pk,
        kind=EnrollmentChange.TRANSFER,
    )
    return new


def student_leaves_groups(
    *, actor: User | None, student: Membership, kind: str, ended_at: datetime.date | None = None
) -> Enrollment | None:
    """A student leaves the college (``kind`` EXPEL or GRADUATE): their current enrollment, if any, closes.

    ``enrollment_changed`` goes out on commit either way (old group None when they had none), so that
    receivers can close what a leaver still had open. Returns the closed enrollment, if there was one.
    """
    kind = EnrollmentChange(kind)
    current = Enrollment.objects.filter(student=student, ended_at__isnull=True).first()
    locked = _enrollment_end(actor=actor, enrollment=current, ended_at=ended_at) if current is not None else None
    enrollment_changed_on_commit(
        college_id=student.college_id,
        student_id=student.pk,
        old_group_id=locked.group_id if locked is not None else None,
        new_group_id=None,
        kind=kind,
    )
    return locked


def enrollment_changed_on_commit(
    *, college_id: int, student_id: int, old_group_id: int | None, new_group_id: int | None, kind: str
) -> None:
    """Send ``enrollment_changed`` when the current transaction commits (at once outside one).

    Called by the services above only: every enrollment, an accepted invitation's included, goes through them.
    """
    _enrollments_changed_on_commit(
        college_id=college_id, changes=[(student_id, old_group_id, new_group_id, EnrollmentChange(kind))]
    )


def _enrollments_changed_on_commit(
    *, college_id: int, changes: list[tuple[int, int | None, int | None, EnrollmentChange]]
) -> None:
    """``enrollment_changed_on_commit`` for many students, (student, old group, new group, kind) each.

    One callback on commit sends them all, one signal per student as for one: a bulk service registers
    one callback, not thousands. As with one callback each, a student whose receivers fail (logged) does
    not stop the students after them. The signals go out inside ``core.batching.batch()``: a receiver whose
    work is cheaper in bulk (chats' roster sync) gathers it and does it once, after the last student.
    """

    def send() -> None:
        with batching.batch():
            for student_id, old_group_id, new_group_id, kind in changes:
                try:
                    enrollment_changed.send(
                        sender=Enrollment,
                        college_id=college_id,
                        student_id=student_id,
                        old_group_id=old_group_id,
                        new_group_id=new_group_id,
                        kind=kind,
                    )
                except Exception:
                    logger.exception("enrollment_changed failed for student %s after commit", student_id)

    if changes:
        transaction.on_commit(send, robust=True)


@dataclass(frozen=True)
class EnrollmentStart:
    """A student (Membership id) to put into a study group (StudyGroup id), for ``enrollments_start_many``.

    ``kind`` is what ``enrollment_changed`` says for this student: ENROL, or TRANSFER from ``old_group_id``
    (whose enrollment the caller closed with ``enrollments_end_many(kind=TRANSFER)`` in the same transaction).
    """

    student_id: int
    group_id: int
    kind: str = EnrollmentChange.ENROL
    old_group_id: int | None = None


def enrollments_start_many(
    *, actor: User | None, college: College, starts: Sequence[EnrollmentStart], started_at: datetime.date
) -> list[int]:
    """Put many students of ``college`` into its groups at once (a roster import): ``enrollment_start`` in bulk.

    One INSERT and one ``enrollment.start_many`` audit event; the new enrollments' ids are returned. No
    permission check, as for one: callers are services that already checked. Every student must be a
    student of the college and every group a group of it; a student who already studies in a group
    fails the whole call, decided by the partial unique index ``one_active_enrollment_per_student``.
    On commit, one ``enrollment_changed`` per student, with the start's ``kind`` and ``old_group_id``.
    """
    if not starts:
        return []
    kinds = [EnrollmentChange(start.kind) for start in starts]
    student_ids = {start.student_id for start in starts}
    group_ids = {start.group_id for start in starts}
    students = Membership.objects.filter(college=college, role=Role.STUDENT, pk__in=student_ids)
    groups = StudyGroup.objects.filter(college=college, pk__in=group_ids)
    if students.count() != len(student_ids) or groups.count() != len(group_ids):
        raise ValidationError(NOT_A_STUDENT_MESSAGE, code="not_a_student")
    try:
        with transaction.atomic():
            make = instance_maker(Enrollment, college_id=college.pk, started_at=started_at)
            enrollments = Enrollment.objects.bulk_create(
                [make(student_id=start.student_id, group_id=start.group_id) for start in starts]
            )
            student_counts_add(Counter(start.group_id for start in starts))
    except IntegrityError as exc:
        raise ValidationError(ALREADY_ENROLLED_MESSAGE, code="already_enrolled") from exc
    ids = [enrollment.pk for enrollment in enrollments]
    audit_log_many(
        actor=actor,
        college=college,
        action="enrollment.start_many",
        model=Enrollment,
        ids=ids,
        after={"started_at": started_at},
    )
    _enrollments_changed_on_commit(
        college_id=college.pk,
        changes=[(s.student_id, s.old_group_id, s.group_id, kind) for s, kind in zip(starts, kinds, strict=True)],
    )
    return ids


@transaction.atomic
def enrollments_end_many(
    *, actor: User | None, college: College, enrollment_ids: Sequence[int], ended_at: datetime.date, kind: str
) -> list[int]:
    """Close many current enrollments of ``college`` at once: the bulk twin of ``enrollment_end``.

    Rows locked in primary-key order, one UPDATE, one ``enrollment.end_many`` audit event. An enrollment
    that started after ``ended_at`` (an import dated before a later enrolment) ends the day it started
    rather than before it; ones already closed are left as they are. Returns the ids closed here.
    On commit, one ``enrollment_changed`` of ``kind`` per enrollment closed here, except for TRANSFER:
    the transfer's new start (``enrollments_start_many``) announces it, with both groups.
    """
    kind = EnrollmentChange(kind)
    rows = list(
        Enrollment.objects.select_for_update()
        .filter(college=college, pk__in=enrollment_ids, ended_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "student_id", "group_id")
    )
    ending = [pk for pk, _, _ in rows]
    if ending:
        Enrollment.objects.filter(pk__in=ending).update(ended_at=Greatest(F("started_at"), Value(ended_at)))
        student_counts_add({group_id: -n for group_id, n in Counter(group_id for _, _, group_id in rows).items()})
        audit_log_many(
            actor=actor,
            college=college,
            action="enrollment.end_many",
            model=Enrollment,
            ids=ending,
            after={"ended_at": ended_at},
        )
    if kind != EnrollmentChange.TRANSFER:
        _enrollments_changed_on_commit(
            college_id=college.pk, changes=[(student_id, group_id, None, kind) for _, student_id, group_id in rows]
        )
    return ending
