"""Runs every row of every app's ``tests/<app>/matrix.py`` for every kind of visitor."""

import datetime
import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from colleges.models import Role
from tests import factories
from tests.conftest import add_totp
from tests.matrix import HOME, LOGIN, ROLES, Case, World

# Third-party URL sets are not ours to specify pattern by pattern: allauth's
# sign-in pages, Django's admin (platform staff only), the language switch.
THIRD_PARTY_MODULES = ("allauth.", "django.contrib.admin", "django.views.i18n", "django.conf.urls.i18n")


def _load_cases() -> list[Case]:
    cases: list[Case] = []
    for module in pkgutil.iter_modules(tests.__path__):
        if not module.ispkg:
            continue
        try:
            matrix = importlib.import_module(f"tests.{module.name}.matrix")
        except ModuleNotFoundError as exc:
            if exc.name == f"tests.{module.name}.matrix":
                continue
            raise
        cases.extend(matrix.CASES)
    return cases


CASES = _load_cases()


def _project_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                module = (
                    getattr(pattern.urlconf_module, "__name__", "")
                    if not isinstance(pattern.urlconf_module, list)
                    else ""
                )
                if module.startswith(THIRD_PARTY_MODULES) or (pattern.app_name == "admin"):
                    continue
                ns = pattern.namespace
                walk(pattern.url_patterns, f"{namespace}{ns}:" if ns else namespace)
            elif isinstance(pattern, URLPattern):
                callback_module = getattr(pattern.callback, "__module__", "")
                if callback_module.startswith(THIRD_PARTY_MODULES) or not pattern.name:
                    continue
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_pattern_is_in_the_matrix():
    covered = {case.url_name for case in CASES}

    missing = _project_url_names() - covered

    assert not missing, f"URL patterns with no row in tests/<app>/matrix.py: {sorted(missing)}"


@pytest.fixture
def world(db) -> World:
    college = factories.CollegeFactory()
    other_college = factories.CollegeFactory()
    department = factories.DepartmentFactory(college=college)
    group = factories.StudyGroupFactory(college=college, department=department)
    other_group = factories.StudyGroupFactory(college=other_college)
    memberships = {
        "student": factories.MembershipFactory(college=college, role=Role.STUDENT),
        "parent": factories.MembershipFactory(college=college, role=Role.PARENT),
        "teacher": factories.MembershipFactory(college=college, role=Role.TEACHER),
        "curator": factories.MembershipFactory(college=college, role=Role.TEACHER),
        "administration": factories.MembershipFactory(college=college, role=Role.ADMINISTRATION),
        "administrator": factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR),
        "other_administrator": factories.MembershipFactory(college=other_college, role=Role.ADMINISTRATOR),
    }
    factories.EnrollmentFactory(student=memberships["student"], group=group)
    factories.CuratorAssignmentFactory(
        group=group, teacher=memberships["curator"], started_at=datetime.date(2026, 9, 1)
    )
    for role in ("administration", "administrator", "other_administrator"):
        add_totp(memberships[role].user)
    users = {role: m.user for role, m in memberships.items()}
    users["platform_staff"] = factories.UserFactory(is_staff=True)
    add_totp(users["platform_staff"])
    users["anonymous"] = None
    return World(
        college=college,
        other_college=other_college,
        department=department,
        group=group,
        other_group=other_group,
        users=users,
        memberships=memberships,
    )


def _case_id(case: Case) -> str:
    return case.id or f"{case.method}:{case.url_name}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_permission_matrix(case: Case, role: str, world: World, client):
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    url = reverse(case.url_name, kwargs=case.kwargs(world) if case.kwargs else None)
    if case.query:
        url = f"{url}?{case.query}"
    data = case.data(world) if case.data else {}

    response = getattr(client, case.method)(url, data=data)

    expected = case.expect[role]
    if expected == LOGIN:
        assert response.status_code == 302, f"{role} {url}: {response.status_code}"
        assert response["Location"].startswith("/accounts/login/"), response["Location"]
    elif expected == HOME:
        assert response.status_code == 302, f"{role} {url}: {response.status_code}"
        assert response["Location"] == reverse("home"), response["Location"]
    else:
        assert response.status_code == expected, f"{role} {case.method.upper()} {url}: {response.status_code}"
