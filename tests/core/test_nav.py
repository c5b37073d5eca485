import pytest
from django.test import RequestFactory

from core import nav


def test_only_the_longest_matching_menu_entry_is_current(monkeypatch):
    monkeypatch.setattr(nav, "_items", [])
    always = lambda request: True  # noqa: E731
    nav.register(label="Профиль колледжа", url_name="colleges:profile", visible=always)
    nav.register(label="Отделения", url_name="colleges:department_list", visible=always)
    request = RequestFactory().get("/college/departments/")

    items = nav.items_for(request)

    assert [(i["label"], i["active"]) for i in items] == [("Профиль колледжа", False), ("Отделения", True)]


@pytest.mark.parametrize("url_name", ["home", "accounts:profile", "account_logout", "account_login", "set_language"])
def test_layout_links_are_the_reversed_urls(url_name):
    from django.urls import reverse

    from sferum_admin.templatetags.sferum import fixed_url

    assert fixed_url(url_name) == reverse(url_name)
    assert fixed_url(url_name) == reverse(url_name)  # the second time from the per-process table


def _register_menu(monkeypatch):
    monkeypatch.setattr(nav, "_items", [])
    always = lambda request: True  # noqa: E731
    nav.register(label="Панель", url_name="dashboard", visible=always, order=10)
    nav.register(label="Профиль колледжа", url_name="colleges:profile", visible=always, order=20, section=nav.COLLEGE)
    nav.register(label="Отделения", url_name="colleges:department_list", visible=always, order=22, section=nav.COLLEGE)
    nav.register(label="Материалы", url_name="materials:list", visible=always, order=40, section=nav.MATERIALS)
    nav.register(
        label="Документы колледжа",
        url_name="materials:documents",
        visible=lambda request: False,
        order=41,
        section=nav.MATERIALS,
    )


def test_menu_groups_entries_into_sections_and_a_lone_entry_stays_a_link(monkeypatch):
    _register_menu(monkeypatch)
    request = RequestFactory().get("/college/departments/")

    menu = nav.menu_for(request)

    assert [entry["label"] for entry in menu] == ["Панель", "Колледж", "Материалы"]
    assert [item["label"] for item in menu[1]["items"]] == ["Профиль колледжа", "Отделения"]
    assert menu[1]["active"] is True
    assert "items" not in menu[2]  # one visible entry of «Материалы»: a plain link, not a drop-down


def test_an_unknown_menu_section_is_refused(monkeypatch):
    monkeypatch.setattr(nav, "_items", [])

    with pytest.raises(ValueError):
        nav.register(label="X", url_name="home", visible=lambda request: True, section="elsewhere")


@pytest.mark.django_db
def test_main_nav_renders_sections_as_drop_downs_wide_and_as_labelled_lists_on_a_phone(monkeypatch):
    from sferum_admin.templatetags.sferum import menu_html
    from tests.factories import UserFactory

    _register_menu(monkeypatch)
    request = RequestFactory().get("/college/")
    request.user = UserFactory()

    wide = menu_html(nav.menu_key(request), "wide")
    phone = menu_html(nav.menu_key(request), "phone")

    assert '<details class="dropdown nav-section"><summary class="current">Колледж</summary>' in wide
    assert '<a href="/college/" aria-current="page">Профиль колледжа</a>' in wide
    assert '<span class="nav-group-label">Колледж</span>' in phone
    assert "<details" not in phone


class Asked:
    """A ``nav.allowed`` predicate that counts its questions and answers from a set of users."""

    def __init__(self, users=None):
        self.calls, self.users = 0, users

    def __call__(self, user, college):
        self.calls += 1
        return self.users is None or user in self.users


def _request_of(user, college):
    request = RequestFactory().get("/college/")
    request.user, request.college = user, college
    return request


@pytest.fixture
def cache_on(settings):
    settings.COLLEGE_CACHE_SECONDS = 300


@pytest.mark.django_db
def test_a_college_entry_is_asked_once_until_the_colleges_data_changes(monkeypatch, cache_on, college, teacher):
    from core import college_cache

    monkeypatch.setattr(nav, "_items", [])
    asked = Asked()
    nav.register(label="Материалы", url_name="materials:list", visible=nav.allowed(asked))
    nav.items_for(_request_of(teacher, college))

    assert [item["label"] for item in nav.items_for(_request_of(teacher, college))] == ["Материалы"]
    assert asked.calls == 1

    college_cache.changed([college.pk])
    nav.items_for(_request_of(teacher, college))

    assert asked.calls == 2


@pytest.mark.django_db
def test_each_person_gets_their_own_cached_menu(monkeypatch, cache_on, college, teacher, student):
    monkeypatch.setattr(nav, "_items", [])
    nav.register(label="Мои группы", url_name="groups:my_groups", visible=nav.allowed(Asked(users={teacher})))
    nav.items_for(_request_of(teacher, college))

    assert nav.items_for(_request_of(student, college)) == []
    assert [item["label"] for item in nav.items_for(_request_of(teacher, college))] == ["Мои группы"]


@pytest.mark.django_db
def test_an_entry_not_of_a_college_is_asked_on_every_request(monkeypatch, cache_on, college, teacher):
    monkeypatch.setattr(nav, "_items", [])
    calls = []
    nav.register(label="Заявки", url_name="colleges:application_queue", visible=lambda request: calls.append(1))
    nav.items_for(_request_of(teacher, college))

    nav.items_for(_request_of(teacher, college))

    assert len(calls) == 2


@pytest.mark.django_db
def test_a_teacher_made_curator_finds_invitations_in_the_menu_at_once(
    cache_on, client_for, college, administrator, teacher, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from groups.services import curator_assign
    from tests import factories

    group = factories.StudyGroupFactory(college=college)
    client = client_for(teacher)
    invitations = f'href="{reverse("invitations:list")}"'
    assert invitations not in client.get(reverse("chats:list")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        curator_assign(actor=administrator, group=group, teacher=teacher.memberships.get(college=college))

    assert invitations in client.get(reverse("chats:list")).content.decode()


@pytest.mark.django_db
def test_the_menu_built_once_per_process_is_still_each_persons_own(monkeypatch):
    """The markup is kept per ``menu_key``: what a person sees, the language and the current entry."""
    from django.utils import translation

    from sferum_admin.templatetags.sferum import menu_html
    from tests.factories import UserFactory

    monkeypatch.setattr(nav, "_items", [])
    first, second = UserFactory(), UserFactory()
    nav.register(label="Панель", url_name="dashboard", visible=lambda request: True, order=10)
    nav.register(label="Профиль", url_name="accounts:profile", visible=lambda request: request.user == first, order=20)

    def menu_of(user, path="/"):
        request = RequestFactory().get(path)
        request.user = user
        return menu_html(nav.menu_key(request), "wide")

    assert "Профиль" in menu_of(first) and "Профиль" not in menu_of(second)
    assert "Профиль" in menu_of(first)  # the second time from the process's table
    assert 'aria-current="page">Профиль' in menu_of(first, "/accounts/me/")
    assert 'aria-current="page"' not in menu_of(first)
    with translation.override("en"):
        english = menu_of(first)
    assert "Dashboard" in english
