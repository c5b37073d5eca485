"""Who may see and enter movements: small predicates over (user, object)."""

from colleges.models import College, Role
from colleges.permissions import has_role
from groups.permissions import teacher_scope


def can_manage_movements(user, college: College | None) -> bool:
    """Enter, apply, cancel movements and import rosters: the college's platform administrator."""
    return bool(college) and has_role(user, college, Role.ADMINISTRATOR)


def can_view_all_movements(user, college: College | None) -> bool:
    return bool(college) and has_role(user, college, Role.ADMINISTRATOR, Role.ADMINISTRATION)


def can_view_movement_list(user, college: College | None) -> bool:
    """Administrator and administration see all; a teacher sees the movements of the groups they curate."""
    return bool(college) and has_role(user, college, Role.ADMINISTRATOR, Role.ADMINISTRATION, Role.TEACHER)


def curated_group_ids(user, college: College | None) -> frozenset[int]:
    return teacher_scope(user, college).curated


def taught_group_ids(user, college: College | None) -> frozenset[int]:
    return teacher_scope(user, college).taught


def can_view_group_roster(user, group) -> bool:
    college = group.college
    if can_view_all_movements(user, college):
        return True
    if not has_role(user, college, Role.TEACHER):
        return False
    return group.pk in curated_group_ids(user, college) or group.pk in taught_group_ids(user, college)


def can_view_person(user, membership, *, group_ids: set[int] | None = None) -> bool:
    """The person card: administrator and administration; a curator for students of their groups."""
    college = membership.college
    if can_view_all_movements(user, college):
        return True
    if not has_role(user, college, Role.TEACHER):
        return False
    group_ids = group_ids if group_ids is not None else set()
    return bool(group_ids & curated_group_ids(user, college))


def can_view_reports(user, college: College | None) -> bool:
    return can_view_all_movements(user, college)
