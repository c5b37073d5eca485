"""The invitations app's dashboard cards (see sferum_admin/dashboard.py)."""

from django.urls import reverse

from colleges.models import Role
from colleges.permissions import has_role
from invitations.models import JoinRequest


def pending_join_requests(request, college) -> dict | None:
    if not has_role(request.user, college, Role.ADMINISTRATOR):
        return None
    count = JoinRequest.objects.filter(college=college, status=JoinRequest.Status.PENDING).count()
    return {"title": "Заявки на вступление", "count": count, "url": reverse("invitations:request_list")}


def register() -> None:
    try:
        from sferum_admin import dashboard
    except ImportError:  # the dashboard registry is optional
        return
    dashboard.register(key="invitations.pending_join_requests", provider=pending_join_requests, order=20)
