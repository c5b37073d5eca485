import datetime

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_removed
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.middleware import MFA_REQUIRED_API_MESSAGE, TOTP_SEEN_SESSION_KEY
from colleges.models import Role
from tests import factories
from tests.accounts.helpers import force_login_fresh
from tests.conftest import add_totp

pytestmark = pytest.mark.django_db

MFA_REQUIRED_URL = "/accounts/me/mfa-required/"
EXEMPT = ("/accounts/", "/api/", "/healthz", "/readyz", "/i18n/", "/static/", "/media/")


def college_pages() -> list[str]:
    """Every project page without URL arguments, outside sign-in and the API."""
    paths = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and not pattern.pattern.converters:
                route = "/" + prefix + str(pattern.pattern)
                if "^" not in route and "(" not in route and not route.startswith(EXEMPT):
                    paths.append(route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(paths))


def test_college_pages_are_found():
    assert {"/", "/dashboard/", "/platform/admin/"} <= set(college_pages())


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.ADMINISTRATION])
def test_staff_without_totp_is_sent_to_set_it_up_from_every_college_page(client, role):
    membership = factories.MembershipFactory(role=role)
    client.force_login(membership.user)

    for path in college_pages():
        response = client.get(path)

        assert response.status_code == 302, path
        assert response["Location"] == MFA_REQUIRED_URL, path


def test_mfa_required_page_explains_and_links_to_activation(client):
    client.force_login(factories.MembershipFactory(role=Role.ADMINISTRATOR).user)

    response = client.get(MFA_REQUIRED_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Настройте двухфакторную аутентификацию" in html
    assert reverse("mfa_activate_totp") in html


def test_staff_without_totp_may_open_totp_activation_and_profile(client):
    force_login_fresh(client, factories.MembershipFactory(role=Role.ADMINISTRATOR).user)

    activation = client.get(reverse("mfa_activate_totp"))
    profile = client.get(reverse("accounts:profile"))

    assert activation.status_code == 200
    assert "Подключение приложения-аутентификатора" in activation.content.decode()
    assert profile.status_code == 200


def test_staff_gets_in_after_activating_totp(client):
    from tests.e2e.helpers import totp_code

    user = factories.MembershipFactory(role=Role.ADMINISTRATOR).user
    force_login_fresh(client, user)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/dashboard/").status_code == 200
    assert client.get(MFA_REQUIRED_URL)["Location"] == reverse("home")


def test_api_answers_403_in_russian_to_staff_without_totp(client):
    client.force_login(factories.MembershipFactory(role=Role.ADMINISTRATION).user)

    response = client.get(reverse("api:me"))

    assert response.status_code == 403
    assert response.json() == {"detail": MFA_REQUIRED_API_MESSAGE}


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT, Role.PARENT])
def test_other_roles_are_not_asked_for_totp(client, role):
    client.force_login(factories.MembershipFactory(role=role).user)

    response = client.get("/")

    assert response.get("Location") != MFA_REQUIRED_URL
    assert client.get(reverse("api:me")).status_code == 200


def test_staff_of_a_suspended_membership_is_not_asked(client):
    from colleges.models import Membership

    client.force_login(factories.MembershipFactory(role=Role.ADMINISTRATOR, status=Membership.Status.SUSPENDED).user)

    assert client.get("/").get("Location") != MFA_REQUIRED_URL


def test_totp_is_looked_up_once_per_session(client):
    user = factories.MembershipFactory(role=Role.ADMINISTRATOR).user
    add_totp(user)
    client.force_login(user)
    client.get("/dashboard/")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/dashboard/")

    assert response.status_code == 200
    assert client.session[TOTP_SEEN_SESSION_KEY] == user.pk
    assert not [q for q in queries.captured_queries if "mfa_authenticator" in q["sql"]]


