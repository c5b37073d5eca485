"""A phone the database has never seen follows an invitation: phone → code → name → joined or requested.

Every kind of link (multi-use, personal, approval-required) and every role it
may carry; one flow on the link's own page, allauth's code in between.
"""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from accounts.models import User
from colleges.models import Membership, Role
from groups.models import Enrollment
from invitations.models import Invitation, JoinRequest
from invitations.services import invitation_revoke
from tests import factories

pytestmark = pytest.mark.django_db

NEW_PHONE = "+79990001122"


def accept_url(token):
    return reverse("invitations:accept", kwargs={"token": token})


def last_code(outbox, phone) -> str:
    texts = [m["text"] for m in outbox if m["phone"] == phone]
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


def ask_code(client, token, phone):
    return client.post(accept_url(token), {"phone": phone})


def confirm(client, response, code):
    return client.post(response["Location"], {"code": code})


def newcomer_arrives(client, token, outbox, phone=NEW_PHONE):
    """Phone and code on a link; returns the page the code leads to (followed)."""
    asked = ask_code(client, token, phone)
    assert asked.status_code == 302
    confirmed = confirm(client, asked, last_code(outbox, phone))
    assert confirmed.status_code == 302
    assert confirmed["Location"] == accept_url(token)
    return client.get(confirmed["Location"])


def give_name(client, token, **overrides):
    data = {"last_name": "Смирнова", "first_name": "Анна", "patronymic": "Игоревна", **overrides}
    return client.post(accept_url(token), data)


LINKS = [
    pytest.param({"role": Role.STUDENT}, True, id="student-multi"),
    pytest.param({"role": Role.STUDENT, "requires_approval": True}, False, id="student-approval"),
    pytest.param({"role": Role.PARENT}, True, id="parent-multi"),
    pytest.param({"role": Role.PARENT, "requires_approval": True}, False, id="parent-approval"),
    pytest.param({"role": Role.TEACHER, "group": None}, True, id="teacher-multi"),
    pytest.param({"role": Role.ADMINISTRATION, "group": None}, True, id="administration-multi"),
    pytest.param(
        {"role": Role.STUDENT, "kind": Invitation.Kind.PERSONAL, "recipient_phone": NEW_PHONE}, True, id="personal"
    ),
    pytest.param(
        {
            "role": Role.TEACHER,
            "group": None,
            "kind": Invitation.Kind.PERSONAL,
            "recipient_phone": NEW_PHONE,
            "requires_approval": True,
        },
        False,
        id="personal-approval",
    ),
]


@pytest.mark.parametrize(("link", "joins"), LINKS)
def test_never_seen_phone_gets_code_gives_name_and_joins_or_requests(
    client, make_link, college, sms_outbox, link, joins
):
    invitation, token = make_link(**link)
    assert not User.objects.filter(phone=NEW_PHONE).exists()

    page = newcomer_arrives(client, token, sms_outbox)
    assert page.status_code == 200
    assert 'name="last_name"' in page.content.decode()
    response = give_name(client, token)

    person = User.objects.get(phone=NEW_PHONE)
    assert (person.last_name, person.first_name, person.patronymic) == ("Смирнова", "Анна", "Игоревна")
    assert person.phone_verified
    assert str(client.session[SESSION_KEY]) == str(person.pk)
    if joins:
        assert response.status_code == 302
        assert Membership.objects.filter(user=person, college=college, role=invitation.role).exists()
    else:
        assert response.status_code == 200
        assert "Заявка отправлена" in response.content.decode()
        assert JoinRequest.objects.filter(user=person, college=college, status=JoinRequest.Status.PENDING).exists()
        assert not Membership.objects.filter(user=person, college=college).exists()


def test_newcomer_on_student_link_lands_in_the_group(client, make_link, group, sms_outbox):
    _, token = make_link()
    newcomer_arrives(client, token, sms_outbox)

    give_name(client, token)

    assert Enrollment.objects.get(student__user__phone=NEW_PHONE).group == group


def test_known_and_new_phone_get_the_same_answer_and_both_a_code(make_link, sms_outbox):
    _, token = make_link()
    factories.UserFactory(phone="+79990003344")

    known = ask_code(Client(), token, "8 999 000-33-44")
    new = ask_code(Client(), token, "8 999 000-11-22")

    assert known.status_code == new.status_code == 302
    assert known["Location"] == new["Location"]
    assert [m["phone"] for m in sms_outbox] == ["+79990003344", NEW_PHONE]


def test_known_person_lands_joined_straight_from_the_code(client, make_link, group, sms_outbox):
    person = factories.UserFactory(phone="+79990003344")
    _, token = make_link()

    response = newcomer_arrives(client, token, sms_outbox, phone=person.phone)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert Enrollment.objects.get(student__user=person).group == group


def test_known_person_on_an_approval_link_lands_with_the_request(client, make_link, sms_outbox):
    person = factories.UserFactory(phone="+79990003344")
    _, token = make_link(requires_approval=True)

    response = newcomer_arrives(client, token, sms_outbox, phone=person.phone)

    assert response.status_code == 200
    assert "Заявка отправлена" in response.content.decode()
    assert JoinRequest.objects.get().user == person


def test_signed_in_person_opening_a_link_is_asked_before_joining(client_for, make_link):
    person = factories.UserFactory()
    _, token = make_link()

    response = client_for(person).get(accept_url(token))

    assert response.status_code == 200
    assert 'data-testid="invitation-join"' in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()


