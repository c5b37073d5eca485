"""Signals of colleges, sent by its own services once their transaction commits.

``staff_changed(college_id, membership_ids)``: memberships of a staff role (``STAFF_ROLES``) were given or
ended — a hire, a dismissal, a new administrator. Receivers: chats (the college and staff chats' rosters).
A student's changes go out as groups' ``enrollment_changed``; a parent's as ``group_parent_added``.
"""

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

staff_changed = Signal()


def staff_changed_on_commit(*, college_id: int, membership_ids: Iterable[int]) -> None:
    ids = sorted(set(membership_ids))
    if ids:
        transaction.on_commit(
            lambda: staff_changed.send(sender="colleges", college_id=college_id, membership_ids=ids), robust=True
        )
