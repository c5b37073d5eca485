"""A dry run stores what the file changes, not a row per student of the college (issue point 11)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from colleges.models import Membership
from groups.models import Enrollment
from movement import services
from movement.models import Movement, RosterRow

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
HEADER = "Фамилия;Имя;Телефон;Группа"


def upload(admin, college, lines):
    data = "\n".join([HEADER, *lines]).encode("utf-8")
    return services.import_upload(
        actor=admin,
        college=college,
        name="k.csv",
        data=data,
        order_number="1",
        order_date=TODAY,
        effective_date=TODAY,
    )


@pytest.fixture
def students(groups, make_student):
    return [make_student(groups[i % 3]) for i in range(30)]


def line(student, group="ИС-20"):
    return f"{student.user.last_name};{student.user.first_name};{student.user.phone};{group}"


def test_a_two_line_file_stores_two_rows_however_many_students_the_college_has(admin, college, students):
    batch = upload(admin, college, [line(students[0]), "Новикова;Анна;89120000077;ИС-21"])

    assert batch.rows.count() == 2
    assert (batch.summary["missing"], batch.summary["active_students"]) == (29, 30)
    assert RosterRow.objects.filter(action=RosterRow.Action.MISSING).count() == 0


def test_the_dry_run_page_and_api_still_list_the_students_not_in_the_file(client_for, admin, college, students):
    batch = upload(admin, college, [line(s) for s in students[:28]])
    absent = {students[28].user.phone, students[29].user.phone}

    page = client_for(admin).get(reverse("movement:import_detail", kwargs={"pk": batch.pk})).content.decode()
    api = APIClient()
    api.force_authenticate(admin)
    every = api.get(f"/api/v1/movement/imports/{batch.pk}/rows/", {"page_size": 50}).data
    only_missing = api.get(f"/api/v1/movement/imports/{batch.pk}/rows/", {"action": "missing"}).data
    second_page = api.get(f"/api/v1/movement/imports/{batch.pk}/rows/", {"page": 1}).data

    assert "Нет в файле (отчисление — только если отметить ниже): 2" in page
    assert all(phone in page for phone in absent)
    assert every["count"] == 30 and second_page["count"] == 30
    assert {r["phone"] for r in only_missing["results"]} == absent
    assert {r["action"] for r in only_missing["results"]} == {"missing"}
    assert all(r["current_group"] for r in only_missing["results"])


def test_applying_with_expulsions_expels_exactly_the_students_shown(
    admin, college, students, django_capture_on_commit_callbacks
):
    batch = upload(admin, college, [line(s, s.enrollments.get().group.name) for s in students[:28]])

    with django_capture_on_commit_callbacks(execute=True):
        services.import_apply_start(actor=admin, batch=batch, include_expulsions=True)

    expelled = set(Movement.objects.filter(batch=batch, kind="expel").values_list("person_id", flat=True))
    assert expelled == {students[28].pk, students[29].pk}
    assert Membership.objects.filter(pk__in=expelled, status=Membership.Status.LEFT).count() == 2
    assert RosterRow.objects.filter(batch=batch, action=RosterRow.Action.MISSING, applied=True).count() == 2


def test_a_student_enrolled_after_the_dry_run_is_not_expelled_unseen(
    admin, college, groups, students, make_student, django_capture_on_commit_callbacks
):
    batch = upload(admin, college, [line(s, s.enrollments.get().group.name) for s in students[:28]])
    late = make_student(groups[0])

    with pytest.raises(ValidationError) as exc:
        services.import_apply_start(actor=admin, batch=batch, include_expulsions=True)

    assert exc.value.code == "roster_changed"
    assert Movement.objects.count() == 0
    batch.refresh_from_db()
    assert (batch.status, batch.summary["missing"]) == ("previewed", 3)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_apply_start(actor=admin, batch=batch, include_expulsions=True)
    expelled = set(Movement.objects.filter(batch=batch, kind="expel").values_list("person_id", flat=True))
    assert expelled == {students[28].pk, students[29].pk, late.pk}


def test_without_expulsions_nobody_missing_is_touched(admin, college, students, django_capture_on_commit_callbacks):
    batch = upload(admin, college, [line(students[0], students[0].enrollments.get().group.name)])

    with django_capture_on_commit_callbacks(execute=True):
        services.import_apply_start(actor=admin, batch=batch)

    batch.refresh_from_db()
    assert (batch.status, batch.total) == ("applied", 0)
    assert Enrollment.objects.filter(college=college, ended_at__isnull=True).count() == 30
    assert batch.rows.count() == 1


def test_the_rows_api_and_the_page_read_the_students_not_in_the_file_in_the_same_queries_for_3_and_30(
    client_for, admin, college, groups, make_student
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = APIClient()
    api.force_authenticate(admin)
    client = client_for(admin)
    counts = []
    for n in (3, 30):
        Enrollment.objects.all().delete()
        for i in range(n):
            make_student(groups[i % 3])
        batch = upload(admin, college, ["Новикова;Анна;89120000077;ИС-21"])
        client.get(reverse("movement:import_list"))  # the session and the college's cached pages warm up
        with CaptureQueriesContext(connection) as rows:
            answer = api.get(f"/api/v1/movement/imports/{batch.pk}/rows/")
        with CaptureQueriesContext(connection) as page:
            client.get(reverse("movement:import_detail", kwargs={"pk": batch.pk}))
        assert answer.data["count"] == n + 1
        counts.append((len(rows.captured_queries), len(page.captured_queries)))

    assert counts[0] == counts[1]


def test_the_apply_page_shows_the_refreshed_dry_run_when_the_roster_moved(
    client_for, admin, college, groups, students, make_student
):
    batch = upload(admin, college, [line(s, s.enrollments.get().group.name) for s in students[:28]])
    late = make_student(groups[0])

    response = client_for(admin).post(
        reverse("movement:import_apply", kwargs={"pk": batch.pk}), {"include_expulsions": "on"}
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "изменился состав обучающихся колледжа" in content
    assert "Отчислить обучающихся, которых нет в файле (3)" in content
    assert late.user.phone in content
    assert Movement.objects.count() == 0
