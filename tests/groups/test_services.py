import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from colleges.models import Role
from groups import services
from groups.models import CuratorAssignment, StudyGroup, SubjectTeacherAssignment
from groups.signals import EnrollmentChange, staff_assignment_changed
from tests import factories
from tests.write_owners import writes_owned

pytestmark = pytest.mark.django_db


def _member(college, role=Role.TEACHER):
    return factories.MembershipFactory(college=college, role=role)


def _create_group(actor, college, **overrides):
    fields = {
        "department": factories.DepartmentFactory(college=college),
        "name": "ИС-21",
        "specialty_code": "09.02.07",
        "specialty_name": "Информационные системы и программирование",
        "course": 2,
        "admission_year": 2025,
    }
    fields.update(overrides)
    return services.study_group_create(actor=actor, college=college, **fields)


class TestStudyGroupCreate:
    def test_administrator_creates_a_group_with_an_audit_event(self, administrator, college):
        group = _create_group(administrator, college)

        assert StudyGroup.objects.get(pk=group.pk).name == "ИС-21"
        event = AuditEvent.objects.get(action="study_group.create")
        assert event.college == college and event.actor == administrator

    def test_another_colleges_department_is_refused(self, administrator, college, other_college):
        foreign = factories.DepartmentFactory(college=other_college)

        with pytest.raises(ValidationError) as exc:
            _create_group(administrator, college, department=foreign)

        assert exc.value.message_dict["department"] == [services.FOREIGN_DEPARTMENT_MESSAGE]
        assert not StudyGroup.objects.exists()

    def test_duplicate_name_in_the_college_is_refused_whatever_the_case(self, administrator, college):
        _create_group(administrator, college, name="ИС-21")

        with pytest.raises(ValidationError) as exc:
            _create_group(administrator, college, name="ис-21")

        assert exc.value.message_dict["name"] == [services.DUPLICATE_GROUP_NAME_MESSAGE]

    def test_the_same_name_in_another_college_is_fine(self, administrator, college, other_college):
        factories.StudyGroupFactory(college=other_college, name="ИС-21")

        group = _create_group(administrator, college, name="ИС-21")

        assert group.pk

    @pytest.mark.parametrize("course", [0, 7])
    def test_course_outside_1_to_6_is_refused(self, administrator, college, course):
        with pytest.raises(ValidationError) as exc:
            _create_group(administrator, college, course=course)

        assert "course" in exc.value.message_dict

    def test_a_teacher_may_not_create_a_group(self, teacher, college):
        with pytest.raises(PermissionDenied):
            _create_group(teacher, college)


class TestStudyGroupUpdate:
    def test_changes_are_saved_and_audited_with_before_and_after(self, administrator, college):
        group = factories.StudyGroupFactory(college=college, course=1)

        services.study_group_update(actor=administrator, group=group, course=2, status=StudyGroup.Status.GRADUATED)

        group.refresh_from_db()
        assert (group.course, group.status) == (2, StudyGroup.Status.GRADUATED)
        event = AuditEvent.objects.get(action="study_group.update")
        assert event.before == {"course": 1, "status": "active"}
        assert event.after == {"course": 2, "status": "graduated"}

    def test_administrator_of_another_college_may_not_edit(self, other_college, college):
        other_admin = _member(other_college, Role.ADMINISTRATOR).user
        group = factories.StudyGroupFactory(college=college)

        with pytest.raises(PermissionDenied):
            services.study_group_update(actor=other_admin, group=group, course=3)


