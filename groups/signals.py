"""Signals the groups app sends; higher apps (chats, invitations, materials) connect receivers.

``enrollment_changed`` is sent after commit whenever a student's group
changes (enrol, transfer, leave, return, expel, graduate, reinstate), with
``college_id``, ``student_id`` (Membership pk), ``old_group_id``,
``new_group_id`` (either may be None) and ``kind`` (the movement kind).

``staff_assignment_changed`` is sent after commit when a curator or subject
teacher assignment starts or ends, with ``college_id``, ``group_id``,
``teacher_id`` (Membership pk) and ``kind`` ("curator" or "subject").
"""

from django.dispatch import Signal

enrollment_changed = Signal()
staff_assignment_changed = Signal()
