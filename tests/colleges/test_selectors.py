import pytest
from django.http import Http404

from colleges import selectors
from colleges.models import CollegeApplication, Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_application_search_matches_name_inn_and_administrator_surname():
    wanted = factories.CollegeApplicationFactory(short_name="Бежецкий колледж", admin_last_name="Голубева")
    factories.CollegeApplicationFactory(short_name="Кимрский колледж")

    by_name = list(selectors.application_search(search="бежецкий"))
    by_inn = list(selectors.application_search(search=wanted.inn[:6]))
    by_admin = list(selectors.application_search(search="Голубева"))

    assert by_name == [wanted]
    assert wanted in by_inn
    assert by_admin == [wanted]


def test_application_search_filters_by_status():
    pending = factories.CollegeApplicationFactory()
    factories.CollegeApplicationFactory(status=CollegeApplication.Status.REJECTED)

    assert list(selectors.application_search(status="pending")) == [pending]


def test_application_get_answers_404_for_missing_or_garbage():
    with pytest.raises(Http404):
        selectors.application_get(pk=999999)
    with pytest.raises(Http404):
        selectors.application_get(pk="abc")


def test_staff_list_has_current_staff_only(college):
    teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)
    factories.MembershipFactory(college=college, role=Role.TEACHER, status="left")
    factories.MembershipFactory(college=college, role=Role.STUDENT)
    factories.MembershipFactory(role=Role.TEACHER)  # another college

    assert list(selectors.staff_list(college=college)) == [teacher]


def test_staff_list_searches_by_phone_and_surname(college):
    found = factories.MembershipFactory(
        college=college, role=Role.TEACHER, user__last_name="Зайцева", user__phone="+79120007777"
    )
    factories.MembershipFactory(college=college, role=Role.TEACHER, user__last_name="Волков")

    assert list(selectors.staff_list(college=college, search="Зайц")) == [found]
    assert list(selectors.staff_list(college=college, search="0007777")) == [found]


def test_department_list_counts_groups_and_stays_in_the_college(college, other_college):
    department = factories.DepartmentFactory(college=college)
    factories.StudyGroupFactory.create_batch(2, college=college, department=department)
    factories.DepartmentFactory(college=other_college)

    rows = list(selectors.department_list(college=college))

    assert [(row.pk, row.group_count) for row in rows] == [(department.pk, 2)]


def test_department_of_another_college_is_not_found(college, other_college):
    foreign = factories.DepartmentFactory(college=other_college)

    with pytest.raises(Http404):
        selectors.department_get_for(college=college, pk=foreign.pk)


def test_colleges_of_respects_roles(college, other_college):
    user = factories.UserFactory()
    factories.MembershipFactory(user=user, college=college, role=Role.ADMINISTRATOR)
    factories.MembershipFactory(user=user, college=other_college, role=Role.PARENT)

    assert set(selectors.colleges_of(user=user)) == {college, other_college}
    assert list(selectors.colleges_of(user=user, roles=[Role.ADMINISTRATOR])) == [college]


def test_appointment_choices_leave_out_the_administrator(college):
    admin = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR)
    teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)

    choices = list(selectors.staff_member_choices(college=college))

    assert teacher in choices
    assert admin not in choices
