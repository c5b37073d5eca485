"""The one college page base (colleges/pages.py): one answer without a college, and every college page on it."""

import pytest
from django.contrib.messages import get_messages
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from colleges.models import Membership, Role
from colleges.pages import NO_COLLEGE_MESSAGE, CollegePageView
from tests import factories

pytestmark = pytest.mark.django_db

# One page of each app that has college pages, and the shell's dashboard.
COLLEGE_PAGES = (
    "dashboard",
    "colleges:profile",
    "colleges:staff_list",
    "groups:study_group_list",
    "groups:my_group",
    "invitations:list",
    "invitations:request_list",
    "materials:list",
    "movement:list",
    "movement:import_list",
)


@pytest.fixture
def former_member(college):
    """A person whose only membership has ended: signed in, but of no college now."""
    return factories.MembershipFactory(college=college, role=Role.STUDENT, status=Membership.Status.LEFT).user


@pytest.mark.parametrize("url_name", COLLEGE_PAGES)
def test_a_person_without_a_college_is_sent_home_with_the_reason(client_for, former_member, url_name):
    client = client_for(former_member)

    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [NO_COLLEGE_MESSAGE]


def test_the_home_page_then_says_how_to_join(client_for, former_member):
    response = client_for(former_member).get(reverse("materials:list"), follow=True)

    assert response.redirect_chain == [(reverse("home"), 302)]
    assert NO_COLLEGE_MESSAGE in response.content.decode()
    assert "откройте ссылку-приглашение" in response.content.decode()


def test_a_form_posted_without_a_college_is_sent_home_too(client_for, former_member):
    response = client_for(former_member).post(reverse("groups:staff_group_create"), {"name": "Методисты"})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_htmx_without_a_college_redirects_the_whole_page(client_for, former_member):
    response = client_for(former_member).get(reverse("groups:study_group_list"), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("home")


def test_platform_staff_land_on_their_queue_with_the_reason(client_for, platform_staff):
    response = client_for(platform_staff).get(reverse("colleges:profile"), follow=True)

    assert response.redirect_chain == [(reverse("home"), 302), (reverse("colleges:application_queue"), 302)]
    assert NO_COLLEGE_MESSAGE in response.content.decode()


def test_a_member_without_the_right_gets_the_page_reason(client_for, teacher):
    response = client_for(teacher).get(reverse("colleges:staff_list"))

    assert response.status_code == 403
    assert "Список сотрудников доступен администратору и администрации колледжа." in response.content.decode()


def test_an_object_of_another_college_is_not_found(client_for, administrator, other_college):
    department = factories.DepartmentFactory(college=other_college)

    response = client_for(administrator).get(reverse("colleges:department_edit", kwargs={"pk": department.pk}))

    assert response.status_code == 404


def test_a_method_the_page_does_not_serve_is_405_before_any_lookup(client_for, administrator, other_college):
    department = factories.DepartmentFactory(college=other_college)

    response = client_for(administrator).put(reverse("colleges:department_delete", kwargs={"pk": department.pk}))

    assert response.status_code == 405


# Pages that are not of a college: public ones, a person's own, platform staff's, the shell's home.
NOT_COLLEGE_PAGES = {
    "home",
    "healthz",
    "favicon",
    "readyz",
    "colleges:apply",
    "colleges:apply_done",
    "colleges:switch",
    "colleges:application_queue",
    "colleges:application_detail",
    "colleges:application_file",
    "colleges:application_approve",
    "colleges:application_reject",
    "invitations:accept",
    # The installable site and a person's own push devices: not a college's pages.
    "manifest",
    "service_worker",
    "notifications:push_device",
    "notifications:push_subscribe",
    "notifications:push_unsubscribe",
    # The instructions are public (someone who cannot sign in reads them); platform staff's support queue
    # (its questions and their files) spans colleges and is asked of no college.
    "support:articles",
    "support:article",
    "support:platform_queue",
    "support:platform_ticket",
    "support:platform_attachment",
}
NOT_COLLEGE_NAMESPACES = ("api:", "accounts:")


def _page_views() -> dict[str, type]:
    """Every named URL of the project's page views: name → view class."""
    found: dict[str, type] = {}

    def walk(patterns, namespace: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                view_class = getattr(pattern.callback, "view_class", None)
                module = getattr(view_class, "__module__", "") or ""
                if view_class is not None and not module.startswith(("allauth", "django", "drf_spectacular")):
                    found[namespace + pattern.name] = view_class

    walk(get_resolver().url_patterns, "")
    return found


def test_every_college_page_stands_on_the_one_base():
    views = _page_views()
    college_pages = {
        name: view
        for name, view in views.items()
        if name not in NOT_COLLEGE_PAGES and not name.startswith(NOT_COLLEGE_NAMESPACES)
    }

    assert len(college_pages) > 60
    assert set(COLLEGE_PAGES) <= set(college_pages)
    assert [name for name, view in college_pages.items() if not issubclass(view, CollegePageView)] == []
    assert [name for name in NOT_COLLEGE_PAGES if issubclass(views[name], CollegePageView)] == []
