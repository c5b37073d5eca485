"""Who may do what with groups: one predicate per action, over (user, college) or (user, object).

Views, the API and the templates' ``can_*`` flags use these same predicates.
"""

from dataclasses import dataclass

from django.db.models import IntegerField, Value

from colleges.models import College, Membership, Role
from colleges.permissions import has_role
from groups.models import CuratorAssignment, Enrollment, GroupParent, Guardian, StudyGroup, SubjectTeacherAssignment

_OVERSEERS = (Role.ADMINISTRATOR, Role.ADMINISTRATION)
_SCOPE_CACHE = "_teacher_scope"


@dataclass(frozen=True)
class TeacherScope:
    """A teacher's active assignments in one college: the groups they curate and what they teach."""

    curated: frozenset[int]
    subjects: frozenset[tuple[int, int]]  # (group id, discipline id)

    @property
    def taught(self) -> frozenset[int]:
        return frozenset(group_id for group_id, _ in self.subjects)

    @property
    def group_ids(self) -> frozenset[int]:
        """The groups the teacher curates or teaches."""
        return self.curated | self.taught


_EMPTY_SCOPE = TeacherScope(frozenset(), frozenset())


def teacher_scope(user, college: College | None) -> TeacherScope:
    """«The groups this teacher curates or teaches»: the one computation every app asks.

    One query (curatorships and subject assignments in a UNION), cached on the user object
    per college, so a request asks the database once whichever predicates it calls.
    """
    if college is None or not getattr(user, "is_authenticated", False):
        return _EMPTY_SCOPE
    cache = user.__dict__.setdefault(_SCOPE_CACHE, {})
    if college.pk not in cache:
        active = {
            "college": college,
            "ended_at__isnull": True,
            "teacher__user": user,
            "teacher__role": Role.TEACHER,
            "teacher__status": Membership.Status.ACTIVE,
        }
        curated = CuratorAssignment.objects.filter(**active).values_list(
            "group_id", Value(None, output_field=IntegerField())
        )
        taught = SubjectTeacherAssignment.objects.filter(**active).values_list("group_id", "discipline_id")
        rows = list(curated.union(taught, all=True))
        cache[college.pk] = TeacherScope(
            curated=frozenset(group_id for group_id, discipline_id in rows if discipline_id is None),
            subjects=frozenset((group_id, discipline) for group_id, discipline in rows if discipline is not None),
        )
    return cache[college.pk]


def can_view_dashboard(user, college: College | None) -> bool:
    return has_role(user, college, *_OVERSEERS)


def can_view_study_group_list(user, college: College | None) -> bool:
    """The full list of the college's groups: the administrator and the administration."""
    return has_role(user, college, *_OVERSEERS)


def can_create_study_group(user, college: College | None) -> bool:
    return has_role(user, college, Role.ADMINISTRATOR)


def can_edit_study_group(user, group: StudyGroup) -> bool:
    return has_role(user, group.college, Role.ADMINISTRATOR)


def _teaches(user, group: StudyGroup) -> bool:
    return group.pk in teacher_scope(user, group.college).group_ids


def can_view_study_group(user, group: StudyGroup) -> bool:
    """The group's page with its roster: overseers, and teachers who curate or teach the group."""
    if has_role(user, group.college, *_OVERSEERS):
        return True
    return has_role(user, group.college, Role.TEACHER) and _teaches(user, group)


def can_assign_curators(user, college: College | None) -> bool:
    """Assign curators to the college's groups (the dashboard's first step points there)."""
    return has_role(user, college, Role.ADMINISTRATOR)


def can_assign_curator(user, group: StudyGroup) -> bool:
    return can_assign_curators(user, group.college)


def can_assign_subject_teacher(user, group: StudyGroup) -> bool:
    return has_role(user, group.college, Role.ADMINISTRATOR)


def can_end_subject_assignment(user, assignment: SubjectTeacherAssignment) -> bool:
    """Take a teacher off a discipline of a group: whoever assigns the group's subject teachers."""
    return can_assign_subject_teacher(user, assignment.group)


def can_view_staff_groups(user, college: College | None) -> bool:
    return has_role(user, college, *_OVERSEERS)


def can_manage_staff_groups(user, college: College | None) -> bool:
    return has_role(user, college, Role.ADMINISTRATOR)


def can_view_disciplines(user, college: College | None) -> bool:
    return has_role(user, college, *_OVERSEERS)


def can_manage_disciplines(user, college: College | None) -> bool:
    return has_role(user, college, Role.ADMINISTRATOR)


def can_view_assignments(user, college: College | None) -> bool:
    return has_role(user, college, *_OVERSEERS)


def can_view_my_groups(user, college: College | None) -> bool:
    """«Мои группы»: a teacher's curated and taught groups."""
    return has_role(user, college, Role.TEACHER)


def can_view_my_group(user, college: College | None) -> bool:
    """«Моя группа»: a student's own group."""
    return has_role(user, college, Role.STUDENT)


# --- Guardians (a parent and their child) --------------------------------------------


def parent_membership_of(user, group: StudyGroup) -> Membership | None:
    """The user's active parent membership that is a parent of ``group`` (followed its parent link), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    link = (
        GroupParent.objects.filter(
            group=group, parent__user=user, parent__role=Role.PARENT, parent__status=Membership.Status.ACTIVE
        )
        .select_related("parent")
        .first()
    )
    return link.parent if link is not None else None


def can_view_my_children(user, college: College | None) -> bool:
    """«Мой ребёнок»: a parent's page of the groups they joined and the children they named there."""
    return has_role(user, college, Role.PARENT)


def can_claim_guardian(user, group: StudyGroup) -> bool:
    """«Кто ваш ребёнок?»: a parent of the group names their child among its students (and only there)."""
    return group.status == StudyGroup.Status.ACTIVE and parent_membership_of(user, group) is not None


def _student_group_id(student: Membership) -> int | None:
    return Enrollment.objects.filter(student=student, ended_at__isnull=True).values_list("group_id", flat=True).first()


def can_decide_guardian(user, guardian: Guardian) -> bool:
    """Confirm or reject «this is my parent»: the student themself, or the curator of the student's group now."""
    student = guardian.student
    if not student.is_active:
        return False
    if student.user_id == getattr(user, "pk", None):
        return True
    group_id = _student_group_id(student)
    return group_id is not None and group_id in teacher_scope(user, guardian.college).curated


def can_view_group_guardians(user, group: StudyGroup) -> bool:
    """The group's parents waiting for confirmation: its curator."""
    return group.pk in teacher_scope(user, group.college).curated


def can_view_my_guardians(user, college: College | None) -> bool:
    """«Подтвердите: это ваш родитель?»: a student's own page."""
    return has_role(user, college, Role.STUDENT)
