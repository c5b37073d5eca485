def current_college(request):
    """The college, the user's roles in it and the other colleges to switch to, for the base layout."""
    if not hasattr(request, "college"):
        return {}
    return {
        "current_college": request.college if request.college else None,
        "current_roles": request.roles,
        "user_memberships": request.memberships,
    }
