"""The college's own data: its profile and its departments."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from accounts.models import User
from accounts.phones import normalize_phone
from accounts.search import fold
from audit.services import audit_log, model_snapshot
from colleges.models import College, Department

PROFILE_FIELDS = ("full_name", "short_name", "region", "address", "time_zone", "email", "phone", "website")
MANAGE_DENIED_MESSAGE = "Изменять данные колледжа может только администратор платформы колледжа."


def college_update(
    *,
    actor: User,
    college: College,
    full_name: str | None = None,
    short_name: str | None = None,
    region: str | None = None,
    address: str | None = None,
    time_zone: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    website: str | None = None,
) -> College:
    """The administrator edits the fields of the college profile given (None leaves one as it is).

    INN and OGRN come from the approved application and are not among them.
    """
    from colleges.permissions import can_manage_college

    if not can_manage_college(actor, college):
        raise PermissionDenied(MANAGE_DENIED_MESSAGE)
    given = {
        "full_name": full_name,
        "short_name": short_name,
        "region": region,
        "address": address,
        "time_zone": time_zone,
        "email": email,
        "phone": phone,
        "website": website,
    }
    data = {field: value for field, value in given.items() if value is not None}
    with transaction.atomic():
        locked = College.objects.select_for_update().get(pk=college.pk)
        if data.get("phone"):
            try:
                data["phone"] = normalize_phone(data["phone"])
            except ValidationError as exc:
                raise ValidationError({"phone": exc.messages}) from None
        before = model_snapshot(locked, list(data))
        for key, value in data.items():
            setattr(locked, key, value)
        locked.full_clean()
        locked.save(update_fields=list(data) or None)
        audit_log(actor=actor, college=locked, action="college.update", target=locked, before=before, after=data)
    return locked


DEPARTMENT_NAME_TAKEN_MESSAGE = "Отделение с таким названием в колледже уже есть."
DEPARTMENT_HAS_GROUPS_MESSAGE = (
    "Нельзя удалить отделение «{name}»: в нём есть учебные группы. "
    "Сначала перенесите их в другое отделение или удалите."
)


def _department_save(department: Department) -> None:
    department.full_clean(validate_constraints=False)
    if (
        Department.objects.filter(college=department.college, name__fold=fold(department.name))
        .exclude(pk=department.pk)
        .exists()
    ):
        raise ValidationError({"name": [DEPARTMENT_NAME_TAKEN_MESSAGE]})
    try:
        with transaction.atomic():
            department.save()
    except IntegrityError as exc:
        raise ValidationError({"name": [DEPARTMENT_NAME_TAKEN_MESSAGE]}) from exc


@transaction.atomic
def department_create(*, actor: User, college: College, name: str, head_name: str = "") -> Department:
    from colleges.permissions import can_manage_college

    if not can_manage_college(actor, college):
        raise PermissionDenied("Создавать отделения может только администратор платформы колледжа.")
    department = Department(college=college, name=(name or "").strip(), head_name=(head_name or "").strip())
    _department_save(department)
    audit_log(
        actor=actor,
        college=college,
        action="department.create",
        target=department,
        after={"name": department.name, "head_name": department.head_name},
    )
    return department


@transaction.atomic
def department_update(*, actor: User, department: Department, name: str, head_name: str = "") -> Department:
    from colleges.permissions import can_manage_college

    if not can_manage_college(actor, department.college):
        raise PermissionDenied("Изменять отделения может только администратор платформы колледжа.")
    locked = Department.objects.select_for_update().select_related("college").get(pk=department.pk)
    before = model_snapshot(locked, ["name", "head_name"])
    locked.name = (name or "").strip()
    locked.head_name = (head_name or "").strip()
    _department_save(locked)
    audit_log(
        actor=actor,
        college=locked.college,
        action="department.update",
        target=locked,
        before=before,
        after={"name": locked.name, "head_name": locked.head_name},
    )
    return locked


@transaction.atomic
def department_delete(*, actor: User, department: Department) -> None:
    """Delete an empty department. Study groups protect theirs (``StudyGroup.department`` is PROTECT)."""
    from colleges.permissions import can_manage_college

    if not can_manage_college(actor, department.college):
        raise PermissionDenied("Удалять отделения может только администратор платформы колледжа.")
    locked = Department.objects.select_for_update().select_related("college").get(pk=department.pk)
    snapshot = model_snapshot(locked, ["name", "head_name"])
    pk = locked.pk
    try:
        with transaction.atomic():
            locked.delete()
    except ProtectedError as exc:
        raise ValidationError(DEPARTMENT_HAS_GROUPS_MESSAGE.format(name=locked.name), code="protected") from exc
    locked.pk = pk
    audit_log(actor=actor, college=locked.college, action="department.delete", target=locked, before=snapshot)
