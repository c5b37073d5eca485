"""The demo college `make run` loads: a newcomer signs in with the printed details."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from sferum_admin.management.commands.seed_demo import (
    DEMO_STAFF_PASSWORD,
    DEMO_TOTP_SECRET,
    STAFF_EMAIL,
)
from tests.e2e.helpers import answer_totp, sign_in_by_phone


def _seed() -> None:
    call_command("seed_demo", "--students", "60", stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_demo_administrator_signs_in_by_sms_code_and_the_printed_totp_secret(live_server, phone_context):
    _seed()
    page = phone_context.new_page()

    # The phone printed as +79990000001, typed the way people type it.
    sign_in_by_phone(page, live_server.url, "8 (999) 000-00-01", next_path="/")
    answer_totp(page, DEMO_TOTP_SECRET)

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("body")).to_contain_text("Демонстрационный колледж")


@pytest.mark.django_db(transaction=True)
def test_demo_platform_staff_sign_in_by_email_and_password(live_server, page):
    _seed()

    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(STAFF_EMAIL)
    page.locator("input[name=password]").fill(DEMO_STAFF_PASSWORD)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/"))
    answer_totp(page, DEMO_TOTP_SECRET)

    expect(page).to_have_url(re.compile(r"/platform/applications/$"))
