import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from colleges.models import Membership, Role
from groups import signals
from groups.models import CuratorAssignment, Enrollment, SubjectTeacherAssignment
from movement import messages, selectors, services
from movement.models import Movement, MovementKind
from movement.tasks import apply_due_movements
from tests import factories
from tests.groups.student_counts import assert_student_counts_exact

TODAY = datetime.date.today()
ORDER = {"order_number": "15-к", "order_date": TODAY}

pytestmark = pytest.mark.django_db


def create(admin, college, kind, *, effective_date=TODAY, **kwargs):
    return services.movement_create(
        actor=admin, college=college, kind=kind, effective_date=effective_date, **ORDER, **kwargs
    )


def reload(movement):
    movement.refresh_from_db()
    return movement


def active_group(membership):
    enrollment = Enrollment.objects.filter(student__user=membership.user, ended_at__isnull=True).first()
    return enrollment.group if enrollment else None


@pytest.fixture
def received(django_capture_on_commit_callbacks):
    events = []

    def on_enrollment(sender, **kwargs):
        events.append(("enrollment", kwargs))

    def on_staff(sender, **kwargs):
        events.append(("staff", kwargs))

    signals.enrollment_changed.connect(on_enrollment, dispatch_uid="test-enrollment")
    signals.staff_assignment_changed.connect(on_staff, dispatch_uid="test-staff")
    yield events
    signals.enrollment_changed.disconnect(dispatch_uid="test-enrollment")
    signals.staff_assignment_changed.disconnect(dispatch_uid="test-staff")


def test_enrol_puts_student_into_group_and_sends_enrollment_changed(
    admin, college, groups, make_student, received, django_capture_on_commit_callbacks
):
    student = make_student()

    with django_capture_on_commit_callbacks(execute=True):
        movement = create(admin, college, MovementKind.ENROL, person=student, to_group=groups[0])

    assert reload(movement).status == Movement.Status.APPLIED
    assert active_group(student) == groups[0]
    assert assert_student_counts_exact()[groups[0].name] == 1
    assert received == [
        (
            "enrollment",
            {
                "college_id": college.pk,
                "student_id": student.pk,
                "old_group_id": None,
                "new_group_id": groups[0].pk,
                "kind": "enrol",
                "signal": signals.enrollment_changed,
            },
        )
    ]


