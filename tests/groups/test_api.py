import pytest

from colleges.models import Role
from groups.models import CuratorAssignment, StudyGroup, SubjectTeacherAssignment
from tests import factories
from tests.college_api import api_url

pytestmark = pytest.mark.django_db


def _group_payload(department, **overrides):
    payload = {
        "name": "ИС-21",
        "department": department.pk,
        "specialty_code": "09.02.07",
        "specialty_name": "Информационные системы и программирование",
        "course": 2,
        "admission_year": 2025,
    }
    payload.update(overrides)
    return payload


class TestStudyGroupApi:
    @pytest.mark.parametrize("size", [3, 30])
    def test_list_query_count_does_not_grow(self, client_for, administrator, college, size, django_assert_num_queries):
        department = factories.DepartmentFactory(college=college)
        for _ in range(size):
            group = factories.StudyGroupFactory(college=college, department=department)
            factories.CuratorAssignmentFactory(group=group)
            factories.EnrollmentFactory(group=group)
        client = client_for(administrator)
        client.get(api_url("api:study-group-list", college))

        # Sign-in and college (3), count, page, curators.
        with django_assert_num_queries(6):
            response = client.get(api_url("api:study-group-list", college))

        assert response.json()["count"] == size
        assert response.json()["results"][0]["curator"]["name"]
        assert response.json()["results"][0]["student_count"] == 1

    def test_teacher_lists_only_the_groups_they_curate_or_teach(self, client_for, college):
        teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)
        factories.CuratorAssignmentFactory(group=factories.StudyGroupFactory(college=college, name="ЧУЖАЯ-1"))
        mine = factories.StudyGroupFactory(college=college, name="МОЯ-1")
        factories.SubjectTeacherAssignmentFactory(group=mine, teacher=teacher)

        response = client_for(teacher.user).get(api_url("api:study-group-list", college))

        assert [g["name"] for g in response.json()["results"]] == ["МОЯ-1"]

    def test_student_retrieves_own_group_but_not_another(self, client_for, college):
        enrollment = factories.EnrollmentFactory(group=factories.StudyGroupFactory(college=college))
        another = factories.StudyGroupFactory(college=college)
        client = client_for(enrollment.student.user)

        own = client.get(api_url("api:study-group-detail", college, pk=enrollment.group.pk))
        foreign = client.get(api_url("api:study-group-detail", college, pk=another.pk))

        assert own.status_code == 200
        assert foreign.status_code == 404

    def test_administrator_creates_a_group(self, client_for, administrator, college):
        department = factories.DepartmentFactory(college=college)

        response = client_for(administrator).post(
            api_url("api:study-group-list", college), _group_payload(department), content_type="application/json"
        )

        assert response.status_code == 201
        assert response.json()["name"] == "ИС-21"
        assert StudyGroup.objects.filter(college=college, name="ИС-21").exists()

    def test_invalid_input_gets_field_errors_in_russian(self, client_for, administrator, college, other_college):
        foreign = factories.DepartmentFactory(college=other_college)

        response = client_for(administrator).post(
            api_url("api:study-group-list", college),
            _group_payload(foreign, course=9, name=""),
            content_type="application/json",
        )

        assert response.status_code == 400
        errors = response.json()
        assert errors["department"] == [f"Объект с id {foreign.pk} не найден в вашем колледже."]
        assert errors["course"] == ["Убедитесь, что это значение меньше либо равно 6."]
        assert errors["name"] == ["Это поле не может быть пустым."]

    def test_duplicate_name_from_the_service_is_a_field_error(self, client_for, administrator, college):
        department = factories.DepartmentFactory(college=college)
        factories.StudyGroupFactory(college=college, department=department, name="ИС-21")

        response = client_for(administrator).post(
            api_url("api:study-group-list", college), _group_payload(department), content_type="application/json"
        )

        assert response.status_code == 400
        assert response.json()["name"] == ["Учебная группа с таким названием уже есть в колледже."]

    def test_patch_changes_only_the_given_fields(self, client_for, administrator, college):
        group = factories.StudyGroupFactory(college=college, course=1, name="ИС-11")

        response = client_for(administrator).patch(
            api_url("api:study-group-detail", college, pk=group.pk), {"course": 2}, content_type="application/json"
        )

        assert response.status_code == 200
        group.refresh_from_db()
        assert (group.name, group.course) == ("ИС-11", 2)

    def test_curator_may_read_but_not_change_their_group(self, client_for, college):
        assignment = factories.CuratorAssignmentFactory(group=factories.StudyGroupFactory(college=college))
        url = api_url("api:study-group-detail", college, pk=assignment.group.pk)
        client = client_for(assignment.teacher.user)

        response = client.patch(url, {"course": 2}, content_type="application/json")

        assert client.get(url).status_code == 200
        assert response.status_code == 403

    def test_another_colleges_group_is_404_for_its_administrator_too(
        self, client_for, administrator, college, other_college
    ):
        group = factories.StudyGroupFactory(college=other_college)

        response = client_for(administrator).patch(
            api_url("api:study-group-detail", college, pk=group.pk), {"course": 2}, content_type="application/json"
        )

        assert response.status_code == 404


