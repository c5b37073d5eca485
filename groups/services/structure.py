"""The college's structure in groups: study groups, staff groups and disciplines."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.search import fold
from audit.services import audit_log, model_snapshot
from colleges.models import STAFF_ROLES, College, Department, Membership
from groups import permissions
from groups.models import Discipline, FormOfStudy, StaffGroup, StudyGroup
from groups.signals import StudyGroupChange, study_group_changed

FOREIGN_DEPARTMENT_MESSAGE = "Выберите отделение этого колледжа."
DUPLICATE_GROUP_NAME_MESSAGE = "Учебная группа с таким названием уже есть в колледже."
DUPLICATE_STAFF_GROUP_NAME_MESSAGE = "Группа сотрудников с таким названием уже есть в колледже."
DUPLICATE_DISCIPLINE_NAME_MESSAGE = "Дисциплина с таким названием уже есть в колледже."
NOT_STAFF_MESSAGE = "В группу сотрудников можно добавить только действующего сотрудника этого колледжа."
MANAGE_GROUPS_DENIED = "Изменять учебные группы может только администратор платформы колледжа."
MANAGE_STAFF_GROUPS_DENIED = "Изменять группы сотрудников может только администратор платформы колледжа."
MANAGE_DISCIPLINES_DENIED = "Изменять дисциплины может только администратор платформы колледжа."
STUDY_GROUP_FIELDS = [
    "department",
    "name",
    "specialty_code",
    "specialty_name",
    "course",
    "admission_year",
    "form_of_study",
    "status",
]


def _study_group_changed_on_commit(group: StudyGroup, kind: str) -> None:
    college_id, group_id = group.college_id, group.pk
    transaction.on_commit(
        lambda: study_group_changed.send(sender=StudyGroup, college_id=college_id, group_id=group_id, kind=kind),
        robust=True,
    )


def _study_group_changes(before: dict, after: dict) -> list[str]:
    """The ``StudyGroupChange`` kinds an update amounts to (none for a course or a department)."""
    kinds = []
    if before["name"] != after["name"]:
        kinds.append(StudyGroupChange.RENAMED)
    was_active = before["status"] == StudyGroup.Status.ACTIVE
    is_active = after["status"] == StudyGroup.Status.ACTIVE
    if was_active and not is_active:
        kinds.append(StudyGroupChange.ARCHIVED)
    elif is_active and not was_active:
        kinds.append(StudyGroupChange.RESTORED)
    return kinds


def _clean_study_group(group: StudyGroup) -> None:
    group.full_clean(exclude=["college"], validate_constraints=False)
    if group.department_id and group.department.college_id != group.college_id:
        raise ValidationError({"department": FOREIGN_DEPARTMENT_MESSAGE}, code="foreign_department")
    if (
        StudyGroup.objects.filter(college_id=group.college_id, name__fold=fold(group.name))
        .exclude(pk=group.pk)
        .exists()
    ):
        raise ValidationError({"name": DUPLICATE_GROUP_NAME_MESSAGE}, code="duplicate_name")


def _save_unique(instance, field: str, message: str) -> None:
    """Save; a concurrent duplicate caught by the unique constraint becomes the same field error."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError({field: message}, code="duplicate_name") from exc


def study_group_create(
    *,
    actor: User,
    college: College,
    department: Department,
    name: str,
    admission_year: int,
    specialty_code: str = "",
    specialty_name: str = "",
    course: int = 1,
    form_of_study: str = FormOfStudy.FULL_TIME,
    status: str = StudyGroup.Status.ACTIVE,
) -> StudyGroup:
    if not permissions.can_create_study_group(actor, college):
        raise PermissionDenied(MANAGE_GROUPS_DENIED)
    group = StudyGroup(
        college=college,
        department=department,
        name=(name or "").strip(),
        specialty_code=(specialty_code or "").strip(),
        specialty_name=(specialty_name or "").strip(),
        course=course,
        admission_year=admission_year,
        form_of_study=form_of_study,
        status=status,
    )
    with transaction.atomic():
        _clean_study_group(group)
        _save_unique(group, "name", DUPLICATE_GROUP_NAME_MESSAGE)
        audit_log(
            actor=actor,
            college=college,
            action="study_group.create",
            target=group,
            after=model_snapshot(group, STUDY_GROUP_FIELDS),
        )
        _study_group_changed_on_commit(group, StudyGroupChange.CREATED)
    return group


def study_group_update(
    *,
    actor: User,
    group: StudyGroup,
    department: Department | None = None,
    name: str | None = None,
    specialty_code: str | None = None,
    specialty_name: str | None = None,
    course: int | None = None,
    admission_year: int | None = None,
    form_of_study: str | None = None,
    status: str | None = None,
) -> StudyGroup:
    """Change the fields of ``group`` given; None leaves a field as it is."""
    if not permissions.can_edit_study_group(actor, group):
        raise PermissionDenied(MANAGE_GROUPS_DENIED)
    given = {
        "department": department,
        "name": name,
        "specialty_code": specialty_code,
        "specialty_name": specialty_name,
        "course": course,
        "admission_year": admission_year,
        "form_of_study": form_of_study,
        "status": status,
    }
    changes = {field: value for field, value in given.items() if value is not None}
    with transaction.atomic():
        group = StudyGroup.objects.select_for_update(of=("self",)).select_related("department").get(pk=group.pk)
        before = model_snapshot(group, STUDY_GROUP_FIELDS)
        for field, value in changes.items():
            if isinstance(value, str):
                value = value.strip()
            setattr(group, field, value)
        _clean_study_group(group)
        _save_unique(group, "name", DUPLICATE_GROUP_NAME_MESSAGE)
        after = model_snapshot(group, STUDY_GROUP_FIELDS)
        if before != after:
            audit_log(
                actor=actor,
                college=group.college,
                action="study_group.update",
                target=group,
                before={k: v for k, v in before.items() if after[k] != v},
                after={k: v for k, v in after.items() if before[k] != v},
            )
            for kind in _study_group_changes(before, after):
                _study_group_changed_on_commit(group, kind)
    return group


