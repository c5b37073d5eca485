"""The support app's «требует внимания» card on the dashboard (see core/dashboard.py)."""

from django.urls import reverse

from support import selectors
from support.permissions import can_manage_tickets


def open_tickets(request, college) -> dict | None:
    """Questions waiting for an answer: for the administrator, who answers them (one count)."""
    if not can_manage_tickets(request.user, college):
        return None
    return {
        "title": "Вопросы ждут ответа",
        "count": selectors.open_ticket_count(college=college),
        "url": reverse("support:queue") + "?status=open",
    }
