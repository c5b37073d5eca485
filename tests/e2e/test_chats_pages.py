"""The chat pages in a phone's browser (390×844), without any script: a student posts in the group chat;
the curator deletes a message with a reason and mutes a student, whose composer then says so."""

import pytest
from playwright.sync_api import expect

from chats import services
from chats.models import ChatKind
from colleges.models import Role
from tests import factories
from tests.e2e.helpers import login_as


@pytest.fixture
def group_chat(transactional_db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "chats": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    college = factories.CollegeFactory()
    group = factories.StudyGroupFactory(college=college, name="ИС-21")
    curator = factories.MembershipFactory(college=college, role=Role.TEACHER)
    factories.CuratorAssignmentFactory(group=group, teacher=curator)
    students = [factories.EnrollmentFactory(group=group).student for _ in range(2)]
    services.chat_sync_group(group=group)
    chat = group.chats.get(kind=ChatKind.STUDY_GROUP)
    return {"chat": chat, "curator": curator.user, "students": [s.user for s in students]}


def phone_page(browser, live_server, user):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="ru-RU",
        java_script_enabled=False,
    )
    page = context.new_page()
    login_as(page, live_server, user)
    return page


def test_a_student_opens_the_group_chat_and_posts(live_server, browser, group_chat):
    page = phone_page(browser, live_server, group_chat["students"][0])

    page.goto(f"{live_server.url}/chats/")
    page.get_by_role("link", name="Группа ИС-21").first.click()
    page.locator("#composer textarea[name=text]").fill("Я сегодня опоздаю на первую пару")
    page.locator("#composer").get_by_role("button", name="Отправить").click()

    expect(page.locator("#messages li.message").last).to_contain_text("Я сегодня опоздаю на первую пару")
    box = page.locator("#composer .composer-send").bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 390  # a thumb reaches it; nothing off the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.close()


def test_a_moderator_deletes_with_a_reason_and_mutes_a_member(live_server, browser, group_chat):
    chat, rude_student = group_chat["chat"], group_chat["students"][1]
    rude = services.message_post(actor=rude_student, chat=chat, text="Грубое сообщение")
    page = phone_page(browser, live_server, group_chat["curator"])

    page.goto(f"{live_server.url}/chats/{chat.pk}/")
    page.locator(f"#m-{rude.pk} a.message-more").click()
    page.get_by_role("button", name="Удалить как модератор").click()
    page.get_by_label("Причина (обязательно)").fill("Оскорбление одногруппника")
    page.get_by_role("button", name="Удалить").click()
    expect(page.locator(f"#m-{rude.pk}")).to_contain_text("Сообщение удалено модератором")

    page.goto(f"{live_server.url}/chats/{chat.pk}/members/")
    page.locator("li.person-row", has_text=rude_student.last_name).get_by_role("button", name="Действия").click()
    page.select_option("select[name=period]", "day")
    page.get_by_role("button", name="Запретить писать").click()
    expect(page.locator("ul.messages")).to_contain_text("не может писать в чат до")
    page.context.close()

    muted = phone_page(browser, live_server, rude_student)
    muted.goto(f"{live_server.url}/chats/{chat.pk}/")
    expect(muted.locator("#composer-refusal")).to_contain_text("Вы не можете писать в этот чат до")
    expect(muted.locator("#composer")).to_have_count(0)
    expect(muted.locator(f"#m-{rude.pk}")).not_to_contain_text("Грубое")
    assert muted.evaluate("document.documentElement.scrollWidth") <= 390
    muted.context.close()
