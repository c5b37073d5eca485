"""Who may post, change and see materials (seed §2.2–2.4, §3.3).

- administrator and administration: anything in their college, including the
  «Документы колледжа» section;
- a teacher: to the groups they curate and to the groups and disciplines they
  teach (active assignments), never college-wide or to staff; parents of a
  group only as its curator;
- everyone else reads (see ``selectors.material_visibility_q``).
"""

from colleges.models import College, Role
from colleges.permissions import has_role, is_member
from groups.permissions import TeacherScope
from groups.permissions import teacher_scope as groups_teacher_scope
from materials.models import Audience, Material, Section

MANAGER_ROLES = (Role.ADMINISTRATOR, Role.ADMINISTRATION)
POSTER_ROLES = (Role.ADMINISTRATOR, Role.ADMINISTRATION, Role.TEACHER)
# Who a «только сотрудники» material is for: management, who see everything, and teachers.
STAFF_AUDIENCE_ROLES = (*MANAGER_ROLES, Role.TEACHER)


def teacher_scope(user, college: College | None) -> TeacherScope:
    """The groups a teacher curates and the (group, discipline) pairs they teach (groups.permissions)."""
    if college is None or not has_role(user, college, Role.TEACHER):
        return TeacherScope(frozenset(), frozenset())
    return groups_teacher_scope(user, college)


def can_view_materials(user, college: College | None) -> bool:
    return is_member(user, college)


# What a member who does not manage all materials sees besides the college-wide ones
# (``selectors.material_visibility_q`` builds its filter from these).


def can_view_staff_materials(user, college: College | None) -> bool:
    """Materials for staff, those of the groups they curate or teach and their own drafts: a teacher."""
    return has_role(user, college, Role.TEACHER)


def can_view_own_group_materials(user, college: College | None) -> bool:
    """Materials of their current group (and its disciplines): a student."""
    return has_role(user, college, Role.STUDENT)


def can_view_parent_materials(user, college: College | None) -> bool:
    """«Родители группы …» materials of the groups whose parent links they followed: a parent."""
    return has_role(user, college, Role.PARENT)


def can_manage_all_materials(user, college: College | None) -> bool:
    return has_role(user, college, *MANAGER_ROLES)


def can_post_materials(user, college: College | None) -> bool:
    """Open the upload page at all: management, or a teacher with at least one assignment."""
    if can_manage_all_materials(user, college):
        return True
    return bool(teacher_scope(user, college).group_ids)


def can_post_documents(user, college: College | None) -> bool:
    """The college-wide «Документы» section (regulations, orders, instructions)."""
    return can_manage_all_materials(user, college)


def can_post_to(
    user,
    college: College,
    *,
    section: str,
    audience: str,
    group_ids: set[int] | frozenset[int],
    discipline_id: int | None,
) -> bool:
    if can_manage_all_materials(user, college):
        return True
    if section != Section.LEARNING:
        return False
    scope = teacher_scope(user, college)
    group_ids = set(group_ids)
    if audience == Audience.GROUPS:
        return bool(group_ids) and group_ids <= scope.group_ids
    if audience == Audience.DISCIPLINE:
        return len(group_ids) == 1 and (next(iter(group_ids)), discipline_id) in scope.subjects
    if audience == Audience.PARENTS:
        return bool(group_ids) and group_ids <= scope.curated
    return False


def can_edit_material(user, material: Material) -> bool:
    """Edit, publish, unpublish, pin, replace files, delete: management, or the author while a teacher here."""
    college = material.college
    if can_manage_all_materials(user, college):
        return True
    return material.author_id == user.pk and has_role(user, college, Role.TEACHER)


def can_replace_material_file(user, file) -> bool:
    """Upload a new version of a material's file: whoever may edit the material."""
    return file.material is not None and can_edit_material(user, file.material)
