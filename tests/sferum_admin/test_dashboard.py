import pytest
from django.urls import reverse

from colleges.models import Role
from core import dashboard
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_groups_cards(monkeypatch):
    """The dashboard with the groups app's cards only, so other apps' cards do not change the figures here."""
    monkeypatch.setattr(dashboard, "_cards", [c for c in dashboard._cards if c.key.startswith("groups.")])


def _cards(response) -> dict:
    return {card["key"]: card["count"] for card in response.context["cards"]}


def test_counts_departments_groups_staff_and_students(client_for, administrator, college, other_college):
    department = factories.DepartmentFactory(college=college)
    group = factories.StudyGroupFactory(college=college, department=department)
    factories.StudyGroupFactory(college=college, department=department, status="graduated")
    factories.EnrollmentFactory(group=group)
    factories.MembershipFactory(college=college, role=Role.TEACHER)
    factories.MembershipFactory(college=other_college, role=Role.TEACHER)
    factories.StudyGroupFactory(college=other_college)

    response = client_for(administrator).get(reverse("dashboard"))

    assert response.context["counts"] == {"departments": 1, "study_groups": 1, "staff": 2, "students": 1}


def test_attention_cards_count_groups_without_curator_or_students_and_idle_teachers(
    client_for, administration, college, only_groups_cards
):
    lonely = factories.StudyGroupFactory(college=college)
    staffed = factories.StudyGroupFactory(college=college)
    factories.CuratorAssignmentFactory(group=staffed)
    factories.EnrollmentFactory(group=staffed)
    factories.MembershipFactory(college=college, role=Role.TEACHER)
    ended = factories.CuratorAssignmentFactory(group=lonely)
    ended.ended_at = ended.started_at
    ended.save()

    response = client_for(administration).get(reverse("dashboard"))

    assert _cards(response) == {
        "groups.without_curator": 1,
        "groups.without_students": 1,
        # The idle one and the one whose curatorship ended.
        "groups.staff_without_assignment": 2,
    }


def test_idle_teachers_are_named_on_their_card(client_for, administrator, college, only_groups_cards):
    factories.MembershipFactory(
        college=college, role=Role.TEACHER, user__last_name="Праздный", user__first_name="Ян", user__patronymic=""
    )
    busy = factories.CuratorAssignmentFactory(group=factories.StudyGroupFactory(college=college))
    busy.teacher.user.last_name = "Занятой"
    busy.teacher.user.save()

    response = client_for(administrator).get(reverse("dashboard"))

    card = next(c for c in response.context["cards"] if c["key"] == "groups.staff_without_assignment")
    assert card["names"] == ["Праздный Я."]
    assert "Праздный Я." in response.content.decode()


def test_groups_without_curator_card_links_to_the_filtered_list(client_for, administrator, college):
    factories.StudyGroupFactory(college=college, name="БЕЗ-1")
    with_curator = factories.StudyGroupFactory(college=college, name="С-1")
    factories.CuratorAssignmentFactory(group=with_curator)
    client = client_for(administrator)
    card = next(c for c in client.get(reverse("dashboard")).context["cards"] if c["key"] == "groups.without_curator")

    response = client.get(card["url"])

    assert [g["name"] for g in response.context["page_obj"].object_list] == ["БЕЗ-1"]


