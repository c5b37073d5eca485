import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from broadcasts import messages, services
from broadcasts.models import Audience, Kind, Session
from tests.accounts.helpers import api_key_for
from tests.broadcasts.conftest import plan_lesson


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    return client


def _url(name, college, **kwargs):
    return reverse(f"api:broadcast-{name}", kwargs={"college_id": college.pk, **kwargs})


def _payload(bw, **overrides):
    return {
        "kind": Kind.LESSON,
        "title": "Консультация",
        "starts_at": (timezone.now() + datetime.timedelta(days=2)).isoformat(),
        "duration_minutes": 60,
        "audience": Audience.GROUPS,
        "groups": [bw.group.pk],
        **overrides,
    }


@pytest.mark.parametrize("viewer", ["student", "administrator"])
def test_list_query_count_is_the_same_for_3_and_30_sessions(bw, viewer, django_assert_num_queries):
    def make(n):
        for i in range(n):
            plan_lesson(
                actor=bw.users["administration"], college=bw.college, groups=[bw.group, bw.other_group][: 1 + i % 2]
            )

    api = _api(bw.users[viewer])
    make(3)
    with CaptureQueriesContext(connection) as small:
        api.get(_url("list", bw.college))
    make(27)

    with django_assert_num_queries(len(small.captured_queries)):
        response = api.get(_url("list", bw.college))

    assert response.json()["count"] == 30
    assert len(response.json()["results"]) == 30


def test_teacher_creates_a_lesson_and_gets_the_join_link_not_the_room(bw):
    response = _api(bw.users["teacher"]).post(_url("list", bw.college), _payload(bw), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    session = Session.objects.get(pk=body["id"])
    assert body["groups"] == [{"id": bw.group.pk, "name": "ИС-1"}]
    assert body["host"] == bw.users["teacher"].full_name
    assert body["join_url"] == reverse("broadcasts:join", kwargs={"pk": session.pk})
    assert session.room_name not in response.content.decode()


def test_teacher_cannot_create_for_another_group_through_the_api(bw):
    response = _api(bw.users["teacher"]).post(
        _url("list", bw.college), _payload(bw, groups=[bw.other_group.pk]), format="json"
    )

    assert response.status_code == 403
    assert not Session.objects.exists()


def test_group_of_another_college_is_not_found(bw):
    response = _api(bw.users["administrator"]).post(
        _url("list", bw.college), _payload(bw, groups=[bw.foreign_group.pk]), format="json"
    )

    assert response.status_code == 400
    assert "groups" in response.json()


def test_malformed_start_is_a_russian_400(bw):
    response = _api(bw.users["teacher"]).post(
        _url("list", bw.college), _payload(bw, starts_at="завтра утром"), format="json"
    )

    assert response.status_code == 400
    assert "starts_at" in response.json()


def test_host_updates_and_cancels(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])
    api = _api(bw.users["teacher"])
    payload = _payload(bw, title="Перенесённая консультация")
    del payload["kind"]

    updated = api.put(_url("detail", bw.college, pk=session.pk), payload, format="json")
    cancelled = api.post(_url("cancel", bw.college, pk=session.pk), {"reason": "Болезнь"}, format="json")

    assert updated.status_code == 200 and updated.json()["title"] == "Перенесённая консультация"
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == ("cancelled", "Болезнь")


def test_cancel_without_a_reason_is_refused(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])

    response = _api(bw.users["teacher"]).post(_url("cancel", bw.college, pk=session.pk), {}, format="json")

    assert response.status_code == 400
    assert Session.objects.get(pk=session.pk).status == Session.Status.PLANNED


def test_another_colleges_administrator_sees_nothing(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])
    api = _api(bw.users["other_administrator"])

    assert api.get(_url("list", bw.college)).status_code == 404
    assert api.get(_url("detail", bw.college, pk=session.pk)).status_code == 404
    own = api.get(_url("detail", bw.other_college, pk=session.pk))
    assert own.status_code == 404


def test_broadcasts_are_in_the_schema(client, bw):
    client.force_login(bw.users["student"])

    paths = client.get(reverse("api:schema"), {"format": "json"}).json()["paths"]

    assert set(paths["/api/v1/colleges/{college_id}/broadcasts/"]) == {"get", "post"}
    assert set(paths["/api/v1/colleges/{college_id}/broadcasts/{id}/"]) == {"get", "put"}
    assert "post" in paths["/api/v1/colleges/{college_id}/broadcasts/{id}/cancel/"]
    assert "post" in paths["/api/v1/colleges/{college_id}/broadcasts/{id}/held/"]


def test_a_start_in_the_past_is_the_services_russian_400(bw):
    past = (timezone.now() - datetime.timedelta(hours=2)).isoformat()

    response = _api(bw.users["teacher"]).post(_url("list", bw.college), _payload(bw, starts_at=past), format="json")

    assert response.status_code == 400
    assert response.json()["starts_at"] == ["Время начала уже прошло. Укажите время в будущем."]


def _started(session):
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=50),
        ends_at=timezone.now() - datetime.timedelta(minutes=5),
    )


def test_host_marks_a_started_session_held_with_its_recording(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])
    _started(session)

    response = _api(bw.users["teacher"]).post(
        _url("held", bw.college, pk=session.pk), {"recording_url": "https://video.example.org/rec/1"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["recording_url"]) == ("held", "https://video.example.org/rec/1")
    assert AuditEvent.objects.filter(action="broadcast.held").count() == 1


def test_held_before_the_start_is_the_services_russian_400(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])

    response = _api(bw.users["teacher"]).post(_url("held", bw.college, pk=session.pk), {}, format="json")

    assert response.status_code == 400
    assert messages.HELD_NOT_STARTED in str(response.json())
    assert Session.objects.get(pk=session.pk).status == Session.Status.PLANNED


def test_held_of_a_cancelled_session_is_a_russian_400(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])
    services.session_cancel(actor=bw.users["teacher"], session=session, reason="Болезнь")
    _started(session)

    response = _api(bw.users["teacher"]).post(_url("held", bw.college, pk=session.pk), {}, format="json")

    assert response.status_code == 400
    assert messages.HELD_CANCELLED in str(response.json())


def test_cancelling_twice_is_a_russian_400(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])
    api = _api(bw.users["teacher"])
    api.post(_url("cancel", bw.college, pk=session.pk), {"reason": "Болезнь"}, format="json")

    again = api.post(_url("cancel", bw.college, pk=session.pk), {"reason": "Ещё раз"}, format="json")

    assert again.status_code == 400
    assert "Сеанс уже отменён: изменить его нельзя." in str(again.json())
    assert Session.objects.get(pk=session.pk).cancel_reason == "Болезнь"


def test_a_javascript_recording_link_is_refused_through_the_api(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])
    _started(session)

    response = _api(bw.users["teacher"]).post(
        _url("held", bw.college, pk=session.pk), {"recording_url": "javascript:alert(1)"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["recording_url"] == [messages.RECORDING_SCHEME]


def test_a_student_of_the_audience_may_not_mark_held(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])
    _started(session)

    response = _api(bw.users["student"]).post(_url("held", bw.college, pk=session.pk), {}, format="json")

    assert response.status_code == 403
    assert Session.objects.get(pk=session.pk).status == Session.Status.PLANNED
