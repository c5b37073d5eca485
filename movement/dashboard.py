"""The dashboard card of movement: orders waiting to be applied."""

from django.urls import reverse

from movement.permissions import can_view_all_movements
from movement.selectors import pending_movement_count


def pending_movements_card(request, college):
    if not can_view_all_movements(request.user, college):
        return None
    return {
        "title": "Приказы о движении контингента ждут даты вступления в силу",
        "count": pending_movement_count(college=college),
        "url": reverse("movement:list") + "?status=pending",
    }