class TestCuratorAssign:
    def test_replacing_a_curator_ends_the_old_assignment(self, administrator, college):
        group = factories.StudyGroupFactory(college=college)
        old, new = _member(college), _member(college)
        services.curator_assign(actor=administrator, group=group, teacher=old, started_at=datetime.date(2026, 9, 1))

        services.curator_assign(actor=administrator, group=group, teacher=new, started_at=datetime.date(2026, 10, 1))

        active = CuratorAssignment.objects.get(group=group, ended_at__isnull=True)
        assert active.teacher == new
        assert CuratorAssignment.objects.get(teacher=old).ended_at == datetime.date(2026, 10, 1)

    def test_assigning_the_same_curator_again_changes_nothing(self, administrator, college):
        group = factories.StudyGroupFactory(college=college)
        teacher = _member(college)
        first = services.curator_assign(actor=administrator, group=group, teacher=teacher)

        second = services.curator_assign(actor=administrator, group=group, teacher=teacher)

        assert first.pk == second.pk
        assert CuratorAssignment.objects.filter(group=group).count() == 1

    @pytest.mark.parametrize("role", [Role.STUDENT, Role.PARENT, Role.ADMINISTRATION])
    def test_only_a_teacher_can_be_curator(self, administrator, college, role):
        group = factories.StudyGroupFactory(college=college)

        with pytest.raises(ValidationError) as exc:
            services.curator_assign(actor=administrator, group=group, teacher=_member(college, role))

        assert exc.value.message_dict["teacher"] == [services.NOT_A_TEACHER_MESSAGE]

    def test_a_teacher_of_another_college_is_refused(self, administrator, college, other_college):
        group = factories.StudyGroupFactory(college=college)

        with pytest.raises(ValidationError):
            services.curator_assign(actor=administrator, group=group, teacher=_member(other_college))

    def test_signal_is_sent_after_commit_for_the_old_and_the_new_curator(
        self, administrator, college, django_capture_on_commit_callbacks
    ):
        group = factories.StudyGroupFactory(college=college)
        old, new = _member(college), _member(college)
        factories.CuratorAssignmentFactory(group=group, teacher=old)
        received = []

        def receiver(**kwargs):
            received.append((kwargs["teacher_id"], kwargs["kind"], kwargs["group_id"]))

        staff_assignment_changed.connect(receiver)
        try:
            with django_capture_on_commit_callbacks() as callbacks:
                services.curator_assign(actor=administrator, group=group, teacher=new)
            assert received == []
            # Counted before running: the receivers of higher apps (chats) register callbacks of their own.
            assert len(callbacks) == 2
            for callback in callbacks:
                callback()
        finally:
            staff_assignment_changed.disconnect(receiver)

        assert received == [(old.pk, "curator", group.pk), (new.pk, "curator", group.pk)]

    def test_a_teacher_may_not_assign_curators(self, teacher, college):
        group = factories.StudyGroupFactory(college=college)

        with pytest.raises(PermissionDenied):
            services.curator_assign(actor=teacher, group=group, teacher=_member(college))

    def test_curator_end_leaves_the_group_without_curator(self, administrator, college):
        assignment = factories.CuratorAssignmentFactory(group=factories.StudyGroupFactory(college=college))

        services.curator_end(actor=administrator, assignment=assignment)

        assert not CuratorAssignment.objects.filter(group=assignment.group, ended_at__isnull=True).exists()


class TestSubjectTeacherAssign:
    def test_assign_and_end(self, administrator, college):
        group = factories.StudyGroupFactory(college=college)
        discipline = factories.DisciplineFactory(college=college)
        teacher = _member(college)

        assignment = services.subject_teacher_assign(
            actor=administrator, group=group, teacher=teacher, discipline=discipline
        )
        services.subject_teacher_assignment_end(actor=administrator, assignment=assignment)

        assignment.refresh_from_db()
        assert assignment.ended_at is not None

    def test_the_same_teacher_discipline_and_group_twice_is_refused(self, administrator, college):
        group = factories.StudyGroupFactory(college=college)
        discipline = factories.DisciplineFactory(college=college)
        teacher = _member(college)
        services.subject_teacher_assign(actor=administrator, group=group, teacher=teacher, discipline=discipline)

        with pytest.raises(ValidationError) as exc:
            services.subject_teacher_assign(actor=administrator, group=group, teacher=teacher, discipline=discipline)

        assert exc.value.message_dict["teacher"] == [services.ALREADY_TEACHES_MESSAGE]

    def test_another_colleges_discipline_is_refused(self, administrator, college, other_college):
        group = factories.StudyGroupFactory(college=college)

        with pytest.raises(ValidationError) as exc:
            services.subject_teacher_assign(
                actor=administrator,
                group=group,
                teacher=_member(college),
                discipline=factories.DisciplineFactory(college=other_college),
            )

        assert "discipline" in exc.value.message_dict
        assert not SubjectTeacherAssignment.objects.exists()


