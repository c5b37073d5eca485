import pytest
from django.urls import reverse

from accounts.phones import INVALID_PHONE_MESSAGE
from colleges.files import ORDER_FILE_TYPE_MESSAGE
from colleges.models import College, CollegeApplication, Department, Membership, Role
from tests import factories
from tests.colleges.helpers import EXE_BYTES, application_data, upload

pytestmark = pytest.mark.django_db


def _form_data(n=1, **overrides):
    data = application_data(n, **overrides)
    data["order_date"] = data["order_date"].isoformat()
    return data


# --- Public application form ----------------------------------------------------------------------


def test_public_form_opens_without_sign_in(client):
    response = client.get(reverse("colleges:apply"))

    assert response.status_code == 200
    assert "Заявка на регистрацию организации" in response.text


def test_public_form_submits_an_application_and_shows_done_page(client):
    response = client.post(reverse("colleges:apply"), {**_form_data(), "order_file": upload()})

    assert response.status_code == 302
    assert response["Location"] == reverse("colleges:apply_done")
    assert CollegeApplication.objects.get().admin_phone == "+79123456781"


def test_public_form_refuses_a_renamed_executable_with_a_russian_message(client):
    response = client.post(reverse("colleges:apply"), {**_form_data(), "order_file": upload(EXE_BYTES)})

    assert response.status_code == 400
    assert ORDER_FILE_TYPE_MESSAGE in response.text
    assert not CollegeApplication.objects.exists()


def test_public_form_refuses_an_oversized_file_with_the_limit(client, settings):
    settings.APPOINTMENT_ORDER_MAX_BYTES = 2 * 1024 * 1024
    big = upload(b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))

    response = client.post(reverse("colleges:apply"), {**_form_data(), "order_file": big})

    assert response.status_code == 400
    assert "не более 2 МБ" in response.text


def test_public_form_refuses_a_duplicate_inn(client):
    college = factories.CollegeFactory()

    response = client.post(reverse("colleges:apply"), {**_form_data(inn=college.inn), "order_file": upload()})

    assert response.status_code == 400
    assert "уже зарегистрирован" in response.text


def test_public_form_shows_the_check_digit_message_for_a_wrong_inn(client):
    response = client.post(reverse("colleges:apply"), {**_form_data(inn="7700000001"), "order_file": upload()})

    assert response.status_code == 400
    assert "контрольной цифрой" in response.text


def test_public_form_limits_attempts_per_address(client):
    from colleges.views import APPLY_ATTEMPTS_PER_HOUR, APPLY_TOO_MANY_MESSAGE

    for _ in range(APPLY_ATTEMPTS_PER_HOUR):
        client.post(reverse("colleges:apply"), {})

    response = client.post(reverse("colleges:apply"), {**_form_data(), "order_file": upload()})

    assert response.status_code == 429
    assert APPLY_TOO_MANY_MESSAGE in response.text
    assert not CollegeApplication.objects.exists()


# --- Queue ----------------------------------------------------------------------------------------


def test_queue_filters_by_status_and_searches(client_for, platform_staff):
    factories.CollegeApplicationFactory(short_name="Тверской колледж связи")
    factories.CollegeApplicationFactory(short_name="Ржевский колледж", status=CollegeApplication.Status.REJECTED)
    client = client_for(platform_staff)

    pending = client.get(reverse("colleges:application_queue"))
    rejected = client.get(reverse("colleges:application_queue"), {"status": "rejected"})
    searched = client.get(reverse("colleges:application_queue"), {"status": "all", "q": "связи"})

    assert "Тверской колледж связи" in pending.text and "Ржевский" not in pending.text
    assert "Ржевский" in rejected.text and "Тверской" not in rejected.text
    assert "Тверской колледж связи" in searched.text and "Ржевский" not in searched.text


@pytest.mark.parametrize("size", [3, 30])
def test_queue_query_count_does_not_grow_with_applications(client_for, platform_staff, django_assert_num_queries, size):
    reviewer = factories.UserFactory(is_staff=True)
    factories.CollegeApplicationFactory.create_batch(size, status="rejected", reviewed_by=reviewer)
    client = client_for(platform_staff)
    client.get(reverse("colleges:application_queue"))  # warm the session

    with django_assert_num_queries(5):
        response = client.get(reverse("colleges:application_queue"), {"status": "rejected"})

    assert response.status_code == 200


def test_order_file_is_served_only_through_the_view_to_staff(client_for, platform_staff, administrator):
    application = factories.CollegeApplicationFactory()

    staff_response = client_for(platform_staff).get(reverse("colleges:application_file", args=[application.pk]))
    body = b"".join(staff_response.streaming_content)
    other = client_for(administrator).get(reverse("colleges:application_file", args=[application.pk]))

    assert staff_response.status_code == 200
    assert body.startswith(b"%PDF")
    assert staff_response["Content-Type"] == "application/pdf"
    assert "attachment" in staff_response["Content-Disposition"]
    assert other.status_code == 404


