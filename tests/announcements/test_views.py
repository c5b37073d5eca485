"""The «Объявления» pages: list, one announcement, publish with a preview, read figures, withdraw, notes."""

import pytest
from django.urls import reverse

from announcements.models import Announcement, AnnouncementRead, Audience
from tests.announcements.conftest import publish

pytestmark = pytest.mark.django_db


def test_list_shows_what_the_person_is_addressed_newest_first_pinned_first(aw, client_for):
    import datetime

    from django.utils import timezone

    publish(aw, title="Старое закреплённое", pinned_until=timezone.localdate() + datetime.timedelta(days=3))
    publish(aw, title="Новое")
    publish(aw, audience=Audience.GROUPS, groups=[aw.other_group], title="Чужой группе")

    response = client_for(aw.users["student"]).get(reverse("announcements:list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Старое закреплённое") < body.index("Новое")
    assert "закреплено" in body
    assert "Чужой группе" not in body


def test_list_searches_by_title_and_says_when_nothing_is_found(aw, client_for):
    publish(aw, title="Экскурсия в музей")
    publish(aw, title="Собрание")
    client = client_for(aw.users["student"])

    found = client.get(reverse("announcements:list"), {"q": "экскурс"}).content.decode()
    nothing = client.get(reverse("announcements:list"), {"q": "нет такого"}).content.decode()

    assert "Экскурсия в музей" in found and "Собрание" not in found
    assert "Ничего не найдено" in nothing


def test_empty_list_says_what_will_appear(aw, client_for):
    body = client_for(aw.users["parent"]).get(reverse("announcements:list")).content.decode()

    assert "Объявлений пока нет" in body


def test_opening_marks_it_read_and_the_author_sees_the_figure(aw, client_for):
    announcement = publish(aw, actor="curator", audience=Audience.GROUPS, groups=[aw.group], with_parents=True)
    url = reverse("announcements:detail", kwargs={"pk": announcement.pk})

    client_for(aw.users["student"]).get(url)
    client_for(aw.users["student"]).get(url)
    author_page = client_for(aw.users["curator"]).get(url).content.decode()
    unread_page = client_for(aw.users["curator"]).get(reverse("announcements:unread", kwargs={"pk": announcement.pk}))

    assert AnnouncementRead.objects.filter(announcement=announcement, user=aw.users["student"]).count() == 1
    assert "Прочитали 1 из 2" in author_page
    assert aw.users["parent"].full_name in unread_page.content.decode()
    assert aw.users["student"].full_name not in unread_page.content.decode()


def test_the_audience_sees_no_read_figure(aw, client_for):
    announcement = publish(aw, audience=Audience.STUDENTS)

    body = client_for(aw.users["student"]).get(reverse("announcements:detail", kwargs={"pk": announcement.pk}))

    assert "Прочитали" not in body.content.decode()


def test_script_in_title_and_text_is_shown_as_text_and_links_are_clickable(aw, client_for):
    announcement = publish(
        aw,
        title='<script>alert("t")</script>',
        text="<img src=x onerror=alert(1)>\nсм. https://example.org/a?b=1&c=2.\njavascript:alert(1)",
    )

    body = client_for(aw.users["student"]).get(reverse("announcements:detail", kwargs={"pk": announcement.pk}))
    listing = client_for(aw.users["student"]).get(reverse("announcements:list")).content.decode()

    html = body.content.decode()
    assert '<script>alert("t")</script>' not in html and '<script>alert("t")</script>' not in listing
    assert "&lt;script&gt;" in html
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;<br>" in html
    assert '<a href="https://example.org/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer nofollow">' in html
    assert 'href="javascript' not in html


def test_publish_form_previews_how_many_people_get_it_then_publishes(aw, client_for):
    client = client_for(aw.users["administration"])
    form = {"title": "Собрание", "text": "В пятницу.", "audience": Audience.STUDENTS}

    preview = client.post(reverse("announcements:create"), {**form, "preview": "1"})
    published = client.post(reverse("announcements:create"), {**form, "publish": "1"})

    assert preview.status_code == 200
    assert "Получат: 2 человек" in preview.content.decode()
    announcement = Announcement.objects.get(title="Собрание")
    assert published.status_code == 302
    assert published["Location"] == reverse("announcements:detail", kwargs={"pk": announcement.pk})


def test_preview_publishes_nothing(aw, client_for):
    client = client_for(aw.users["administration"])

    client.post(
        reverse("announcements:create"), {"title": "Т", "text": "Т", "audience": Audience.COLLEGE, "preview": "1"}
    )

    assert not Announcement.objects.exists()


def test_curator_is_offered_only_own_groups_and_told_why_not_another(aw, client_for):
    client = client_for(aw.users["curator"])

    page = client.get(reverse("announcements:create")).content.decode()
    refused = client.post(
        reverse("announcements:create"),
        {"title": "Т", "text": "Т", "audience": Audience.COLLEGE},
    )

    assert "ИС-21" in page and "ТМ-32" not in page
    assert refused.status_code == 400
    assert not Announcement.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"title": "\x00", "text": "Т", "audience": "college"},
        {"title": "Т", "text": "Т", "audience": "<script>"},
        {"title": "Т", "text": "Т", "audience": "groups", "groups": ["x", "²"]},
        {"title": "Т", "text": "Т", "audience": "college", "pinned_until": "31.02.2026"},
        {"title": "Т" * 201, "text": "Т", "audience": "college"},
    ],
)
def test_bad_input_is_a_russian_message_not_an_error(aw, client_for, data):
    response = client_for(aw.users["administration"]).post(reverse("announcements:create"), data)

    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not Announcement.objects.exists()