class TestStaffGroups:
    def test_create_add_and_remove_a_member(self, administrator, college):
        staff_group = services.staff_group_create(actor=administrator, college=college, name="Педагогический состав")
        teacher = _member(college)

        services.staff_group_member_add(actor=administrator, staff_group=staff_group, member=teacher)
        assert list(staff_group.members.all()) == [teacher]
        services.staff_group_member_remove(actor=administrator, staff_group=staff_group, member=teacher)

        assert not staff_group.members.exists()
        assert AuditEvent.objects.filter(action__startswith="staff_group.").count() == 3

    def test_a_member_of_another_college_is_refused(self, administrator, college, other_college):
        staff_group = factories.StaffGroupFactory(college=college)

        with pytest.raises(ValidationError) as exc:
            services.staff_group_member_add(actor=administrator, staff_group=staff_group, member=_member(other_college))

        assert exc.value.message_dict["member"] == [services.NOT_STAFF_MESSAGE]

    def test_a_student_cannot_join_a_staff_group(self, administrator, college):
        staff_group = factories.StaffGroupFactory(college=college)

        with pytest.raises(ValidationError):
            services.staff_group_member_add(
                actor=administrator, staff_group=staff_group, member=_member(college, Role.STUDENT)
            )

    def test_duplicate_staff_group_name_is_refused(self, administrator, college):
        factories.StaffGroupFactory(college=college, name="Администрация")

        with pytest.raises(ValidationError) as exc:
            services.staff_group_create(actor=administrator, college=college, name="администрация")

        assert exc.value.message_dict["name"] == [services.DUPLICATE_STAFF_GROUP_NAME_MESSAGE]

    def test_administration_may_not_change_staff_groups(self, administration, college):
        with pytest.raises(PermissionDenied):
            services.staff_group_create(actor=administration, college=college, name="Совет")


class TestDisciplines:
    def test_create_and_rename(self, administrator, college):
        discipline = services.discipline_create(actor=administrator, college=college, name="Математика", code="ЕН.01")

        services.discipline_update(actor=administrator, discipline=discipline, name="Элементы высшей математики")

        discipline.refresh_from_db()
        assert (discipline.name, discipline.code) == ("Элементы высшей математики", "")

    def test_empty_name_is_refused(self, administrator, college):
        with pytest.raises(ValidationError) as exc:
            services.discipline_create(actor=administrator, college=college, name="  ")

        assert "name" in exc.value.message_dict


class TestWriteOwners:
    def test_the_groups_flows_write_only_groups_and_audit_tables(self, administrator, college):
        student = _member(college, role=Role.STUDENT)
        teacher = _member(college)
        department = factories.DepartmentFactory(college=college)

        with writes_owned() as writes:
            group, other = (
                services.study_group_create(
                    actor=administrator, college=college, department=department, name=name, admission_year=2025
                )
                for name in ("ИС-21", "ИС-22")
            )
            services.curator_assign(actor=administrator, group=group, teacher=teacher)
            enrollment = services.enrollment_start(
                actor=administrator, student=student, group=group, kind=EnrollmentChange.ENROL
            )
            services.enrollment_transfer(actor=administrator, enrollment=enrollment, group=other)
            services.study_group_update(actor=administrator, group=group, course=3)

        assert {owner for owner, _, _ in writes} == {"groups", "audit"}
