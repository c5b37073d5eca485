"""Who may do what in a college: small predicates over (user, object).

The same predicate serves views, the API and the ``can_*`` flags templates use.
Roles are loaded once per user object and cached on it.
"""

from colleges.models import College, Membership, Role


def roles_in(user, college: College | None) -> frozenset[str]:
    """The user's active roles in ``college`` (cached on the user object for the request)."""
    if college is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = user.__dict__.setdefault("_college_roles", {})
    if college.pk not in cache:
        cache[college.pk] = frozenset(
            Membership.objects.filter(user=user, college=college, status=Membership.Status.ACTIVE).values_list(
                "role", flat=True
            )
        )
    return cache[college.pk]


def remember_roles(user, memberships) -> None:
    """Fill ``roles_in``'s cache from memberships already read (all of the user's active ones), so the
    predicates ask the database no more during this request."""
    cache = user.__dict__.setdefault("_college_roles", {})
    by_college: dict[int, set[str]] = {}
    for membership in memberships:
        by_college.setdefault(membership.college_id, set()).add(membership.role)
    for college_id, roles in by_college.items():
        cache[college_id] = frozenset(roles)


def has_role(user, college: College | None, *roles: str) -> bool:
    return bool(roles_in(user, college) & set(roles))


def is_member(user, college: College | None) -> bool:
    return bool(roles_in(user, college))


def is_platform_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


def can_review_applications(user) -> bool:
    return is_platform_staff(user)


def can_manage_college(user, college: College) -> bool:
    """Edit the profile, departments, structure: the college's platform administrator."""
    return has_role(user, college, Role.ADMINISTRATOR)


def can_view_college_dashboard(user, college: College) -> bool:
    return has_role(user, college, Role.ADMINISTRATOR, Role.ADMINISTRATION)


def can_appoint_administrator(user, college: College) -> bool:
    """The director (administration) appoints or replaces the administrator (seed §2.2)."""
    return has_role(user, college, Role.ADMINISTRATION)


def can_view_staff_directory(user, college: College) -> bool:
    return has_role(user, college, Role.ADMINISTRATOR, Role.ADMINISTRATION, Role.TEACHER)


def can_view_college_profile(user, college: College) -> bool:
    """Every member of the college sees its profile."""
    return is_member(user, college)


def can_view_departments(user, college: College) -> bool:
    return has_role(user, college, Role.ADMINISTRATOR, Role.ADMINISTRATION, Role.TEACHER)


def can_view_staff(user, college: College) -> bool:
    """The staff list with phones: the administrator and the administration."""
    return has_role(user, college, Role.ADMINISTRATOR, Role.ADMINISTRATION)


def can_view_memberships(user, college: College) -> bool:
    """The college's members through the API: the administrator and the administration."""
    return has_role(user, college, Role.ADMINISTRATOR, Role.ADMINISTRATION)


def can_add_staff(user, college: College) -> bool:
    return can_manage_college(user, college)
