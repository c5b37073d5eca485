"""The colleges app's first steps on a new college's dashboard (see core/dashboard.py)."""

from django.urls import reverse
from django.utils.translation import gettext

from colleges import permissions
from colleges.models import Department, Membership, Role


def fill_in_profile_step(request, college) -> dict | None:
    if not permissions.can_manage_college(request.user, college):
        return None
    return {
        "title": gettext("Заполните профиль колледжа: телефон и e-mail для связи"),
        "url": reverse("colleges:profile_edit"),
        "done": bool(college.phone and college.email),
    }


def create_departments_step(request, college) -> dict | None:
    if not permissions.can_manage_college(request.user, college):
        return None
    return {
        "title": gettext("Создайте отделения"),
        "url": reverse("colleges:department_list"),
        "done": Department.objects.filter(college=college).exists(),
    }


def add_teachers_step(request, college) -> dict | None:
    if not permissions.can_add_staff(request.user, college):
        return None
    teachers = Membership.objects.filter(college=college, role=Role.TEACHER, status=Membership.Status.ACTIVE)
    return {
        "title": gettext("Добавьте преподавателей"),
        "url": reverse("colleges:staff_add"),
        "done": teachers.exists(),
    }


def register() -> None:
    from core import dashboard

    dashboard.register_step(key="colleges.profile", provider=fill_in_profile_step, order=10)
    dashboard.register_step(key="colleges.departments", provider=create_departments_step, order=20)
    dashboard.register_step(key="colleges.teachers", provider=add_teachers_step, order=30)
