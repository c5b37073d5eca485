"""Signals the groups app sends; higher apps (chats, invitations, materials) connect receivers.

Both are sent by the groups services themselves (``groups/services/``), after
commit, never by their callers: a caller passes the ``kind`` to the service.

``enrollment_changed`` — a student's study group changed. Arguments:

- ``college_id`` — the college;
- ``student_id`` — the student's ``Membership`` pk;
- ``old_group_id`` — the ``StudyGroup`` pk they left, or None;
- ``new_group_id`` — the ``StudyGroup`` pk they joined, or None;
- ``kind`` — one of ``EnrollmentChange`` (below).

``staff_assignment_changed`` — a curator or subject teacher assignment started
or ended. Arguments: ``college_id``, ``group_id``, ``teacher_id`` (Membership
pk) and ``kind``, one of ``StaffAssignmentKind``.

``study_group_changed`` — a study group was created, renamed, archived (graduated
or put in the archive, the year roll-over's included) or made active again.
Arguments: ``college_id``, ``group_id`` and ``kind``, one of ``StudyGroupChange``.

``group_parent_added`` — a parent joined a group's parents (``group_parent_add``).
Arguments: ``college_id``, ``group_id``, ``parent_id`` (Membership pk).
"""

from django.db import models
from django.dispatch import Signal


class EnrollmentChange(models.TextChoices):
    """What happened to the student (the values are those of the movement kinds that cause it).

    - ``ENROL`` — put into a group (enrolment order, invitation, roster import); old group None.
    - ``TRANSFER`` — moved from one group to another; both groups set.
    - ``ACADEMIC_LEAVE`` — went on academic leave: left the group, still a student; new group None.
    - ``LEAVE_RETURN`` — back from academic leave into a group; old group None.
    - ``EXPEL`` — expelled: left the college; new group None, old group None if they had none.
    - ``GRADUATE`` — graduated: left the college; as for ``EXPEL``.
    - ``REINSTATE`` — a former student taken back into a group (a new membership); old group None.
    """

    ENROL = "enrol", "зачисление"
    TRANSFER = "transfer", "перевод в другую группу"
    ACADEMIC_LEAVE = "academic_leave", "академический отпуск"
    LEAVE_RETURN = "leave_return", "выход из академического отпуска"
    EXPEL = "expel", "отчисление"
    GRADUATE = "graduate", "выпуск"
    REINSTATE = "reinstate", "восстановление"


# The kinds after which the person no longer studies in the college.
LEAVING_KINDS = frozenset({EnrollmentChange.EXPEL, EnrollmentChange.GRADUATE})


class StaffAssignmentKind(models.TextChoices):
    """Which assignment of a teacher to a group changed."""

    CURATOR = "curator", "куратор"
    SUBJECT = "subject", "преподаватель дисциплины"


class StudyGroupChange(models.TextChoices):
    """What happened to a study group (``study_group_create`` / ``study_group_update``)."""

    CREATED = "created", "создана"
    RENAMED = "renamed", "переименована"
    ARCHIVED = "archived", "выпущена или в архиве"
    RESTORED = "restored", "снова обучается"


enrollment_changed = Signal()
staff_assignment_changed = Signal()
study_group_changed = Signal()
group_parent_added = Signal()
