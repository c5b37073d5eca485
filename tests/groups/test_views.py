import pytest
from django.urls import reverse

from colleges.models import Role
from groups.models import CuratorAssignment, StudyGroup
from tests import factories

pytestmark = pytest.mark.django_db


def _fill_groups(college, count):
    department = factories.DepartmentFactory(college=college)
    for n in range(count):
        group = factories.StudyGroupFactory(college=college, department=department, name=f"ГР-{n:03d}")
        factories.CuratorAssignmentFactory(group=group)
        factories.EnrollmentFactory(group=group)
        factories.EnrollmentFactory(group=group)


class TestStudyGroupList:
    def test_shows_curator_and_student_count_per_row(self, client_for, administrator, college):
        group = factories.StudyGroupFactory(college=college, name="ИС-21")
        curator = factories.CuratorAssignmentFactory(group=group, teacher__user__last_name="Кураторова")
        factories.EnrollmentFactory(group=group)
        factories.EnrollmentFactory(group=group, ended_at=factories.EnrollmentFactory.started_at)

        response = client_for(administrator).get(reverse("groups:study_group_list"))

        row = response.context["page_obj"].object_list[0]
        assert row["student_count"] == 1
        assert row["curator__teacher__user__last_name"] == curator.teacher.user.last_name == "Кураторова"
        assert "Кураторова" in response.content.decode()

    @pytest.mark.parametrize("size", [3, 30])
    def test_query_count_does_not_grow_with_groups(
        self, client_for, administrator, college, size, django_assert_num_queries
    ):
        _fill_groups(college, size)
        client = client_for(administrator)
        client.get(reverse("groups:study_group_list"))

        # session, user, memberships, departments for the filter, count, page (with the curators).
        with django_assert_num_queries(6):
            response = client.get(reverse("groups:study_group_list"))

        assert response.status_code == 200

    def test_search_by_specialty_and_filter_by_course(self, client_for, administrator, college):
        factories.StudyGroupFactory(college=college, name="ИС-21", specialty_name="Информационные системы", course=2)
        factories.StudyGroupFactory(college=college, name="ТМ-32", specialty_name="Технология машиностроения", course=3)
        factories.StudyGroupFactory(college=college, name="ИС-11", specialty_name="Информационные системы", course=1)
        client = client_for(administrator)

        response = client.get(reverse("groups:study_group_list"), {"q": "информационные", "course": 2})

        assert [g["name"] for g in response.context["page_obj"].object_list] == ["ИС-21"]

    def test_filter_by_department_and_status(self, client_for, administrator, college):
        department = factories.DepartmentFactory(college=college)
        factories.StudyGroupFactory(college=college, department=department, name="А-1")
        factories.StudyGroupFactory(college=college, department=department, name="А-2", status="graduated")
        factories.StudyGroupFactory(college=college, name="Б-1")

        response = client_for(administrator).get(
            reverse("groups:study_group_list"), {"department": department.pk, "status": "active"}
        )

        assert [g["name"] for g in response.context["page_obj"].object_list] == ["А-1"]

    def test_never_lists_another_colleges_groups(self, client_for, administrator, college, other_college):
        factories.StudyGroupFactory(college=other_college, name="ЧУЖ-1")

        response = client_for(administrator).get(reverse("groups:study_group_list"))

        assert "ЧУЖ-1" not in response.content.decode()
        assert "Учебных групп пока нет" in response.content.decode()

    def test_paginates_by_25(self, client_for, administrator, college):
        for n in range(27):
            factories.StudyGroupFactory(college=college, name=f"П-{n:02d}")

        response = client_for(administrator).get(reverse("groups:study_group_list"), {"page": 2})

        assert [g["name"] for g in response.context["page_obj"].object_list] == ["П-25", "П-26"]

    def test_htmx_request_gets_only_the_table(self, client_for, administrator, college):
        factories.StudyGroupFactory(college=college, name="ИС-21")

        response = client_for(administrator).get(reverse("groups:study_group_list"), HTTP_HX_REQUEST="true")

        assert "<html" not in response.content.decode()
        assert "ИС-21" in response.content.decode()