def test_staff_approves_from_the_detail_page(
    client_for, platform_staff, sms_outbox, django_capture_on_commit_callbacks
):
    application = factories.CollegeApplicationFactory(admin_phone="+79123450011")
    client = client_for(platform_staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("colleges:application_approve", args=[application.pk]), follow=True)

    assert "Заявка одобрена" in response.text
    assert College.objects.filter(inn=application.inn).exists()
    assert sms_outbox[0]["phone"] == "+79123450011"


def test_second_approve_click_shows_already_reviewed(client_for, platform_staff):
    application = factories.CollegeApplicationFactory()
    client = client_for(platform_staff)
    client.post(reverse("colleges:application_approve", args=[application.pk]))

    response = client.post(reverse("colleges:application_approve", args=[application.pk]), follow=True)

    assert "Заявка уже рассмотрена" in response.text
    assert College.objects.filter(inn=application.inn).count() == 1


def test_reject_asks_for_confirmation_then_rejects_with_reason(client_for, platform_staff):
    application = factories.CollegeApplicationFactory()
    client = client_for(platform_staff)

    confirm = client.get(reverse("colleges:application_reject", args=[application.pk]))
    without_reason = client.post(reverse("colleges:application_reject", args=[application.pk]), {"reason": ""})
    rejected = client.post(
        reverse("colleges:application_reject", args=[application.pk]), {"reason": "Нет подписи директора"}
    )

    assert "Да, отклонить заявку" in confirm.text
    assert without_reason.status_code == 400
    assert rejected.status_code == 302
    application.refresh_from_db()
    assert application.status == CollegeApplication.Status.REJECTED
    assert application.rejection_reason == "Нет подписи директора"


# --- Profile --------------------------------------------------------------------------------------


def test_member_sees_the_profile_without_edit_button(client_for, college, teacher):
    response = client_for(teacher).get(reverse("colleges:profile"))

    assert response.status_code == 200
    assert college.full_name in response.text
    assert reverse("colleges:profile_edit") not in response.text


def test_administrator_edits_the_profile_inline_with_htmx(client_for, college, administrator):
    client = client_for(administrator)
    data = {
        "full_name": college.full_name,
        "short_name": "ТТК",
        "region": college.region,
        "address": college.address,
        "time_zone": "Asia/Yekaterinburg",
        "email": "info@ttk.example.org",
        "phone": "8 (4822) 32-11-00",
        "website": "",
    }

    form = client.get(reverse("colleges:profile_edit"), HTTP_HX_REQUEST="true")
    saved = client.post(reverse("colleges:profile_edit"), data, HTTP_HX_REQUEST="true")

    assert '<article id="college-profile">' in form.text and "<form" in form.text
    assert "<html" not in saved.text
    assert "ТТК" in saved.text
    college.refresh_from_db()
    assert college.time_zone == "Asia/Yekaterinburg"
    assert college.phone == "+74822321100"


def test_profile_edit_shows_russian_phone_error(client_for, college, administrator):
    response = client_for(administrator).post(
        reverse("colleges:profile_edit"),
        {
            "full_name": "x",
            "short_name": "y",
            "region": "r",
            "address": "a",
            "time_zone": "Europe/Moscow",
            "phone": "1",
        },
    )

    assert response.status_code == 400
    assert INVALID_PHONE_MESSAGE in response.text


# --- Departments ----------------------------------------------------------------------------------


def test_department_list_searches(client_for, college, administrator):
    factories.DepartmentFactory(college=college, name="Отделение информатики")
    factories.DepartmentFactory(college=college, name="Механическое отделение")

    response = client_for(administrator).get(reverse("colleges:department_list"), {"q": "информ"})

    assert "Отделение информатики" in response.text
    assert "Механическое" not in response.text


def test_department_list_shows_empty_state(client_for, administrator):
    response = client_for(administrator).get(reverse("colleges:department_list"))

    assert "Отделений пока нет" in response.text


@pytest.mark.parametrize("size", [3, 30])
def test_department_list_query_count_does_not_grow(client_for, college, administrator, django_assert_num_queries, size):
    for department in factories.DepartmentFactory.create_batch(size, college=college):
        factories.StudyGroupFactory(college=college, department=department)
    client = client_for(administrator)
    client.get(reverse("colleges:department_list"))

    with django_assert_num_queries(5):
        response = client.get(reverse("colleges:department_list"))

    assert response.status_code == 200


def test_department_is_created(client_for, college, administrator):
    response = client_for(administrator).post(
        reverse("colleges:department_create"), {"name": "Отделение сервиса", "head_name": "Орлова А. А."}
    )

    assert response.status_code == 302
    assert Department.objects.filter(college=college, name="Отделение сервиса").exists()


def test_department_is_edited_inline_with_htmx(client_for, college, administrator):
    department = factories.DepartmentFactory(college=college, name="Старое")
    client = client_for(administrator)
    url = reverse("colleges:department_edit", args=[department.pk])

    form = client.get(url, HTTP_HX_REQUEST="true")
    row = client.post(url, {"name": "Новое", "head_name": ""}, HTTP_HX_REQUEST="true")

    assert form.text.lstrip().startswith("<tr")
    assert row.text.lstrip().startswith("<tr") and "Новое" in row.text
    department.refresh_from_db()
    assert department.name == "Новое"


