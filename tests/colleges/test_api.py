import pytest
from django.urls import reverse

from colleges.models import Department, Membership, Role
from tests import factories
from tests.college_api import api_url

pytestmark = pytest.mark.django_db


# --- Colleges ---------------------------------------------------------------------------------------


def test_colleges_lists_only_the_users_own(client_for, college, other_college, teacher):
    response = client_for(teacher).get(reverse("api:college-list"))

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [college.pk]


def test_administrator_patches_own_college(client_for, college, administrator):
    response = client_for(administrator).patch(
        reverse("api:college-detail", args=[college.pk]),
        {"short_name": "ТТК", "phone": "8 (4822) 32-11-00"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["phone"] == "+74822321100"
    college.refresh_from_db()
    assert college.short_name == "ТТК"


def test_teacher_cannot_patch_the_college(client_for, college, teacher):
    response = client_for(teacher).patch(
        reverse("api:college-detail", args=[college.pk]), {"short_name": "x"}, content_type="application/json"
    )

    assert response.status_code == 403


def test_another_college_answers_404(client_for, other_college, administrator):
    response = client_for(administrator).patch(
        reverse("api:college-detail", args=[other_college.pk]), {"short_name": "x"}, content_type="application/json"
    )

    assert response.status_code == 404


def test_college_patch_with_bad_field_answers_400_in_russian(client_for, college, administrator):
    response = client_for(administrator).patch(
        reverse("api:college-detail", args=[college.pk]), {"phone": "12"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "Неверный номер телефона" in response.json()["phone"][0]


@pytest.mark.parametrize("size", [3, 30])
def test_college_list_query_count_is_constant(client_for, teacher, django_assert_num_queries, size):
    user = teacher
    for _ in range(size):
        factories.MembershipFactory(user=user, role=Role.PARENT)
    client = client_for(user)

    with django_assert_num_queries(5):
        response = client.get(reverse("api:college-list"))

    assert response.json()["count"] == size + 1


# --- Departments -----------------------------------------------------------------------------------------


def test_member_reads_departments_and_administrator_creates(client_for, college, administrator):
    factories.DepartmentFactory(college=college, name="Отделение сервиса")
    client = client_for(administrator)

    created = client.post(api_url("api:department-list", college), {"name": "Отделение информатики"})
    listed = client.get(api_url("api:department-list", college))

    assert created.status_code == 201
    assert created.json()["group_count"] == 0
    assert [row["name"] for row in listed.json()["results"]] == ["Отделение информатики", "Отделение сервиса"]


def test_teacher_cannot_create_a_department(client_for, college, teacher):
    response = client_for(teacher).post(api_url("api:department-list", college), {"name": "Новое"})

    assert response.status_code == 403
    assert not Department.objects.exists()


def test_department_in_a_foreign_college_cannot_be_created(client_for, other_college, administrator):
    response = client_for(administrator).post(api_url("api:department-list", other_college), {"name": "Чужое"})

    assert response.status_code == 404
    assert not Department.objects.exists()


def test_duplicate_department_name_answers_400_in_russian(client_for, college, administrator):
    factories.DepartmentFactory(college=college, name="Механическое")

    response = client_for(administrator).post(api_url("api:department-list", college), {"name": "Механическое"})

    assert response.status_code == 400
    assert response.json()["name"] == ["Отделение с таким названием в колледже уже есть."]


def test_administrator_renames_and_deletes_a_department(client_for, college, administrator):
    department = factories.DepartmentFactory(college=college)
    client = client_for(administrator)
    url = api_url("api:department-detail", college, pk=department.pk)

    renamed = client.patch(url, {"name": "Переименованное"}, content_type="application/json")
    deleted = client.delete(url)

    assert renamed.json()["name"] == "Переименованное"
    assert deleted.status_code == 204
    assert not Department.objects.filter(pk=department.pk).exists()


def test_department_with_groups_is_not_deleted_through_the_api(client_for, college, administrator):
    department = factories.DepartmentFactory(college=college)
    factories.StudyGroupFactory(college=college, department=department)

    response = client_for(administrator).delete(api_url("api:department-detail", college, pk=department.pk))

    assert response.status_code == 400
    assert "учебные группы" in response.json()["detail"][0]


def test_another_colleges_department_answers_404(client_for, college, other_college, administrator):
    department = factories.DepartmentFactory(college=other_college)

    response = client_for(administrator).get(api_url("api:department-detail", college, pk=department.pk))

    assert response.status_code == 404


@pytest.mark.parametrize("size", [3, 30])
def test_department_list_query_count_is_constant(client_for, college, teacher, django_assert_num_queries, size):
    for department in factories.DepartmentFactory.create_batch(size, college=college):
        factories.StudyGroupFactory(college=college, department=department)
    client = client_for(teacher)

    with django_assert_num_queries(5):
        response = client.get(api_url("api:department-list", college))

    assert response.json()["count"] == size


# --- Memberships -------------------------------------------------------------------------------------------


def test_administration_lists_memberships_of_its_college_only(client_for, college, other_college, administration):
    factories.MembershipFactory(college=other_college, role=Role.TEACHER)

    response = client_for(administration).get(api_url("api:membership-list", college))

    assert response.status_code == 200
    assert {row["college"] for row in response.json()["results"]} == {college.pk}


def test_teacher_cannot_list_memberships(client_for, college, teacher):
    response = client_for(teacher).get(api_url("api:membership-list", college))

    assert response.status_code == 403


def test_another_colleges_membership_answers_404(client_for, college, other_college, administrator):
    membership = factories.MembershipFactory(college=other_college)

    response = client_for(administrator).get(api_url("api:membership-detail", college, pk=membership.pk))

    assert response.status_code == 404


def test_administrator_adds_staff_through_the_api(client_for, college, administrator):
    response = client_for(administrator).post(
        api_url("api:membership-list", college),
        {
            "phone": "8 912 555-44-33",
            "last_name": "Орлов",
            "first_name": "Антон",
            "role": "administration",
            "position": "заместитель директора по УР",
        },
    )

    assert response.status_code == 201
    assert response.json()["user"]["phone"] == "+79125554433"
    assert Membership.objects.get(pk=response.json()["id"]).role == Role.ADMINISTRATION


def test_staff_create_with_bad_phone_and_role_answers_400_in_russian(client_for, college, administrator):
    response = client_for(administrator).post(
        api_url("api:membership-list", college),
        {"phone": "12", "last_name": "Орлов", "first_name": "Антон", "role": "student"},
    )

    assert response.status_code == 400
    assert "Сотрудника можно добавить" in response.json()["role"][0]


def test_administration_cannot_add_staff_through_the_api(client_for, college, administration):
    response = client_for(administration).post(
        api_url("api:membership-list", college),
        {"phone": "+79125554433", "last_name": "О", "first_name": "А", "role": "teacher"},
    )

    assert response.status_code == 403


@pytest.mark.parametrize("size", [3, 30])
def test_membership_list_query_count_is_constant(client_for, college, administrator, django_assert_num_queries, size):
    factories.MembershipFactory.create_batch(size, college=college, role=Role.TEACHER)
    client = client_for(administrator)

    # One query fewer than before the college came into the URL: no «any managed college?» check.
    with django_assert_num_queries(9):
        response = client.get(api_url("api:membership-list", college))

    assert response.json()["count"] == size + 1