class TestStudyGroupCreateEdit:
    def _data(self, department, **overrides):
        data = {
            "name": "ИС-21",
            "department": department.pk,
            "specialty_code": "09.02.07",
            "specialty_name": "Информационные системы и программирование",
            "course": 2,
            "admission_year": 2025,
            "form_of_study": "full_time",
            "status": "active",
        }
        data.update(overrides)
        return data

    def test_administrator_creates_a_group(self, client_for, administrator, college):
        department = factories.DepartmentFactory(college=college)

        response = client_for(administrator).post(reverse("groups:study_group_create"), self._data(department))

        group = StudyGroup.objects.get(college=college, name="ИС-21")
        assert response["Location"] == reverse("groups:study_group_detail", kwargs={"pk": group.pk})

    def test_another_colleges_department_is_refused_with_a_russian_message(
        self, client_for, administrator, college, other_college
    ):
        foreign = factories.DepartmentFactory(college=other_college)

        response = client_for(administrator).post(reverse("groups:study_group_create"), self._data(foreign))

        assert response.status_code == 400
        assert "Выберите отделение этого колледжа." in response.content.decode()
        assert not StudyGroup.objects.exists()

    def test_duplicate_name_is_shown_on_the_name_field(self, client_for, administrator, college):
        department = factories.DepartmentFactory(college=college)
        factories.StudyGroupFactory(college=college, department=department, name="ИС-21")

        response = client_for(administrator).post(reverse("groups:study_group_create"), self._data(department))

        assert response.status_code == 400
        assert response.context["form"].errors["name"] == ["Учебная группа с таким названием уже есть в колледже."]

    def test_edit_changes_the_group(self, client_for, administrator, college):
        group = factories.StudyGroupFactory(college=college)

        response = client_for(administrator).post(
            reverse("groups:study_group_edit", kwargs={"pk": group.pk}),
            self._data(group.department, name="ИС-31", course=3),
        )

        group.refresh_from_db()
        assert response.status_code == 302
        assert (group.name, group.course) == ("ИС-31", 3)

    def test_inline_edit_returns_the_updated_row(self, client_for, administrator, college):
        group = factories.StudyGroupFactory(college=college, name="ИС-21", course=1)
        url = reverse("groups:study_group_inline_edit", kwargs={"pk": group.pk})
        client = client_for(administrator)

        form = client.get(url, HTTP_HX_REQUEST="true")
        response = client.post(url, {"name": "ИС-22", "course": 2, "status": "active"}, HTTP_HX_REQUEST="true")

        assert 'name="course"' in form.content.decode()
        assert response.content.decode().lstrip().startswith(f'<tr id="group-{group.pk}">')
        assert "ИС-22" in response.content.decode()
        group.refresh_from_db()
        assert group.course == 2

    def test_inline_edit_with_a_bad_course_shows_the_error(self, client_for, administrator, college):
        group = factories.StudyGroupFactory(college=college, course=1)

        response = client_for(administrator).post(
            reverse("groups:study_group_inline_edit", kwargs={"pk": group.pk}),
            {"name": group.name, "course": 9, "status": "active"},
        )

        assert "errorlist" in response.content.decode()
        group.refresh_from_db()
        assert group.course == 1


class TestStudyGroupDetail:
    def test_shows_roster_curator_and_subject_teachers(self, client_for, administrator, college):
        group = factories.StudyGroupFactory(college=college)
        factories.EnrollmentFactory(group=group, student__user__last_name="Студентов")
        factories.CuratorAssignmentFactory(group=group, teacher__user__last_name="Кураторов")
        factories.SubjectTeacherAssignmentFactory(
            group=group, teacher__user__last_name="Предметников", discipline__name="Физика"
        )

        html = client_for(administrator).get(reverse("groups:study_group_detail", kwargs={"pk": group.pk})).content

        text = html.decode()
        assert "Студентов" in text and "Кураторов" in text and "Предметников" in text and "Физика" in text

    def test_curator_sees_the_group_without_edit_buttons(self, client_for, college):
        assignment = factories.CuratorAssignmentFactory(group=factories.StudyGroupFactory(college=college))

        response = client_for(assignment.teacher.user).get(
            reverse("groups:study_group_detail", kwargs={"pk": assignment.group.pk})
        )

        assert response.status_code == 200
        assert reverse("groups:curator_assign", kwargs={"pk": assignment.group.pk}) not in response.content.decode()