def test_name_is_required_before_joining(client, make_link, sms_outbox):
    _, token = make_link()
    newcomer_arrives(client, token, sms_outbox)

    response = give_name(client, token, last_name=" ", first_name="")

    assert response.status_code == 400
    assert "Обязательное поле" in response.content.decode() or "Укажите" in response.content.decode()
    assert not Membership.objects.filter(user__phone=NEW_PHONE).exists()


def test_personal_link_prefills_the_name_for_its_addressee(client, make_link, sms_outbox):
    _, token = make_link(
        kind=Invitation.Kind.PERSONAL, recipient_phone=NEW_PHONE, recipient_name="Кузнецов Пётр Алексеевич"
    )

    page = newcomer_arrives(client, token, sms_outbox).content.decode()

    assert 'value="Кузнецов"' in page
    assert 'value="Пётр"' in page
    assert 'value="Алексеевич"' in page


def test_personal_link_does_not_show_its_name_to_another_phone(client, make_link, sms_outbox):
    factories.UserFactory(phone=NEW_PHONE, last_name="", first_name="")
    _, token = make_link(
        kind=Invitation.Kind.PERSONAL, recipient_phone="+79990009999", recipient_name="Кузнецов Пётр Алексеевич"
    )

    page = newcomer_arrives(client, token, sms_outbox).content.decode()

    # Not the bare surname: the inviting administrator may be a «Кузнецова» (factory names cycle).
    assert 'value="Кузнецов"' not in page
    assert "Пётр Алексеевич" not in page and "Кузнецов П." not in page


def test_revoked_link_sends_no_code_and_makes_no_account(client, make_link, administrator, sms_outbox):
    invitation, token = make_link()
    invitation_revoke(actor=administrator, invitation=invitation)

    response = ask_code(client, token, NEW_PHONE)

    assert response.status_code == 409
    assert "отозвана" in response.content.decode()
    assert sms_outbox == []
    assert not User.objects.filter(phone=NEW_PHONE).exists()


def test_wrong_phone_gets_a_russian_message_and_no_code(client, make_link, sms_outbox):
    _, token = make_link()

    response = ask_code(client, token, "12345")

    assert response.status_code == 400
    assert "Неверный номер телефона" in response.content.decode()
    assert sms_outbox == []


def test_page_for_anyone_offers_the_phone_form_and_promises_the_account(client, make_link):
    _, token = make_link()

    text = client.get(accept_url(token)).content.decode()

    assert 'name="phone"' in text
    assert "учётная запись создастся сама" in text


def test_a_class_behind_one_school_address_all_get_codes_on_the_link(make_link, settings, sms_outbox):
    settings.ACCOUNT_RATE_LIMITS = dict(settings.ACCOUNT_RATE_LIMITS_PRODUCTION)
    _, token = make_link()
    phones = [f"+799900011{n:02d}" for n in range(30)]

    answers = []
    for phone in phones:
        client = Client()
        client.get(accept_url(token))
        answers.append(ask_code(client, token, phone).status_code)

    assert answers == [302] * 30
    assert sorted(m["phone"] for m in sms_outbox) == phones


def test_fourth_code_on_the_link_for_one_phone_says_how_long_to_wait(client, make_link, settings, sms_outbox):
    settings.ACCOUNT_RATE_LIMITS = dict(settings.ACCOUNT_RATE_LIMITS_PRODUCTION)
    _, token = make_link()
    for _ in range(3):
        ask_code(Client(), token, NEW_PHONE)

    response = ask_code(client, token, NEW_PHONE)

    assert response.status_code == 429
    assert "Слишком много запросов кода, попробуйте через 5 мин." in response.content.decode()
    assert len(sms_outbox) == 3


def test_home_tells_a_person_waiting_for_approval_the_request_waits(client, make_link, college, group, sms_outbox):
    _, token = make_link(requires_approval=True)
    newcomer_arrives(client, token, sms_outbox)
    give_name(client, token)

    text = client.get(reverse("home")).content.decode()

    assert f"Ваша заявка на вступление в «{college.short_name}» (обучающийся, {group.name})" in text
    assert "ждёт решения администратора" in text
    assert "откройте ссылку-приглашение" not in text


def test_link_opened_again_while_waiting_says_the_request_waits(client, make_link, sms_outbox):
    _, token = make_link(requires_approval=True)
    newcomer_arrives(client, token, sms_outbox)
    give_name(client, token)

    text = client.get(accept_url(token)).content.decode()

    assert "ждёт решения администратора" in text
    assert 'data-testid="invitation-join"' not in text


def test_personal_link_sends_no_code_to_another_new_phone_and_makes_no_account(make_link, sms_outbox):
    _, token = make_link(kind=Invitation.Kind.PERSONAL, recipient_phone="+79990009999")

    response = ask_code(Client(), token, NEW_PHONE)
    addressee = ask_code(Client(), token, "+79990009999")

    assert response.status_code == addressee.status_code == 302
    assert response["Location"] == addressee["Location"]
    assert [m["phone"] for m in sms_outbox] == ["+79990009999"]
    assert not User.objects.filter(phone=NEW_PHONE).exists()


def test_one_link_sends_a_bounded_number_of_codes(make_link, settings, sms_outbox):
    settings.INVITATION_CODE_LIMIT_PER_LINK = 2
    _, token = make_link()

    answers = [ask_code(Client(), token, f"+79990001{n:03d}").status_code for n in range(3)]

    assert answers == [302, 302, 429]
    assert len(sms_outbox) == 2
    assert User.objects.filter(phone__startswith="+79990001").count() == 2
