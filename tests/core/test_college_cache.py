"""The per-college cache of costly page parts (core/college_cache.py) and the pages that use it."""

import pytest
from django.db import transaction
from django.urls import reverse

from accounts import services as account_services
from colleges.models import Role
from core import college_cache
from groups.models import StudyGroup
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_on(settings):
    settings.COLLEGE_CACHE_SECONDS = 300


class Counter:
    """A compute function that counts its calls and returns the call number."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.calls


class TestGetOrCompute:
    def test_the_second_lookup_comes_from_the_cache(self, cache_on, college):
        compute = Counter()

        assert college_cache.get_or_compute(college, "part", compute=compute) == 1
        assert college_cache.get_or_compute(college, "part", compute=compute) == 1
        assert compute.calls == 1

    def test_a_change_to_the_college_makes_its_parts_stale(self, cache_on, college, other_college):
        compute, other = Counter(), Counter()
        college_cache.get_or_compute(college, "part", compute=compute)
        college_cache.get_or_compute(other_college, "part", compute=other)

        college_cache.changed([college.pk])

        assert college_cache.get_or_compute(college, "part", compute=compute) == 2
        assert college_cache.get_or_compute(other_college, "part", compute=other) == 1

    def test_parts_are_kept_apart_by_college_name_and_vary(self, cache_on, college, other_college):
        compute = Counter()
        for owner, name, vary in [
            (college, "a", ()),
            (college, "b", ()),
            (college, "a", ("en",)),
            (other_college, "a", ()),
        ]:
            college_cache.get_or_compute(owner, name, vary=vary, compute=compute)

        assert compute.calls == 4

    def test_a_part_computed_while_a_change_committed_is_not_served(self, cache_on, college):
        """The stamp is read before the data; a change committing meanwhile leaves the stored part stale."""

        def compute_during_a_change():
            college_cache.changed([college.pk])  # another request's change commits while this one reads
            return "read before the change"

        college_cache.get_or_compute(college, "part", compute=compute_during_a_change)

        assert college_cache.get_or_compute(college, "part", compute=lambda: "fresh") == "fresh"

    def test_switched_off_it_always_computes(self, settings, college):
        settings.COLLEGE_CACHE_SECONDS = 0
        compute = Counter()

        college_cache.get_or_compute(college, "part", compute=compute)
        college_cache.get_or_compute(college, "part", compute=compute)

        assert compute.calls == 2


class CacheReads:
    """Counts the round trips to the cache (``get`` and ``get_many``) while patched in."""

    def __init__(self, monkeypatch):
        from django.core.cache import cache

        self.trips: list[list[str]] = []
        for method in ("get", "get_many"):
            original = getattr(cache, method)

            def counted(keys, *args, _original=original, **kwargs):
                self.trips.append(list(keys) if isinstance(keys, list | tuple) else [keys])
                return _original(keys, *args, **kwargs)

            monkeypatch.setattr(cache, method, counted)


class TestExpectedParts:
    def test_the_first_expected_part_reads_the_stamp_and_every_expected_part_at_once(
        self, cache_on, college, monkeypatch
    ):
        for name in ("a", "b"):
            college_cache.get_or_compute(college, name, compute=lambda name=name: f"{name} stored")
        reads = CacheReads(monkeypatch)

        with college_cache.expected(college, [("a", ()), ("b", ())]):
            found = [college_cache.get_or_compute(college, name, compute=lambda: "computed") for name in ("a", "b")]

        assert found == ["a stored", "b stored"]
        assert len(reads.trips) == 1 and len(reads.trips[0]) == 3  # the stamp and both parts

    def test_nothing_is_read_until_an_expected_part_is_asked_for(self, cache_on, college, monkeypatch):
        reads = CacheReads(monkeypatch)

        with college_cache.expected(college, [("a", ()), ("b", ())]):
            pass

        assert reads.trips == []

    def test_a_part_missing_from_the_one_read_is_computed_and_stored_under_that_stamp(
        self, cache_on, college, monkeypatch
    ):
        college_cache.get_or_compute(college, "a", compute=lambda: "a stored")
        compute = Counter()

        with college_cache.expected(college, [("a", ()), ("b", ())]):
            college_cache.get_or_compute(college, "a", compute=compute)
            assert college_cache.get_or_compute(college, "b", compute=compute) == 1
            assert college_cache.get_or_compute(college, "b", compute=compute) == 1  # found again, not recomputed

        assert college_cache.get_or_compute(college, "b", compute=compute) == 1
        assert compute.calls == 1

    def test_a_stale_expected_part_is_computed_again(self, cache_on, college):
        compute = Counter()
        college_cache.get_or_compute(college, "a", compute=compute)
        college_cache.changed([college.pk])

        with college_cache.expected(college, [("a", ()), ("b", ())]):
            assert college_cache.get_or_compute(college, "a", compute=compute) == 2

    def test_parts_not_expected_and_other_colleges_go_their_own_way(
        self, cache_on, college, other_college, monkeypatch
    ):
        college_cache.get_or_compute(other_college, "a", compute=lambda: "other college's")
        college_cache.stamp(college.pk)
        reads = CacheReads(monkeypatch)

        with college_cache.expected(college, [("a", ()), ("b", ())]):
            other = college_cache.get_or_compute(other_college, "a", compute=lambda: "computed")
            college_cache.get_or_compute(college, "c", compute=lambda: "computed")

        assert other == "other college's"
        assert [len(keys) for keys in reads.trips] == [2, 2]

    def test_the_chat_page_reads_its_history_and_the_menu_in_one_round_trip(
        self, cache_on, client_for, college, monkeypatch
    ):
        from chats.models import ChatKind
        from chats.services import chat_create, message_post

        teacher = factories.MembershipFactory(college=college, role=Role.TEACHER).user
        chat = chat_create(actor=teacher, college=college, kind=ChatKind.FREE, title="Кружок")
        message_post(actor=teacher, chat=chat, text="Первое")
        client = client_for(teacher)
        url = reverse("chats:chat", kwargs={"pk": chat.pk})
        client.get(url)
        reads = CacheReads(monkeypatch)

        response = client.get(url)

        assert "Первое" in response.content.decode()
        parts = [keys for keys in reads.trips if any(key.startswith("college-part:") for key in keys)]
        assert len(parts) == 1 and len(parts[0]) == 3


class TestAuditedChangesDropTheCache:
    def test_a_service_change_drops_the_colleges_parts_when_it_commits(
        self, cache_on, college, administrator, django_capture_on_commit_callbacks
    ):
        compute = Counter()
        college_cache.get_or_compute(college, "part", compute=compute)

        with django_capture_on_commit_callbacks(execute=True):
            department = factories.DepartmentFactory(college=college)
            from colleges import services

            services.department_update(actor=administrator, department=department, name="Новое название")
            # Not before the commit: a reader meanwhile would cache the old data as new.
            assert college_cache.get_or_compute(college, "part", compute=compute) == 1

        assert college_cache.get_or_compute(college, "part", compute=compute) == 2

    def test_a_rolled_back_change_keeps_the_cache(
        self, cache_on, college, administrator, django_capture_on_commit_callbacks
    ):
        compute = Counter()
        college_cache.get_or_compute(college, "part", compute=compute)
        department = factories.DepartmentFactory(college=college)
        from colleges import services

        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError), transaction.atomic():
                services.department_update(actor=administrator, department=department, name="Новое название")
                raise RuntimeError("rolled back")

        assert college_cache.get_or_compute(college, "part", compute=compute) == 1

    def test_a_persons_new_name_drops_the_parts_of_each_of_their_colleges(
        self, cache_on, college, other_college, django_capture_on_commit_callbacks
    ):
        teacher = factories.MembershipFactory(college=college, role=Role.TEACHER).user
        factories.MembershipFactory(college=other_college, role=Role.TEACHER, user=teacher)
        third = factories.CollegeFactory()
        computes = {c.pk: Counter() for c in (college, other_college, third)}
        for c in (college, other_college, third):
            college_cache.get_or_compute(c, "part", compute=computes[c.pk])

        with django_capture_on_commit_callbacks(execute=True):
            account_services.user_profile_update(
                actor=teacher, user=teacher, last_name="Новикова", first_name="Анна", patronymic=""
            )

        assert [
            college_cache.get_or_compute(c, "part", compute=computes[c.pk]) for c in (college, other_college, third)
        ] == [2, 2, 1]


class TestDashboard:
    def test_figures_follow_a_committed_change_at_once(
        self, cache_on, client_for, administrator, college, django_capture_on_commit_callbacks
    ):
        department = factories.DepartmentFactory(college=college)
        client = client_for(administrator)
        assert client.get(reverse("dashboard")).context["counts"]["study_groups"] == 0

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("groups:study_group_create"),
                {
                    "name": "ИС-21",
                    "department": department.pk,
                    "specialty_code": "09.02.07",
                    "specialty_name": "Информационные системы и программирование",
                    "course": 2,
                    "admission_year": 2025,
                    "form_of_study": "full_time",
                    "status": "active",
                },
            )
        assert response.status_code == 302

        assert client.get(reverse("dashboard")).context["counts"]["study_groups"] == 1

    def test_cached_figures_cost_no_figure_queries(
        self, cache_on, client_for, administrator, college, django_assert_max_num_queries
    ):
        client = client_for(administrator)
        client.get(reverse("dashboard"))

        # Session, user and memberships: the figures and cards come from the cache.
        with django_assert_max_num_queries(3):
            response = client.get(reverse("dashboard"))
        assert response.status_code == 200

    def test_the_cards_are_cached_per_set_of_roles(self, cache_on, client_for, administrator, administration, college):
        client_for(administration).get(reverse("dashboard"))

        keys = {card["key"] for card in client_for(administrator).get(reverse("dashboard")).context["cards"]}

        # Only the administrator sees the join request queue's card; administration's cached cards do not leak.
        assert "invitations.pending_join_requests" in keys


class TestStudyGroupList:
    def test_each_query_gets_its_own_page(self, cache_on, client_for, administrator, college):
        factories.StudyGroupFactory(college=college, name="ИС-21")
        factories.StudyGroupFactory(college=college, name="ТМ-31")
        client = client_for(administrator)
        client.get(reverse("groups:study_group_list"))

        page = client.get(reverse("groups:study_group_list"), {"q": "ТМ"}).content.decode()

        assert "ТМ-31" in page and "ИС-21" not in page

    def test_a_viewer_who_may_not_manage_never_gets_the_managers_page(
        self, cache_on, client_for, administrator, administration, college
    ):
        group = factories.StudyGroupFactory(college=college)
        edit_url = reverse("groups:study_group_inline_edit", kwargs={"pk": group.pk})
        assert edit_url in client_for(administrator).get(reverse("groups:study_group_list")).content.decode()

        page = client_for(administration).get(reverse("groups:study_group_list")).content.decode()

        assert group.name in page and edit_url not in page

    def test_another_colleges_cached_page_is_never_served(
        self, cache_on, client_for, administrator, college, other_college
    ):
        factories.StudyGroupFactory(college=other_college, name="ЧУЖАЯ-11")
        other_admin = factories.MembershipFactory(college=other_college, role=Role.ADMINISTRATOR).user
        from tests.conftest import add_totp

        add_totp(other_admin)
        assert "ЧУЖАЯ-11" in client_for(other_admin).get(reverse("groups:study_group_list")).content.decode()

        page = client_for(administrator).get(reverse("groups:study_group_list")).content.decode()

        assert "ЧУЖАЯ-11" not in page

    def test_a_cached_page_is_escaped_once(self, cache_on, client_for, administrator, college):
        factories.StudyGroupFactory(college=college, name="<b>ИС</b>")
        client = client_for(administrator)
        client.get(reverse("groups:study_group_list"))

        page = client.get(reverse("groups:study_group_list")).content.decode()

        assert "&lt;b&gt;ИС&lt;/b&gt;" in page and "<b>ИС" not in page and "&amp;lt;" not in page

    def test_htmx_asks_get_the_table_alone(self, cache_on, client_for, administrator, college):
        factories.StudyGroupFactory(college=college, name="ИС-21")
        client = client_for(administrator)
        client.get(reverse("groups:study_group_list"))

        table = client.get(reverse("groups:study_group_list"), headers={"HX-Request": "true"}).content.decode()

        assert "ИС-21" in table and "<html" not in table and 'class="filters"' not in table
        assert StudyGroup.objects.filter(college=college).count() == 1
