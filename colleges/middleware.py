import zoneinfo

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

SESSION_KEY = "current_college_id"


class CurrentCollegeMiddleware:
    """Sets ``request.college`` (the college the user works in now) and the user's roles.

    A user with memberships in several colleges switches between them; the
    choice is kept in the session. Memberships are loaded once, lazily.
    Dates and times on the pages (and the ones typed into forms) are in the
    current college's time zone, so a signed-in user's request loads them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._memberships_cache = None
        request.memberships = SimpleLazyObject(lambda: _memberships(request))
        request.college = SimpleLazyObject(lambda: _current_college(request))
        request.roles = SimpleLazyObject(lambda: _current_roles(request))
        request.all_roles = SimpleLazyObject(lambda: frozenset(m.role for m in _memberships(request)))
        college = request.college if request.user.is_authenticated else None
        if college:
            timezone.activate(college_zone(college))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def college_zone(college):
    """The college's time zone, or the installation's when its name is not a known zone."""
    try:
        return zoneinfo.ZoneInfo(college.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def _memberships(request) -> list:
    if request._memberships_cache is None:
        user = request.user
        if not user.is_authenticated:
            request._memberships_cache = []
        else:
            from colleges.permissions import remember_roles
            from colleges.selectors import user_active_memberships

            request._memberships_cache = list(user_active_memberships(user=user))
            remember_roles(user, request._memberships_cache)
    return request._memberships_cache


def _current_college(request):
    memberships = _memberships(request)
    if not memberships:
        return None
    wanted = request.session.get(SESSION_KEY)
    for m in memberships:
        if m.college_id == wanted:
            return m.college
    return memberships[0].college


def current_college_or_none(request):
    """The College the user works in now (the object itself, not the lazy ``request.college``), or None."""
    if not request.user.is_authenticated:
        return None
    return _current_college(request)


def _current_roles(request) -> frozenset[str]:
    college = _current_college(request)
    if college is None:
        return frozenset()
    return frozenset(m.role for m in _memberships(request) if m.college_id == college.pk)
