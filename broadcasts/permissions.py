"""Who may plan, change, see and join video sessions (seed: administration organizes the college's
broadcasts; teachers hold lessons, consultations and parent meetings; curators for their group).

- the administrator and the administration: any session of their college, broadcasts and staff meetings
  included, with any member of the staff as host;
- a teacher: lessons and consultations for the groups they teach or curate, parent meetings for the
  groups they curate, hosted by themselves;
- the host and the administration change, cancel and mark a session held, and see who came;
- the audience sees and joins (``selectors.session_visibility_q``).
"""

from broadcasts.models import Audience, Kind, Session
from colleges.models import STAFF_ROLES, College, Role
from colleges.permissions import has_role, is_member
from groups.permissions import teacher_scope

MANAGER_ROLES = (Role.ADMINISTRATOR, Role.ADMINISTRATION)
# What a teacher may plan for their groups.
TEACHER_KINDS = (Kind.LESSON, Kind.CONSULTATION, Kind.PARENT_MEETING)


def can_view_sessions(user, college: College | None) -> bool:
    return is_member(user, college)


def can_manage_all_sessions(user, college: College | None) -> bool:
    return has_role(user, college, *MANAGER_ROLES)


def can_host_sessions(user, college: College | None) -> bool:
    """Whoever may be named host: a member of the staff."""
    return has_role(user, college, *STAFF_ROLES)


def sees_seminars(user, college: College | None) -> bool:
    """Seminars and webinars for teachers (seed §3.4): the staff is their audience."""
    return has_role(user, college, *STAFF_ROLES)


def can_plan_sessions(user, college: College | None) -> bool:
    """Open the planning page at all: management, or a teacher with at least one group."""
    if can_manage_all_sessions(user, college):
        return True
    return has_role(user, college, Role.TEACHER) and bool(teacher_scope(user, college).group_ids)


def can_plan_to(user, college: College, *, kind: str, audience: str, group_ids) -> bool:
    if can_manage_all_sessions(user, college):
        return True
    if not has_role(user, college, Role.TEACHER) or audience != Audience.GROUPS or kind not in TEACHER_KINDS:
        return False
    group_ids = set(group_ids)
    scope = teacher_scope(user, college)
    allowed = scope.curated if kind == Kind.PARENT_MEETING else scope.group_ids
    return bool(group_ids) and group_ids <= allowed


def can_edit_session(user, session: Session) -> bool:
    """Change, cancel, mark held, add the recording, see attendance: management, or the host while staff here."""
    college = session.college
    if can_manage_all_sessions(user, college):
        return True
    return session.host.user_id == user.pk and can_host_sessions(user, college)


# Which sessions a person sees, by what they are in the college (``selectors.session_visibility_q``).


def sees_staff_and_own_groups_sessions(user, college: College | None) -> bool:
    """Staff-only sessions and those of the groups they teach or curate: a teacher."""
    return has_role(user, college, Role.TEACHER)


def sees_own_group_sessions(user, college: College | None) -> bool:
    """Their own group's sessions, parent meetings excepted: a student."""
    return has_role(user, college, Role.STUDENT)


def sees_childrens_parent_meetings(user, college: College | None) -> bool:
    """Parent meetings of their children's groups: a parent."""
    return has_role(user, college, Role.PARENT)
