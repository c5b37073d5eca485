"""Movement writes only its own tables: people, roles, enrollments, assignments and audit rows are written by
the services of accounts, colleges, groups and audit (tests/write_owners.py names the issuer of each statement).
"""

import datetime

import pytest

from colleges.models import Membership, Role
from groups.models import Enrollment
from movement import services
from movement.models import ImportBatch, Movement, MovementKind
from tests import factories
from tests.write_owners import writes_owned

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
ORDER = {"order_number": "15-к", "order_date": TODAY, "effective_date": TODAY}
HEADER = "Фамилия;Имя;Отчество;Телефон;Группа"


def _roster(lines: list[str]) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode("utf-8")


def _import(admin, college, lines, capture, **apply_options) -> ImportBatch:
    batch = services.import_upload(actor=admin, college=college, name="k.csv", data=_roster(lines), **ORDER)
    with capture(execute=True):
        services.import_apply_start(actor=admin, batch=batch, **apply_options)
    batch.refresh_from_db()
    return batch


def _tables(writes, issuer: str) -> set[str]:
    return {table for _owner, by, table in writes if by == issuer}


def test_a_roster_import_writes_people_roles_and_enrollments_through_their_apps(
    admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    moved = make_student(groups[0])
    missing = make_student(groups[1])
    idle = make_student()  # a student of the college in no group yet: enrolled by the file
    lines = [
        f"{moved.user.last_name};{moved.user.first_name};;{moved.user.phone};{groups[2].name}",
        f"{idle.user.last_name};{idle.user.first_name};;{idle.user.phone};{groups[0].name}",
        f"Новикова;Анна;;+79125550001;{groups[0].name}",
    ]

    with writes_owned() as writes:
        batch = _import(
            admin, college, lines, django_capture_on_commit_callbacks, include_expulsions=True, confirm_threshold=True
        )

    assert batch.status == ImportBatch.Status.APPLIED
    kinds = sorted(Movement.objects.filter(batch=batch).values_list("kind", flat=True))
    assert kinds == sorted([MovementKind.TRANSFER, MovementKind.ENROL, MovementKind.ENROL, MovementKind.EXPEL])
    assert Membership.objects.get(pk=missing.pk).status == Membership.Status.LEFT
    assert _tables(writes, "accounts") >= {"accounts_user"}
    assert _tables(writes, "colleges") >= {"colleges_membership"}
    assert _tables(writes, "groups") >= {"groups_enrollment"}
    assert _tables(writes, "audit") >= {"audit_auditevent"}
    assert _tables(writes, "movement") >= {"movement_importbatch", "movement_rosterrow", "movement_movement"}


def test_rolling_an_import_back_writes_through_the_owning_apps(
    admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    moved = make_student(groups[0])
    line = f"{moved.user.last_name};{moved.user.first_name};;{moved.user.phone};{groups[1].name}"
    batch = _import(
        admin, college, [line, f"Новикова;Анна;;+79125550001;{groups[0].name}"], django_capture_on_commit_callbacks
    )

    with writes_owned() as writes, django_capture_on_commit_callbacks(execute=True):
        rollback = services.import_rollback(actor=admin, batch=batch)

    rollback.refresh_from_db()
    assert rollback.status == ImportBatch.Status.APPLIED
    assert Enrollment.objects.get(student=moved, ended_at__isnull=True).group == groups[0]
    assert "groups_enrollment" in _tables(writes, "groups")


def test_a_year_roll_over_writes_through_the_owning_apps(
    admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    graduate = make_student(groups[0])
    make_student(groups[1])

    with writes_owned() as writes, django_capture_on_commit_callbacks(execute=True):
        batch = services.rollover_start(actor=admin, college=college, graduating_ids={groups[0].pk}, **ORDER)

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    assert Membership.objects.get(pk=graduate.pk).status == Membership.Status.LEFT
    assert {"groups_enrollment", "groups_studygroup"} <= _tables(writes, "groups")


def _order(kind, college, groups, make_student, admin, capture) -> dict:
    """The arguments of one order of ``kind`` for a person in the state it needs (set up outside the check)."""
    if kind == MovementKind.ENROL:
        return {"person": make_student(), "to_group": groups[0]}
    if kind == "enrol_by_phone":
        name = {"last_name": "Орлова", "first_name": "Нина"}
        return {"kind": MovementKind.ENROL, "phone": "+79125550002", "to_group": groups[0], **name}
    if kind == MovementKind.TRANSFER:
        return {"person": make_student(groups[0]), "to_group": groups[1]}
    if kind == MovementKind.ACADEMIC_LEAVE:
        return {"person": make_student(groups[0]), "planned_return_date": TODAY + datetime.timedelta(days=90)}
    if kind in (MovementKind.LEAVE_RETURN, MovementKind.REINSTATE):
        student = make_student(groups[0])
        before = MovementKind.ACADEMIC_LEAVE if kind == MovementKind.LEAVE_RETURN else MovementKind.EXPEL
        with capture(execute=True):
            services.movement_create(actor=admin, college=college, kind=before, person=student, reason="x", **ORDER)
        return {"person": student, "to_group": groups[1] if kind == MovementKind.REINSTATE else None}
    if kind in (MovementKind.EXPEL, MovementKind.GRADUATE):
        return {"person": make_student(groups[0]), "reason": "own_wish"}
    if kind == MovementKind.HIRE:
        return {"phone": "+79125550003", "last_name": "Орлов", "first_name": "Олег", "role": Role.TEACHER}
    teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)
    if kind in (MovementKind.DISMISS, MovementKind.CURATOR_UNASSIGN):
        factories.CuratorAssignmentFactory(group=groups[0], teacher=teacher)
    if kind in (MovementKind.DISMISS, MovementKind.SUBJECT_UNASSIGN):
        discipline = factories.SubjectTeacherAssignmentFactory(group=groups[0], teacher=teacher).discipline
    else:
        discipline = factories.DisciplineFactory(college=college)
    if kind == MovementKind.DISMISS:
        return {"person": teacher}
    if kind in (MovementKind.CURATOR_ASSIGN, MovementKind.CURATOR_UNASSIGN):
        return {"person": teacher, "to_group": groups[0]}
    return {"person": teacher, "to_group": groups[0], "discipline": discipline}


@pytest.mark.parametrize("kind", [*MovementKind.values, "enrol_by_phone"])
def test_applying_an_order_writes_through_the_owning_apps(
    kind, admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    order = {"kind": kind, **_order(kind, college, groups, make_student, admin, django_capture_on_commit_callbacks)}

    with writes_owned() as writes, django_capture_on_commit_callbacks(execute=True):
        movement = services.movement_create(actor=admin, college=college, **ORDER, **order)

    movement.refresh_from_db()
    assert (movement.status, movement.error) == (Movement.Status.APPLIED, "")
    assert "movement_movement" in _tables(writes, "movement")
    assert {owner for owner, _by, _table in writes} - {"movement", "audit"}, "the order changed nothing elsewhere"
