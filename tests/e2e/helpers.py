"""Sign-in helpers for browser tests (Playwright, sync API).

Every helper drives the real pages the way a person does, except
``login_as``, which plants a session cookie for tests that are not about
signing in. SMS codes are read from ``MemorySmsBackend.outbox`` (the live
server runs in the test process, so the outbox is shared); TOTP codes are
computed from the secret with allauth's own HOTP code.

Typical use::

    from tests.e2e.helpers import login_as, sign_in_by_phone, set_up_totp, answer_totp

    def test_teacher_opens_groups(live_server, page, transactional_db):
        teacher = MembershipFactory(role=Role.TEACHER).user
        login_as(page, live_server, teacher)
        page.goto(f"{live_server.url}/groups/")

    def test_invitation_by_phone(live_server, page, transactional_db):
        user = UserFactory(phone="+79991234567")
        sign_in_by_phone(page, live_server.url, "8 (999) 123-45-67", next_path="/i/abc/")
"""

import re
import time
from urllib.parse import urlencode

from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.phones import normalize_phone
from notifications.backends import MemorySmsBackend

SMS_CODE_RE = re.compile(r"\b(\d{6})\b")


def last_sms_code(phone: str, *, timeout: float = 5.0) -> str:
    """The code of the newest SMS sent to ``phone`` (any format), waiting up to ``timeout`` seconds.

    Raises AssertionError when no SMS with a code arrived.
    """
    e164 = normalize_phone(phone)
    deadline = time.monotonic() + timeout
    while True:
        for message in reversed(list(MemorySmsBackend.outbox)):
            if message["phone"] == e164:
                match = SMS_CODE_RE.search(message["text"])
                if match:
                    return match.group(1)
        if time.monotonic() > deadline:
            raise AssertionError(f"no SMS with a code was sent to {e164}: {MemorySmsBackend.outbox!r}")
        time.sleep(0.05)


def sign_in_by_phone(page, base_url: str, phone: str, next_path: str = "/") -> None:
    """Sign in on /accounts/login/?next=<next_path> by phone and the SMS code.

    Fills «Номер телефона» with ``phone`` exactly as given (so tests may pass
    ``8 (999) 123-45-67``), presses «Получить код», reads the code from the
    memory SMS outbox, types it and presses «Войти». Returns when the browser
    has left the code page: on ``next_path``, or on the TOTP question when the
    user has TOTP (then call ``answer_totp``). The user must exist.
    """
    MemorySmsBackend.clear()
    page.goto(f"{base_url}{reverse('account_login')}?{urlencode({'next': next_path})}")
    page.locator("#by-phone input[name=phone]").fill(phone)
    page.locator("#by-phone button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(reverse("account_confirm_login_code"))))
    page.locator("input[name=code]").fill(last_sms_code(phone))
    page.locator(f"form[action='{reverse('account_confirm_login_code')}'] button[type=submit]").click()
    page.wait_for_url(lambda url: reverse("account_confirm_login_code") not in url)


def totp_code(secret: str, *, offset: int = 0) -> str:
    """The current six-digit TOTP code for ``secret`` (``offset`` periods ahead or back)."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time()) // app_settings.TOTP_PERIOD + offset
    return format_hotp_value(hotp_value(secret, counter))


def set_up_totp(page, base_url: str) -> str:
    """Activate TOTP for the signed-in user through the allauth page; returns the secret.

    Opens «Подключение приложения-аутентификатора», reads the secret shown
    on the page, types the current code and presses «Подключить». Returns
    when the recovery-codes page (the next step) is open. Keep the secret
    to answer the TOTP question at a later sign-in (``answer_totp``).
    """
    page.goto(f"{base_url}{reverse('mfa_activate_totp')}")
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(totp_code(secret))
    page.locator(f"form[action='{reverse('mfa_activate_totp')}'] button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(reverse("mfa_view_recovery_codes"))))
    return secret


def answer_totp(page, secret: str) -> None:
    """Answer the «Двухфакторная аутентификация» question at sign-in, if the page asks it.

    A TOTP code is accepted once: if the current code was already used (a
    second sign-in within 30 seconds), waits for the next period and tries
    again.
    """
    authenticate_path = reverse("mfa_authenticate")
    if authenticate_path not in page.url:
        return
    for _attempt in range(2):
        page.locator("input[name=code]").fill(totp_code(secret))
        page.locator(f"form[action='{authenticate_path}'] button[type=submit]").click()
        page.wait_for_load_state()
        if authenticate_path not in page.url:
            return
        from allauth.mfa import app_settings

        period = app_settings.TOTP_PERIOD
        time.sleep(period - time.time() % period + 0.5)
    raise AssertionError("the TOTP code was not accepted")


def login_as(page, live_server, user) -> None:
    """Sign ``user`` in quickly by a session cookie (for tests that are not about signing in).

    Uses Django's ``Client.force_login`` (marked as a sign-in just now, as
    allauth records it) and copies its session cookie into the page's
    browser context. TOTP is not asked; a user of a role that requires TOTP
    must have it (``tests.conftest.add_totp(user)``) or they are sent to
    «Настройте двухфакторную аутентификацию» — from where ``set_up_totp``
    works too.
    """
    from tests.accounts.helpers import force_login_fresh

    client = force_login_fresh(Client(), user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url, "httpOnly": True}]
    )
