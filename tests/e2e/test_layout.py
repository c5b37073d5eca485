"""Browser tests of the shared layout: the administrator's menu on a phone and on a desktop."""

import re

import pytest
from playwright.sync_api import expect

from colleges.models import Role
from tests import factories
from tests.conftest import add_totp
from tests.e2e.helpers import login_as


def _administrator():
    college = factories.CollegeFactory(short_name="Тверской технический колледж")
    administrator = factories.MembershipFactory(
        college=college, role=Role.ADMINISTRATOR, user__last_name="Смирнова", user__first_name="Анна"
    ).user
    add_totp(administrator)
    return administrator


@pytest.mark.django_db(transaction=True)
def test_administrator_menu_on_a_phone_is_one_button_that_opens_working_links(live_server, phone_context):
    page = phone_context.new_page()
    login_as(page, live_server, _administrator())
    page.goto(f"{live_server.url}/dashboard/")
    header = page.locator("header.site")

    assert header.bounding_box()["height"] <= 120
    expect(header.locator("a", has_text="Учебные группы")).to_have_count(2)  # the wide menu's and the panel's
    expect(header.locator("a", has_text="Учебные группы").first).to_be_hidden()  # until the menu is opened
    expect(header.locator("a", has_text="Учебные группы").last).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("button", name="Меню").click()
    panel = page.get_by_test_id("nav-burger")
    for label in ("Панель", "Отделения", "Учебные группы", "Приглашения", "Движение контингента", "Материалы"):
        expect(panel.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(panel.get_by_role("button", name="Выйти")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    panel.get_by_role("link", name="Учебные группы", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/groups/")
    expect(page.get_by_text("Учебных групп пока нет.")).to_be_visible()
    assert header.bounding_box()["height"] <= 120  # the new page starts with the menu closed again

    page.get_by_role("button", name="Меню").click()
    page.get_by_test_id("nav-burger").get_by_role("link", name="Приглашения", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/invitations/")


@pytest.mark.django_db(transaction=True)
def test_administrator_menu_on_a_desktop_is_one_row_of_sections(live_server, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    login_as(page, live_server, _administrator())
    page.goto(f"{live_server.url}/dashboard/")
    menu = page.get_by_test_id("nav-wide")

    expect(page.get_by_test_id("nav-burger")).to_be_hidden()
    link_height = menu.get_by_role("link", name="Панель").bounding_box()["height"]
    assert menu.bounding_box()["height"] < 2 * link_height + 8  # one row, not three
    for section in ("Колледж", "Люди", "Материалы"):
        expect(menu.locator("summary", has_text=section)).to_be_visible()

    menu.locator("summary", has_text="Колледж").click()
    expect(menu.get_by_role("link", name="Дисциплины")).to_be_visible()
    page.keyboard.press("Escape")  # static/js/app.js closes an open drop-down
    expect(menu.get_by_role("link", name="Дисциплины")).to_be_hidden()

    menu.locator("summary", has_text="Люди").click()
    menu.get_by_role("link", name="Движение контингента").click()
    expect(page).to_have_url(re.compile(r"/movement/$"))
    expect(menu.locator("summary.current", has_text="Люди")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_a_flash_message_has_no_bullet(live_server, page):
    login_as(page, live_server, _administrator())
    page.goto(f"{live_server.url}/college/departments/")
    page.get_by_role("button", name="Добавить отделение").click()
    page.locator("[name=name]").fill("Отделение информационных технологий")
    page.get_by_role("button", name="Сохранить").click()

    message = page.locator(".messages li").first
    expect(message).to_be_visible()
    assert message.evaluate("element => getComputedStyle(element).listStyleType") == "none"


@pytest.mark.django_db(transaction=True)
def test_the_phone_menu_works_without_javascript(live_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False, locale="ru-RU")
    page = context.new_page()
    login_as(page, live_server, _administrator())
    page.goto(f"{live_server.url}/dashboard/")

    page.get_by_role("button", name="Меню").click()
    page.get_by_test_id("nav-burger").get_by_role("link", name="Отделения", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/college/departments/")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_choosing_a_language_in_the_footer_switches_at_once(live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")

    page.get_by_label("Язык").select_option("en")  # sent by static/js/app.js, no inline handler

    expect(page.get_by_role("link", name="Sferum Admin")).to_be_visible()
