"""Each section asks a fixed number of queries whatever the size of the college (pinned at two sizes)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from broadcasts.models import Attendance, Audience, Kind
from chats.models import ChatKind
from colleges.models import Role
from tests import factories
from tests.accounts.helpers import api_key_for
from tests.analytics.conftest import OCTOBER, _message, _session, msk
from tests.college_api import api_url

pytestmark = pytest.mark.django_db


def _grow(aw, size: int) -> None:
    """``size`` more groups, each with a student, a teacher, a chat with a message and a session attended."""
    college = aw.college
    for n in range(size):
        group = factories.StudyGroupFactory(college=college, name=f"Г-{n}")
        student = factories.MembershipFactory(college=college, role=Role.STUDENT)
        factories.EnrollmentFactory(student=student, group=group)
        teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)
        chat = factories.ChatFactory(college=college, kind=ChatKind.STUDY_GROUP, title=f"Г-{n}", study_group=group)
        _message(chat, student, msk(10, 5))
        session = _session(
            college, host=teacher, kind=Kind.LESSON, audience=Audience.GROUPS, starts=msk(10, 6), groups=[group]
        )
        Attendance.objects.create(session=session, user=student.user, joined_at=session.starts_at)


# (page, queries): the sign-in's session and user, the memberships, the menu's parts, then the section's own.
PAGES = {
    "analytics:joining": 5,
    "analytics:invitations": 7,
    "analytics:chats": 11,
    "analytics:sessions": 7,
    "analytics:teachers": 8,
}


@pytest.mark.parametrize("size", [1, 8])
@pytest.mark.parametrize(("name", "queries"), PAGES.items())
def test_a_section_asks_as_many_queries_for_1_and_8_groups(
    aw, client_for, size, name, queries, django_assert_num_queries
):
    _grow(aw, size)
    client = client_for(aw.users["director"])
    client.get(reverse(name), OCTOBER)  # the session and the menu's parts are warm

    with django_assert_num_queries(queries):
        response = client.get(reverse(name), OCTOBER)

    assert response.status_code == 200


APIS = {"joining": 4, "invitations": 6, "chats": 10, "sessions": 6, "teachers": 7}


@pytest.mark.parametrize("size", [1, 8])
@pytest.mark.parametrize(("section", "queries"), APIS.items())
def test_an_endpoint_asks_as_many_queries_for_1_and_8_groups(aw, size, section, queries, django_assert_num_queries):
    _grow(aw, size)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(aw.users['director'])}")
    url = api_url(f"api:analytics-{section}", aw.college)

    with django_assert_num_queries(queries):
        response = client.get(url, OCTOBER)

    assert response.status_code == 200
