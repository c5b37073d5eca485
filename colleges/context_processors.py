def current_college(request):
    """The college and the other colleges to switch to, for the base layout.

    No roles: a template shows what a ``can_*`` flag from a permission predicate allows, never tests a role.
    """
    if not hasattr(request, "college"):
        return {}
    return {
        "current_college": request.college if request.college else None,
        "user_memberships": request.memberships,
    }