def test_transfer_ends_old_enrollment_and_starts_new_one_on_effective_date(
    admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    student = make_student(groups[0])

    with django_capture_on_commit_callbacks(execute=True):
        movement = create(admin, college, MovementKind.TRANSFER, person=student, to_group=groups[1])

    assert reload(movement).status == Movement.Status.APPLIED
    assert reload(movement).from_group == groups[0]
    old, new = Enrollment.objects.filter(student=student).order_by("id")
    assert (old.group, old.ended_at) == (groups[0], TODAY)
    assert (new.group, new.started_at, new.ended_at) == (groups[1], TODAY, None)
    counts = assert_student_counts_exact()
    assert (counts[groups[0].name], counts[groups[1].name]) == (0, 1)


def test_transfer_to_the_same_group_is_refused(admin, college, groups, make_student):
    student = make_student(groups[0])

    with pytest.raises(ValidationError) as exc:
        create(admin, college, MovementKind.TRANSFER, person=student, to_group=groups[0])

    assert "to_group" in exc.value.message_dict


def test_academic_leave_ends_enrollment_and_schedules_return_to_same_group(
    admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    student = make_student(groups[0])
    back_on = TODAY + datetime.timedelta(days=180)

    with django_capture_on_commit_callbacks(execute=True):
        leave = create(admin, college, MovementKind.ACADEMIC_LEAVE, person=student, planned_return_date=back_on)

    assert reload(leave).status == Movement.Status.APPLIED
    assert active_group(student) is None
    assert assert_student_counts_exact()[groups[0].name] == 0
    assert selectors.last_leave(student) == leave
    back = Movement.objects.get(caused_by=leave)
    assert (back.kind, back.status, back.effective_date, back.to_group) == (
        MovementKind.LEAVE_RETURN,
        Movement.Status.PENDING,
        back_on,
        groups[0],
    )


def test_return_from_leave_puts_student_back_and_cancels_the_planned_return(
    admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    student = make_student(groups[0])
    with django_capture_on_commit_callbacks(execute=True):
        create(
            admin,
            college,
            MovementKind.ACADEMIC_LEAVE,
            person=student,
            planned_return_date=TODAY + datetime.timedelta(days=90),
        )

    with django_capture_on_commit_callbacks(execute=True):
        back = create(admin, college, MovementKind.LEAVE_RETURN, person=student)

    assert reload(back).status == Movement.Status.APPLIED
    assert active_group(student) == groups[0]
    assert assert_student_counts_exact()[groups[0].name] == 1
    planned = Movement.objects.get(caused_by__kind=MovementKind.ACADEMIC_LEAVE)
    assert planned.status == Movement.Status.CANCELLED


def test_return_without_leave_fails_and_changes_nothing(
    admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    student = make_student(groups[0])

    with django_capture_on_commit_callbacks(execute=True):
        back = create(admin, college, MovementKind.LEAVE_RETURN, person=student)

    assert reload(back).status == Movement.Status.FAILED
    assert reload(back).error == messages.NOT_ON_LEAVE_MESSAGE
    assert active_group(student) == groups[0]


@pytest.mark.parametrize("kind", [MovementKind.EXPEL, MovementKind.GRADUATE])
def test_expulsion_and_graduation_end_enrollment_and_membership(
    kind, admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    student = make_student(groups[0])

    with django_capture_on_commit_callbacks(execute=True):
        movement = create(admin, college, kind, person=student, reason="own_wish")

    assert reload(movement).status == Movement.Status.APPLIED
    assert active_group(student) is None
    assert assert_student_counts_exact()[groups[0].name] == 0
    student.refresh_from_db()
    assert student.status == Membership.Status.LEFT


def test_expulsion_needs_a_reason_and_stores_its_wording(admin, college, groups, make_student):
    student = make_student(groups[0])

    with pytest.raises(ValidationError):
        create(admin, college, MovementKind.EXPEL, person=student)
    movement = create(admin, college, MovementKind.EXPEL, person=student, reason="poor_progress")

    assert movement.reason == "за неуспеваемость"


def test_reinstatement_gives_a_new_membership_in_the_group(
    admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    student = make_student(groups[0])
    with django_capture_on_commit_callbacks(execute=True):
        create(admin, college, MovementKind.EXPEL, person=student, reason="own_wish")

    with django_capture_on_commit_callbacks(execute=True):
        movement = create(admin, college, MovementKind.REINSTATE, person=student, to_group=groups[2])

    assert reload(movement).status == Movement.Status.APPLIED
    assert active_group(student) == groups[2]
    assert assert_student_counts_exact()[groups[2].name] == 1
    assert Membership.objects.filter(user=student.user, role=Role.STUDENT, status="active").count() == 1


def test_hire_creates_user_and_staff_membership(admin, college, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        movement = create(
            admin,
            college,
            MovementKind.HIRE,
            phone="8 (912) 345-67-89",
            last_name="Орлова",
            first_name="Нина",
            role=Role.TEACHER,
            position="преподаватель информатики",
        )

    movement = reload(movement)
    assert movement.status == Movement.Status.APPLIED
    assert movement.person.user.phone == "+79123456789"
    assert (movement.person.role, movement.person.position) == (Role.TEACHER, "преподаватель информатики")


def test_dismissal_ends_membership_and_assignments(
    admin, college, groups, received, django_capture_on_commit_callbacks
):
    curator = factories.CuratorAssignmentFactory(group=groups[0]).teacher
    factories.SubjectTeacherAssignmentFactory(group=groups[1], teacher=curator)

    with django_capture_on_commit_callbacks(execute=True):
        movement = create(admin, college, MovementKind.DISMISS, person=curator)

    assert reload(movement).status == Movement.Status.APPLIED
    curator.refresh_from_db()
    assert curator.status == Membership.Status.LEFT
    assert not CuratorAssignment.objects.filter(teacher=curator, ended_at__isnull=True).exists()
    assert not SubjectTeacherAssignment.objects.filter(teacher=curator, ended_at__isnull=True).exists()
    assert sorted(kw["kind"] for name, kw in received) == ["curator", "subject"]


def test_curator_assignment_replaces_previous_curator_and_tells_both(
    admin, college, groups, received, django_capture_on_commit_callbacks
):
    old = factories.CuratorAssignmentFactory(group=groups[0]).teacher
    new = factories.MembershipFactory(college=college, role=Role.TEACHER)

    with django_capture_on_commit_callbacks(execute=True):
        create(admin, college, MovementKind.CURATOR_ASSIGN, person=new, to_group=groups[0])

    assert CuratorAssignment.objects.get(group=groups[0], ended_at__isnull=True).teacher == new
    assert {kw["teacher_id"] for _, kw in received} == {old.pk, new.pk}


def test_curator_unassign_and_subject_assign_unassign(admin, college, groups, django_capture_on_commit_callbacks):
    teacher = factories.CuratorAssignmentFactory(group=groups[0]).teacher
    discipline = factories.DisciplineFactory(college=college)

    with django_capture_on_commit_callbacks(execute=True):
        a = create(admin, college, MovementKind.CURATOR_UNASSIGN, person=teacher, to_group=groups[0])
        b = create(
            admin, college, MovementKind.SUBJECT_ASSIGN, person=teacher, to_group=groups[1], discipline=discipline
        )
    assigned = SubjectTeacherAssignment.objects.filter(teacher=teacher, ended_at__isnull=True).count()
    with django_capture_on_commit_callbacks(execute=True):
        c = create(
            admin, college, MovementKind.SUBJECT_UNASSIGN, person=teacher, to_group=groups[1], discipline=discipline
        )

    assert [reload(m).status for m in (a, b, c)] == ["applied"] * 3
    assert not CuratorAssignment.objects.filter(teacher=teacher, ended_at__isnull=True).exists()
    assert assigned == 1
    assert not SubjectTeacherAssignment.objects.filter(teacher=teacher, ended_at__isnull=True).exists()


def test_student_kind_for_a_teacher_is_refused(admin, college, groups):
    teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)

    with pytest.raises(ValidationError):
        create(admin, college, MovementKind.TRANSFER, person=teacher, to_group=groups[0])


def test_only_the_administrator_may_enter_movements(college, groups, make_student):
    student = make_student(groups[0])
    teacher = factories.MembershipFactory(college=college, role=Role.TEACHER).user

    with pytest.raises(PermissionDenied):
        create(teacher, college, MovementKind.TRANSFER, person=student, to_group=groups[1])


def test_applying_twice_changes_nothing(admin, college, groups, make_student, django_capture_on_commit_callbacks):
    student = make_student(groups[0])
    with django_capture_on_commit_callbacks(execute=True):
        movement = create(admin, college, MovementKind.TRANSFER, person=student, to_group=groups[1])
    enrollments = list(Enrollment.objects.filter(student=student).values_list("id", "group_id", "ended_at"))

    again = services.movement_apply(movement_id=movement.pk)

    assert again.status == Movement.Status.APPLIED
    assert list(Enrollment.objects.filter(student=student).values_list("id", "group_id", "ended_at")) == enrollments


def test_future_movement_waits_and_is_applied_by_the_beat_task_on_its_date(
    admin, college, groups, make_student, django_capture_on_commit_callbacks, monkeypatch
):
    student = make_student(groups[0])
    on = TODAY + datetime.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        movement = create(admin, college, MovementKind.TRANSFER, person=student, to_group=groups[1], effective_date=on)
    assert reload(movement).status == Movement.Status.PENDING
    assert services.movement_apply(movement_id=movement.pk).status == Movement.Status.PENDING
    assert apply_due_movements() == 0

    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: on)
    applied = apply_due_movements()

    assert applied == 1
    assert reload(movement).status == Movement.Status.APPLIED
    assert active_group(student) == groups[1]


def test_planned_return_is_applied_by_beat_on_the_planned_date(
    admin, college, groups, make_student, django_capture_on_commit_callbacks, monkeypatch
):
    student = make_student(groups[0])
    back_on = TODAY + datetime.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        create(admin, college, MovementKind.ACADEMIC_LEAVE, person=student, planned_return_date=back_on)

    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: back_on)
    apply_due_movements()

    assert active_group(student) == groups[0]


def test_cancelled_pending_movement_is_never_applied(admin, college, groups, make_student):
    student = make_student(groups[0])
    movement = create(
        admin,
        college,
        MovementKind.TRANSFER,
        person=student,
        to_group=groups[1],
        effective_date=TODAY + datetime.timedelta(days=3),
    )

    services.movement_cancel(actor=admin, movement=movement)

    assert services.movement_apply(movement_id=movement.pk).status == Movement.Status.CANCELLED
    with pytest.raises(ValidationError):
        services.movement_cancel(actor=admin, movement=movement)


def test_roster_on_date_answers_who_was_in_the_group(
    admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    stayed = make_student(groups[0], started_at=datetime.date(2025, 9, 1))
    moved = make_student(groups[0], started_at=datetime.date(2025, 9, 1))
    with django_capture_on_commit_callbacks(execute=True):
        create(admin, college, MovementKind.TRANSFER, person=moved, to_group=groups[1])
    yesterday = TODAY - datetime.timedelta(days=1)

    before = {e.student_id for e in selectors.roster_on_date(group=groups[0], on=yesterday)}
    now = {e.student_id for e in selectors.roster_on_date(group=groups[0], on=TODAY)}
    early = {e.student_id for e in selectors.roster_on_date(group=groups[0], on=datetime.date(2025, 8, 31))}

    assert before == {stayed.pk, moved.pk}
    assert now == {stayed.pk}
    assert early == set()


def test_timeline_lists_movements_of_all_memberships_newest_first(
    admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    student = make_student()
    with django_capture_on_commit_callbacks(execute=True):
        create(
            admin,
            college,
            MovementKind.ENROL,
            person=student,
            to_group=groups[0],
            effective_date=TODAY - datetime.timedelta(days=20),
        )
    with django_capture_on_commit_callbacks(execute=True):
        create(
            admin,
            college,
            MovementKind.EXPEL,
            person=student,
            reason="own_wish",
            effective_date=TODAY - datetime.timedelta(days=10),
        )
    with django_capture_on_commit_callbacks(execute=True):
        create(admin, college, MovementKind.REINSTATE, person=student, to_group=groups[1])
    new_membership = Membership.objects.get(user=student.user, status="active")

    timeline = selectors.person_timeline(person=new_membership)

    assert [item["movement"].kind for item in timeline] == ["reinstate", "expel", "enrol"]


def test_year_rollover_moves_groups_up_and_graduates_final_year(
    admin, college, make_student, django_capture_on_commit_callbacks
):
    first = factories.StudyGroupFactory(college=college, course=1, name="ИС-31")
    final = factories.StudyGroupFactory(college=college, course=4, name="ИС-01")
    freshman, leaver = make_student(first), make_student(final)
    plan = selectors.rollover_plan(college=college)
    assert [(item["group"].name, item["graduate"]) for item in plan] == [("ИС-31", False), ("ИС-01", True)]

    with django_capture_on_commit_callbacks(execute=True):
        batch = services.rollover_start(
            actor=admin,
            college=college,
            order_number="200-к",
            order_date=TODAY,
            effective_date=TODAY,
            graduating_ids={final.pk},
        )

    batch.refresh_from_db()
    first.refresh_from_db()
    final.refresh_from_db()
    leaver.refresh_from_db()
    assert batch.status == "applied"
    assert (first.course, final.status) == (2, "graduated")
    assert active_group(freshman) == first
    assert (active_group(leaver), leaver.status) == (None, Membership.Status.LEFT)
    assert Movement.objects.get(batch=batch).kind == MovementKind.GRADUATE
    services.rollover_process(batch_id=batch.pk)
    first.refresh_from_db()
    assert first.course == 2


def test_rollover_dated_in_the_future_is_refused(admin, college, groups):
    with pytest.raises(ValidationError):
        services.rollover_start(
            actor=admin,
            college=college,
            order_number="1",
            order_date=TODAY,
            effective_date=TODAY + datetime.timedelta(days=1),
            graduating_ids=set(),
        )


def test_pending_movements_dashboard_card_counts_for_the_administration_only(college, groups, make_student, rf):
    from core import dashboard
    from movement.dashboard import pending_movements_card

    student = make_student(groups[0])
    Movement.objects.create(
        college=college,
        kind="transfer",
        person=student,
        from_group=groups[0],
        to_group=groups[1],
        order_number="1",
        order_date=TODAY,
        effective_date=TODAY + datetime.timedelta(days=3),
    )
    director = factories.MembershipFactory(college=college, role=Role.ADMINISTRATION).user
    request = rf.get("/")

    request.user = director
    card = pending_movements_card(request, college)
    request.user = student.user
    hidden = pending_movements_card(request, college)

    assert "movement.pending" in dashboard.registered_keys()
    assert card["count"] == 1
    assert hidden is None


def test_import_sends_enrollment_changed_for_each_change(
    admin, college, groups, received, django_capture_on_commit_callbacks
):
    data = "Фамилия;Имя;Телефон;Группа\nИванов;Иван;89120000001;ИС-20\nПетров;Пётр;89120000002;ИС-21\n"
    batch = services.import_upload(
        actor=admin,
        college=college,
        name="k.csv",
        data=data.encode("utf-8"),
        order_number="1",
        order_date=TODAY,
        effective_date=TODAY,
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.import_apply_start(actor=admin, batch=batch)

    assert sorted((kw["kind"], kw["new_group_id"]) for _, kw in received) == [
        ("enrol", groups[0].pk),
        ("enrol", groups[1].pk),
    ]


def test_backdated_transfer_is_refused_with_the_reason_and_not_recorded(admin, college, groups, make_student):
    student = make_student(groups[0], started_at=datetime.date(2025, 9, 1))

    with pytest.raises(ValidationError) as caught:
        create(
            admin,
            college,
            MovementKind.TRANSFER,
            person=student,
            to_group=groups[1],
            effective_date=datetime.date(2025, 8, 15),
        )

    assert caught.value.message_dict["effective_date"] == [
        messages.BEFORE_ENROLLMENT_MESSAGE.format(group=groups[0], date="01.09.2025")
    ]
    assert not Movement.objects.exists()
    assert active_group(student) == groups[0]


def test_new_student_enrolled_by_phone_gets_an_account_membership_and_group(
    admin, college, groups, django_capture_on_commit_callbacks
):
    from accounts.models import User

    with django_capture_on_commit_callbacks(execute=True):
        movement = create(
            admin,
            college,
            MovementKind.ENROL,
            phone="8 (917) 404-12-34",
            last_name="Соколова",
            first_name="Дарья",
            to_group=groups[0],
        )

    movement = reload(movement)
    user = User.objects.get(phone="+79174041234")
    assert movement.status == Movement.Status.APPLIED
    assert (movement.person.user, movement.person.role, movement.person.status) == (user, Role.STUDENT, "active")
    assert (user.last_name, user.first_name) == ("Соколова", "Дарья")
    assert active_group(movement.person) == groups[0]


def test_enrolling_by_the_phone_of_a_student_already_in_a_group_is_refused(admin, college, groups, make_student):
    student = make_student(groups[0])

    with pytest.raises(ValidationError) as caught:
        create(
            admin,
            college,
            MovementKind.ENROL,
            phone=student.user.phone,
            last_name="Иванов",
            first_name="Иван",
            to_group=groups[1],
        )

    assert caught.value.message_dict["phone"] == [messages.ALREADY_STUDYING_MESSAGE.format(group=groups[0])]
    assert not Movement.objects.exists()


def test_apply_now_applies_inside_the_callers_transaction_and_raises_when_it_cannot(
    admin, college, groups, make_student
):
    student = make_student(groups[0])

    movement = create(admin, college, MovementKind.TRANSFER, person=student, to_group=groups[1], apply_now=True)

    assert movement.status == Movement.Status.APPLIED
    assert active_group(student) == groups[1]
    with pytest.raises(ValidationError):
        create(admin, college, MovementKind.ENROL, person=student, to_group=groups[2], apply_now=True)
    assert Movement.objects.count() == 1
