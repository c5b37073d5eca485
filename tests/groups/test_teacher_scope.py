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


def test_views_selectors_api_and_cards_ask_predicates_not_roles():
    """Role checks live in <app>/permissions.py; views, selectors, the API and cards call the predicates."""
    offenders = []
    apps = [d for d in ROOT.iterdir() if d.is_dir() and not d.is_symlink() and (d / "__init__.py").exists()]
    paths = [p for app in apps if app.name != "tests" for p in app.rglob("*.py") if p.name in CHECKED]
    assert len(paths) > 10
    for path in sorted(paths):
        relative = path.relative_to(ROOT)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if INLINE_ROLE_CHECK.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []
