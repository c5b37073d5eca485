"""The analytics API: the same figures and rules as the pages, under /api/v1/colleges/<id>/analytics/."""

import pytest
from rest_framework.test import APIClient

from analytics import messages
from tests.accounts.helpers import api_key_for
from tests.analytics.conftest import OCTOBER
from tests.college_api import api_url

pytestmark = pytest.mark.django_db

ENDPOINTS = ("joining", "invitations", "chats", "sessions", "teachers")


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    return client


def get(aw, who: str, section: str, college=None, **query):
    return api(aw.users[who]).get(api_url(f"api:analytics-{section}", college or aw.college), query or OCTOBER)


def test_joining_gives_the_pages_figures(aw):
    data = get(aw, "director", "joining").json()

    assert data["period"] == {"start": "2026-10-01", "end": "2026-10-31", "days": None}
    assert [(g["name"], g["total"], g["ever"], g["in_period"]) for g in data["groups"]] == [
        ("ИС-1", 3, 2, 1),
        ("ИС-2", 2, 2, 1),
        ("ИС-3", 0, 0, 0),
    ]
    assert {r["role"]: r["ever"] for r in data["roles"]}["student"] == 4


def test_invitations_and_chats(aw):
    invitations = get(aw, "administrator", "invitations").json()
    chats = get(aw, "administrator", "chats").json()

    assert invitations["totals"] == {"links": 8, "uses": 21, "requests": 4}
    assert [(d["channel"], d["sent"], d["joined"]) for d in invitations["delivery"]] == [("sms", 2, 1), ("email", 1, 0)]
    assert (chats["messages"], chats["authors"], chats["silent_count"], chats["reports_open"]) == (5, 3, 1, 1)


def test_sessions_are_paged_with_the_summary(aw):
    data = get(aw, "director", "sessions").json()

    assert data["attendance"] == {"sessions": 3, "attended": 4, "audience": 7, "share": 57.1}
    assert data["count"] == 3
    assert [(s["kind"], s["attended"], s["audience"]) for s in data["results"]] == [
        ("staff_meeting", 2, 3),
        ("parent_meeting", 0, 1),
        ("lesson", 2, 3),
    ]


def test_teachers_are_searched_and_paged(aw):
    data = get(aw, "director", "teachers", **OCTOBER, q="Куратов").json()

    assert data["count"] == 1
    assert [(t["messages"], t["materials"], t["sessions"]) for t in data["results"]] == [(2, 2, 1)]


def test_a_preset_period(aw):
    data = get(aw, "director", "chats", days="7").json()

    assert data["period"]["days"] == 7


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"days": "5"}, messages.BAD_DAYS),
        ({"from": "2026-13-01"}, messages.BAD_DATE),
        ({"to": "9" * 30}, messages.BAD_DATE),
    ],
)
def test_a_bad_period_is_a_russian_400(aw, query, message):
    response = get(aw, "director", "sessions", **query)

    assert response.status_code == 400
    assert message in str(response.json())


@pytest.mark.parametrize("section", ENDPOINTS)
def test_a_teacher_student_and_parent_are_refused(aw, section):
    answers = {who: get(aw, who, section).status_code for who in ("t2", "s1", "parent")}

    assert answers == {"t2": 403, "s1": 403, "parent": 403}


def test_a_curator_gets_their_groups_joining_only(aw):
    data = get(aw, "t1", "joining").json()

    assert [g["name"] for g in data["groups"]] == ["ИС-1"]
    assert data["roles"] == []


def test_another_colleges_id_is_not_found(aw):
    response = get(aw, "director", "joining", college=aw.other_college)

    assert response.status_code == 404


def test_the_schema_lists_the_endpoints(aw, client):
    from django.urls import reverse

    client.force_login(aw.users["director"])
    schema = client.get(reverse("api:schema")).content.decode()

    for section in ENDPOINTS:
        assert f"/analytics/{section}/" in schema
