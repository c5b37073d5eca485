"""The groups app's «требует внимания» cards on the dashboard (see sferum_admin/dashboard.py)."""

from django.urls import reverse

from groups import selectors
from sferum_admin import dashboard


def groups_without_curator(request, college) -> dict:
    return {
        "title": "Группы без куратора",
        "count": selectors.groups_without_curator(college=college).count(),
        "url": reverse("groups:study_group_list") + "?attention=no_curator",
    }


def groups_without_students(request, college) -> dict:
    return {
        "title": "Группы без обучающихся",
        "count": selectors.groups_without_students(college=college).count(),
        "url": reverse("groups:study_group_list") + "?attention=no_students",
    }


SHOWN_NAMES = 5


def staff_without_assignment(request, college) -> dict:
    """Teachers who neither curate nor teach a group; the first few are named on the card."""
    teachers = selectors.teachers_without_assignment(college=college).order_by("user__last_name", "pk")
    return {
        "title": "Преподаватели без назначений",
        "count": teachers.count(),
        "url": reverse("colleges:staff_list"),
        "names": [m.user.short_name for m in teachers[:SHOWN_NAMES]],
    }


def register() -> None:
    dashboard.register(key="groups.without_curator", provider=groups_without_curator, order=50)
    dashboard.register(key="groups.without_students", provider=groups_without_students, order=51)
    dashboard.register(key="groups.staff_without_assignment", provider=staff_without_assignment, order=52)
