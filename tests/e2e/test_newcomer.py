"""A phone number the database has never seen follows a link on a phone: code, name, and in.

No account exists beforehand and no separate sign-up page is visited: the
link's own page asks the phone, allauth's code page the code, the link's page
the name — and the person lands joined (or with a join request).
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from colleges.models import Membership, Role
from groups.models import Enrollment
from invitations.models import JoinRequest
from invitations.services import invitation_create
from notifications.backends import MemorySmsBackend
from tests import factories
from tests.e2e.helpers import last_sms_code

PHONE = "8 999 000-55-66"
E164 = "+79990005566"


@pytest.fixture
def school(transactional_db):
    college = factories.CollegeFactory(short_name="Тверской политехнический колледж")
    group = factories.StudyGroupFactory(college=college, name="ИС-21")
    admin = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR).user
    return {"college": college, "group": group, "admin": admin}


def _link(school, **kwargs) -> str:
    _, token = invitation_create(
        actor=school["admin"],
        college=school["college"],
        group=school["group"],
        max_uses=30,
        expires_at=timezone.now() + datetime.timedelta(days=7),
        **kwargs,
    )
    return f"/i/{token}/"


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _newcomer_follows(phone_context, base_url, path):
    """Phone → code → name → «Присоединиться», as a person does it on a phone."""
    MemorySmsBackend.clear()
    page = phone_context.new_page()
    page.goto(base_url + path)
    expect(page.get_by_test_id("invitation-group")).to_contain_text("ИС-21")
    expect(page.get_by_text("учётная запись создастся сама")).to_be_visible()
    _fits(page)
    page.get_by_label("Номер телефона").fill(PHONE)
    page.get_by_test_id("invitation-get-code").click()

    page.wait_for_url(re.compile(r"/accounts/login/code/confirm/"))
    expect(page.get_by_text("Код для входа отправлен в SMS на номер +7 999 000-55-66")).to_be_visible()
    _fits(page)
    page.get_by_label("Код из SMS").fill(last_sms_code(PHONE))
    page.get_by_role("button", name="Войти").click()

    page.wait_for_url(re.compile(re.escape(path) + "$"))
    expect(page.get_by_text("Номер +7 999 000-55-66 подтверждён")).to_be_visible()
    _fits(page)
    page.get_by_label("Фамилия").fill("Смирнова")
    page.get_by_label("Имя", exact=True).fill("Анна")
    page.get_by_label("Отчество").fill("Игоревна")
    page.get_by_test_id("invitation-join").click()
    return page


@pytest.mark.django_db(transaction=True)
def test_never_seen_phone_joins_a_group_by_a_student_link_on_a_phone(live_server, phone_context, school):
    assert not User.objects.filter(phone=E164).exists()
    path = _link(school, role=Role.STUDENT)

    page = _newcomer_follows(phone_context, live_server.url, path)

    expect(page.get_by_text("Вы присоединились к колледжу.")).to_be_visible()
    _fits(page)
    person = User.objects.get(phone=E164)
    assert person.full_name == "Смирнова Анна Игоревна"
    assert person.phone_verified
    assert Enrollment.objects.get(student__user=person, ended_at__isnull=True).group == school["group"]


@pytest.mark.django_db(transaction=True)
def test_never_seen_phone_joins_by_a_parent_link_on_a_phone(live_server, phone_context, school):
    path = _link(school, role=Role.PARENT)

    page = _newcomer_follows(phone_context, live_server.url, path)

    expect(page.get_by_text("Вы присоединились к колледжу.")).to_be_visible()
    expect(page.get_by_text("родитель", exact=False).first).to_be_visible()
    assert Membership.objects.filter(user__phone=E164, college=school["college"], role=Role.PARENT).exists()


@pytest.mark.django_db(transaction=True)
def test_never_seen_phone_on_a_link_requiring_approval_leaves_a_request(live_server, phone_context, school):
    path = _link(school, role=Role.STUDENT, requires_approval=True)

    page = _newcomer_follows(phone_context, live_server.url, path)

    expect(page.get_by_test_id("invitation-result")).to_contain_text("Заявка на вступление отправлена")
    assert JoinRequest.objects.get().user.phone == E164
    assert not Enrollment.objects.filter(student__user__phone=E164).exists()
