"""Django's admin: only through allauth's sign-in and its second factor; platform staff must have TOTP."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils.http import urlencode

from sferum_admin.admin_site import ADMIN_SIGN_IN_AGAIN_MESSAGE
from tests import factories
from tests.accounts.helpers import force_login_fresh, sign_in_with_second_factor
from tests.accounts.test_sign_in import PASSWORD, current_totp

pytestmark = pytest.mark.django_db

ADMIN_INDEX = "/platform/admin/"
APPLICATIONS_ADMIN = "/platform/admin/colleges/collegeapplication/"


def staff_with_totp(**extra):
    staff = factories.UserFactory(is_staff=True, is_superuser=True, **extra)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    return staff, secret


def test_admin_login_page_sends_to_the_allauth_sign_in(client):
    response = client.get(reverse("admin:login"), {"next": APPLICATIONS_ADMIN})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?{urlencode({'next': APPLICATIONS_ADMIN})}"


def test_admin_password_form_signs_nobody_in(client):
    staff, _secret = staff_with_totp(email="ops@example.ru")

    response = client.post(
        reverse("admin:login") + f"?next={ADMIN_INDEX}", {"username": staff.phone, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert SESSION_KEY not in client.session
    assert client.get(ADMIN_INDEX).status_code == 302


def test_admin_login_page_does_not_take_foreign_next_addresses(client):
    response = client.get(reverse("admin:login"), {"next": "https://evil.example/"})

    assert response["Location"] == f"{reverse('account_login')}?next=%2Fplatform%2Fadmin%2F"


def test_staff_session_without_the_second_factor_cannot_open_the_admin(client):
    staff, _secret = staff_with_totp()
    factories.CollegeApplicationFactory()
    force_login_fresh(client, staff)

    index = client.get(ADMIN_INDEX)
    applications = client.get(APPLICATIONS_ADMIN)

    assert index.status_code == 302
    assert applications.status_code == 302
    assert applications["Location"].startswith(reverse("admin:login"))


def test_staff_without_second_factor_in_session_is_signed_out_and_asked_to_sign_in_again(client):
    staff, _secret = staff_with_totp()
    force_login_fresh(client, staff)

    response = client.get(reverse("admin:login"), {"next": ADMIN_INDEX}, follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert SESSION_KEY not in client.session
    assert ADMIN_SIGN_IN_AGAIN_MESSAGE in response.content.decode()


def test_staff_who_passed_the_second_factor_opens_the_application_queue_in_the_admin(client):
    staff, _secret = staff_with_totp()
    factories.CollegeApplicationFactory()
    sign_in_with_second_factor(client, staff)

    response = client.get(APPLICATIONS_ADMIN)

    assert response.status_code == 200


def test_admin_opens_after_allauth_password_and_totp(client):
    staff, secret = staff_with_totp(email="ops@example.ru")
    login = client.get(ADMIN_INDEX, follow=True).redirect_chain[-1][0]
    assert login.startswith(reverse("account_login"))

    client.post(login, {"login": "ops@example.ru", "password": PASSWORD, "next": ADMIN_INDEX})
    response = client.post(reverse("mfa_authenticate"), {"code": current_totp(secret)})

    assert response["Location"] == ADMIN_INDEX
    assert client.get(ADMIN_INDEX).status_code == 200


def test_college_member_who_passed_totp_is_refused_the_admin(client):
    member = factories.MembershipFactory().user
    sign_in_with_second_factor(client, member)

    assert client.get(ADMIN_INDEX).status_code == 302
    assert client.get(reverse("admin:login")).status_code == 403


def test_platform_staff_without_totp_is_sent_to_set_it_up_before_the_application_queue(client):
    staff = factories.UserFactory(is_staff=True)
    force_login_fresh(client, staff)

    queue = client.get(reverse("colleges:application_queue"))
    admin = client.get(ADMIN_INDEX)

    assert queue["Location"] == reverse("accounts:mfa_required")
    assert admin["Location"] == reverse("accounts:mfa_required")


def test_platform_staff_may_not_switch_totp_off():
    from accounts.selectors import user_must_use_totp

    assert user_must_use_totp(user=factories.UserFactory(is_staff=True))
