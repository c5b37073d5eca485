"""/api/v1/colleges/<id>/announcements/: the viewer's list, one announcement, publish and withdraw."""

import pytest
from rest_framework.test import APIClient

from announcements.models import Announcement, Audience
from tests.announcements.conftest import publish

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(aw, suffix=""):
    return f"/api/v1/colleges/{aw.college.pk}/announcements/{suffix}"


def test_list_holds_only_what_the_caller_is_addressed_with_safe_html(aw):
    publish(aw, audience=Audience.GROUPS, groups=[aw.group], title="ИС-21", text="<b>жирный</b> https://example.org")
    publish(aw, audience=Audience.GROUPS, groups=[aw.other_group], title="ТМ-32")

    response = _api(aw.users["student"]).get(_url(aw))

    [item] = response.json()["results"]
    assert item["title"] == "ИС-21"
    assert item["text_html"].startswith('&lt;b&gt;жирный&lt;/b&gt; <a href="https://example.org"')
    assert item["groups"] == [{"id": aw.group.pk, "name": "ИС-21"}]


def test_another_colleges_announcement_is_404(aw):
    announcement = publish(aw)

    response = _api(aw.users["other_administrator"]).get(
        f"/api/v1/colleges/{aw.other_college.pk}/announcements/{announcement.pk}/"
    )

    assert response.status_code == 404


def test_publish_and_withdraw(aw):
    client = _api(aw.users["administration"])

    created = client.post(
        _url(aw), {"title": "Собрание", "text": "Пятница", "audience": "groups", "groups": [aw.group.pk]}, format="json"
    )
    withdrawn = client.post(_url(aw, f"{created.json()['id']}/withdraw/"), {"reason": "Перенос"}, format="json")

    assert created.status_code == 201
    again = client.post(_url(aw, f"{created.json()['id']}/withdraw/"), {"reason": "Ещё раз"}, format="json")
    assert withdrawn.status_code == 200
    assert again.status_code == 400
    assert withdrawn.json()["withdraw_reason"] == "Перенос"
    assert Announcement.objects.get().withdrawn_at is not None


def test_curator_publishing_to_the_college_is_403_with_the_reason(aw):
    response = _api(aw.users["curator"]).post(
        _url(aw), {"title": "Т", "text": "Т", "audience": "college"}, format="json"
    )

    assert response.status_code == 403
    assert "только для своих групп" in str(response.json())


@pytest.mark.parametrize(
    "data",
    [
        {"title": "Т", "text": "Т", "audience": "groups", "groups": ["x"]},
        {"title": "Т", "text": "Т", "audience": "groups", "groups": [999999]},
        {"title": "Т", "text": "Т", "audience": "всем"},
        {"title": "Т\x00", "text": "Т", "audience": "college"},
        {"title": "Т", "text": "Т", "audience": "college", "pinned_until": "2026-02-31"},
    ],
)
def test_bad_input_is_400(aw, data):
    response = _api(aw.users["administration"]).post(_url(aw), data, format="json")

    assert response.status_code == 400
    assert not Announcement.objects.exists()


@pytest.mark.parametrize("size", [3, 30])
def test_list_query_count_does_not_grow(aw, django_assert_num_queries, size):
    for n in range(size):
        publish(aw, title=f"Объявление {n}", audience=Audience.GROUPS, groups=[aw.group, aw.other_group][: 1 + n % 2])
    client = _api(aw.users["student"])
    client.get(_url(aw))

    with django_assert_num_queries(4):
        client.get(_url(aw))