class TestCuratorAssignPage:
    def test_assigning_a_new_curator_replaces_the_old_one(self, client_for, administrator, college):
        group = factories.StudyGroupFactory(college=college)
        old = factories.CuratorAssignmentFactory(group=group)
        new_teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)

        response = client_for(administrator).post(
            reverse("groups:curator_assign", kwargs={"pk": group.pk}), {"teacher": new_teacher.pk}
        )

        assert response.status_code == 302
        assert CuratorAssignment.objects.get(group=group, ended_at__isnull=True).teacher == new_teacher
        old.refresh_from_db()
        assert old.ended_at is not None

    def test_a_teacher_of_another_college_is_not_a_choice(self, client_for, administrator, college, other_college):
        group = factories.StudyGroupFactory(college=college)
        foreign = factories.MembershipFactory(college=other_college, role=Role.TEACHER)

        response = client_for(administrator).post(
            reverse("groups:curator_assign", kwargs={"pk": group.pk}), {"teacher": foreign.pk}
        )

        assert response.status_code == 400
        assert "Выберите преподавателя этого колледжа." in response.content.decode()
        assert not CuratorAssignment.objects.exists()


class TestMyGroups:
    def test_teacher_sees_curated_and_taught_groups_with_rosters(self, client_for, college):
        teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)
        curated = factories.StudyGroupFactory(college=college, name="ИС-21")
        taught = factories.StudyGroupFactory(college=college, name="ТМ-32")
        other = factories.StudyGroupFactory(college=college, name="ЭК-11")
        factories.CuratorAssignmentFactory(group=curated, teacher=teacher)
        factories.SubjectTeacherAssignmentFactory(group=taught, teacher=teacher, discipline__name="Физика")
        factories.EnrollmentFactory(group=curated, student__user__last_name="Учащийся")

        response = client_for(teacher.user).get(reverse("groups:my_groups"))

        text = response.content.decode()
        assert "ИС-21" in text and "ТМ-32" in text and "Физика" in text and "Учащийся" in text
        assert other.name not in text

    @pytest.mark.parametrize("size", [3, 30])
    def test_query_count_does_not_grow_with_groups(self, client_for, college, size, django_assert_num_queries):
        teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)
        for _ in range(size):
            group = factories.StudyGroupFactory(college=college)
            factories.CuratorAssignmentFactory(group=group, teacher=teacher)
            factories.SubjectTeacherAssignmentFactory(
                group=factories.StudyGroupFactory(college=college), teacher=teacher
            )
            factories.EnrollmentFactory(group=group)
        client = client_for(teacher.user)
        client.get(reverse("groups:my_groups"))

        # Sign-in and college (3), curated groups and their rosters, taught assignments and their rosters,
        # the start page's notes (a join request waiting, unread announcements, the next seminar: one each).
        with django_assert_num_queries(11):
            response = client.get(reverse("groups:my_groups"))

        assert len(response.context["curated"]) == size

    def test_empty_state_for_a_teacher_without_groups(self, client_for, teacher):
        response = client_for(teacher).get(reverse("groups:my_groups"))

        assert "Вы пока не куратор" in response.content.decode()

    def test_student_sees_their_group_and_curator(self, client_for, college):
        enrollment = factories.EnrollmentFactory(group=factories.StudyGroupFactory(college=college, name="ИС-21"))
        factories.CuratorAssignmentFactory(group=enrollment.group, teacher__user__last_name="Кураторова")

        response = client_for(enrollment.student.user).get(reverse("groups:my_group"))

        text = response.content.decode()
        assert "Моя группа — ИС-21" in text and "Кураторова" in text


