"""The one college API base: the college named in the URL, among the caller's colleges, for every endpoint.

The endpoints are not listed by hand: every row of the permission matrix under
/api/v1/colleges/<college_id>/ (``tests.matrix.in_college``) is asked again by
the main college's administrator in other colleges: one where they are the
administrator too, one where they hold no membership, one whose membership
ended. A new endpoint is covered as soon as it has a matrix row.
"""

import pytest
from django.urls import reverse

from colleges.api_base import COLLEGE_NOT_FOUND
from colleges.models import Membership, Role
from colleges.services import membership_end_unchecked
from tests import factories
from tests.accounts.helpers import api_key_for
from tests.college_api import api_url
from tests.matrix import Case
from tests.test_permission_matrix import CASES, world  # noqa: F401  (world is a fixture)

pytestmark = pytest.mark.django_db

COLLEGE_CASES = [case for case in CASES if getattr(case.kwargs, "college_api", False)]
# Lists read in any college alike; an object or a body names rows of the main college.
LIST_CASES = [case for case in COLLEGE_CASES if case.method == "get" and case.kwargs.object_kwargs is None]


def _case_id(case: Case) -> str:
    return case.id or f"{case.method}:{case.url_name}"


def _ask(client, case: Case, world, *, college_id: int, key: str | None = None):  # noqa: F811
    url = reverse(case.url_name, kwargs={**case.kwargs(world), "college_id": college_id})
    if case.query:
        url = f"{url}?{case.query}"
    data = case.data(world) if case.data else {}
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"} if key else {}
    return getattr(client, case.method)(url, data=data, **headers)


def _second_college_of_the_administrator(world) -> Membership:  # noqa: F811
    """The main college's administrator is the administrator of another college too."""
    college = factories.CollegeFactory()
    return factories.MembershipFactory(user=world.users["administrator"], college=college, role=Role.ADMINISTRATOR)


def test_every_college_endpoint_has_a_list_row():
    assert len(LIST_CASES) >= 12
    assert {case.url_name for case in LIST_CASES} >= {"api:study-group-list", "api:movement-list", "api:material-list"}


@pytest.mark.parametrize("auth", ["key", "session"])
@pytest.mark.parametrize("case", LIST_CASES, ids=_case_id)
def test_a_person_in_two_colleges_reaches_each_by_its_id(case: Case, auth: str, world, client):  # noqa: F811
    second_college = _second_college_of_the_administrator(world).college
    key = api_key_for(world.users["administrator"]) if auth == "key" else None
    if auth == "session":
        client.force_login(world.users["administrator"])

    first = _ask(client, case, world, college_id=world.college.pk, key=key)
    second = _ask(client, case, world, college_id=second_college.pk, key=key)

    expected = case.expect["administrator"]
    assert (first.status_code, second.status_code) == (expected, expected)


@pytest.mark.parametrize("case", COLLEGE_CASES, ids=_case_id)
def test_a_college_without_a_membership_answers_404_as_a_missing_one(case: Case, world, client):  # noqa: F811
    key = api_key_for(world.users["administrator"])

    foreign = _ask(client, case, world, college_id=world.other_college.pk, key=key)
    missing = _ask(client, case, world, college_id=world.other_college.pk + 1_000_000, key=key)

    assert (foreign.status_code, missing.status_code) == (404, 404)
    assert foreign.json() == missing.json() == {"detail": COLLEGE_NOT_FOUND}


@pytest.mark.parametrize("case", LIST_CASES, ids=_case_id)
def test_a_college_whose_membership_ended_answers_404(case: Case, world, client):  # noqa: F811
    membership = _second_college_of_the_administrator(world)
    membership_end_unchecked(actor=None, membership=membership)
    key = api_key_for(world.users["administrator"])

    ended = _ask(client, case, world, college_id=membership.college_id, key=key)
    current = _ask(client, case, world, college_id=world.college.pk, key=key)

    assert ended.status_code == 404
    assert current.status_code == case.expect["administrator"]


@pytest.mark.parametrize("case", LIST_CASES, ids=_case_id)
def test_a_key_made_for_one_college_acts_in_it_only(case: Case, world, client):  # noqa: F811
    second_college = _second_college_of_the_administrator(world).college
    key = api_key_for(world.users["administrator"], college=world.college)

    own = _ask(client, case, world, college_id=world.college.pk, key=key)
    other = _ask(client, case, world, college_id=second_college.pk, key=key)

    assert (own.status_code, other.status_code) == (case.expect["administrator"], 404)


@pytest.mark.parametrize(
    ("college_id", "detail"),
    [
        ("abc", "Страница не найдена."),  # no address of the API at all
        ("²", "Страница не найдена."),
        ("-1", "Страница не найдена."),
        ("1.5", "Страница не найдена."),
        ("9" * 30, COLLEGE_NOT_FOUND),  # a number, of no college of the caller (nor of PostgreSQL's bigint)
    ],
)
def test_a_college_id_that_is_no_college_id_answers_404_json(client_for, administrator, college_id, detail):
    client = client_for(administrator)

    response = client.get(f"/api/v1/colleges/{college_id}/study-groups/")

    assert response.status_code == 404
    assert response.json() == {"detail": detail}


@pytest.mark.parametrize("size", [3, 30])
def test_a_key_reads_its_memberships_once(client, college, administrator, size, django_assert_num_queries):
    factories.DisciplineFactory.create_batch(size, college=college)
    key = api_key_for(administrator)

    # The key, the caller's memberships (the college and the roles the predicates ask), count, page.
    with django_assert_num_queries(4):
        response = client.get(api_url("api:discipline-list", college), HTTP_AUTHORIZATION=f"Token {key}")

    assert response.json()["count"] == size


def test_dates_are_written_in_the_urls_college_time_zone(client, college, administrator):
    other = factories.CollegeFactory(time_zone="Asia/Vladivostok")
    factories.MembershipFactory(user=administrator, college=other, role=Role.ADMINISTRATOR)
    key = api_key_for(administrator)

    response = client.post(
        api_url("api:invitation-list", other),
        {"role": "teacher", "expires_at": "2030-01-10T12:00:00"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )

    assert response.status_code == 201
    assert response.json()["expires_at"] == "2030-01-10T12:00:00+10:00"


def test_head_asks_the_same_predicate_as_get(client_for, college, student):
    response = client_for(student).head(api_url("api:movement-list", college))

    assert response.status_code == 403


def test_an_object_of_another_college_is_404_even_past_a_lookup(rf, college, other_college, administrator):
    from rest_framework.exceptions import NotFound

    from groups.api import DisciplineApi

    view = DisciplineApi()
    view.college, view.action = college, "retrieve"
    view.request = rf.get("/")

    with pytest.raises(NotFound):
        view.check_object_permissions(view.request, factories.DisciplineFactory(college=other_college))
