"""The groups app's «требует внимания» cards on the dashboard (see core/dashboard.py)."""

from django.urls import reverse
from django.utils.translation import gettext

from core import dashboard
from groups import permissions, selectors


def groups_without_curator(request, college) -> dict:
    return {
        "title": "Группы без куратора",
        "count": selectors.college_figures_for(request, college=college)["without_curator"],
        "url": reverse("groups:study_group_list") + "?attention=no_curator",
    }


def groups_without_students(request, college) -> dict:
    return {
        "title": "Группы без обучающихся",
        "count": selectors.college_figures_for(request, college=college)["without_students"],
        "url": reverse("groups:study_group_list") + "?attention=no_students",
    }


SHOWN_NAMES = 5


def staff_without_assignment(request, college) -> dict:
    """Teachers who neither curate nor teach a group; the first few are named on the card."""
    count, shown = selectors.teachers_without_assignment_preview(college=college, limit=SHOWN_NAMES)
    return {
        "title": "Преподаватели без назначений",
        "count": count,
        "url": reverse("colleges:staff_list"),
        "names": shown,
    }


def create_study_groups_step(request, college) -> dict | None:
    if not permissions.can_create_study_group(request.user, college):
        return None
    return {
        "title": gettext("Создайте первую учебную группу"),
        "url": reverse("groups:study_group_create"),
        "done": selectors.college_figures_for(request, college=college)["study_groups"] > 0,
    }


def assign_curators_step(request, college) -> dict | None:
    if not permissions.can_assign_curators(request.user, college):
        return None
    figures = selectors.college_figures_for(request, college=college)
    return {
        "title": gettext("Назначьте кураторов групп"),
        "url": reverse("groups:study_group_list") + "?attention=no_curator",
        "done": figures["study_groups"] > 0 and figures["without_curator"] == 0,
    }


def register() -> None:
    dashboard.register(key="groups.without_curator", provider=groups_without_curator, order=50)
    dashboard.register(key="groups.without_students", provider=groups_without_students, order=51)
    dashboard.register(key="groups.staff_without_assignment", provider=staff_without_assignment, order=52)
    dashboard.register_step(key="groups.study_groups", provider=create_study_groups_step, order=40)
    dashboard.register_step(key="groups.curators", provider=assign_curators_step, order=50)
