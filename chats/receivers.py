"""Receivers of groups' and colleges' signals: each queues chats work (done by ``chats.services.sync``).

The signals are sent after the groups transaction commits, so a task sees the committed roster. A
student's or parent's change is gathered per college (``chats.roster_queue``): a group joining at once
through a link, or a roster import, costs one task, not two per person.
"""

from colleges import signals as college_signals
from groups import signals

DISPATCH = "chats"


def on_enrollment_changed(sender, *, college_id, student_id, old_group_id, new_group_id, kind, **kwargs) -> None:
    from chats.roster_queue import roster_changed

    # Enrolment, reinstatement, expulsion and graduation change the college chat too (group None).
    groups = {old_group_id, new_group_id, None}
    roster_changed(college_id=college_id, entries=[(group_id, student_id) for group_id in groups])


def on_staff_assignment_changed(sender, *, college_id, group_id, teacher_id, kind, **kwargs) -> None:
    """A curator or subject teacher assigned or ended: the whole group's chats (owners change hands), the
    teacher's place in the college's."""
    from chats.roster_queue import EVERYONE, roster_changed

    roster_changed(college_id=college_id, entries=[(group_id, EVERYONE), (None, teacher_id)])


def on_study_group_changed(sender, *, college_id, group_id, kind, **kwargs) -> None:
    """A group created or archived: its chats made or archived with the next roster sync; renamed or restored:
    a task of its own."""
    from chats import tasks
    from chats.roster_queue import EVERYONE, roster_changed
    from groups.signals import StudyGroupChange

    if kind in (StudyGroupChange.CREATED, StudyGroupChange.ARCHIVED):
        roster_changed(college_id=college_id, entries=[(group_id, EVERYONE)])
    else:
        tasks.group_changed.delay(group_id, str(kind))


def on_group_parent_added(sender, *, college_id, group_id, parent_id, **kwargs) -> None:
    from chats.roster_queue import roster_changed

    roster_changed(college_id=college_id, entries=[(group_id, parent_id)])


def on_staff_changed(sender, *, college_id, membership_ids, **kwargs) -> None:
    """A hire, a dismissal or a new administrator: the college and staff chats of those people."""
    from chats.roster_queue import roster_changed

    roster_changed(college_id=college_id, entries=[(None, member_id) for member_id in membership_ids])


def _receivers():
    return (
        (signals.enrollment_changed, on_enrollment_changed, "enrollment"),
        (signals.staff_assignment_changed, on_staff_assignment_changed, "staff"),
        (signals.study_group_changed, on_study_group_changed, "group"),
        (signals.group_parent_added, on_group_parent_added, "parent"),
        (college_signals.staff_changed, on_staff_changed, "staff_changed"),
    )


def connect() -> None:
    for signal, receiver, suffix in _receivers():
        signal.connect(receiver, dispatch_uid=f"{DISPATCH}.{suffix}")


def disconnect() -> None:
    """Chats stop following the roster until ``connect()`` (tests measuring another flow; bench/region.py)."""
    for signal, _, suffix in _receivers():
        signal.disconnect(dispatch_uid=f"{DISPATCH}.{suffix}")
