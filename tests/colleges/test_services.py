import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.models import User
from accounts.phones import INVALID_PHONE_MESSAGE
from audit.models import AuditEvent
from colleges import services
from colleges.files import ORDER_FILE_TYPE_MESSAGE
from colleges.models import College, CollegeApplication, Department, Membership, Role
from notifications.models import Message
from tests import factories
from tests.colleges.helpers import EXE_BYTES, HTML_BYTES, JPEG_BYTES, PNG_BYTES, application_data, upload
from tests.write_owners import writes_owned

pytestmark = pytest.mark.django_db


# --- College application: submission -------------------------------------------------------------


def test_application_is_stored_with_normalised_phone_and_random_file_name():
    order = upload(name="Приказ директора.pdf")

    application = services.college_application_submit(order_file=order, **application_data())

    application.refresh_from_db()
    assert application.status == CollegeApplication.Status.PENDING
    assert application.admin_phone == "+79123456781"
    assert application.order_file.name.startswith("applications/")
    assert application.order_file.name.endswith(".pdf")
    assert "Приказ" not in application.order_file.name
    assert AuditEvent.objects.filter(action="college_application.submit", target_id=str(application.pk)).exists()


@pytest.mark.parametrize(("data", "extension"), [(PNG_BYTES, "png"), (JPEG_BYTES, "jpg")])
def test_application_accepts_image_scans_named_by_their_content(data, extension):
    application = services.college_application_submit(order_file=upload(data, name="scan.pdf"), **application_data())

    assert application.order_file.name.endswith(f".{extension}")


@pytest.mark.parametrize(
    ("data", "name"), [(EXE_BYTES, "prikaz.pdf"), (HTML_BYTES, "prikaz.pdf"), (b"just text", "prikaz.png")]
)
def test_application_refuses_a_file_that_is_not_a_pdf_or_image_whatever_its_name(data, name):
    with pytest.raises(ValidationError) as error:
        services.college_application_submit(order_file=upload(data, name=name), **application_data())

    assert error.value.message_dict["order_file"] == [ORDER_FILE_TYPE_MESSAGE]
    assert not CollegeApplication.objects.exists()


def test_application_refuses_an_oversized_file_naming_the_limit(settings):
    settings.APPOINTMENT_ORDER_MAX_BYTES = 1024
    big = upload(b"%PDF-1.4\n" + b"0" * 2000)

    with pytest.raises(ValidationError) as error:
        services.college_application_submit(order_file=big, **application_data())

    assert "не более" in error.value.message_dict["order_file"][0]
    assert "0.0009765625" not in error.value.message_dict["order_file"][0]
    assert not CollegeApplication.objects.exists()


def test_application_with_bad_inn_ogrn_and_phone_writes_nothing():
    data = application_data(inn="7700000001", ogrn="1027700000001", admin_phone="12345")

    with pytest.raises(ValidationError) as error:
        services.college_application_submit(order_file=upload(), **data)

    assert {"inn", "ogrn", "admin_phone"} <= set(error.value.message_dict)
    assert error.value.message_dict["admin_phone"] == [INVALID_PHONE_MESSAGE]
    assert not CollegeApplication.objects.exists()
    assert not AuditEvent.objects.exists()


def test_application_with_inn_of_a_registered_college_is_refused():
    college = factories.CollegeFactory()

    with pytest.raises(ValidationError) as error:
        services.college_application_submit(order_file=upload(), **application_data(inn=college.inn))

    assert error.value.message_dict["inn"] == [services.DUPLICATE_INN_COLLEGE_MESSAGE]


def test_second_pending_application_with_the_same_inn_is_refused():
    services.college_application_submit(order_file=upload(), **application_data(1))

    with pytest.raises(ValidationError) as error:
        services.college_application_submit(order_file=upload(), **application_data(1))

    assert error.value.message_dict["inn"] == [services.DUPLICATE_INN_APPLICATION_MESSAGE]
    assert CollegeApplication.objects.count() == 1


def test_rejected_application_does_not_block_a_new_one():
    factories.CollegeApplicationFactory(inn=application_data(3)["inn"], status=CollegeApplication.Status.REJECTED)

    services.college_application_submit(order_file=upload(), **application_data(3))

    assert CollegeApplication.objects.filter(status=CollegeApplication.Status.PENDING).count() == 1


