"""The platform operators' admin pages: Russian throughout, named after the product."""

import re

import pytest
from django.urls import reverse

from tests.accounts.helpers import sign_in_with_second_factor

pytestmark = pytest.mark.django_db


def test_admin_pages_are_named_after_the_product_not_django(client, platform_staff):
    sign_in_with_second_factor(client, platform_staff)

    response = client.get(reverse("admin:index"))

    text = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
    assert "Сферум Админ" in title
    assert "Django" not in title
    assert "Администрирование Django" not in text


def test_invitation_admin_fields_are_labelled_in_russian(client, django_user_model):
    superuser = django_user_model.objects.create(phone="+79995550001", is_staff=True, is_superuser=True)
    sign_in_with_second_factor(client, superuser)

    for model in ("invitation", "invitationuse", "joinrequest", "bulkdispatch"):
        response = client.get(reverse(f"admin:invitations_{model}_add"))

        labels = re.findall(r"<label[^>]*>([^<]+)</label>", response.content.decode())
        english = [label for label in labels if re.search(r"[A-Za-z]{3,}", label.lower().replace("e-mail", ""))]
        assert english == [], model
