"""Browser tests of invitation links: hand-over to the curator, joining on a phone, approval, revoked links."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from colleges.models import Role
from groups.models import Enrollment
from invitations.models import Invitation, JoinRequest
from notifications.backends import MemorySmsBackend
from tests import factories
from tests.conftest import add_totp
from tests.e2e.helpers import last_sms_code, login_as


@pytest.fixture
def school(transactional_db):
    college = factories.CollegeFactory(short_name="Тверской политехнический колледж")
    group = factories.StudyGroupFactory(college=college, name="ИС-21")
    admin = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR).user
    add_totp(admin)
    curator = factories.CuratorAssignmentFactory(group=group).teacher.user
    return {"college": college, "group": group, "admin": admin, "curator": curator}


def _create_link(page, base_url, group, *, approval=False):
    page.goto(f"{base_url}/invitations/new/")
    page.get_by_label("Роль").select_option("student")
    page.get_by_label("Учебная группа").select_option(label=group.name)
    page.get_by_label("Не более присоединений").fill("30")
    if approval:
        page.get_by_label("Присоединение только после одобрения администратором").check()
    page.get_by_role("button", name="Создать ссылку").click()
    expect(page.get_by_text("Ссылка-приглашение создана.")).to_be_visible()
    return page.get_by_test_id("invitation-url").input_value()


def _join_on_phone(phone_context, base_url, url, phone, *, name=None):
    """Phone and code on the link's own page; a newcomer then gives ``name`` (Фамилия, Имя) with «Присоединиться».

    A person known here needs no button: the code leads straight to the result.
    """
    MemorySmsBackend.clear()
    page = phone_context.new_page()
    page.goto(url)
    expect(page.get_by_test_id("invitation-group")).to_contain_text("ИС-21")
    expect(page.get_by_text("Тверской политехнический колледж").first).to_be_visible()
    path = url.split(base_url, 1)[-1] if url.startswith(base_url) else "/i/" + url.split("/i/", 1)[1]
    page.get_by_label("Номер телефона").fill(phone)
    page.get_by_test_id("invitation-get-code").click()
    page.get_by_label("Код из SMS").fill(last_sms_code(phone))
    page.get_by_role("button", name="Войти").click()
    if name:
        expect(page).to_have_url(re.compile(re.escape(path)))
        page.get_by_label("Фамилия").fill(name[0])
        page.get_by_label("Имя", exact=True).fill(name[1])
        page.get_by_test_id("invitation-join").click()
    # A person known here lands joined (or with a request) straight from the code.
    return page


def _local(url, base_url):
    """Links carry SITE_URL; the browser opens the same path on the live server."""
    return base_url + "/i/" + url.split("/i/", 1)[1]


@pytest.mark.django_db(transaction=True)
def test_link_handed_to_curator_lets_new_student_join_on_a_phone(live_server, page, phone_context, school):
    phone_context.grant_permissions(["clipboard-read", "clipboard-write"])
    login_as(page, live_server, school["admin"])
    url = _local(_create_link(page, live_server.url, school["group"]), live_server.url)
    page.get_by_test_id("hand-to-curator").click()
    expect(page.get_by_text("переданы куратору")).to_be_visible()

    curator_page = page.context.browser.new_context(locale="ru-RU").new_page()
    login_as(curator_page, live_server, school["curator"])
    curator_page.goto(f"{live_server.url}/invitations/")
    expect(curator_page.get_by_test_id("invitation-row")).to_have_count(1)
    curator_page.get_by_test_id("invitation-row").get_by_role("link").click()
    expect(curator_page.get_by_test_id("invitation-url")).to_have_value(re.compile(re.escape(url.split("/i/")[1])))
    curator_page.get_by_test_id("invitation-copy").click()

    # A student the database has never seen.
    phone_page = _join_on_phone(phone_context, live_server.url, url, "8 999 000-11-22", name=("Новикова", "Дарья"))

    expect(phone_page.get_by_text("Вы присоединились к колледжу.")).to_be_visible()
    student = User.objects.get(phone="+79990001122", last_name="Новикова")
    assert Enrollment.objects.get(student__user=student, ended_at__isnull=True).group == school["group"]
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    assert Invitation.objects.get().handed_to.user == school["curator"]


@pytest.mark.django_db(transaction=True)
def test_link_requiring_approval_leaves_request_the_administrator_approves(live_server, page, phone_context, school):
    login_as(page, live_server, school["admin"])
    url = _local(_create_link(page, live_server.url, school["group"], approval=True), live_server.url)
    student = factories.UserFactory(phone="+79990003344")

    phone_page = _join_on_phone(phone_context, live_server.url, url, "+7 999 000-33-44")
    expect(phone_page.get_by_test_id("invitation-result")).to_contain_text("Заявка на вступление отправлена")
    assert not Enrollment.objects.filter(student__user=student).exists()

    page.goto(f"{live_server.url}/invitations/requests/")
    row = page.get_by_test_id("join-request-row")
    expect(row).to_have_count(1)
    row.get_by_role("checkbox").check()
    page.get_by_test_id("approve-selected").click()

    expect(page.get_by_text("Заявок одобрено: 1.")).to_be_visible()
    assert JoinRequest.objects.get().status == JoinRequest.Status.APPROVED
    assert Enrollment.objects.get(student__user=student).group == school["group"]


@pytest.mark.django_db(transaction=True)
def test_revoked_link_shows_whom_to_ask(live_server, page, phone_context, school):
    login_as(page, live_server, school["admin"])
    url = _local(_create_link(page, live_server.url, school["group"]), live_server.url)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_text("Управление ссылкой").click()
    page.get_by_test_id("invitation-revoke").click()
    expect(page.get_by_test_id("invitation-status")).to_have_text("отозвана")

    phone_page = phone_context.new_page()
    phone_page.goto(url)

    expect(phone_page.get_by_test_id("invitation-problem")).to_contain_text("отозвана")
    expect(phone_page.get_by_test_id("invitation-problem")).to_contain_text("администратору платформы колледжа")
    expect(phone_page.get_by_test_id("invitation-login")).to_have_count(0)