# --- Approval ---------------------------------------------------------------------------------------


def test_approval_creates_college_administrator_and_membership_and_sends_sms(
    platform_staff, sms_outbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://sferum.example.org"
    application = factories.CollegeApplicationFactory(admin_phone="+79123450001", order_number="17-к")

    with django_capture_on_commit_callbacks(execute=True):
        college = services.college_application_approve(actor=platform_staff, application_id=application.pk)

    application.refresh_from_db()
    assert application.status == CollegeApplication.Status.APPROVED
    assert application.college == college
    assert application.reviewed_by == platform_staff
    assert college.inn == application.inn
    admin = User.objects.get(phone="+79123450001")
    assert admin.last_name == "Соколова"
    membership = Membership.objects.get(college=college, user=admin)
    assert membership.role == Role.ADMINISTRATOR
    assert membership.order_number == "17-к"
    assert membership.order_date == application.order_date
    assert len(sms_outbox) == 1
    assert sms_outbox[0]["phone"] == "+79123450001"
    assert "https://sferum.example.org/accounts/login/" in sms_outbox[0]["text"]
    assert AuditEvent.objects.filter(action="college_application.approve", college=college).exists()


def test_approval_writes_each_table_through_its_owner(platform_staff):
    application = factories.CollegeApplicationFactory(admin_phone="+79123450003")

    with writes_owned() as writes:
        services.college_application_approve(actor=platform_staff, application_id=application.pk)

    assert ("accounts", "accounts", "accounts_user") in writes
    assert {owner for owner, _, _ in writes} >= {"accounts", "colleges", "audit"}


def test_approval_reuses_the_existing_user_with_that_phone(platform_staff):
    existing = factories.UserFactory(phone="+79123450002")
    application = factories.CollegeApplicationFactory(admin_phone="+79123450002")

    college = services.college_application_approve(actor=platform_staff, application_id=application.pk)

    assert Membership.objects.get(college=college, role=Role.ADMINISTRATOR).user == existing


def test_only_platform_staff_may_approve(administrator):
    application = factories.CollegeApplicationFactory()

    with pytest.raises(PermissionDenied):
        services.college_application_approve(actor=administrator, application_id=application.pk)

    assert not College.objects.filter(inn=application.inn).exists()


def test_approving_twice_creates_one_college(platform_staff):
    application = factories.CollegeApplicationFactory()
    services.college_application_approve(actor=platform_staff, application_id=application.pk)

    with pytest.raises(ValidationError) as error:
        services.college_application_approve(actor=platform_staff, application_id=application.pk)

    assert error.value.messages == [services.APPLICATION_ALREADY_REVIEWED_MESSAGE]
    assert College.objects.filter(inn=application.inn).count() == 1


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_staff_approving_at_the_same_moment_create_one_college():
    staff = [factories.UserFactory(is_staff=True) for _ in range(2)]
    application = factories.CollegeApplicationFactory()
    barrier = threading.Barrier(len(staff))
    outcomes: list[str] = []

    def approve(user):
        try:
            barrier.wait()
            services.college_application_approve(actor=user, application_id=application.pk)
            outcomes.append("approved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["approved", "refused"]
    assert College.objects.filter(inn=application.inn).count() == 1
    assert Membership.objects.filter(role=Role.ADMINISTRATOR, college__inn=application.inn).count() == 1


# --- Rejection ----------------------------------------------------------------------------------------


def test_rejection_needs_a_reason(platform_staff):
    application = factories.CollegeApplicationFactory()

    with pytest.raises(ValidationError) as error:
        services.college_application_reject(actor=platform_staff, application_id=application.pk, reason="  ")

    assert error.value.message_dict["reason"] == [services.REJECTION_REASON_REQUIRED_MESSAGE]
    application.refresh_from_db()
    assert application.status == CollegeApplication.Status.PENDING


def test_rejection_sends_the_reason_by_sms_and_email(
    platform_staff, sms_outbox, mailoutbox, django_capture_on_commit_callbacks
):
    application = factories.CollegeApplicationFactory(admin_phone="+79123450003", email="college@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        services.college_application_reject(
            actor=platform_staff, application_id=application.pk, reason="Скан приказа не читается"
        )

    application.refresh_from_db()
    assert application.status == CollegeApplication.Status.REJECTED
    assert sms_outbox[0]["phone"] == "+79123450003"
    assert "Скан приказа не читается" in sms_outbox[0]["text"]
    assert mailoutbox[0].to == ["college@example.org"]
    assert "Скан приказа не читается" in mailoutbox[0].body
    assert not College.objects.exists()


# --- Profile ----------------------------------------------------------------------------------------------


def test_administrator_updates_the_profile_and_the_change_is_audited(college, administrator):
    services.college_update(actor=administrator, college=college, short_name="ТТК", phone="8 (4822) 32-11-00")

    college.refresh_from_db()
    assert college.short_name == "ТТК"
    assert college.phone == "+74822321100"
    event = AuditEvent.objects.get(action="college.update")
    assert event.after["short_name"] == "ТТК"


def test_profile_update_cannot_change_inn(college, administrator):
    with pytest.raises(TypeError):
        services.college_update(actor=administrator, college=college, inn="7707083893")


# --- Departments -------------------------------------------------------------------------------------------


def test_department_name_is_unique_in_the_college_ignoring_case(college, administrator):
    services.department_create(actor=administrator, college=college, name="Отделение информатики")

    with pytest.raises(ValidationError) as error:
        services.department_create(actor=administrator, college=college, name="отделение ИНФОРМАТИКИ")

    assert error.value.message_dict["name"] == [services.DEPARTMENT_NAME_TAKEN_MESSAGE]
    assert Department.objects.filter(college=college).count() == 1


def test_department_update_is_audited_with_before_and_after(college, administrator):
    department = factories.DepartmentFactory(college=college, name="Старое")

    services.department_update(actor=administrator, department=department, name="Новое", head_name="Орлова А. А.")

    event = AuditEvent.objects.get(action="department.update")
    assert event.before["name"] == "Старое"
    assert event.after["name"] == "Новое"


def test_department_with_study_groups_is_not_deleted(college, administrator):
    department = factories.DepartmentFactory(college=college, name="Механическое")
    factories.StudyGroupFactory(college=college, department=department)

    with pytest.raises(ValidationError) as error:
        services.department_delete(actor=administrator, department=department)

    assert "учебные группы" in error.value.messages[0]
    assert Department.objects.filter(pk=department.pk).exists()
    assert not AuditEvent.objects.filter(action="department.delete").exists()


def test_empty_department_is_deleted_and_audited(college, administrator):
    department = factories.DepartmentFactory(college=college)

    services.department_delete(actor=administrator, department=department)

    assert not Department.objects.filter(pk=department.pk).exists()
    assert AuditEvent.objects.filter(action="department.delete", target_id=str(department.pk)).exists()


# --- Staff -------------------------------------------------------------------------------------------------------


def test_staff_add_creates_the_user_by_phone_and_the_membership(college, administrator):
    membership = services.staff_add(
        actor=administrator,
        college=college,
        phone="8 912 000-11-22",
        last_name="Орлов",
        first_name="Антон",
        role=Role.TEACHER,
        position="преподаватель",
    )

    assert membership.user.phone == "+79120001122"
    assert membership.role == Role.TEACHER
    assert AuditEvent.objects.filter(action="membership.create", target_id=str(membership.pk)).exists()


def test_staff_add_with_a_malformed_phone_writes_nothing(college, administrator):
    with pytest.raises(ValidationError) as error:
        services.staff_add(
            actor=administrator, college=college, phone="12-34", last_name="Орлов", first_name="Антон", role="teacher"
        )

    assert error.value.message_dict["phone"] == [INVALID_PHONE_MESSAGE]
    assert not User.objects.filter(last_name="Орлов").exists()


def test_staff_add_refuses_student_role(college, administrator):
    with pytest.raises(ValidationError) as error:
        services.staff_add(
            actor=administrator,
            college=college,
            phone="+79120001123",
            last_name="Орлов",
            first_name="Антон",
            role=Role.STUDENT,
        )

    assert error.value.message_dict["role"] == [services.HIRE_ROLE_MESSAGE]


# --- Appointing the administrator -------------------------------------------------------------------------------


def test_director_replaces_the_administrator_in_one_step(
    college, administrator, administration, sms_outbox, django_capture_on_commit_callbacks
):
    teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)

    with django_capture_on_commit_callbacks(execute=True):
        appointed = services.administrator_appoint(
            actor=administration,
            college=college,
            membership=teacher,
            order_number="45-од",
            order_date=datetime.date(2026, 10, 1),
        )

    old = Membership.objects.get(user=administrator, college=college, role=Role.ADMINISTRATOR)
    assert old.status == Membership.Status.LEFT
    assert appointed.user == teacher.user
    assert appointed.status == Membership.Status.ACTIVE
    assert appointed.order_number == "45-од"
    assert Membership.objects.filter(college=college, role=Role.ADMINISTRATOR, status="active").count() == 1
    assert AuditEvent.objects.filter(action="college.administrator_appoint", college=college).exists()
    assert [sms["phone"] for sms in sms_outbox] == [teacher.user.phone]


def test_director_appoints_a_new_person_by_phone(college, administration):
    appointed = services.administrator_appoint(
        actor=administration,
        college=college,
        phone="+79120009988",
        last_name="Лебедева",
        first_name="Ольга",
        order_number="46-од",
        order_date=datetime.date(2026, 10, 2),
    )

    assert appointed.user.phone == "+79120009988"
    assert appointed.role == Role.ADMINISTRATOR


def test_appointing_the_current_administrator_again_is_refused(college, administrator, administration):
    current = Membership.objects.get(user=administrator, college=college)

    with pytest.raises(ValidationError):
        services.administrator_appoint(
            actor=administration,
            college=college,
            membership=current,
            order_number="1",
            order_date=datetime.date(2026, 10, 2),
        )

    current.refresh_from_db()
    assert current.status == Membership.Status.ACTIVE


def test_appointment_with_a_bad_phone_changes_nothing(college, administrator, administration):
    with pytest.raises(ValidationError) as error:
        services.administrator_appoint(
            actor=administration,
            college=college,
            phone="абв",
            last_name="Лебедева",
            first_name="Ольга",
            order_number="46-од",
            order_date=datetime.date(2026, 10, 2),
        )

    assert error.value.message_dict["phone"] == [INVALID_PHONE_MESSAGE]
    assert Membership.objects.get(user=administrator, college=college).status == Membership.Status.ACTIVE
    assert not Message.objects.exists()


def test_staff_of_another_college_cannot_be_appointed(college, administration, other_college):
    stranger = factories.MembershipFactory(college=other_college, role=Role.TEACHER)

    with pytest.raises(ValidationError) as error:
        services.administrator_appoint(
            actor=administration,
            college=college,
            membership=stranger,
            order_number="1",
            order_date=datetime.date(2026, 10, 2),
        )

    assert "membership" in error.value.message_dict


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_applications_with_one_inn_store_one(settings):
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit():
        try:
            barrier.wait()
            services.college_application_submit(order_file=upload(), **application_data(7))
            outcomes.append("stored")
        except ValidationError as exc:
            assert "inn" in exc.message_dict
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "stored"]
    assert CollegeApplication.objects.count() == 1
    stored = list((settings.MEDIA_ROOT / "applications").rglob("*.pdf"))
    assert [path.name for path in stored] == [CollegeApplication.objects.get().order_file.name.rsplit("/", 1)[-1]]


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_appointments_leave_one_active_administrator():
    college = factories.CollegeFactory()
    factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR)
    directors = [factories.MembershipFactory(college=college, role=Role.ADMINISTRATION).user for _ in range(2)]
    teachers = [factories.MembershipFactory(college=college, role=Role.TEACHER) for _ in range(2)]
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def appoint(director, teacher):
        try:
            barrier.wait()
            services.administrator_appoint(
                actor=director,
                college=college,
                membership=teacher,
                order_number="1-од",
                order_date=datetime.date(2026, 10, 1),
            )
        except Exception as exc:  # noqa: BLE001 (any failure is the finding)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=appoint, args=pair) for pair in zip(directors, teachers, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    active = Membership.objects.filter(college=college, role=Role.ADMINISTRATOR, status="active")
    assert active.count() == 1
    assert active.get().user_id in {t.user_id for t in teachers}
    assert Membership.objects.filter(college=college, role=Role.ADMINISTRATOR, status="left").count() == 2
