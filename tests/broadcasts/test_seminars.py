"""Seminars and webinars for teachers (seed §3.4): planned by the administration for the staff; teachers find
the upcoming ones above their «Видеосвязь» list, the administration on the dashboard."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from broadcasts import messages, services
from broadcasts.models import Audience, Kind, Session
from broadcasts.selectors import session_audience_user_ids
from tests.broadcasts.conftest import in_minutes

pytestmark = pytest.mark.django_db


def plan_seminar(bw, *, title="Вебинар: формирующее оценивание", starts_in=24 * 60, actor="administration", **extra):
    return services.session_create(
        actor=bw.users[actor],
        college=bw.college,
        kind=Kind.SEMINAR,
        title=title,
        starts_at=in_minutes(starts_in),
        duration_minutes=90,
        audience=extra.pop("audience", Audience.STAFF),
        **extra,
    )


def test_the_administration_plans_a_seminar_for_the_staff(bw):
    seminar = plan_seminar(bw)

    assert (seminar.kind, seminar.audience) == (Kind.SEMINAR, Audience.STAFF)
    assert seminar.get_kind_display() == "семинар / вебинар для педагогов"
    assert bw.users["teacher"].pk in session_audience_user_ids(session=seminar)
    assert bw.users["student"].pk not in session_audience_user_ids(session=seminar)


@pytest.mark.parametrize("audience", [Audience.COLLEGE, Audience.GROUPS])
def test_a_seminar_is_only_for_the_staff(bw, audience):
    with pytest.raises(ValidationError) as caught:
        plan_seminar(bw, audience=audience, groups=[bw.group])

    assert caught.value.message_dict["audience"] == [messages.SEMINAR_AUDIENCE]


def test_a_teacher_does_not_plan_seminars(bw):
    with pytest.raises(PermissionDenied):
        plan_seminar(bw, actor="teacher")


def test_a_teacher_sees_upcoming_seminars_above_the_list_and_a_student_does_not(client, bw):
    plan_seminar(bw, title="Вебинар: формирующее оценивание")
    past = plan_seminar(bw, title="Прошедший семинар", starts_in=60)
    Session.objects.filter(pk=past.pk).update(starts_at=in_minutes(-200), ends_at=in_minutes(-110))

    client.force_login(bw.users["teacher"])
    teacher_page = client.get(reverse("broadcasts:list")).content.decode()
    client.force_login(bw.users["student"])
    student_page = client.get(reverse("broadcasts:list")).content.decode()

    head = teacher_page.split('role="search"')[0]
    assert "Семинары и вебинары для педагогов" in head and "Вебинар: формирующее оценивание" in head
    assert "Прошедший семинар" not in head
    assert "Семинары и вебинары" not in student_page and "формирующее" not in student_page


def test_the_list_filters_by_kind(client, bw):
    plan_seminar(bw, title="Вебинар: проектное обучение")
    services.session_create(
        actor=bw.users["teacher"],
        college=bw.college,
        kind=Kind.LESSON,
        title="Базы данных",
        starts_at=in_minutes(60),
        duration_minutes=45,
        audience=Audience.GROUPS,
        groups=[bw.group],
    )
    client.force_login(bw.users["teacher"])

    response = client.get(reverse("broadcasts:list"), {"kind": "seminar"})

    assert [s.title for s in response.context["sessions"]] == ["Вебинар: проектное обучение"]
    assert response.context["seminars"] == []


def test_an_unknown_kind_in_the_address_lists_everything(client, bw):
    plan_seminar(bw)
    client.force_login(bw.users["teacher"])

    response = client.get(reverse("broadcasts:list"), {"kind": "<script>alert(1)</script>"})

    assert response.status_code == 200
    assert len(response.context["sessions"]) == 1
    assert "<script>alert" not in response.content.decode()


def test_a_teachers_start_page_names_the_next_seminar_and_a_students_does_not(client, bw):
    plan_seminar(bw, title="Семинар: наставничество <script>alert(1)</script>")
    client.force_login(bw.users["teacher"])

    page = client.get(reverse("groups:my_groups")).content.decode()

    assert 'data-testid="next-seminar"' in page
    assert "наставничество &lt;script&gt;" in page and "<script>alert" not in page
    client.force_login(bw.users["student"])
    assert 'data-testid="next-seminar"' not in client.get(reverse("groups:my_group")).content.decode()


def test_no_seminar_ahead_no_note(client, bw):
    client.force_login(bw.users["teacher"])

    assert 'data-testid="next-seminar"' not in client.get(reverse("groups:my_groups")).content.decode()


def test_a_teachers_list_query_count_is_the_same_for_3_and_30_sessions_with_seminars(client, bw):
    def make(n):
        for i in range(n):
            plan_seminar(bw, title=f"Семинар {i}")
            services.session_create(
                actor=bw.users["administration"],
                college=bw.college,
                kind=Kind.LESSON,
                title=f"Занятие {i}",
                starts_at=in_minutes(60 + i),
                duration_minutes=45,
                audience=Audience.GROUPS,
                groups=[bw.group, bw.other_group][: 1 + i % 2],
            )

    client.force_login(bw.users["teacher"])
    make(2)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("broadcasts:list"))
    make(15)

    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("broadcasts:list"))

    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(response.context["seminars"]) == 3
