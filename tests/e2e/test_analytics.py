"""Analytics in the browser, on a phone: the director opens «Аналитика», looks at a section, downloads it."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from chats.models import ChatKind
from colleges.models import Role
from tests import factories
from tests.conftest import add_totp
from tests.e2e.helpers import login_as


@pytest.fixture
def school(transactional_db):
    college = factories.CollegeFactory()
    group = factories.StudyGroupFactory(college=college, name="ИС-21")
    student = factories.EnrollmentFactory(group=group).student
    factories.EnrollmentFactory(group=factories.StudyGroupFactory(college=college, name="ТМ-32"))
    chat = factories.ChatFactory(college=college, kind=ChatKind.STUDY_GROUP, title="ИС-21", study_group=group)
    factories.MessageFactory(chat=chat, author=student)
    director = factories.MembershipFactory(college=college, role=Role.ADMINISTRATION).user
    add_totp(director)
    return {"director": director}


def test_the_director_opens_analytics_on_a_phone_and_downloads_a_section(live_server, browser, school):
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "ru-RU"}
    context = browser.new_context(**phone, accept_downloads=True)
    page = context.new_page()
    login_as(page, live_server, school["director"])

    # «Аналитика» is in the phone menu; it opens on «Подключение», groups worst first.
    page.goto(f"{live_server.url}/")
    page.get_by_test_id("nav-burger").locator("summary").click()
    page.get_by_test_id("nav-burger").get_by_role("link", name="Аналитика").click()
    expect(page.get_by_role("heading", name="Аналитика")).to_be_visible()
    expect(page.get_by_test_id("groups")).to_contain_text("ИС-21")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The chats of the last 7 days: the one message counted.
    page.get_by_role("navigation", name="Разделы аналитики").get_by_role("link", name="Чаты").click()
    page.get_by_test_id("period").get_by_role("button", name="7 дней").click()
    expect(page.get_by_test_id("messages")).to_have_text("1")
    # How fresh the figures are, on the college's clock.
    expect(page.get_by_test_id("freshness")).to_contain_text("Данные на")
    expect(page.get_by_test_id("freshness")).to_contain_text("обновляются каждые 5 мин.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The section as a spreadsheet.
    with page.expect_download() as download_info:
        page.get_by_test_id("download-xlsx").click()
    download = download_info.value
    assert download.suggested_filename.startswith("analitika-chats-") and download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Раздел", "Строка", "Показатель", "Значение"]
    assert ["Всего", "все чаты", "сообщений", 1] in rows
    context.close()
