import pytest
from django.conf import settings
from django.urls import reverse


@pytest.mark.django_db
def test_pages_are_russian_even_when_the_browser_asks_for_english(client):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.headers["Content-Language"] == "ru"
    assert 'lang="ru"' in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_turns_the_layout_to_english(client, teacher):
    client.force_login(teacher)

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("groups:my_groups"))

    page = response.content.decode()
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert response.headers["Content-Language"] == "en"
    assert "My groups" in page and "Sign out" in page


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_russian(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"

    response = client.get(reverse("account_login"))

    assert response.headers["Content-Language"] == "ru"