def _clean_named(instance, model, message: str) -> None:
    instance.full_clean(exclude=["college", "members"], validate_constraints=False)
    duplicates = model.objects.filter(college_id=instance.college_id, name__fold=fold(instance.name))
    if duplicates.exclude(pk=instance.pk).exists():
        raise ValidationError({"name": message}, code="duplicate_name")


def _named_update(*, actor: User, instance, values: dict[str, str], duplicate_message: str, action: str):
    """Change the text fields of a named object of a college (name unique in it, case-insensitive), audited."""
    model = type(instance)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=instance.pk)
        before = {field: getattr(locked, field) for field in values}
        for field, value in values.items():
            setattr(locked, field, (value or "").strip())
        _clean_named(locked, model, duplicate_message)
        _save_unique(locked, "name", duplicate_message)
        audit_log(
            actor=actor,
            college=locked.college,
            action=action,
            target=locked,
            before=before,
            after={field: getattr(locked, field) for field in values},
        )
    return locked


def staff_group_create(*, actor: User, college: College, name: str, description: str = "") -> StaffGroup:
    if not permissions.can_manage_staff_groups(actor, college):
        raise PermissionDenied(MANAGE_STAFF_GROUPS_DENIED)
    staff_group = StaffGroup(college=college, name=(name or "").strip(), description=(description or "").strip())
    with transaction.atomic():
        _clean_named(staff_group, StaffGroup, DUPLICATE_STAFF_GROUP_NAME_MESSAGE)
        _save_unique(staff_group, "name", DUPLICATE_STAFF_GROUP_NAME_MESSAGE)
        audit_log(actor=actor, college=college, action="staff_group.create", target=staff_group)
    return staff_group


def staff_group_update(*, actor: User, staff_group: StaffGroup, name: str, description: str = "") -> StaffGroup:
    if not permissions.can_manage_staff_groups(actor, staff_group.college):
        raise PermissionDenied(MANAGE_STAFF_GROUPS_DENIED)
    return _named_update(
        actor=actor,
        instance=staff_group,
        values={"name": name, "description": description},
        duplicate_message=DUPLICATE_STAFF_GROUP_NAME_MESSAGE,
        action="staff_group.update",
    )


def staff_group_member_add(*, actor: User, staff_group: StaffGroup, member: Membership) -> StaffGroup:
    """Add a staff membership of the same college. Adding a member twice changes nothing."""
    if not permissions.can_manage_staff_groups(actor, staff_group.college):
        raise PermissionDenied(MANAGE_STAFF_GROUPS_DENIED)
    if member.college_id != staff_group.college_id or member.role not in STAFF_ROLES or not member.is_active:
        raise ValidationError({"member": NOT_STAFF_MESSAGE}, code="not_staff")
    with transaction.atomic():
        if staff_group.members.filter(pk=member.pk).exists():
            return staff_group
        staff_group.members.add(member)
        audit_log(
            actor=actor,
            college=staff_group.college,
            action="staff_group.member_add",
            target=staff_group,
            after={"member": member.pk},
        )
    return staff_group


def staff_group_member_remove(*, actor: User, staff_group: StaffGroup, member: Membership) -> StaffGroup:
    if not permissions.can_manage_staff_groups(actor, staff_group.college):
        raise PermissionDenied(MANAGE_STAFF_GROUPS_DENIED)
    with transaction.atomic():
        if not staff_group.members.filter(pk=member.pk).exists():
            return staff_group
        staff_group.members.remove(member)
        audit_log(
            actor=actor,
            college=staff_group.college,
            action="staff_group.member_remove",
            target=staff_group,
            before={"member": member.pk},
        )
    return staff_group


def discipline_create(*, actor: User, college: College, name: str, code: str = "") -> Discipline:
    if not permissions.can_manage_disciplines(actor, college):
        raise PermissionDenied(MANAGE_DISCIPLINES_DENIED)
    discipline = Discipline(college=college, name=(name or "").strip(), code=(code or "").strip())
    with transaction.atomic():
        _clean_named(discipline, Discipline, DUPLICATE_DISCIPLINE_NAME_MESSAGE)
        _save_unique(discipline, "name", DUPLICATE_DISCIPLINE_NAME_MESSAGE)
        audit_log(
            actor=actor,
            college=college,
            action="discipline.create",
            target=discipline,
            after={"name": discipline.name, "code": discipline.code},
        )
    return discipline


def discipline_update(*, actor: User, discipline: Discipline, name: str, code: str = "") -> Discipline:
    if not permissions.can_manage_disciplines(actor, discipline.college):
        raise PermissionDenied(MANAGE_DISCIPLINES_DENIED)
    return _named_update(
        actor=actor,
        instance=discipline,
        values={"name": name, "code": code},
        duplicate_message=DUPLICATE_DISCIPLINE_NAME_MESSAGE,
        action="discipline.update",
    )
