import pytest
from django.urls import reverse

from core.middleware import NULL_CHARACTER_MESSAGE
from support import messages, services
from support.models import Ticket, Topic
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_student_asks_from_the_help_page_and_lands_on_the_question(sw, client_for):
    client = client_for(sw.users["student"])

    response = client.post(reverse("support:help"), {"topic": Topic.ACCESS, "text": "Не приходит код"}, follow=True)

    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == reverse("support:ticket", kwargs={"pk": ticket.pk})
    assert "Вопрос отправлен администратору колледжа" in response.content.decode()


def test_the_help_page_lists_my_questions_only_and_the_instructions(sw, client_for):
    sw.ask(text="Мой вопрос про вход")
    sw.ask("classmate", text="Вопрос одногруппника")

    page = client_for(sw.users["student"]).get(reverse("support:help")).content.decode()

    assert "Мой вопрос про вход" in page
    assert "Вопрос одногруппника" not in page
    assert "Как войти по номеру телефона" in page


@pytest.mark.parametrize(
    ("text", "error"),
    [("", messages.TEXT_REQUIRED), ("я" * 20_000, "Слишком длинный текст: не больше 5000 знаков (сейчас 20000).")],
)
def test_bad_questions_are_answered_400_with_the_reason(sw, client_for, text, error):
    response = client_for(sw.users["student"]).post(reverse("support:help"), {"topic": Topic.OTHER, "text": text})

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_script_in_a_question_is_shown_as_text(sw, client_for):
    ticket = sw.ask(text='<script>alert("x")</script> и <img src=x onerror=alert(1)>')

    page = client_for(sw.users["administrator"]).get(reverse("support:ticket", kwargs={"pk": ticket.pk}))

    body = page.content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_the_administrator_answers_and_the_student_reads_the_answer(sw, client_for):
    ticket = sw.ask()
    client_for(sw.users["administrator"]).post(
        reverse("support:ticket", kwargs={"pk": ticket.pk}), {"text": "Запросите код ещё раз"}
    )

    page = client_for(sw.users["student"]).get(reverse("support:ticket", kwargs={"pk": ticket.pk})).content.decode()

    assert "Запросите код ещё раз" in page
    assert "есть ответ" in page


def test_an_empty_reply_is_400_and_saves_nothing(sw, client_for):
    ticket = sw.ask()

    response = client_for(sw.users["student"]).post(reverse("support:ticket", kwargs={"pk": ticket.pk}), {"text": ""})

    assert response.status_code == 400
    assert messages.REPLY_REQUIRED in response.content.decode()
    assert not ticket.replies.exists()


def test_a_forged_ticket_id_is_404(sw, client_for):
    response = client_for(sw.users["administrator"]).get("/help/tickets/999999999/")

    assert response.status_code == 404


def test_an_id_past_any_database_column_is_a_400_not_a_500(sw, client_for):
    response = client_for(sw.users["administrator"]).get("/help/tickets/99999999999999999999999/")

    assert response.status_code == 400


@pytest.mark.parametrize("who", ["classmate", "parent", "other_parent", "teacher", "administration"])
def test_a_question_is_404_to_people_of_the_college_it_is_not_for(sw, client_for, who):
    ticket = sw.ask()

    response = client_for(sw.users[who]).get(reverse("support:ticket", kwargs={"pk": ticket.pk}))

    assert response.status_code == 404


def test_a_question_is_404_to_another_colleges_administrator(sw, client_for):
    ticket = sw.ask()

    response = client_for(sw.users["other_administrator"]).get(reverse("support:ticket", kwargs={"pk": ticket.pk}))

    assert response.status_code == 404


def test_a_stranger_is_asked_to_sign_in_and_then_finds_nothing_there(sw, client):
    ticket = sw.ask()
    url = reverse("support:ticket", kwargs={"pk": ticket.pk})

    anonymous = client.get(url)
    assert anonymous["Location"] == f"/accounts/login/?next={url}"
    client.force_login(factories.UserFactory(phone="+79995550001"))
    signed_in = client.get(url, follow=True)

    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert signed_in.status_code == 200
    assert signed_in.redirect_chain == [(reverse("home"), 302)]
    assert "Не приходит код" not in signed_in.content.decode()


