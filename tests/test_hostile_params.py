"""Hostile values in every query parameter a page or an endpoint reads: a 4xx, never a 5xx.

The parameters are not listed by hand. Each URL of the permission matrix is
opened once while the request's ``QueryDict`` records which keys the view
asked for; then every recorded key is sent a NUL byte, a superscript digit
(``"²".isdigit()`` is true, ``int("²")`` fails) and a word where a number is
expected. A new page or endpoint is covered as soon as it has a matrix row.
"""

import contextlib

import pytest
from django.http import QueryDict
from django.urls import reverse

from tests.matrix import Case
from tests.test_permission_matrix import CASES, world  # noqa: F401  (world is a fixture)

HOSTILE_VALUES = ("\x00", "²", "x", "-1", "9" * 30)
ROLES = ("administrator", "student", "parent", "curator")


@contextlib.contextmanager
def recorded_keys():
    """Every key read from any QueryDict (GET or POST) while the block runs."""
    keys: set[str] = set()
    originals = {name: getattr(QueryDict, name) for name in ("get", "getlist", "__getitem__", "__contains__")}

    def wrap(name):
        original = originals[name]

        def method(self, key, *args, **kwargs):
            if isinstance(key, str):
                keys.add(key)
            return original(self, key, *args, **kwargs)

        return method

    for name in originals:
        setattr(QueryDict, name, wrap(name))
    try:
        yield keys
    finally:
        for name, original in originals.items():
            setattr(QueryDict, name, original)


def _distinct(cases: list[Case]) -> list[Case]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for case in cases:
        key = (case.url_name, case.method, case.query)
        if key in seen or case.method not in ("get", "post"):
            continue
        seen.add(key)
        out.append(case)
    return out


# Every URL × every role: some 650 requests, the largest block of the suite; `make test` runs it.
@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", _distinct(CASES), ids=lambda case: case.id or f"{case.method}:{case.url_name}")
def test_hostile_query_values_never_answer_a_server_error(case: Case, role: str, world, client):  # noqa: F811
    client.raise_request_exception = False
    client.force_login(world.users[role])
    url = reverse(case.url_name, kwargs=case.kwargs(world) if case.kwargs else None)
    base_query = QueryDict(case.query, mutable=True)
    data = case.data(world) if case.data else {}
    with recorded_keys() as keys:
        getattr(client, case.method)(f"{url}?{case.query}" if case.query else url, data=data)
    keys -= {"csrfmiddlewaretoken"}

    failures = []
    for key in sorted(keys):
        for value in HOSTILE_VALUES:
            query = base_query.copy()
            if case.method == "get":
                query[key] = value
                response = client.get(f"{url}?{query.urlencode()}")
            else:
                body = {**data, key: value}
                response = client.post(f"{url}?{query.urlencode()}" if case.query else url, data=body)
            if response.status_code >= 500:
                failures.append(f"{key}={value!r} → {response.status_code}")

    assert not failures, f"{role} {case.method.upper()} {url}: " + "; ".join(failures)


def test_a_nul_byte_in_a_page_query_answers_400_in_russian(client_for, administrator):
    response = client_for(administrator).get("/college/staff/?q=%00")

    assert response.status_code == 400
    assert "недопустимый символ" in response.content.decode()


def test_a_nul_byte_in_an_api_query_answers_400_json(client_for, administrator, college):
    response = client_for(administrator).get(f"/api/v1/colleges/{college.pk}/materials/?q=a%00b")

    assert response.status_code == 400
    assert "недопустимый символ" in response.json()["detail"]


def test_an_api_server_error_answers_json(rf):
    from sferum_admin.views import server_error

    response = server_error(rf.get("/api/v1/colleges/1/materials/"))

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"


def test_a_superscript_digit_as_a_page_filter_answers_400_in_russian(client_for, administrator):
    response = client_for(administrator).get("/invitations/requests/?group=²")

    assert response.status_code == 400
    assert "ожидался номер записи" in response.content.decode()


def test_a_word_as_an_api_filter_answers_400_json(client_for, administrator, college):
    # The college is in the path now (/colleges/x/ does not match: 404); a filter still takes ids.
    response = client_for(administrator).get(f"/api/v1/colleges/{college.pk}/join-requests/?group=x")

    assert response.status_code == 400
    assert "ожидался номер записи" in str(response.json())
