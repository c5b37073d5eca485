import re

import pytest
from django.urls import reverse

from accounts.models import User
from colleges.models import Role
from tests import factories
from tests.conftest import add_totp

pytestmark = pytest.mark.django_db


def test_password_user_is_asked_the_password_in_russian(client):
    user = factories.MembershipFactory(role=Role.TEACHER).user
    client.force_login(user)

    response = client.get(reverse("mfa_activate_totp"), follow=True)

    html = response.content.decode()
    assert "Подтвердите, что это вы" in html
    assert 'name="password"' in html
    assert "код в SMS" in html


def test_phone_only_user_confirms_by_sms_code_and_returns_to_totp_activation(client, sms_outbox):
    user = factories.MembershipFactory(role=Role.ADMINISTRATOR, user__phone="+79990001122").user
    User.objects.filter(pk=user.pk).update(password="!")
    client.force_login(User.objects.get(pk=user.pk))

    response = client.get(reverse("mfa_activate_totp"), follow=True)
    html = response.content.decode()
    assert "Куда прислать код" in html
    assert "SMS на +7 999 000-11-22" in html
    request_url = response.redirect_chain[-1][0]
    response = client.post(request_url, {"recipient": "+79990001122"})
    assert response.status_code == 302
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1]["text"]).group(1)

    response = client.post(response["Location"], {"code": code}, follow=True)

    assert "Подключение приложения-аутентификатора" in response.content.decode()


def test_teacher_with_older_totp_confirms_with_an_authenticator_code(client):
    user = factories.MembershipFactory(role=Role.TEACHER).user
    add_totp(user)
    client.force_login(user)

    response = client.get(reverse("mfa_reauthenticate"))

    assert response.status_code == 200
    assert "Подтвердите, что это вы" in response.content.decode()
