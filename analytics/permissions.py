"""Who sees the analytics (regulation §2.2: the administration «осуществляет контроль использования
возможностей Платформы» and «анализирует данные по результативности»).

- the administration (director, deputies) and the college's administrator: every section;
- a curator: the «Подключение» figures of the groups they curate, and only those (no college totals);
- anyone else — a teacher without a group, a student, a parent, another college's people: no.
"""

from colleges.models import College, Role
from colleges.permissions import has_role
from groups.permissions import teacher_scope


def can_view_analytics(user, college: College | None) -> bool:
    """Every section of «Аналитика», its exports and its API."""
    return bool(college) and has_role(user, college, Role.ADMINISTRATOR, Role.ADMINISTRATION)


def curated_groups(user, college: College | None) -> frozenset[int]:
    """The groups whose «Подключение» a curator sees (empty for anyone not curating here)."""
    if not has_role(user, college, Role.TEACHER):
        return frozenset()
    return teacher_scope(user, college).curated


def can_view_joining(user, college: College | None) -> bool:
    """«Подключение»: the analytics' viewers, and a curator (for their groups)."""
    return can_view_analytics(user, college) or bool(curated_groups(user, college))


def joining_group_scope(user, college: College | None) -> frozenset[int] | None:
    """The study groups ``user`` sees in «Подключение»: None for all of them."""
    return None if can_view_analytics(user, college) else curated_groups(user, college)