def test_withdraw_asks_for_confirmation_then_hides_it_from_the_list(aw, client_for):
    announcement = publish(aw, title="Снимаемое")
    client = client_for(aw.users["administration"])
    url = reverse("announcements:withdraw", kwargs={"pk": announcement.pk})

    confirm = client.get(url)
    done = client.post(url, {"reason": "Ошибка в дате"})

    assert "Да, снять объявление" in confirm.content.decode()
    assert done.status_code == 302
    student = client_for(aw.users["student"])
    assert "<strong>Снимаемое</strong>" not in student.get(reverse("announcements:list")).content.decode()
    assert student.get(reverse("announcements:detail", kwargs={"pk": announcement.pk})).status_code == 404


def test_withdraw_without_reason_comes_back_with_the_message(aw, client_for):
    announcement = publish(aw)

    response = client_for(aw.users["administration"]).post(
        reverse("announcements:withdraw", kwargs={"pk": announcement.pk}), {"reason": "   "}
    )

    assert response.status_code == 400
    announcement.refresh_from_db()
    assert announcement.withdrawn_at is None


def test_students_start_page_links_the_unread_announcement_until_it_is_opened(aw, client_for):
    announcement = publish(aw, audience=Audience.GROUPS, groups=[aw.group], title="Экскурсия <b>")
    client = client_for(aw.users["student"])

    before = client.get(reverse("groups:my_group")).content.decode()
    client.get(reverse("announcements:detail", kwargs={"pk": announcement.pk}))
    after = client.get(reverse("groups:my_group")).content.decode()

    assert f'href="/announcements/{announcement.pk}/"' in before
    assert "«Экскурсия &lt;b&gt;»" in before
    assert "Новые объявления" not in after


def test_parents_home_page_shows_the_note(aw, client_for):
    publish(aw, audience=Audience.PARENTS, title="Родителям")

    body = client_for(aw.users["parent"]).get(reverse("home"), follow=True).content.decode()

    assert "Новые объявления" in body and "«Родителям»" in body


@pytest.mark.parametrize("size", [3, 30])
def test_list_query_count_does_not_grow(aw, client_for, django_assert_num_queries, size):
    for n in range(size):
        publish(aw, title=f"Объявление {n}", audience=[Audience.COLLEGE, Audience.STUDENTS][n % 2])
    client = client_for(aw.users["student"])
    client.get(reverse("announcements:list"))

    with django_assert_num_queries(5):
        client.get(reverse("announcements:list"))