def test_the_stranger_of_another_college_gets_404_after_signing_in(sw, client):
    ticket = sw.ask()
    url = reverse("support:ticket", kwargs={"pk": ticket.pk})
    stranger = factories.MembershipFactory(college=sw.other_college, role="student").user

    first = client.get(url)
    client.force_login(stranger)

    assert first.status_code == 302
    assert client.get(url).status_code == 404


def test_the_queue_filters_by_status_and_searches(sw, client_for):
    sw.ask(text="Не приходит код")
    answered = sw.ask("parent", text="Как найти чат родителей")
    services.ticket_reply(actor=sw.users["administrator"], ticket=answered, text="В разделе «Чаты»")
    client = client_for(sw.users["administrator"])

    open_only = client.get(reverse("support:queue"), {"status": "open"}).content.decode()
    found = client.get(reverse("support:queue"), {"q": "родителей"}).content.decode()

    assert "Не приходит код" in open_only and "Как найти чат родителей" not in open_only
    assert "Как найти чат родителей" in found and "Не приходит код" not in found


@pytest.mark.parametrize("query", ["код\x00", "\x00"])
def test_a_nul_byte_in_the_search_is_a_400_in_russian_not_a_500(sw, client_for, query):
    sw.ask()

    response = client_for(sw.users["administrator"]).get(reverse("support:queue"), {"q": query})

    assert response.status_code == 400
    assert NULL_CHARACTER_MESSAGE in response.content.decode()


def test_an_unknown_status_in_the_queue_is_ignored(sw, client_for):
    sw.ask()

    response = client_for(sw.users["administrator"]).get(reverse("support:queue"), {"q": "%00", "status": "closed'"})

    assert response.status_code == 200


def test_a_nul_byte_in_a_posted_question_is_refused_in_russian(sw, client_for):
    response = client_for(sw.users["student"]).post(reverse("support:help"), {"topic": "other", "text": "код\x00"})

    assert response.status_code == 400
    assert "запрещённый символ" in response.content.decode()
    assert not Ticket.objects.exists()


def test_an_empty_queue_says_so(sw, client_for):
    page = client_for(sw.users["administrator"]).get(reverse("support:queue")).content.decode()

    assert "Вопросов пока нет." in page


def test_the_queue_pages_through_long_lists(sw, client_for):
    askers = ["student", "classmate", "parent", "teacher", "administration"]
    for n in range(25):
        sw.ask(askers[n % len(askers)], text=f"Вопрос {n}")

    second = client_for(sw.users["administrator"]).get(reverse("support:queue"), {"page": 2}).content.decode()

    assert "Страница 2 из 2" in second
    assert second.count('data-testid="ticket-row"') == 5


@pytest.mark.parametrize("size", [2, 12])
def test_the_queue_asks_as_many_queries_for_2_and_12_questions(sw, client_for, size, django_assert_num_queries):
    for n in range(size):
        services.ticket_reply(actor=sw.users["administrator"], ticket=sw.ask(text=f"Вопрос {n}"), text="Ответ")
    client = client_for(sw.users["administrator"])
    client.get(reverse("support:queue"))  # the session and the menu's parts are warm

    with django_assert_num_queries(6):
        client.get(reverse("support:queue"))


@pytest.mark.parametrize("size", [1, 9])
def test_my_questions_ask_as_many_queries_for_1_and_9(sw, client_for, size, django_assert_num_queries):
    for n in range(size):
        sw.ask(text=f"Вопрос {n}")
    client = client_for(sw.users["student"])
    client.get(reverse("support:help"))

    with django_assert_num_queries(5):
        client.get(reverse("support:help"))


@pytest.mark.parametrize("size", [1, 9])
def test_the_platform_queue_asks_as_many_queries_for_1_and_9(sw, client_for, size, django_assert_num_queries):
    for n in range(size):
        services.ticket_escalate(actor=sw.users["administrator"], ticket=sw.ask("parent", text=f"Вопрос {n}"))
    client = client_for(sw.users["platform_staff"])
    client.get(reverse("support:platform_queue"))

    with django_assert_num_queries(5):
        response = client.get(reverse("support:platform_queue"))

    assert response.content.decode().count('data-testid="ticket-row"') == size