class TestAssignmentApi:
    def test_assigning_a_curator_through_the_api_ends_the_previous_one(self, client_for, administrator, college):
        group = factories.StudyGroupFactory(college=college)
        old = factories.CuratorAssignmentFactory(group=group)
        teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)

        response = client_for(administrator).post(
            api_url("api:curator-assignment-list", college),
            {"group": group.pk, "teacher": teacher.pk},
            content_type="application/json",
        )

        assert response.status_code == 201
        assert CuratorAssignment.objects.get(group=group, ended_at__isnull=True).teacher == teacher
        old.refresh_from_db()
        assert old.ended_at is not None

    def test_a_student_cannot_be_made_curator(self, client_for, administrator, college):
        group = factories.StudyGroupFactory(college=college)
        student = factories.MembershipFactory(college=college, role=Role.STUDENT)

        response = client_for(administrator).post(
            api_url("api:curator-assignment-list", college),
            {"group": group.pk, "teacher": student.pk},
            content_type="application/json",
        )

        assert response.status_code == 400
        assert "teacher" in response.json()

    def test_ending_a_curator_assignment(self, client_for, administrator, college):
        assignment = factories.CuratorAssignmentFactory(group=factories.StudyGroupFactory(college=college))

        response = client_for(administrator).post(api_url("api:curator-assignment-end", college, pk=assignment.pk))

        assert response.status_code == 200
        assert response.json()["ended_at"] is not None

    def test_subject_teacher_assignment_and_list(self, client_for, administrator, college):
        group = factories.StudyGroupFactory(college=college)
        teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)
        discipline = factories.DisciplineFactory(college=college, name="Физика")
        client = client_for(administrator)

        created = client.post(
            api_url("api:subject-assignment-list", college),
            {"group": group.pk, "teacher": teacher.pk, "discipline": discipline.pk},
            content_type="application/json",
        )
        listed = client.get(api_url("api:subject-assignment-list", college))

        assert created.status_code == 201
        assert [a["discipline_name"] for a in listed.json()["results"]] == ["Физика"]
        assert SubjectTeacherAssignment.objects.filter(group=group, ended_at__isnull=True).count() == 1

    @pytest.mark.parametrize("size", [3, 30])
    def test_assignment_lists_query_count(self, client_for, administrator, college, size, django_assert_num_queries):
        for _ in range(size):
            group = factories.StudyGroupFactory(college=college)
            factories.CuratorAssignmentFactory(group=group)
            factories.SubjectTeacherAssignmentFactory(group=group)
        client = client_for(administrator)
        client.get(api_url("api:curator-assignment-list", college))

        with django_assert_num_queries(5):
            curators = client.get(api_url("api:curator-assignment-list", college))
        with django_assert_num_queries(5):
            subjects = client.get(api_url("api:subject-assignment-list", college))

        assert curators.json()["count"] == subjects.json()["count"] == size


class TestStaffGroupAndDisciplineApi:
    @pytest.mark.parametrize("size", [3, 30])
    def test_staff_group_list_query_count(self, client_for, administrator, college, size, django_assert_num_queries):
        for _ in range(size):
            factories.StaffGroupFactory(college=college).members.add(
                factories.MembershipFactory(college=college, role=Role.TEACHER)
            )
        client = client_for(administrator)
        client.get(api_url("api:staff-group-list", college))

        # Sign-in and college (3), count, page, members with their users.
        with django_assert_num_queries(6):
            response = client.get(api_url("api:staff-group-list", college))

        assert response.json()["count"] == size

    @pytest.mark.parametrize("size", [3, 30])
    def test_discipline_list_query_count(self, client_for, administrator, college, size, django_assert_num_queries):
        for _ in range(size):
            factories.DisciplineFactory(college=college)
        client = client_for(administrator)
        client.get(api_url("api:discipline-list", college))

        with django_assert_num_queries(5):
            response = client.get(api_url("api:discipline-list", college))

        assert response.json()["count"] == size

    def test_adding_a_member_of_another_college_is_400(self, client_for, administrator, college, other_college):
        staff_group = factories.StaffGroupFactory(college=college)
        foreign = factories.MembershipFactory(college=other_college, role=Role.TEACHER)

        response = client_for(administrator).post(
            api_url("api:staff-group-member-add", college, pk=staff_group.pk),
            {"member": foreign.pk},
            content_type="application/json",
        )

        assert response.status_code == 400
        assert "member" in response.json()
        assert not staff_group.members.exists()

    def test_add_and_remove_a_member(self, client_for, administrator, college):
        staff_group = factories.StaffGroupFactory(college=college)
        teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)
        client = client_for(administrator)

        added = client.post(
            api_url("api:staff-group-member-add", college, pk=staff_group.pk),
            {"member": teacher.pk},
            content_type="application/json",
        )
        removed = client.delete(
            api_url("api:staff-group-member-remove", college, pk=staff_group.pk, member_pk=teacher.pk)
        )

        assert [m["id"] for m in added.json()["members"]] == [teacher.pk]
        assert removed.json()["members"] == []

    def test_administration_may_read_disciplines_but_not_create(self, client_for, administration, college):
        client = client_for(administration)

        created = client.post(
            api_url("api:discipline-list", college), {"name": "Физика"}, content_type="application/json"
        )

        assert client.get(api_url("api:discipline-list", college)).status_code == 200
        assert created.status_code == 403

    def test_token_client_works_in_its_college(self, client, administrator, college):
        from tests.accounts.helpers import api_key_for

        factories.DisciplineFactory(college=college, name="Химия")
        key = api_key_for(administrator, college=college)

        response = client.get(api_url("api:discipline-list", college), HTTP_AUTHORIZATION=f"Token {key}")

        assert [d["name"] for d in response.json()["results"]] == ["Химия"]
