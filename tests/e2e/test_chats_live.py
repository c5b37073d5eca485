"""A chat, live, on phones (390×844): a curator posts in the group chat and a student, in a second browser
context, sees it appear without reloading — through a real ASGI server (the `asgi` service's uvicorn) with the
Redis channel layer."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import NoReverseMatch, reverse

from chats.models import Chat, ChatKind
from chats.services import chat_sync_group
from colleges.models import Role
from tests import factories
from tests.e2e.helpers import login_as
from tests.sockets.servers import start_asgi_server, stop_asgi_server

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "ru-RU"}


@pytest.fixture
def asgi_live_server(transactional_db, settings, tmp_path):
    """The asgi service's server serving the pages, the static files and the sockets against the test database
    and Redis."""
    if not settings.REDIS_URL:
        pytest.skip("the ASGI server and this process share the Redis channel layer: set REDIS_URL")
    process, port = start_asgi_server(
        redis_url=settings.REDIS_URL, log_path=tmp_path / "asgi.log", app="tests.e2e.asgi_static:application"
    )
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{port}")
    finally:
        stop_asgi_server(process)


@pytest.fixture
def group_chat(college):
    department = factories.DepartmentFactory(college=college)
    group = factories.StudyGroupFactory(college=college, department=department, name="ИС-21")
    curator = factories.MembershipFactory(college=college, role=Role.TEACHER)
    factories.CuratorAssignmentFactory(group=group, teacher=curator)
    student = factories.MembershipFactory(college=college, role=Role.STUDENT)
    factories.EnrollmentFactory(student=student, group=group, started_at=datetime.date(2025, 9, 1))
    chat_sync_group(group=group)
    chat = Chat.objects.get(study_group=group, kind=ChatKind.STUDY_GROUP)
    return SimpleNamespace(chat=chat, curator=curator.user, student=student.user)


def test_a_curators_message_appears_live_on_a_students_phone(asgi_live_server, browser, group_chat):
    server = asgi_live_server
    try:
        chat_path = reverse("chats:chat", kwargs={"pk": group_chat.chat.pk})
    except NoReverseMatch:
        pytest.skip("the chat page (chats:chat, chatpages' part of issue #13) is not on this branch yet")
    student_context, curator_context = browser.new_context(**PHONE), browser.new_context(**PHONE)
    try:
        student, curator = student_context.new_page(), curator_context.new_page()
        login_as(student, server, group_chat.student)
        login_as(curator, server, group_chat.curator)
        student.goto(server.url + chat_path)
        student.wait_for_selector("#chat[data-live='1']", timeout=10000)
        student.evaluate("window.notReloaded = true")

        curator.goto(server.url + chat_path)
        curator.locator("#composer textarea[name=text]").fill("Завтра классный час в 14:00, ауд. 305")
        curator.locator("#composer button[type=submit]").click()

        arrived = student.locator("#messages li.message", has_text="Завтра классный час в 14:00")
        arrived.wait_for(timeout=10000)
        assert student.evaluate("window.notReloaded") is True
        assert arrived.count() == 1
        assert student.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        student_context.close()
        curator_context.close()