@pytest.mark.parametrize("size", [1, 8])
def test_a_thread_asks_as_many_queries_for_1_and_8_replies(sw, client_for, size, django_assert_num_queries):
    ticket = sw.ask()
    for n in range(size):
        services.ticket_reply(actor=sw.users["administrator"], ticket=ticket, text=f"Ответ {n}")
    client = client_for(sw.users["student"])
    url = reverse("support:ticket", kwargs={"pk": ticket.pk})
    client.get(url)

    with django_assert_num_queries(6):
        client.get(url)


def test_closing_asks_first_then_closes(sw, client_for):
    ticket = sw.ask()
    client = client_for(sw.users["student"])
    url = reverse("support:close", kwargs={"pk": ticket.pk})

    question = client.get(url)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert "Закрыть обращение" in question.content.decode()
    client.post(url)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED


def test_passing_on_asks_first_then_platform_staff_see_it_in_their_queue(sw, client_for):
    ticket = sw.ask(text="Ошибка 500 на странице чата")
    sw.ask(text="Вопрос, оставшийся в колледже")
    admin = client_for(sw.users["administrator"])

    assert "Передать обращение" in admin.get(reverse("support:escalate", kwargs={"pk": ticket.pk})).content.decode()
    admin.post(reverse("support:escalate", kwargs={"pk": ticket.pk}))
    queue = client_for(sw.users["platform_staff"]).get(reverse("support:platform_queue")).content.decode()

    assert "Ошибка 500 на странице чата" in queue
    assert "Вопрос, оставшийся в колледже" not in queue


def test_platform_staff_answer_on_their_page_and_the_author_reads_it(sw, client_for):
    ticket = services.ticket_escalate(actor=sw.users["administrator"], ticket=sw.ask())
    client_for(sw.users["platform_staff"]).post(
        reverse("support:platform_ticket", kwargs={"pk": ticket.pk}), {"text": "Исправлено в версии 2.1"}
    )

    page = client_for(sw.users["student"]).get(reverse("support:ticket", kwargs={"pk": ticket.pk})).content.decode()

    assert "Исправлено в версии 2.1" in page
    assert "Техподдержка платформы" in page


def test_the_menu_shows_help_to_members_and_the_queue_to_the_administrator(sw, client_for):
    student_page = client_for(sw.users["student"]).get(reverse("support:help")).content.decode()
    admin_page = client_for(sw.users["administrator"]).get(reverse("support:help")).content.decode()

    assert 'href="/help/queue/"' not in student_page and 'href="/help/"' in student_page
    assert 'href="/help/queue/"' in admin_page


def test_the_dashboard_counts_questions_waiting_for_an_answer(sw, client_for):
    sw.ask()
    sw.ask("parent")

    page = client_for(sw.users["administrator"]).get(reverse("dashboard")).content.decode()

    assert "Вопросы ждут ответа" in page


def test_the_instructions_search_finds_by_any_case_and_yo(client):
    found = client.get(reverse("support:articles"), {"q": "КОД НЕ ПРИШЕЛ"}).content.decode()
    none = client.get(reverse("support:articles"), {"q": "бухгалтерия зарплата"}).content.decode()

    assert "Как войти по номеру телефона" in found
    assert "Как устроены чаты" not in found
    assert "Ничего не найдено" in none


def test_an_unknown_article_is_404(client):
    assert client.get("/help/articles/no-such-article/").status_code == 404


def test_a_nul_byte_in_the_instructions_search_is_a_400_not_a_500(client):
    assert client.get(reverse("support:articles"), {"q": "код\x00"}).status_code == 400


def test_the_staff_find_seminars_and_the_colleges_documents_from_help(sw, client_for):
    page = client_for(sw.users["teacher"]).get(reverse("support:help")).content.decode()

    section = page.split('data-testid="seminars"')[1].split("</section>")[0]
    assert "семинары и вебинары" in section
    assert f'href="{reverse("broadcasts:list")}"' in section
    assert f'href="{reverse("materials:documents")}"' in section


def test_a_student_is_shown_the_documents_but_not_the_staffs_seminars(sw, client_for):
    page = client_for(sw.users["student"]).get(reverse("support:help")).content.decode()

    section = page.split('data-testid="seminars"')[1].split("</section>")[0]
    assert "семинары и вебинары" not in section
    assert f'href="{reverse("materials:documents")}"' in section
