"""Browser test: under the Content-Security-Policy an administrator goes through the main pages,
answers a «вы уверены?» question both ways, changes the language and the college by a drop-down
alone, filters groups through htmx and opens the API docs — and the browser refuses nothing."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from colleges.models import Role
from invitations.models import Invitation, JoinRequest
from invitations.services import invitation_accept, invitation_create
from tests import factories
from tests.conftest import add_totp
from tests.e2e.helpers import login_as

# Collects every violation the page reports (the event fires for blocked scripts,
# handlers, styles and eval alike), kept across navigations in sessionStorage.
WATCH_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  var seen = JSON.parse(sessionStorage.getItem("csp-violations") || "[]");
  seen.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " at " + location.pathname);
  sessionStorage.setItem("csp-violations", JSON.stringify(seen));
});
"""


class Violations:
    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.console.append(f"{message.type}: {text}")

    def all(self) -> list[str]:
        reported = self.page.evaluate("JSON.parse(sessionStorage.getItem('csp-violations') || '[]')")
        return self.console + reported


@pytest.fixture
def school(transactional_db):
    college = factories.CollegeFactory(short_name="Политех")
    second = factories.CollegeFactory(short_name="Энергетический")
    department = factories.DepartmentFactory(college=college)
    factories.StudyGroupFactory(college=college, department=department, name="ИС-21")
    factories.StudyGroupFactory(college=college, department=department, name="ТМ-22")
    group = factories.StudyGroupFactory(college=college, department=department, name="ЭС-23")
    administrator = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR).user
    factories.MembershipFactory(college=second, role=Role.ADMINISTRATOR, user=administrator)
    add_totp(administrator)
    invitation, _token = invitation_create(
        actor=administrator,
        college=college,
        role=Role.STUDENT,
        group=group,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    by_approval, _token = invitation_create(
        actor=administrator,
        college=college,
        role=Role.STUDENT,
        group=group,
        expires_at=timezone.now() + datetime.timedelta(days=7),
        requires_approval=True,
    )
    for phone in ("+79990004411", "+79990004412"):
        invitation_accept(invitation=by_approval, user=factories.UserFactory(phone=phone))
    assert JoinRequest.objects.filter(status=JoinRequest.Status.PENDING).count() == 2
    return {"college": college, "second": second, "administrator": administrator, "invitation": invitation}


@pytest.mark.django_db(transaction=True)
def test_administrator_works_through_the_main_pages_without_a_policy_violation(live_server, page, school):
    violations = Violations(page)
    login_as(page, live_server, school["administrator"])
    base = live_server.url

    # The watch itself works: markup with an inline handler and style, slipped into a page, is refused and seen.
    page.goto(f"{base}/dashboard/")
    slipped_in = '<img src="data:," onerror="document.title=1" style="color:red">'
    page.evaluate("html => document.body.insertAdjacentHTML('beforeend', html)", slipped_in)
    page.wait_for_function("(sessionStorage.getItem('csp-violations') || '[]').length > 2")
    caught = violations.all()
    assert any("script-src" in v for v in caught) and any("style-src" in v for v in caught), caught
    assert page.title() != "1"
    page.evaluate("sessionStorage.removeItem('csp-violations')")
    violations.console.clear()

    # The main pages, with every script they load.
    for path, heading in (
        ("/dashboard/", "Панель колледжа"),
        ("/groups/", "Учебные группы"),
        ("/invitations/", None),
        ("/movement/", None),
        ("/materials/", None),
        ("/accounts/me/", None),
        ("/materials/new/", None),
        ("/movement/people/", None),
        ("/movement/imports/new/", None),
        ("/invitations/new/", None),
        ("/college/", None),
    ):
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        page.wait_for_load_state("networkidle")

    # htmx under the policy: the group filter answers without a page load.
    page.goto(f"{base}/groups/")
    page.get_by_label("Поиск").fill("ТМ")
    page.get_by_label("Поиск").press("Enter")
    expect(page).to_have_url(re.compile(r"q=%D0%A2%D0%9C"))
    expect(page.locator("#study-groups")).to_contain_text("ТМ-22")
    expect(page.locator("#study-groups")).not_to_contain_text("ИС-21")

    # htmx swaps a form into the page and back.
    page.goto(f"{base}/college/")
    page.locator("#college-profile").get_by_role("button", name="Изменить").click()
    expect(page.locator("#college-profile form")).to_be_visible()
    expect(page).to_have_url(f"{base}/college/")
    page.locator("#college-profile").get_by_role("button", name="Отмена").click()
    expect(page.locator("#college-profile form")).to_have_count(0)

    # data-confirm: «Отмена» keeps the link, «OK» revokes it.
    invitation = school["invitation"]
    page.goto(f"{base}/invitations/{invitation.pk}/")
    # (data-select-on-click: a click on the link selects all of it, ready to copy.)
    page.get_by_test_id("invitation-url").click()
    selected = page.get_by_test_id("invitation-url").evaluate("f => [f.selectionStart, f.selectionEnd, f.value.length]")
    assert selected[0] == 0 and selected[1] == selected[2] > 0, selected
    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_text("Управление ссылкой").click()
    page.get_by_test_id("invitation-revoke").click()
    expect(page.get_by_test_id("invitation-status")).to_have_text("действует")
    assert questions == ["Отозвать ссылку? По ней больше никто не присоединится."]
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACTIVE

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("invitation-revoke").click()
    expect(page.get_by_test_id("invitation-status")).to_have_text("отозвана")
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED

    # data-check-all and a data-confirm on one of a form's buttons.
    page.goto(f"{base}/invitations/requests/")
    rows = page.get_by_test_id("join-request-row")
    expect(rows).to_have_count(2)
    page.get_by_label("Отметить все").check()
    for box in rows.get_by_role("checkbox").all():
        expect(box).to_be_checked()
    page.get_by_label("Причина отказа").fill("Ошиблись группой")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Отклонить отмеченные").click()
    expect(rows).to_have_count(2)
    assert JoinRequest.objects.filter(status=JoinRequest.Status.PENDING).count() == 2
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Отклонить отмеченные").click()
    expect(rows).to_have_count(0)
    assert JoinRequest.objects.filter(status=JoinRequest.Status.REJECTED).count() == 2

    # data-autosubmit: choosing a language or a college is enough, no button to press.
    page.goto(f"{base}/dashboard/")
    page.get_by_label("Язык").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option("ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")

    page.locator("select[name=college]").select_option(str(school["second"].pk))
    expect(page.locator("header.site")).to_contain_text("Энергетический")

    # The API docs: Swagger UI runs from its own files under the policy.
    page.goto(f"{base}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Сферум Админ API")
    expect(page.locator(".opblock").first).to_be_visible()

    assert violations.all() == []


@pytest.mark.django_db(transaction=True)
def test_platform_staff_filter_applications_and_use_the_admin_without_a_policy_violation(live_server, page):
    from colleges.models import CollegeApplication

    staff = factories.UserFactory(is_staff=True, is_superuser=True)
    add_totp(staff)
    factories.CollegeApplicationFactory(short_name="Заявка-ждёт")
    approved = factories.CollegeApplicationFactory(short_name="Заявка-решена")
    CollegeApplication.objects.filter(pk=approved.pk).update(status=CollegeApplication.Status.REJECTED)
    violations = Violations(page)
    login_as(page, live_server, staff)
    base = live_server.url

    # The queue's status filter sends itself when a status is chosen.
    page.goto(f"{base}/platform/applications/")
    expect(page.get_by_text("Заявка-ждёт")).to_be_visible()
    expect(page.get_by_text("Заявка-решена")).to_have_count(0)
    page.get_by_label("Статус").select_option("all")
    expect(page).to_have_url(re.compile(r"status=all"))
    expect(page.get_by_text("Заявка-решена")).to_be_visible()

    # Django's admin runs under the same policy.
    for path in ("/platform/admin/", "/platform/admin/colleges/college/", "/platform/admin/colleges/college/add/"):
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")

    assert violations.all() == []
