import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from groups.models import Enrollment
from movement.models import Movement
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
ROSTER = "Фамилия;Имя;Отчество;Телефон;Группа;Дата рождения\nИванов;Иван;;89120000001;ИС-21;01.01.2008\n"


@pytest.fixture
def api(admin):
    client = APIClient()
    client.force_authenticate(admin)
    return client


def test_transfer_through_the_api_is_applied(api, college, groups, make_student, django_capture_on_commit_callbacks):
    student = make_student(groups[0])

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/movement/movements/",
            {
                "kind": "transfer",
                "person": student.pk,
                "to_group": groups[1].pk,
                "order_number": "3-к",
                "order_date": TODAY,
                "effective_date": TODAY,
            },
            format="json",
        )

    assert response.status_code == 201
    detail = api.get(f"/api/v1/movement/movements/{response.data['id']}/").data
    assert (detail["status"], detail["from_group"]["name"], detail["to_group"]["name"]) == (
        "applied",
        groups[0].name,
        groups[1].name,
    )


def test_api_errors_are_400_with_field_errors(api, college, groups, make_student):
    student = make_student(groups[0])
    foreign = factories.StudyGroupFactory()

    response = api.post(
        "/api/v1/movement/movements/",
        {
            "kind": "transfer",
            "person": student.pk,
            "to_group": foreign.pk,
            "order_number": "3-к",
            "order_date": TODAY,
            "effective_date": TODAY,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "to_group" in response.data


def test_import_upload_dry_run_apply_and_status(api, college, groups, django_capture_on_commit_callbacks):
    upload = api.post(
        "/api/v1/movement/imports/",
        {
            "file": SimpleUploadedFile("k.csv", ROSTER.encode("cp1251")),
            "order_number": "1",
            "order_date": TODAY.isoformat(),
            "effective_date": TODAY.isoformat(),
        },
        format="multipart",
    )
    assert upload.status_code == 201
    assert upload.data["summary"]["new"] == 1
    rows = api.get(f"/api/v1/movement/imports/{upload.data['id']}/rows/?action=new").data
    assert rows["results"][0]["phone"] == "+79120000001"

    with django_capture_on_commit_callbacks(execute=True):
        applied = api.post(f"/api/v1/movement/imports/{upload.data['id']}/apply/", {}, format="json")
    status = api.get(f"/api/v1/movement/imports/{upload.data['id']}/").data

    assert applied.status_code == 202
    assert (status["status"], status["processed"], status["percent"]) == ("applied", 1, 100)
    assert Enrollment.objects.get(student__user__phone="+79120000001").group == groups[1]


def test_bad_roster_upload_answers_400_in_russian(api, college):
    response = api.post(
        "/api/v1/movement/imports/",
        {
            "file": SimpleUploadedFile("k.csv", "Фамилия\n".encode("utf-16")),
            "order_number": "1",
            "order_date": TODAY.isoformat(),
            "effective_date": TODAY.isoformat(),
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert "кодировка" in response.data["file"][0]


def test_roster_on_date_api(api, college, groups, make_student):
    make_student(groups[0], started_at=datetime.date(2025, 9, 1))

    before = api.get(f"/api/v1/movement/groups/{groups[0].pk}/roster/?date=31.08.2025")
    after = api.get(f"/api/v1/movement/groups/{groups[0].pk}/roster/?date=01.09.2025")
    bad = api.get(f"/api/v1/movement/groups/{groups[0].pk}/roster/?date=99.99.2025")

    assert (len(before.data), len(after.data), bad.status_code) == (0, 1, 400)


def test_movement_list_api_query_count_is_the_same_for_3_and_30(api, college, groups, django_assert_num_queries):
    def add(n):
        for _ in range(n):
            student = factories.MembershipFactory(college=college, role="student")
            Movement.objects.create(
                college=college,
                kind="enrol",
                person=student,
                to_group=groups[0],
                order_number="1",
                order_date=TODAY,
                effective_date=TODAY + datetime.timedelta(days=2),
            )

    add(3)
    api.get("/api/v1/movement/movements/")
    with CaptureQueriesContext(connection) as small:
        first = api.get("/api/v1/movement/movements/")
    add(27)

    with django_assert_num_queries(len(small.captured_queries)):
        response = api.get("/api/v1/movement/movements/")

    assert (first.data["count"], response.data["count"]) == (3, 30)


def _same_queries(api, url, grow, django_assert_num_queries):
    api.get(url)
    with CaptureQueriesContext(connection) as small:
        api.get(url)
    grow()
    with django_assert_num_queries(len(small.captured_queries)):
        return api.get(url)


def test_roster_api_query_count_is_the_same_for_3_and_30(api, college, groups, make_student, django_assert_num_queries):
    for _ in range(3):
        make_student(groups[0])
    url = f"/api/v1/movement/groups/{groups[0].pk}/roster/"

    response = _same_queries(api, url, lambda: [make_student(groups[0]) for _ in range(27)], django_assert_num_queries)

    assert len(response.data) == 30


def test_import_rows_api_query_count_is_the_same_for_3_and_30(api, admin, college, groups, django_assert_num_queries):
    from movement import services

    def batch_of(n):
        lines = "".join(f"Орлов;Олег;8912{i:07d};ИС-2{i % 3}\n" for i in range(n))
        return services.import_upload(
            actor=admin,
            college=college,
            name="k.csv",
            data=("Фамилия;Имя;Телефон;Группа\n" + lines).encode(),
            order_number="1",
            order_date=TODAY,
            effective_date=TODAY,
        )

    small, large = batch_of(3), batch_of(30)
    api.get(f"/api/v1/movement/imports/{small.pk}/rows/")
    with CaptureQueriesContext(connection) as first:
        api.get(f"/api/v1/movement/imports/{small.pk}/rows/")

    with django_assert_num_queries(len(first.captured_queries)):
        response = api.get(f"/api/v1/movement/imports/{large.pk}/rows/")

    assert response.data["count"] == 30


def test_new_student_enrolled_through_the_api_by_a_phone_never_seen(
    api, college, groups, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/movement/movements/",
            {
                "kind": "enrol",
                "phone": "+7 918 303-20-10",
                "last_name": "Кузнецов",
                "first_name": "Глеб",
                "to_group": groups[1].pk,
                "order_number": "22-к",
                "order_date": TODAY,
                "effective_date": TODAY,
            },
            format="json",
        )

    assert response.status_code == 201
    enrollment = Enrollment.objects.get(student__user__phone="+79183032010", ended_at__isnull=True)
    assert (enrollment.group, enrollment.student.role) == (groups[1], "student")
    assert Movement.objects.get().status == "applied"


def test_backdated_transfer_through_the_api_is_400_with_the_reason(api, college, groups, make_student):
    student = make_student(groups[0], started_at=datetime.date(2025, 9, 1))

    response = api.post(
        "/api/v1/movement/movements/",
        {
            "kind": "transfer",
            "person": student.pk,
            "to_group": groups[1].pk,
            "order_number": "3-к",
            "order_date": "2025-08-01",
            "effective_date": "2025-08-01",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "раньше зачисления" in str(response.data["effective_date"])
    assert not Movement.objects.exists()
