"""The shared layout: the administrator's menu, the icon, the sign-in page's way to register a college."""

import re

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_favicon_is_a_real_icon():
    from django.test import Client

    response = Client().get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # the ICO header


def test_pages_point_browsers_at_the_icon(client):
    response = client.get(reverse("account_login"))

    assert re.search(r'<link rel="icon" href="/static/favicon\.(ico|svg)"', response.text)


def test_sign_in_page_links_to_the_college_application_form(client):
    response = client.get(reverse("account_login"))

    assert f'href="{reverse("colleges:apply")}">Подать заявку на регистрацию колледжа</a>' in response.text


def test_the_administrator_menu_is_grouped_behind_a_phone_menu_button(client_for, administrator):
    response = client_for(administrator).get(reverse("dashboard"))

    assert 'class="nav-burger"' in response.text
    assert response.text.count('<details class="dropdown nav-section">') == 3  # Колледж, Люди, Материалы
    assert '<details class="dropdown nav-section nav-account">' in response.text
    assert '<summary class="current">' not in response.text  # the dashboard is a top-level link
    assert '<a href="/dashboard/" aria-current="page">' in response.text


def test_the_layout_has_no_inline_event_handlers(client_for, college):
    user = factories.MembershipFactory(college=college, role="teacher").user
    factories.MembershipFactory(user=user, role="parent")  # two colleges: the college switcher shows

    response = client_for(user).get(reverse("accounts:profile"))
    header_and_footer = response.text.split("<main")[0] + response.text.split("</main>")[1]

    assert "data-autosubmit" in header_and_footer
    assert not re.search(r"\son[a-z]+=", header_and_footer)


@pytest.mark.parametrize("role", ["administrator", "administration", "teacher", "student", "platform_staff"])
def test_every_menu_link_opens_for_the_person_it_is_shown_to(request, client_for, role):
    from core import nav

    user = request.getfixturevalue(role)
    client = client_for(user)
    page = client.get(reverse("accounts:profile"))
    menu = nav.menu_for(page.wsgi_request)
    links = [item for entry in menu for item in entry.get("items", [entry])]

    assert links
    for link in links:
        assert f'href="{link["url"]}"' in page.text
        assert client.get(link["url"]).status_code == 200, (role, link["label"])


def test_the_navigation_rendered_once_is_each_persons_with_their_own_sign_out_token(college):
    """``site_nav`` keeps the markup per menu, name and college; the CSRF token is the request's own."""
    from django.test import Client

    teacher = factories.MembershipFactory(college=college, role="teacher").user
    teacher.last_name = "<script>alert(1)</script>"
    teacher.save()
    other = factories.MembershipFactory(college=college, role="teacher").user
    pages = {}
    for user in (teacher, other):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        pages[user] = (client, client.get(reverse("accounts:profile")).text)

    teacher_page, other_page = pages[teacher][1], pages[other][1]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in teacher_page and "<script>alert(1)" not in teacher_page
    assert other.short_name in other_page and "alert(1)" not in other_page
    assert "csrf-token-stand-in" not in teacher_page
    client, page = pages[other]
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.split("</nav>")[0])
    assert len(tokens) == 2  # the sign-out forms, wide and on a phone
    response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": tokens[0]})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 302  # signed out
