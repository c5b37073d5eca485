"""«The groups this teacher curates or teaches»: one function, one query, reused by every app."""

import datetime
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from colleges.models import Role
from colleges.permissions import roles_in
from groups.permissions import can_view_study_group, teacher_scope
from invitations import permissions as invitation_permissions
from materials import permissions as material_permissions
from movement import permissions as movement_permissions
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def teacher_setup():
    college = factories.CollegeFactory()
    teacher = factories.MembershipFactory(college=college, role=Role.TEACHER)
    curated = factories.CuratorAssignmentFactory(group__college=college, teacher=teacher).group
    taught = factories.SubjectTeacherAssignmentFactory(group__college=college, teacher=teacher)
    factories.CuratorAssignmentFactory(
        group__college=college, teacher=teacher, ended_at=datetime.date(2026, 10, 1)
    )  # ended: not in the scope
    factories.CuratorAssignmentFactory(group__college=college)  # someone else's group
    other_college_group = factories.CuratorAssignmentFactory(
        teacher=factories.MembershipFactory(user=teacher.user, role=Role.TEACHER)
    ).group
    return college, teacher.user, curated, taught, other_college_group


def test_scope_holds_the_curated_and_the_taught_groups_of_this_college_only(teacher_setup):
    college, user, curated, taught, other_college_group = teacher_setup
    scope = teacher_scope(user, college)
    assert scope.curated == {curated.pk}
    assert scope.subjects == {(taught.group_id, taught.discipline_id)}
    assert scope.taught == {taught.group_id}
    assert scope.group_ids == {curated.pk, taught.group_id}
    assert other_college_group.pk not in scope.group_ids


def test_scope_is_one_query_and_every_app_reuses_it(teacher_setup, django_assert_num_queries):
    college, user, curated, taught, _ = teacher_setup
    roles_in(user, college)  # the roles have their own per-request cache
    with django_assert_num_queries(1):
        assert teacher_scope(user, college).group_ids == {curated.pk, taught.group_id}
        assert invitation_permissions.curated_group_ids(user, college) == {curated.pk}
        assert invitation_permissions.is_curator(user, college)
        assert movement_permissions.curated_group_ids(user, college) == {curated.pk}
        assert movement_permissions.taught_group_ids(user, college) == {taught.group_id}
        assert material_permissions.teacher_scope(user, college).group_ids == {curated.pk, taught.group_id}
        assert can_view_study_group(user, curated)
        assert can_view_study_group(user, taught.group)


def test_a_curator_page_asks_for_the_scope_once(teacher_setup, client_for):
    college, user, curated, _, _ = teacher_setup
    client = client_for(user)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("invitations:list"))
    assert response.status_code == 200
    scope_queries = [q["sql"] for q in queries.captured_queries if "UNION" in q["sql"].upper()]
    assert len(scope_queries) == 1


CHECKED = {"views.py", "selectors.py", "api.py", "cards.py"}
INLINE_ROLE_CHECK = re.compile(r"\bhas_role\(|(user|viewer|actor)\S*\.role\s*[!=]=")
# Pages, the menus (apps.py registers them), dashboard cards and home notes: no role test of any shape.
ROLE_VALUE = r"[\"'](?:administrator|administration|teacher|student|parent)[\"']"
PAGE_ROLE_CHECK = re.compile(
    "|".join(
        (
            INLINE_ROLE_CHECK.pattern,
            r"\broles_in\(",
            r"\bin\s+request\.(?:all_)?roles\b",
            rf"(?:\bRole\.[A-Z_]+|{ROLE_VALUE})\s+(?:not\s+)?in\b",
        )
    )
)
# A template shows what a ``can_*`` flag allows: no ``{% if %}`` on roles, a role value or staff status.
TEMPLATE_ROLE_CHECK = re.compile(
    r"\{%-?\s*(?:el)?if\b[^%]*(?:\broles\b|\brole\s*(?:==|!=|in)\s*[\"']|\bis_staff\b|\bis_superuser\b|"
    + ROLE_VALUE
    + ")"
)


def _app_modules():
    apps = [d for d in ROOT.iterdir() if d.is_dir() and not d.is_symlink() and (d / "__init__.py").exists()]
    return [p for app in apps if app.name != "tests" for p in app.rglob("*.py") if "migrations" not in p.parts]


def _is_page_module(path: Path) -> bool:
    """views.py, views_*.py, a module of a views/ package, pages.py, and apps.py, cards, dashboard and notes."""
    return path.parent.name == "views" or path.stem.startswith(
        ("views", "pages", "apps", "cards", "dashboard", "notes")
    )


def _offenders(paths, pattern) -> list[str]:
    offenders = []
    for path in sorted(paths):
        relative = path.relative_to(ROOT)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    return offenders


def test_views_selectors_api_and_cards_ask_predicates_not_roles():
    """Role checks live in <app>/permissions.py; views, selectors, the API and cards call the predicates."""
    paths = [p for p in _app_modules() if p.name in CHECKED or _is_page_module(p)]
    assert len(paths) > 10
    assert _offenders(paths, INLINE_ROLE_CHECK) == []


def test_pages_menus_and_cards_ask_predicates_not_roles():
    """Every app's pages (views*.py, views/, pages.py), menus, cards and notes: no role tested inline."""
    paths = [p for p in _app_modules() if _is_page_module(p)]
    assert {"views.py", "pages.py", "apps.py"} <= {p.name for p in paths}
    assert any(p.parent.name == "views" for p in paths)
    assert _offenders(paths, PAGE_ROLE_CHECK) == []


def test_templates_show_what_predicates_allow_not_roles():
    """``{% if can_edit %}``, never ``{% if "teacher" in current_roles %}`` or ``{% if m.role == "student" %}``."""
    paths = list((ROOT / "templates").rglob("*.html")) + [
        p for p in ROOT.glob("*/templates/**/*.html") if not p.is_relative_to(ROOT / "node_modules")
    ]
    assert len(paths) > 50
    assert _offenders(paths, TEMPLATE_ROLE_CHECK) == []


def test_the_role_scans_catch_what_they_are_for():
    assert PAGE_ROLE_CHECK.search("if Role.TEACHER in request.roles:")
    assert PAGE_ROLE_CHECK.search("if Role.ADMINISTRATOR in roles or Role.ADMINISTRATION in roles:")
    assert PAGE_ROLE_CHECK.search('if "teacher" in roles:')
    assert PAGE_ROLE_CHECK.search("roles = roles_in(request.user, college)")
    assert PAGE_ROLE_CHECK.search("if has_role(user, college, Role.TEACHER):")
    assert not PAGE_ROLE_CHECK.search("allowed = permissions.can_view_dashboard")
    assert TEMPLATE_ROLE_CHECK.search('{% if "administrator" in current_roles %}')
    assert TEMPLATE_ROLE_CHECK.search('{% if person.role == "student" %}')
    assert TEMPLATE_ROLE_CHECK.search("{% elif user.is_staff %}")
    assert not TEMPLATE_ROLE_CHECK.search("{% if request.GET.role == value %} selected{% endif %}")
    assert not TEMPLATE_ROLE_CHECK.search("{% if can_manage %}")