def test_removing_an_authenticator_makes_the_session_check_again(client, rf):
    user = factories.MembershipFactory(role=Role.ADMINISTRATOR).user
    add_totp(user)
    client.force_login(user)
    client.get("/dashboard/")
    assert client.session[TOTP_SEEN_SESSION_KEY] == user.pk
    authenticator = Authenticator.objects.get(user=user)
    request = rf.get("/")
    request.session = client.session

    authenticator.delete()
    authenticator_removed.send(sender=Authenticator, request=request, user=user, authenticator=authenticator)
    request.session.save()

    assert TOTP_SEEN_SESSION_KEY not in client.session
    assert client.get("/dashboard/")["Location"] == MFA_REQUIRED_URL


def test_staff_cannot_switch_totp_off_in_the_mfa_settings(client):
    user = factories.MembershipFactory(role=Role.ADMINISTRATOR).user
    add_totp(user)
    client.force_login(user)

    html = client.get(reverse("mfa_index")).content.decode()

    assert "отключить её нельзя" in html
    assert reverse("mfa_deactivate_totp") not in html


def test_totp_set_up_earlier_is_still_guarded_by_reauthentication(client):
    user = factories.MembershipFactory(role=Role.TEACHER).user
    add_totp(user)
    Authenticator.objects.filter(user=user).update(created_at=timezone.now() - datetime.timedelta(days=1))
    force_login_fresh(client, user)

    response = client.get(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_stale_session_must_reauthenticate_before_activating_totp(client):
    user = factories.MembershipFactory(role=Role.ADMINISTRATOR).user
    client.force_login(user)

    response = client.get(reverse("mfa_activate_totp"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_deactivation_page_tells_staff_it_is_not_allowed(client):
    user = factories.MembershipFactory(role=Role.ADMINISTRATOR).user
    force_login_fresh(client, user)
    add_totp(user)

    response = client.get(reverse("mfa_deactivate_totp"))
    client.post(reverse("mfa_deactivate_totp"))

    html = response.content.decode()
    assert "отключить её нельзя" in html
    assert "Отключить двухфакторную аутентификацию?" not in html
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_teacher_confirms_and_switches_totp_off(client):
    user = factories.MembershipFactory(role=Role.TEACHER).user
    force_login_fresh(client, user)
    add_totp(user)

    page = client.get(reverse("mfa_deactivate_totp")).content.decode()
    response = client.post(reverse("mfa_deactivate_totp"))

    assert "Отключить двухфакторную аутентификацию?" in page
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_api_token_of_staff_without_totp_is_refused_in_russian(client):
    from tests.accounts.helpers import api_key_for

    user = factories.MembershipFactory(role=Role.ADMINISTRATOR).user
    key = api_key_for(user)

    response = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 403
    assert response.json() == {"detail": MFA_REQUIRED_API_MESSAGE}


@pytest.mark.parametrize(("role", "totp"), [(Role.ADMINISTRATOR, True), (Role.TEACHER, False)])
def test_api_token_works_for_staff_with_totp_and_other_roles(client, role, totp):
    from tests.accounts.helpers import api_key_for

    user = factories.MembershipFactory(role=role).user
    if totp:
        add_totp(user)
    key = api_key_for(user)

    response = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200


def test_staff_without_totp_may_still_follow_an_invitation_link(client):
    """The acceptance page is public: an administrator of one college joins another, TOTP comes after."""
    from invitations.services import invitation_create

    staff = factories.MembershipFactory(role=Role.ADMINISTRATOR).user
    other = factories.CollegeFactory()
    inviter = factories.MembershipFactory(college=other, role=Role.ADMINISTRATOR).user
    _, token = invitation_create(
        actor=inviter,
        college=other,
        role=Role.TEACHER,
        group=None,
        max_uses=5,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    client.force_login(staff)
    path = reverse("invitations:accept", kwargs={"token": token})

    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert staff.memberships.filter(college=other, role=Role.TEACHER).exists()
    assert client.get("/dashboard/")["Location"] == MFA_REQUIRED_URL
