"""Receivers of groups' signals: each queues a chats task (the work is in ``chats.services.sync``).

The signals are sent after the groups transaction commits, so a task sees the committed roster.
"""

from groups import signals

DISPATCH = "chats"


def on_enrollment_changed(sender, *, college_id, student_id, old_group_id, new_group_id, kind, **kwargs) -> None:
    from chats import tasks

    for group_id in {old_group_id, new_group_id} - {None}:
        tasks.sync_group.delay(group_id, [student_id])
    # Enrolment, reinstatement, expulsion and graduation change the college chat too.
    tasks.sync_members.delay(college_id, [student_id])


def on_staff_assignment_changed(sender, *, college_id, group_id, teacher_id, kind, **kwargs) -> None:
    from chats import tasks

    tasks.sync_group.delay(group_id)
    tasks.sync_members.delay(college_id, [teacher_id])


def on_study_group_changed(sender, *, college_id, group_id, kind, **kwargs) -> None:
    from chats import tasks

    tasks.group_changed.delay(group_id, str(kind))


def on_group_parent_added(sender, *, college_id, group_id, parent_id, **kwargs) -> None:
    from chats import tasks

    tasks.sync_group.delay(group_id, [parent_id])


def connect() -> None:
    signals.enrollment_changed.connect(on_enrollment_changed, dispatch_uid=f"{DISPATCH}.enrollment")
    signals.staff_assignment_changed.connect(on_staff_assignment_changed, dispatch_uid=f"{DISPATCH}.staff")
    signals.study_group_changed.connect(on_study_group_changed, dispatch_uid=f"{DISPATCH}.group")
    signals.group_parent_added.connect(on_group_parent_added, dispatch_uid=f"{DISPATCH}.parent")