class TestStaffGroupsAndDisciplines:
    def test_administrator_adds_a_staff_member_to_a_staff_group(self, client_for, administrator, college):
        staff_group = factories.StaffGroupFactory(college=college)
        teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)

        response = client_for(administrator).post(
            reverse("groups:staff_group_member_add", kwargs={"pk": staff_group.pk}), {"member": teacher.pk}
        )

        assert response.status_code == 302
        assert list(staff_group.members.all()) == [teacher]

    def test_a_member_of_another_college_cannot_be_added(self, client_for, administrator, college, other_college):
        staff_group = factories.StaffGroupFactory(college=college)
        foreign = factories.MembershipFactory(college=other_college, role=Role.TEACHER)

        client_for(administrator).post(
            reverse("groups:staff_group_member_add", kwargs={"pk": staff_group.pk}), {"member": foreign.pk}
        )

        assert not staff_group.members.exists()

    @pytest.mark.parametrize("size", [3, 30])
    def test_staff_group_list_query_count(self, client_for, administrator, college, size, django_assert_num_queries):
        for _ in range(size):
            factories.StaffGroupFactory(college=college).members.add(
                factories.MembershipFactory(college=college, role=Role.TEACHER)
            )
        client = client_for(administrator)
        client.get(reverse("groups:staff_group_list"))

        with django_assert_num_queries(5):
            client.get(reverse("groups:staff_group_list"))

    @pytest.mark.parametrize("size", [3, 30])
    def test_discipline_list_query_count(self, client_for, administrator, college, size, django_assert_num_queries):
        for _ in range(size):
            factories.SubjectTeacherAssignmentFactory(group=factories.StudyGroupFactory(college=college))
        client = client_for(administrator)
        client.get(reverse("groups:discipline_list"))

        with django_assert_num_queries(5):
            response = client.get(reverse("groups:discipline_list"))

        assert response.context["page_obj"].object_list[0].group_count == 1

    def test_administrator_adds_a_discipline(self, client_for, administrator, college):
        response = client_for(administrator).post(
            reverse("groups:discipline_create"), {"name": "Информатика", "code": "ОП.08"}
        )

        assert response.status_code == 302
        assert college.disciplines.get().name == "Информатика"


class TestEndingAssignments:
    def test_removing_the_curator_after_confirmation(self, client_for, administrator, college):
        assignment = factories.CuratorAssignmentFactory(group=factories.StudyGroupFactory(college=college))
        url = reverse("groups:curator_end", kwargs={"pk": assignment.group.pk})
        client = client_for(administrator)

        confirm = client.get(url)
        response = client.post(url)

        assert "Снять куратора" in confirm.content.decode()
        assert response.status_code == 302
        assignment.refresh_from_db()
        assert assignment.ended_at is not None

    def test_assigning_and_ending_a_subject_teacher(self, client_for, administrator, college):
        group = factories.StudyGroupFactory(college=college)
        discipline = factories.DisciplineFactory(college=college, name="Физика")
        teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)
        client = client_for(administrator)

        client.post(
            reverse("groups:subject_assign", kwargs={"pk": group.pk}),
            {"discipline": discipline.pk, "teacher": teacher.pk},
        )
        assignment = group.subject_assignments.get()
        client.post(reverse("groups:subject_assignment_end", kwargs={"pk": assignment.pk}))

        assignment.refresh_from_db()
        assert assignment.discipline == discipline and assignment.ended_at is not None

    def test_a_second_identical_subject_assignment_is_explained(self, client_for, administrator, college):
        assignment = factories.SubjectTeacherAssignmentFactory(group=factories.StudyGroupFactory(college=college))

        response = client_for(administrator).post(
            reverse("groups:subject_assign", kwargs={"pk": assignment.group.pk}),
            {"discipline": assignment.discipline.pk, "teacher": assignment.teacher.pk},
        )

        assert response.status_code == 400
        assert "Этот преподаватель уже ведёт эту дисциплину в группе." in response.content.decode()
