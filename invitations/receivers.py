"""Receivers of signals lower apps send. Connected in ``InvitationsConfig.ready()``."""

from groups.signals import LEAVING_KINDS, enrollment_changed


def student_left(sender, *, college_id, student_id, kind, **kwargs):
    """A student expelled or graduated: their open join requests and personal invitations close."""
    if kind not in LEAVING_KINDS:
        return
    from invitations.tasks import close_for_leaver

    close_for_leaver.delay(college_id=college_id, student_id=student_id, kind=str(kind))


def connect() -> None:
    enrollment_changed.connect(student_left, dispatch_uid="invitations.student_left")
