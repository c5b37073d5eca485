"""Guardians: a parent names their child among the students of a group they are a parent of; the group's
curator or the student themself confirms or rejects. Several guardians per student, several children per parent.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log
from colleges.models import Membership, Role
from groups.models import Enrollment, Guardian, StudyGroup
from groups.permissions import can_claim_guardian, can_decide_guardian, parent_membership_of

CLAIM_DENIED = "Указать ребёнка может родитель этой группы, присоединившийся по её ссылке."
NOT_IN_GROUP_MESSAGE = "Выберите обучающегося из списка группы."
ALREADY_CLAIMED_MESSAGE = "Вы уже указали этого обучающегося."
REJECTED_BEFORE_MESSAGE = "Эту связь уже отклонили. Если это ошибка, обратитесь к куратору группы."
DECIDE_DENIED = "Подтвердить родителя может сам обучающийся или куратор его группы."


def guardian_claim(*, actor: User, group: StudyGroup, student: Membership) -> Guardian:
    """The parent ``actor`` says ``student`` of ``group`` is their child: a pending guardian row."""
    if not can_claim_guardian(actor, group):
        raise PermissionDenied(CLAIM_DENIED)
    parent = parent_membership_of(actor, group)
    enrolled = Enrollment.objects.filter(
        group=group,
        student=student,
        ended_at__isnull=True,
        student__role=Role.STUDENT,
        student__status=Membership.Status.ACTIVE,
    ).exists()
    if not enrolled or student.user_id == actor.pk:
        raise ValidationError({"student": NOT_IN_GROUP_MESSAGE}, code="not_in_group")
    existing = Guardian.objects.filter(parent=parent, student=student).first()
    if existing is not None:
        if existing.status == Guardian.Status.REJECTED:
            raise ValidationError(REJECTED_BEFORE_MESSAGE, code="rejected")
        raise ValidationError(ALREADY_CLAIMED_MESSAGE, code="claimed")
    try:
        with transaction.atomic():
            guardian = Guardian.objects.create(college_id=group.college_id, parent=parent, student=student, group=group)
            audit_log(
                actor=actor,
                college=group.college,
                action="guardian.claim",
                target=guardian,
                after={"parent": parent.pk, "student": student.pk, "group": group.pk},
            )
    except IntegrityError:
        # The same press twice at once: the unique pair let one through.
        raise ValidationError(ALREADY_CLAIMED_MESSAGE, code="claimed") from None
    return guardian


def _decide(*, actor: User, guardian: Guardian, status: str) -> Guardian:
    if not can_decide_guardian(actor, guardian):
        raise PermissionDenied(DECIDE_DENIED)
    with transaction.atomic():
        locked = Guardian.objects.select_for_update().select_related("college").get(pk=guardian.pk)
        if locked.status == status:
            return locked
        before = locked.status
        locked.status = status
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        by = "student" if guardian.student.user_id == actor.pk else "curator"
        audit_log(
            actor=actor,
            college=locked.college,
            action="guardian.confirm" if status == Guardian.Status.CONFIRMED else "guardian.reject",
            target=locked,
            before={"status": before},
            after={"status": status, "by": by},
        )
    return locked


def guardian_confirm(*, actor: User, guardian: Guardian) -> Guardian:
    """«Да, это мой родитель» (the student) or the curator's confirmation."""
    return _decide(actor=actor, guardian=guardian, status=Guardian.Status.CONFIRMED)


def guardian_reject(*, actor: User, guardian: Guardian) -> Guardian:
    """«Нет, это не мой родитель» (the student) or the curator's refusal; the parent cannot claim the pair again."""
    return _decide(actor=actor, guardian=guardian, status=Guardian.Status.REJECTED)
