"""Who may do what with groups: one predicate per action, over (user, college) or (user, object).

Views, the API and the templates' ``can_*`` flags use these same predicates.
"""

from colleges.models import College, Membership, Role
from colleges.permissions import has_role
from groups.models import CuratorAssignment, StudyGroup, SubjectTeacherAssignment

_OVERSEERS = (Role.ADMINISTRATOR, Role.ADMINISTRATION)


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
    teacher = Membership.objects.filter(
        user=user, college_id=group.college_id, role=Role.TEACHER, status=Membership.Status.ACTIVE
    )
    return (
        CuratorAssignment.objects.filter(group=group, teacher__in=teacher, ended_at__isnull=True).exists()
        or SubjectTeacherAssignment.objects.filter(group=group, teacher__in=teacher, ended_at__isnull=True).exists()
    )


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
