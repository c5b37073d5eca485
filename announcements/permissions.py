"""Who may publish, withdraw, see and follow the reading of announcements (seed §2.2: the director informs
the participants of education).

- the administrator and the administration: publish to any audience of their college, withdraw any
  announcement, see who has read any;
- a curator: publish to the groups they curate (students, and their parents if chosen); withdraw and see the
  reading of their own announcements;
- everyone else: read what they are in the audience of (``selectors.announcement_visibility_q``).
"""

from announcements.models import Announcement, Audience
from colleges.models import STAFF_ROLES, College, Role
from colleges.permissions import has_role, is_member
from groups.permissions import teacher_scope

MANAGER_ROLES = (Role.ADMINISTRATOR, Role.ADMINISTRATION)


def can_view_announcements(user, college: College | None) -> bool:
    return is_member(user, college)


def can_manage_all_announcements(user, college: College | None) -> bool:
    return has_role(user, college, *MANAGER_ROLES)


def can_publish_announcements(user, college: College | None) -> bool:
    """Open the publish form at all: management, or a curator of at least one group."""
    if can_manage_all_announcements(user, college):
        return True
    return has_role(user, college, Role.TEACHER) and bool(teacher_scope(user, college).curated)


def can_publish_to(user, college: College, *, audience: str, group_ids) -> bool:
    if can_manage_all_announcements(user, college):
        return True
    group_ids = set(group_ids)
    return (
        audience == Audience.GROUPS
        and has_role(user, college, Role.TEACHER)
        and bool(group_ids)
        and group_ids <= teacher_scope(user, college).curated
    )


def _is_author_or_manager(user, announcement: Announcement) -> bool:
    college = announcement.college
    if can_manage_all_announcements(user, college):
        return True
    return announcement.author.user_id == user.pk and has_role(user, college, Role.TEACHER)


def can_withdraw_announcement(user, announcement: Announcement) -> bool:
    return _is_author_or_manager(user, announcement)


def can_view_announcement_reads(user, announcement: Announcement) -> bool:
    """«Прочитали 830 из 1 240» and who has not read: the author and the administration."""
    return _is_author_or_manager(user, announcement)


# Which audiences a person is in, by what they are in the college (``selectors.announcement_audience_q``).


def in_staff_audience(user, college: College | None) -> bool:
    return has_role(user, college, *STAFF_ROLES)


def in_student_audience(user, college: College | None) -> bool:
    """All students, and the chosen groups they study in."""
    return has_role(user, college, Role.STUDENT)


def in_parent_audience(user, college: College | None) -> bool:
    """All parents, and the chosen groups (with parents) of their children."""
    return has_role(user, college, Role.PARENT)


def can_view_announcement(user, announcement: Announcement) -> bool:
    """The person is in its audience (or wrote it, or manages the college's announcements)."""
    from announcements.selectors import announcement_visibility_q

    college = announcement.college
    return Announcement.objects.filter(
        announcement_visibility_q(user=user, college=college), pk=announcement.pk
    ).exists()