def test_deleting_a_department_with_groups_explains_why_not(client_for, college, administrator):
    department = factories.DepartmentFactory(college=college, name="Механическое")
    factories.StudyGroupFactory(college=college, department=department)
    client = client_for(administrator)
    url = reverse("colleges:department_delete", args=[department.pk])

    confirm = client.get(url)
    response = client.post(url, follow=True)

    assert "есть учебные группы" in confirm.text
    assert "Нельзя удалить отделение «Механическое»" in response.text
    assert Department.objects.filter(pk=department.pk).exists()


def test_empty_department_is_deleted_after_confirmation(client_for, college, administrator):
    department = factories.DepartmentFactory(college=college)
    client = client_for(administrator)
    url = reverse("colleges:department_delete", args=[department.pk])

    confirm = client.get(url)
    client.post(url)

    assert "Да, удалить" in confirm.text
    assert not Department.objects.filter(pk=department.pk).exists()


def test_another_colleges_department_is_not_found(client_for, other_college, administrator):
    department = factories.DepartmentFactory(college=other_college)

    response = client_for(administrator).get(reverse("colleges:department_edit", args=[department.pk]))

    assert response.status_code == 404


# --- Staff ----------------------------------------------------------------------------------------


def test_staff_list_shows_staff_but_not_students(client_for, college, administration):
    teacher = factories.MembershipFactory(college=college, role=Role.TEACHER, user__last_name="Учителев")
    factories.MembershipFactory(college=college, role=Role.STUDENT, user__last_name="Студентов")

    response = client_for(administration).get(reverse("colleges:staff_list"))

    assert teacher.user.last_name in response.text
    assert "Студентов" not in response.text


@pytest.mark.parametrize("size", [3, 30])
def test_staff_list_query_count_does_not_grow(client_for, college, administrator, django_assert_num_queries, size):
    factories.MembershipFactory.create_batch(size, college=college, role=Role.TEACHER)
    client = client_for(administrator)
    client.get(reverse("colleges:staff_list"))

    with django_assert_num_queries(5):
        response = client.get(reverse("colleges:staff_list"))

    assert response.status_code == 200


def test_staff_add_creates_a_teacher(client_for, college, administrator):
    response = client_for(administrator).post(
        reverse("colleges:staff_add"),
        {"phone": "8 912 111-22-33", "last_name": "Орлов", "first_name": "Антон", "role": "teacher", "position": ""},
    )

    assert response.status_code == 302
    assert Membership.objects.get(college=college, user__phone="+79121112233").role == Role.TEACHER


def test_staff_add_with_malformed_phone_shows_russian_message(client_for, administrator):
    response = client_for(administrator).post(
        reverse("colleges:staff_add"), {"phone": "12", "last_name": "Орлов", "first_name": "Антон", "role": "teacher"}
    )

    assert response.status_code == 400
    assert INVALID_PHONE_MESSAGE in response.text


def test_director_appoints_a_staff_member_as_administrator(client_for, college, administrator, administration):
    teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)

    response = client_for(administration).post(
        reverse("colleges:administrator_appoint"),
        {"membership": str(teacher.pk), "order_number": "12-од", "order_date": "2026-10-01"},
    )

    assert response.status_code == 302
    active = Membership.objects.get(college=college, role=Role.ADMINISTRATOR, status="active")
    assert active.user == teacher.user


def test_appointment_form_asks_for_a_person(client_for, administration):
    response = client_for(administration).post(
        reverse("colleges:administrator_appoint"), {"order_number": "12-од", "order_date": "2026-10-01"}
    )

    assert response.status_code == 400
    assert "Выберите сотрудника из списка" in response.text


# --- Menu -----------------------------------------------------------------------------------------


def test_menu_shows_college_items_to_the_administrator(client_for, administrator):
    response = client_for(administrator).get(reverse("colleges:profile"))

    for label in ("Профиль колледжа", "Отделения", "Сотрудники"):
        assert label in response.text
    assert "Заявки колледжей" not in response.text


def test_menu_shows_the_queue_to_platform_staff(client_for, platform_staff):
    response = client_for(platform_staff).get(reverse("colleges:application_queue"))

    assert "Заявки колледжей" in response.text
    assert "Отделения" not in response.text


def test_django_admin_shows_an_application_without_a_link_to_the_scan(client, platform_staff):
    platform_staff.is_superuser = True
    platform_staff.save()
    application = factories.CollegeApplicationFactory()
    from tests.accounts.helpers import sign_in_with_second_factor

    sign_in_with_second_factor(client, platform_staff)

    response = client.get(reverse("admin:colleges_collegeapplication_change", args=[application.pk]))

    assert response.status_code == 200
    assert application.order_file.name not in response.text


def test_home_sends_a_student_to_their_group_page(client, student):
    client.force_login(student)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("groups:my_group")
