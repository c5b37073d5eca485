"""A parent on a phone: a number the database has never seen opens the group's parent link the curator made
(«Пригласить родителей»), signs in by the SMS code, joins, names their child — and is in the group's parents'
chat, where they write; the child confirms on their own page."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from chats.models import Chat, ChatKind, ChatMember
from chats.services import chat_sync_group
from colleges.models import Role
from groups.models import Guardian
from groups.services import group_parent_add, guardian_claim
from invitations.services import group_parent_link
from invitations.tokens import token_unseal
from notifications.backends import MemorySmsBackend
from tests import factories
from tests.e2e.helpers import last_sms_code, sign_in_by_phone

PHONE = "8 999 000-77-33"
E164 = "+79990007733"
pytestmark = pytest.mark.e2e


@pytest.fixture
def school(transactional_db):
    college = factories.CollegeFactory(short_name="Тверской политехнический колледж")
    group = factories.StudyGroupFactory(college=college, name="ИС-21")
    other_group = factories.StudyGroupFactory(college=college, name="ТМ-32")
    curator = factories.MembershipFactory(college=college, role=Role.TEACHER)
    factories.CuratorAssignmentFactory(group=group, teacher=curator)

    def student(in_group, last, first):
        membership = factories.MembershipFactory(
            college=college,
            role=Role.STUDENT,
            user=factories.UserFactory(last_name=last, first_name=first, patronymic="Андреевич"),
        )
        factories.EnrollmentFactory(student=membership, group=in_group)
        return membership

    child = student(group, "Соколов", "Максим")
    student(group, "Орлова", "Вера")
    student(other_group, "Чужаков", "Олег")
    chat_sync_group(group=group)
    link, _ = group_parent_link(actor=curator.user, group=group)
    return {"group": group, "curator": curator, "child": child, "path": f"/i/{token_unseal(link.token_sealed)}/"}


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.django_db(transaction=True)
def test_a_new_parent_joins_by_the_link_names_their_child_and_is_in_the_parents_chat(
    live_server, phone_context, school
):
    assert not User.objects.filter(phone=E164).exists()
    MemorySmsBackend.clear()
    page = phone_context.new_page()

    page.goto(live_server.url + school["path"])
    expect(page.get_by_test_id("invitation-group")).to_contain_text("ИС-21")
    page.get_by_label("Номер телефона").fill(PHONE)
    page.get_by_test_id("invitation-get-code").click()
    page.wait_for_url(re.compile(r"/accounts/login/code/confirm/"))
    page.get_by_label("Код из SMS").fill(last_sms_code(PHONE))
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(re.compile(re.escape(school["path"]) + "$"))
    page.get_by_label("Фамилия").fill("Соколова")
    page.get_by_label("Имя", exact=True).fill("Ольга")
    page.get_by_label("Отчество").fill("Петровна")
    page.get_by_test_id("invitation-join").click()

    page.wait_for_url(re.compile(rf"/groups/{school['group'].pk}/child/$"))
    expect(page.get_by_role("heading", name="Кто ваш ребёнок?")).to_be_visible()
    expect(page.get_by_text("Орлова Вера")).to_be_visible()
    expect(page.get_by_text("Чужаков")).to_have_count(0)
    _fits(page)
    page.get_by_label("Соколов Максим").check()
    page.get_by_role("button", name="Это мой ребёнок").click()

    expect(page.get_by_test_id("guardian-claims")).to_contain_text("Соколов Максим Андреевич — ждёт подтверждения")
    _fits(page)
    parent = User.objects.get(phone=E164)
    parents_chat = Chat.objects.get(kind=ChatKind.PARENTS, study_group=school["group"])
    assert ChatMember.objects.filter(chat=parents_chat, member__user=parent, left_at__isnull=True).exists()
    assert not ChatMember.objects.filter(member__user=parent).exclude(chat=parents_chat).exists()

    page.goto(f"{live_server.url}/chats/{parents_chat.pk}/")
    page.locator("#composer textarea[name=text]").fill("Здравствуйте! Я мама Максима Соколова.")
    page.locator("#composer").get_by_role("button", name="Отправить").click()

    expect(page.locator("#messages")).to_contain_text("Здравствуйте! Я мама Максима Соколова.")
    _fits(page)
    assert parents_chat.messages.get().author.user == parent


@pytest.mark.django_db(transaction=True)
def test_the_child_confirms_their_parent_on_a_phone(live_server, phone_context, school):
    parent = factories.MembershipFactory(college=school["group"].college, role=Role.PARENT)
    group_parent_add(actor=None, parent=parent, group=school["group"])
    guardian_claim(actor=parent.user, group=school["group"], student=school["child"])
    page = phone_context.new_page()

    sign_in_by_phone(page, live_server.url, school["child"].user.phone, next_path="/groups/my-parents/")
    expect(page.get_by_role("heading", name="Подтвердите: это ваш родитель?")).to_be_visible()
    _fits(page)
    page.get_by_test_id("guardian-confirm").click()

    expect(page.get_by_test_id("guardian-row")).to_contain_text("подтверждён")
    assert Guardian.objects.get().status == Guardian.Status.CONFIRMED
