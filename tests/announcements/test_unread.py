"""«Кто ещё не прочитал»: the paged list of the audience that has not opened an announcement, and its search."""

import pytest
from django.urls import reverse

from announcements import services
from announcements.models import Audience
from announcements.selectors import announcement_unread_people
from colleges.models import Role
from core.middleware import NULL_CHARACTER_MESSAGE
from tests import factories
from tests.announcements.conftest import publish

pytestmark = pytest.mark.django_db


def _url(announcement):
    return reverse("announcements:unread", kwargs={"pk": announcement.pk})


def _student(aw, last_name, first_name="Ольга", phone=None):
    user = factories.UserFactory(
        last_name=last_name, first_name=first_name, patronymic="", **({"phone": phone} if phone else {})
    )
    return factories.MembershipFactory(college=aw.college, user=user, role=Role.STUDENT).user


def _read(announcement, user):
    services.announcement_mark_read(user=user, announcement=announcement)


def test_search_finds_the_unread_by_any_word_of_the_name_ignoring_case_and_yo(aw, client_for):
    announcement = publish(aw, audience=Audience.STUDENTS)
    _student(aw, "Ёлкина", "Дарья")
    _student(aw, "Елисеев", "Пётр")
    _student(aw, "Борисова", "Дарья")

    body = client_for(aw.users["administration"]).get(_url(announcement), {"q": "елкина дарья"}).content.decode()

    assert "Ёлкина Дарья" in body
    assert "Елисеев" not in body and "Борисова" not in body


def test_search_finds_a_person_by_the_phone_typed_as_people_type_it(aw, client_for):
    announcement = publish(aw, audience=Audience.STUDENTS)
    _student(aw, "Телефонова", phone="+79123456789")
    _student(aw, "Другая", phone="+79120000000")

    body = client_for(aw.users["administration"]).get(_url(announcement), {"q": "8 (912) 345-67-89"}).content.decode()

    assert "Телефонова" in body and "Другая" not in body


def test_search_finds_only_those_who_have_not_read(aw, client_for):
    announcement = publish(aw, audience=Audience.STUDENTS)
    read = _student(aw, "Смирнова", "Анна")
    _student(aw, "Смирнов", "Олег")
    _read(announcement, read)

    body = client_for(aw.users["administration"]).get(_url(announcement), {"q": "смирнов"}).content.decode()

    assert "Смирнов Олег" in body and "Смирнова Анна" not in body


def test_search_does_not_change_the_read_figure(aw, client_for):
    announcement = publish(aw, audience=Audience.STUDENTS)
    _read(announcement, aw.users["student"])
    client = client_for(aw.users["administration"])

    everyone = client.get(_url(announcement)).content.decode()
    searched = client.get(_url(announcement), {"q": "нет такой фамилии"}).content.decode()

    assert "Прочитали 1 из 2" in everyone
    assert "Прочитали 1 из 2" in searched


def test_nobody_found_is_not_everyone_has_read(aw, client_for):
    announcement = publish(aw, audience=Audience.STUDENTS)
    client = client_for(aw.users["administration"])

    nobody = client.get(_url(announcement), {"q": "нет такой фамилии"}).content.decode()
    _read(announcement, aw.users["student"])
    _read(announcement, aw.users["other_student"])
    everyone = client.get(_url(announcement)).content.decode()

    assert "Никого не нашли" in nobody and "Прочитали все" not in nobody
    assert "Прочитали все" in everyone and "Никого не нашли" not in everyone


def test_the_search_is_kept_on_the_next_page(aw, client_for):
    announcement = publish(aw, audience=Audience.STUDENTS)
    for n in range(55):
        _student(aw, f"Петренко{n:02d}")
    _student(aw, "Сидоренко")
    client = client_for(aw.users["administration"])

    first = client.get(_url(announcement), {"q": "петренко"}).content.decode()
    second = client.get(_url(announcement), {"q": "петренко", "page": "2"}).content.decode()

    assert "?q=%D0%BF%D0%B5%D1%82%D1%80%D0%B5%D0%BD%D0%BA%D0%BE&amp;page=2" in first
    assert first.count('data-testid="unread-person"') == 50
    assert second.count('data-testid="unread-person"') == 5
    assert "Петренко54" in second and "Сидоренко" not in second
    assert 'value="петренко"' in second


def test_search_finds_no_one_of_another_college_with_the_same_name(aw):
    announcement = publish(aw, audience=Audience.STUDENTS)
    _student(aw, "Однофамильцева")
    stranger = factories.UserFactory(last_name="Однофамильцева", first_name="Чужая")
    factories.MembershipFactory(college=aw.other_college, user=stranger, role=Role.STUDENT)

    found = list(announcement_unread_people(announcement=announcement, search="однофамильцева"))

    assert [user.first_name for user in found] == ["Ольга"]


def test_a_too_long_query_is_a_russian_message_not_an_error(aw, client_for):
    announcement = publish(aw, audience=Audience.STUDENTS)

    response = client_for(aw.users["administration"]).get(_url(announcement), {"q": "а " * 250})

    body = response.content.decode()
    assert response.status_code == 400
    assert "не более 200 символов" in body
    assert "Прочитали 0 из 2" in body
    assert 'data-testid="unread-person"' not in body


def test_a_query_of_many_short_words_is_answered(aw, client_for):
    announcement = publish(aw, audience=Audience.STUDENTS)

    response = client_for(aw.users["administration"]).get(_url(announcement), {"q": "щ " * 100})

    assert response.status_code == 200
    assert "Никого не нашли" in response.content.decode()


def test_a_nul_byte_in_the_query_is_refused_in_russian(aw, client_for):
    announcement = publish(aw, audience=Audience.STUDENTS)

    response = client_for(aw.users["administration"]).get(_url(announcement), {"q": "ива\x00нов"})

    assert response.status_code == 400
    assert NULL_CHARACTER_MESSAGE in response.content.decode()


def test_the_list_is_in_alphabetical_order_with_yo_after_ye(aw, client_for):
    announcement = publish(aw, audience=Audience.PARENTS)
    for last_name in ("Жукова", "Ёлкина", "Борисова", "Еремина"):
        factories.MembershipFactory(
            college=aw.college, role=Role.PARENT, user=factories.UserFactory(last_name=last_name, first_name="Ангелина")
        )

    found = [user.last_name for user in announcement_unread_people(announcement=announcement, search="ангелина")]

    assert found == ["Борисова", "Еремина", "Ёлкина", "Жукова"]


@pytest.mark.parametrize("size", [3, 60])
@pytest.mark.parametrize("query", [{}, {"q": "иванов"}])
def test_unread_page_query_count_does_not_grow(aw, client_for, django_assert_num_queries, size, query):
    announcement = publish(aw, audience=Audience.STUDENTS)
    for n in range(size):
        _student(aw, "Иванов" if n % 2 else "Петров", f"Имя{n}")
    client = client_for(aw.users["administration"])
    client.get(_url(announcement), query)

    with django_assert_num_queries(9):
        response = client.get(_url(announcement), query)

    assert response.status_code == 200
    assert response.content.decode().count('data-testid="unread-person"') > 0
