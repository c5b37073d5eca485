"""Guardians: a parent of a group names their child among its students only; the student or the group's
curator confirms or rejects; several guardians per student; every decision audited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from colleges.models import Role
from groups.models import GroupParent, Guardian
from groups.selectors import guardian_student_choices
from groups.services import guardian_claim, guardian_confirm, guardian_reject
from groups.services.guardians import REJECTED_BEFORE_MESSAGE
from tests import factories

pytestmark = pytest.mark.django_db


def member(college, role, **user):
    return factories.MembershipFactory(college=college, role=role, user=factories.UserFactory(**user))


def student_in(group, **user):
    student = member(group.college, Role.STUDENT, **user)
    factories.EnrollmentFactory(student=student, group=group, started_at=datetime.date(2025, 9, 1))
    return student


def parent_of(group, **user):
    parent = member(group.college, Role.PARENT, **user)
    GroupParent.objects.create(college=group.college, parent=parent, group=group)
    return parent


@pytest.fixture
def school(college):
    group = factories.StudyGroupFactory(college=college, name="ИС-21")
    other_group = factories.StudyGroupFactory(college=college, name="ИС-22")
    curator = member(college, Role.TEACHER)
    factories.CuratorAssignmentFactory(group=group, teacher=curator)
    other_curator = member(college, Role.TEACHER)
    factories.CuratorAssignmentFactory(group=other_group, teacher=other_curator)
    return {
        "group": group,
        "other_group": other_group,
        "curator": curator,
        "other_curator": other_curator,
        "child": student_in(group, last_name="Соколова", first_name="Дарья", patronymic=""),
        "classmate": student_in(group),
        "stranger": student_in(other_group, last_name="Чужой", first_name="Студент", patronymic=""),
        "parent": parent_of(group),
        "other_parent": parent_of(other_group),
    }


def test_a_parent_names_their_child_and_waits_for_confirmation(school):
    guardian = guardian_claim(actor=school["parent"].user, group=school["group"], student=school["child"])

    assert guardian.status == Guardian.Status.PENDING
    assert (guardian.parent, guardian.student) == (school["parent"], school["child"])
    assert AuditEvent.objects.filter(action="guardian.claim", target_id=str(guardian.pk)).exists()


def test_the_choices_are_that_groups_students_by_name_only(school):
    choices = guardian_student_choices(group=school["group"])

    assert {pk for pk, _ in choices} == {school["child"].pk, school["classmate"].pk}
    assert (school["child"].pk, "Соколова Дарья") in choices
    assert all(isinstance(name, str) and "+7" not in name for _, name in choices)


def test_a_student_of_another_group_cannot_be_named(school):
    with pytest.raises(ValidationError):
        guardian_claim(actor=school["parent"].user, group=school["group"], student=school["stranger"])

    assert not Guardian.objects.exists()


def test_a_parent_of_another_group_cannot_claim_here(school):
    with pytest.raises(PermissionDenied):
        guardian_claim(actor=school["other_parent"].user, group=school["group"], student=school["child"])


@pytest.mark.parametrize("decider", ["child", "curator"])
def test_the_student_or_the_curator_confirms(school, decider):
    guardian = guardian_claim(actor=school["parent"].user, group=school["group"], student=school["child"])
    actor = school[decider].user

    confirmed = guardian_confirm(actor=actor, guardian=guardian)

    assert confirmed.status == Guardian.Status.CONFIRMED
    assert confirmed.decided_by == actor
    event = AuditEvent.objects.get(action="guardian.confirm")
    assert event.after["by"] == ("student" if decider == "child" else "curator")


@pytest.mark.parametrize("decider", ["classmate", "other_curator", "parent", "other_parent"])
def test_nobody_else_confirms(school, decider):
    guardian = guardian_claim(actor=school["parent"].user, group=school["group"], student=school["child"])

    with pytest.raises(PermissionDenied):
        guardian_confirm(actor=school[decider].user, guardian=guardian)

    guardian.refresh_from_db()
    assert guardian.status == Guardian.Status.PENDING


def test_a_student_has_several_guardians(school):
    second = parent_of(school["group"])
    first_claim = guardian_claim(actor=school["parent"].user, group=school["group"], student=school["child"])
    second_claim = guardian_claim(actor=second.user, group=school["group"], student=school["child"])

    guardian_confirm(actor=school["child"].user, guardian=first_claim)
    guardian_confirm(actor=school["curator"].user, guardian=second_claim)

    assert set(school["child"].guardians.filter(status=Guardian.Status.CONFIRMED).values_list("parent", flat=True)) == {
        school["parent"].pk,
        second.pk,
    }


def test_a_rejected_pair_cannot_be_claimed_again(school):
    guardian = guardian_claim(actor=school["parent"].user, group=school["group"], student=school["child"])
    guardian_reject(actor=school["child"].user, guardian=guardian)

    with pytest.raises(ValidationError) as error:
        guardian_claim(actor=school["parent"].user, group=school["group"], student=school["child"])

    assert error.value.messages == [REJECTED_BEFORE_MESSAGE]
    assert AuditEvent.objects.filter(action="guardian.reject").count() == 1


# --- Pages -----------------------------------------------------------------------------


def test_the_parent_page_lists_only_the_groups_students_and_claims_one(school, client):
    client.force_login(school["parent"].user)
    url = reverse("groups:guardian_claim", kwargs={"pk": school["group"].pk})

    page = client.get(url).content.decode()
    response = client.post(url, {"student": school["child"].pk})

    assert "Кто ваш ребёнок?" in page and "Соколова Дарья" in page
    assert "Чужой" not in page
    assert school["child"].user.phone not in page
    assert response.status_code == 302
    assert Guardian.objects.get().student == school["child"]
    assert "ждёт подтверждения" in client.get(url).content.decode()


def test_a_forged_student_id_gets_a_russian_message(school, client):
    client.force_login(school["parent"].user)
    url = reverse("groups:guardian_claim", kwargs={"pk": school["group"].pk})

    response = client.post(url, {"student": school["stranger"].pk})

    assert response.status_code == 400
    assert "Выберите своего ребёнка" in response.content.decode()
    assert not Guardian.objects.exists()


def test_the_parent_cannot_open_another_groups_page(school, client):
    client.force_login(school["parent"].user)

    response = client.get(reverse("groups:guardian_claim", kwargs={"pk": school["other_group"].pk}))

    assert response.status_code == 403


def test_the_student_confirms_on_their_page(school, client):
    guardian = guardian_claim(actor=school["parent"].user, group=school["group"], student=school["child"])
    client.force_login(school["child"].user)

    page = client.get(reverse("groups:my_guardians")).content.decode()
    response = client.post(reverse("groups:guardian_decide", kwargs={"pk": guardian.pk}), {"action": "confirm"})

    assert "Подтвердите: это ваш родитель?" in page and school["parent"].user.last_name in page
    assert response.status_code == 302 and response.url == reverse("groups:my_guardians")
    guardian.refresh_from_db()
    assert guardian.status == Guardian.Status.CONFIRMED


def test_the_curator_rejects_on_the_groups_page(school, client):
    guardian = guardian_claim(actor=school["parent"].user, group=school["group"], student=school["child"])
    client.force_login(school["curator"].user)

    page = client.get(reverse("groups:guardians", kwargs={"pk": school["group"].pk})).content.decode()
    client.post(reverse("groups:guardian_decide", kwargs={"pk": guardian.pk}), {"action": "reject"})

    assert "ждёт подтверждения" in page
    guardian.refresh_from_db()
    assert guardian.status == Guardian.Status.REJECTED


def _curator_page_queries(client, school) -> int:
    client.force_login(school["curator"].user)
    url = reverse("groups:guardians", kwargs={"pk": school["group"].pk})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_curator_page_costs_the_same_with_one_or_six_guardians(school, client):
    guardian_claim(actor=school["parent"].user, group=school["group"], student=school["child"])
    one = _curator_page_queries(client, school)
    for _ in range(5):
        guardian_claim(actor=parent_of(school["group"]).user, group=school["group"], student=school["classmate"])

    six = _curator_page_queries(client, school)

    assert six == one
    assert Guardian.objects.count() == 6


def _claim_page_queries(client, parent, group) -> int:
    client.force_login(parent.user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("groups:guardian_claim", kwargs={"pk": group.pk})).status_code == 200
    return len(queries)


def test_the_claim_page_costs_the_same_with_two_or_twelve_students(school, client):
    two = _claim_page_queries(client, school["parent"], school["group"])
    for _ in range(10):
        student_in(school["group"])

    twelve = _claim_page_queries(client, school["parent"], school["group"])

    assert twelve == two
