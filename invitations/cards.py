"""The invitations app's dashboard cards (see core/dashboard.py)."""

from django.urls import reverse
from django.utils.translation import gettext

from colleges.models import Role
from invitations.models import Invitation, JoinRequest
from invitations.permissions import can_create_invitation, can_see_all_join_requests


def pending_join_requests(request, college) -> dict | None:
    if not can_see_all_join_requests(request.user, college):
        return None
    count = JoinRequest.objects.filter(college=college, status=JoinRequest.Status.PENDING).count()
    return {"title": "Заявки на вступление", "count": count, "url": reverse("invitations:request_list")}


def create_invitations_step(request, college) -> dict | None:
    """A new college's first step: links by which teachers, students and parents join."""
    if not can_create_invitation(request.user, college, role=Role.TEACHER):
        return None
    return {
        "title": gettext("Создайте ссылки-приглашения для преподавателей и обучающихся"),
        "url": reverse("invitations:create"),
        "done": Invitation.objects.filter(college=college).exists(),
    }


def register() -> None:
    try:
        from core import dashboard
    except ImportError:  # the dashboard registry is optional
        return
    dashboard.register(key="invitations.pending_join_requests", provider=pending_join_requests, order=20)
    dashboard.register_step(key="invitations.create", provider=create_invitations_step, order=60)
