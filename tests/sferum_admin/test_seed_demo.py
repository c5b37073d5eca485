"""``manage.py seed_demo``: the demo college `make run` loads."""

import re
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from colleges.models import College, Department, Membership, Role
from groups.models import CuratorAssignment, Discipline, Enrollment, StudyGroup, SubjectTeacherAssignment
from invitations.selectors import invitation_find
from invitations.services import invitation_accept
from materials.models import Audience
from materials.selectors import material_list
from sferum_admin.management.commands.seed_demo import (
    ADMIN_PHONE,
    DEMO_STAFF_PASSWORD,
    DEMO_TOTP_SECRET,
    STAFF_PHONE,
    feminine_surname,
)
from tests import factories
from tests.accounts.helpers import sign_in_with_second_factor
from tests.write_owners import writes_owned

CYRILLIC_NAME = re.compile(r"^[А-ЯЁ][а-яё]+$")


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_default_demo_college_has_the_promised_shape():
    _seed()

    college = College.objects.get()
    memberships = Membership.objects.filter(college=college)
    assert Department.objects.filter(college=college).count() == 4
    assert StudyGroup.objects.filter(college=college).count() == 24
    assert memberships.filter(role=Role.ADMINISTRATOR).count() == 1
    assert memberships.filter(role=Role.ADMINISTRATION).count() == 4
    assert memberships.exclude(role=Role.STUDENT).count() == 60
    assert memberships.filter(role=Role.STUDENT).count() == 600
    assert Enrollment.objects.filter(college=college, ended_at__isnull=True).count() == 600
    assert Discipline.objects.filter(college=college).count() >= 10
    assert SubjectTeacherAssignment.objects.filter(college=college).count() == 24 * 3


@pytest.mark.django_db
def test_every_student_studies_in_one_group_and_every_group_has_a_curator():
    _seed("--students", "120")

    students = Membership.objects.filter(role=Role.STUDENT)
    assert all(m.enrollments.filter(ended_at__isnull=True).count() == 1 for m in students)
    groups = StudyGroup.objects.all()
    curated = set(CuratorAssignment.objects.filter(ended_at__isnull=True).values_list("group_id", flat=True))
    assert curated == {g.pk for g in groups}
    assert all(a.teacher.role == Role.TEACHER for a in CuratorAssignment.objects.select_related("teacher"))


@pytest.mark.django_db
def test_groups_look_like_a_russian_college():
    _seed()

    groups = list(StudyGroup.objects.all())
    assert all(re.fullmatch(r"[А-Я]{2,3}-[1-4]\d+", g.name) for g in groups)
    assert all(re.fullmatch(r"\d\d\.\d\d\.\d\d", g.specialty_code) for g in groups)
    assert {g.course for g in groups} == {1, 2, 3, 4}
    assert "09.02.07" in {g.specialty_code for g in groups}
    assert all(g.admission_year == groups[0].admission_year + groups[0].course - g.course for g in groups)


@pytest.mark.django_db
def test_people_have_russian_full_names():
    _seed("--students", "200")

    users = list(User.objects.filter(is_staff=False))
    assert all(CYRILLIC_NAME.match(u.last_name) and CYRILLIC_NAME.match(u.first_name) for u in users)
    with_patronymic = [u for u in users if u.patronymic]
    assert len(with_patronymic) > 0.9 * len(users)
    assert all(u.patronymic.endswith(("ич", "на")) for u in with_patronymic)
    women = [u for u in with_patronymic if u.patronymic.endswith("на")]
    assert all(not u.last_name.endswith(("ов", "ев", "ин", "ский")) for u in women)


def test_feminine_surnames():
    assert [feminine_surname(s) for s in ("Иванов", "Королёв", "Ильин", "Островский", "Шевченко", "Черных")] == [
        "Иванова",
        "Королёва",
        "Ильина",
        "Островская",
        "Шевченко",
        "Черных",
    ]


@pytest.mark.parametrize(("students", "groups"), [(100, 4), (1000, 40)])
@pytest.mark.django_db
def test_groups_scale_with_students(students, groups):
    _seed("--students", str(students))

    assert StudyGroup.objects.count() == groups
    assert Enrollment.objects.count() == students
    assert StudyGroup.objects.filter(enrollments__isnull=True).count() == 0


@pytest.mark.django_db
def test_seeding_writes_one_audit_event():
    _seed("--students", "50")

    event = AuditEvent.objects.get(action="demo.seed")
    assert event.college == College.objects.get()
    assert event.after["students"] == 50


@pytest.mark.django_db
def test_sign_in_details_are_printed_and_work():
    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time

    output = _seed("--students", "30")

    assert "загружен за" in output
    assert ADMIN_PHONE in output and STAFF_PHONE in output
    assert DEMO_STAFF_PASSWORD in output and DEMO_TOTP_SECRET in output
    staff = User.objects.get(phone=STAFF_PHONE)
    assert staff.is_staff and staff.check_password(DEMO_STAFF_PASSWORD)
    assert staff.authenticator_set.filter(type="totp").exists()
    admin = User.objects.get(phone=ADMIN_PHONE)
    assert admin.memberships.get().role == Role.ADMINISTRATOR
    totp = TOTP(Authenticator.objects.get(user=admin, type=Authenticator.Type.TOTP))
    counters = list(yield_hotp_counters_from_time())
    code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counters[len(counters) // 2]))
    assert totp.validate_code(code)


@pytest.mark.django_db
def test_if_empty_does_nothing_when_a_college_exists():
    factories.CollegeFactory()

    output = _seed("--if-empty")

    assert College.objects.count() == 1
    assert not StudyGroup.objects.exists()
    assert "уже есть" in output


@pytest.mark.django_db
def test_if_empty_seeds_an_empty_database_and_reprints_sign_in_next_time():
    _seed("--if-empty", "--students", "30")

    again = _seed("--if-empty", "--students", "30")

    assert College.objects.count() == 1
    assert Membership.objects.filter(role=Role.STUDENT).count() == 30
    assert ADMIN_PHONE in again


@pytest.mark.django_db
def test_second_seed_without_if_empty_is_refused():
    _seed("--students", "10")

    with pytest.raises(CommandError):
        _seed("--students", "10")


@pytest.mark.django_db
def test_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError):
        _seed()

    assert not College.objects.exists()


def _snapshot() -> dict:
    return {
        "people": list(User.objects.order_by("phone").values_list("phone", "last_name", "first_name", "patronymic")),
        "groups": list(StudyGroup.objects.order_by("name").values_list("name", "specialty_code", "course")),
        "enrollments": sorted(Enrollment.objects.values_list("student__user__phone", "group__name")),
        "curators": sorted(CuratorAssignment.objects.values_list("group__name", "teacher__user__phone")),
        "subjects": sorted(
            SubjectTeacherAssignment.objects.values_list("group__name", "discipline__name", "teacher__user__phone")
        ),
    }


@pytest.mark.django_db(transaction=True)
def test_two_runs_in_fresh_databases_give_the_same_college():
    _seed("--students", "150")
    first = _snapshot()
    call_command("flush", interactive=False, verbosity=0)

    _seed("--students", "150")

    assert _snapshot() == first
    assert len(first["people"]) == 150 + 60 + 1


@pytest.mark.django_db
def test_platform_operator_is_greeted_by_a_first_name_not_a_role(client):
    _seed("--students", "30")
    staff = User.objects.get(phone=STAFF_PHONE)
    sign_in_with_second_factor(client, staff)

    response = client.get(reverse("admin:index"))

    greeting = response.content.decode().split('<div id="user-tools">')[1].split("</strong>")[0]
    assert "Добро пожаловать" in greeting
    assert greeting.endswith(f"<strong>{staff.first_name}")
    assert CYRILLIC_NAME.match(staff.first_name) and staff.first_name != "Платформы"


def _printed_links(output: str) -> dict[str, str]:
    """What each printed link gives → its token."""
    printed = output.split("Ссылки-приглашения")[1]
    return {
        shown: url.rstrip("/").rsplit("/", 1)[1] for shown, url in re.findall(r"^  (.+): (http\S+)$", printed, re.M)
    }


@pytest.mark.django_db
def test_one_invitation_link_per_role_is_printed_and_admits_a_newcomer():
    output = _seed("--students", "30")

    links = _printed_links(output)
    assert {invitation_find(token=token).role for token in links.values()} == {
        Role.ADMINISTRATION,
        Role.TEACHER,
        Role.STUDENT,
        Role.PARENT,
    }
    student_token = next(token for shown, token in links.items() if shown.startswith(Role.STUDENT.label))
    result = invitation_accept(invitation=invitation_find(token=student_token), user=factories.UserFactory())
    assert result.joined and result.membership.role == Role.STUDENT
    assert Enrollment.objects.get(student=result.membership, ended_at__isnull=True).group.name == "ИС-11"


@pytest.mark.django_db
def test_links_are_printed_again_by_if_empty():
    first = _seed("--if-empty", "--students", "10")

    again = _seed("--if-empty", "--students", "10")

    printed = first.split("Ссылки-приглашения")[1]
    assert printed and printed in again


@pytest.mark.django_db
def test_the_first_group_and_the_staff_find_a_material_each():
    _seed("--students", "30")

    group = StudyGroup.objects.get(name="ИС-11")
    student = Enrollment.objects.filter(group=group).select_related("student__user").first().student.user
    teacher = Membership.objects.filter(role=Role.TEACHER).first()
    college = group.college
    assert [m.audience for m in material_list(viewer=student, college=college)] == [Audience.GROUPS]
    assert Audience.STAFF in {m.audience for m in material_list(viewer=teacher.user, college=college)}


@pytest.mark.django_db
def test_each_app_writes_only_its_own_demo_rows():
    with writes_owned() as writes:
        _seed("--students", "30")

    assert {table_app for table_app, _, _ in writes} >= {
        "accounts",
        "colleges",
        "groups",
        "invitations",
        "materials",
        "audit",
    }