def test_a_card_registered_by_another_app_is_shown(client_for, administrator, college, monkeypatch):
    monkeypatch.setattr(dashboard, "_cards", list(dashboard._cards))
    dashboard.register(
        key="tests.pending",
        provider=lambda request, college: {"title": "Заявки на вступление", "count": 4, "url": "/x/"},
        order=1,
    )
    dashboard.register(key="tests.hidden", provider=lambda request, college: None)

    response = client_for(administrator).get(reverse("dashboard"))

    assert response.context["cards"][0] == {
        "key": "tests.pending",
        "title": "Заявки на вступление",
        "count": 4,
        "url": "/x/",
    }
    assert "tests.hidden" not in _cards(response)
    assert "Заявки на вступление" in response.content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_dashboard_query_count_does_not_grow_with_data(
    client_for, administrator, college, size, only_groups_cards, django_assert_num_queries
):
    department = factories.DepartmentFactory(college=college)
    for n in range(size):
        group = factories.StudyGroupFactory(college=college, department=department)
        if n % 2:
            factories.CuratorAssignmentFactory(group=group)
            factories.EnrollmentFactory(group=group)
        factories.MembershipFactory(college=college, role=Role.TEACHER)
    client = client_for(administrator)
    client.get(reverse("dashboard"))

    # Sign-in and college (3), every figure with the two group cards' counts (1),
    # idle teachers with their total and names (1).
    with django_assert_num_queries(5):
        response = client.get(reverse("dashboard"))

    assert response.context["counts"]["study_groups"] == size


def test_with_every_registered_card_the_query_count_is_the_same_for_3_and_30_groups(client_for, administrator, college):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    department = factories.DepartmentFactory(college=college)
    client = client_for(administrator)

    def queries_with(total):
        while college.study_groups.count() < total:
            group = factories.StudyGroupFactory(college=college, department=department)
            factories.EnrollmentFactory(group=group)
        client.get(reverse("dashboard"))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("dashboard"))
        assert response.status_code == 200
        return len(captured)

    assert queries_with(3) == queries_with(30)


# --- First steps of a new college ---------------------------------------------------------------


def _steps(response) -> dict[str, bool]:
    return {step["key"]: step["done"] for step in response.context["first_steps"]}


def test_a_new_college_dashboard_lists_its_first_steps_as_links(client_for, administrator):
    client = client_for(administrator)

    response = client.get(reverse("dashboard"))

    assert list(_steps(response)) == [
        "colleges.profile",
        "colleges.departments",
        "colleges.teachers",
        "groups.study_groups",
        "groups.curators",
        "invitations.create",
    ]
    assert "Первые шаги" in response.text
    for step in response.context["first_steps"]:
        assert f'href="{step["url"]}"' in response.text
        assert client.get(step["url"]).status_code == 200, step


def test_first_steps_show_only_what_the_viewer_may_do(client_for, administration):
    response = client_for(administration).get(reverse("dashboard"))

    # The director neither edits the structure nor assigns curators; invitation links are theirs too.
    assert list(_steps(response)) == ["invitations.create"]


def test_first_steps_already_taken_are_marked_done(client_for, administrator, college):
    college.phone = "+74822000000"
    college.save()
    factories.DepartmentFactory(college=college)
    factories.MembershipFactory(college=college, role=Role.TEACHER)
    factories.CuratorAssignmentFactory(group=factories.StudyGroupFactory(college=college))

    response = client_for(administrator).get(reverse("dashboard"))

    assert _steps(response) == {
        "colleges.profile": True,
        "colleges.departments": True,
        "colleges.teachers": True,
        "groups.study_groups": True,
        "groups.curators": True,
        "invitations.create": False,
    }


def test_first_steps_are_gone_once_students_have_joined(client_for, administrator, college):
    factories.EnrollmentFactory(group=factories.StudyGroupFactory(college=college))

    response = client_for(administrator).get(reverse("dashboard"))

    assert response.context["first_steps"] == []
    assert "Первые шаги" not in response.text


def test_a_cached_dashboard_marks_a_step_done_after_the_change(
    client_for, administrator, college, settings, django_capture_on_commit_callbacks
):
    from colleges import services as college_services

    settings.COLLEGE_CACHE_SECONDS = 300
    client = client_for(administrator)
    assert _steps(client.get(reverse("dashboard")))["colleges.departments"] is False

    with django_capture_on_commit_callbacks(execute=True):
        college_services.department_create(actor=administrator, college=college, name="Отделение экономики")

    assert _steps(client.get(reverse("dashboard")))["colleges.departments"] is True
