"""The broadcasts app's card on the college dashboard (see core/dashboard.py)."""

from django.urls import reverse

from broadcasts import selectors
from broadcasts.models import Kind
from broadcasts.permissions import sees_seminars


def upcoming_seminars(request, college) -> dict | None:
    """Seminars and webinars for teachers still ahead (seed §3.4), for the staff who see them (one count)."""
    if not sees_seminars(request.user, college):
        return None
    return {
        "title": "Семинары и вебинары для педагогов",
        "count": selectors.seminar_upcoming(viewer=request.user, college=college).count(),
        "url": reverse("broadcasts:list") + f"?kind={Kind.SEMINAR}",
    }
