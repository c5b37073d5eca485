import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from colleges.models import Role
from groups.models import Enrollment
from invitations.messages import PARENT_LINK_IN_STUDENT_SESSION_MESSAGE
from invitations.models import BulkDispatch, Invitation, JoinRequest
from invitations.services import (
    invitation_accept,
    invitation_revoke,
    join_request_approve,
    join_request_reject,
)
from notifications.services import render_message
from tests import factories

pytestmark = pytest.mark.django_db


def accept_url(token):
    return reverse("invitations:accept", kwargs={"token": token})


def test_acceptance_page_shows_college_role_and_group_to_anyone(client, make_link, college, group):
    _, token = make_link()

    response = client.get(accept_url(token))

    assert response.status_code == 200
    text = response.content.decode()
    assert college.short_name in text
    assert "обучающийся" in text
    assert group.name in text
    assert f"/accounts/login/?next=%2Fi%2F{token}%2F" in text
    assert response["Cache-Control"] == "no-store"


def test_forged_link_gets_russian_explanation(client):
    response = client.get(accept_url("a" * 32))

    assert response.status_code == 404
    assert "Такой ссылки-приглашения нет" in response.content.decode()


def test_revoked_link_page_says_whom_to_ask(client, make_link, administrator):
    invitation, token = make_link()
    invitation_revoke(actor=administrator, invitation=invitation)

    response = client.get(accept_url(token))

    text = response.content.decode()
    assert "отозвана" in text
    assert "администратору платформы колледжа" in text


def test_anonymous_join_without_a_phone_is_asked_for_it(client, make_link, sms_outbox):
    _, token = make_link()

    response = client.post(accept_url(token))

    assert response.status_code == 400
    assert "Обязательное поле" in response.content.decode()
    assert sms_outbox == []


def test_phone_on_the_link_page_leads_to_the_code_page_and_back(client, make_link, sms_outbox):
    _, token = make_link()

    response = client.post(accept_url(token), {"phone": "+7 999 000-11-22"})

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/code/confirm/?next=%2Fi%2F{token}%2F"


def test_signed_in_person_joins_group_and_lands_home(client_for, make_link, group):
    _, token = make_link()
    person = factories.UserFactory()

    response = client_for(person).post(accept_url(token))

    assert response.status_code == 302
    assert Enrollment.objects.get(student__user=person).group == group


def test_parent_link_in_student_session_is_caught(client_for, make_link, student):
    _, token = make_link(role=Role.PARENT)

    response = client_for(student).post(accept_url(token))

    assert response.status_code == 409
    assert PARENT_LINK_IN_STUDENT_SESSION_MESSAGE in response.content.decode()


def test_opening_links_is_rate_limited_per_ip(client, make_link, settings):
    settings.INVITATION_OPEN_LIMIT_PER_IP = 3
    _, token = make_link()

    answers = [client.get(accept_url(token)).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]


def test_accepting_is_rate_limited_per_user(client_for, make_link, settings):
    settings.INVITATION_ACCEPT_LIMIT_PER_USER = 2
    _, token = make_link(requires_approval=True)
    client = client_for(factories.UserFactory())

    answers = [client.post(accept_url(token)).status_code for _ in range(3)]

    assert answers[-1] == 429


def test_burst_of_joins_pauses_link_and_tells_administrator(
    make_link, administrator, settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.INVITATION_BURST_LIMIT = 2
    invitation, _ = make_link()

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            invitation_accept(invitation=Invitation.objects.get(pk=invitation.pk), user=factories.UserFactory())

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PAUSED
    assert invitation.uses_count == 3
    assert [m["phone"] for m in sms_outbox] == [administrator.phone]
    assert "приостановлена" in sms_outbox[0]["text"]


@pytest.mark.parametrize(
    ("count", "joins"), [(3, "3 присоединения"), (21, "21 присоединение"), (25, "25 присоединений")]
)
def test_burst_message_counts_joins_in_russian(count, joins):
    _, text = render_message(
        channel="sms", template="invitation_burst_paused", context={"invitation": "ИС-21", "count": count, "minutes": 1}
    )

    assert f"приостановлена: {joins} за 1 мин." in text


def test_qr_code_downloads_as_png_and_svg(client_for, make_link, administrator):
    invitation, _ = make_link()
    client = client_for(administrator)

    png = client.get(reverse("invitations:qr", kwargs={"pk": invitation.pk, "fmt": "png"}))
    svg = client.get(reverse("invitations:qr", kwargs={"pk": invitation.pk, "fmt": "svg"}))

    assert png["Content-Type"] == "image/png" and png.content[:4] == b"\x89PNG"
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content


def test_print_sheet_shows_group_links_with_qr(client_for, make_link, administrator, group):
    _, token = make_link()

    response = client_for(administrator).get(reverse("invitations:group_print", kwargs={"group_pk": group.pk}))

    assert token in response.content.decode()
    assert "<svg" in response.content.decode()


def test_administrator_hands_group_links_to_curator_who_sees_them(client, make_link, administrator, curator, group):
    _, token = make_link()
    client.force_login(administrator)
    client.post(reverse("invitations:hand_to_curator", kwargs={"group_pk": group.pk}))
    client.force_login(curator)

    response = client.get(reverse("invitations:list"))

    assert token in response.content.decode()
    assert Invitation.objects.get().handed_to.user == curator


def test_revoking_curators_link_lists_everyone_who_joined(client_for, curator, college, group, administrator):
    from invitations.services import invitation_create

    invitation, _ = invitation_create(
        actor=curator,
        college=college,
        role=Role.STUDENT,
        group=group,
        max_uses=10,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    joined = [factories.UserFactory(last_name=f"Присоединившийся{i}") for i in range(3)]
    for person in joined:
        invitation_accept(invitation=invitation, user=person)
    client = client_for(administrator)
    client.post(reverse("invitations:revoke", kwargs={"pk": invitation.pk}))

    response = client.get(reverse("invitations:detail", kwargs={"pk": invitation.pk}))

    text = response.content.decode()
    assert "отозвана" in text
    for person in joined:
        assert person.last_name in text


def test_curator_sends_link_by_sms(client_for, make_link, curator, sms_outbox, django_capture_on_commit_callbacks):
    invitation, token = make_link()

    with django_capture_on_commit_callbacks(execute=True):
        client_for(curator).post(
            reverse("invitations:send", kwargs={"pk": invitation.pk}), {"phone": "8 912 345-67-89"}
        )

    assert sms_outbox[0]["phone"] == "+79123456789"
    assert token in sms_outbox[0]["text"]


def test_bulk_approval_from_queue(client_for, make_link, administrator, group):
    invitation, _ = make_link(requires_approval=True)
    requests = [invitation_accept(invitation=invitation, user=factories.UserFactory()).join_request for _ in range(3)]

    client_for(administrator).post(
        reverse("invitations:request_decide"), {"ids": [r.pk for r in requests], "action": "approve"}
    )

    assert JoinRequest.objects.filter(status=JoinRequest.Status.APPROVED).count() == 3
    assert Enrollment.objects.filter(group=group).count() == 3


def test_bulk_rejection_without_reason_is_refused(client_for, make_link, administrator):
    invitation, _ = make_link(requires_approval=True)
    request = invitation_accept(invitation=invitation, user=factories.UserFactory()).join_request

    response = client_for(administrator).post(
        reverse("invitations:request_decide"), {"ids": [request.pk], "action": "reject"}, follow=True
    )

    assert "Укажите причину отказа" in response.content.decode()
    request.refresh_from_db()
    assert request.status == JoinRequest.Status.PENDING


@pytest.mark.parametrize("size", [3, 30])
def test_invitation_list_query_count_is_fixed(
    client_for, administrator, college, make_link, size, django_assert_num_queries
):
    for _ in range(size):
        make_link(group=factories.StudyGroupFactory(college=college))
    client = client_for(administrator)
    client.get(reverse("invitations:list"))

    with django_assert_num_queries(6):
        response = client.get(reverse("invitations:list"))

    assert len(response.context["page_obj"].object_list) == min(size, 25)


@pytest.mark.parametrize("size", [3, 30])
def test_join_request_queue_query_count_is_fixed(client_for, administrator, make_link, size, django_assert_num_queries):
    invitation, _ = make_link(requires_approval=True, max_uses=100)
    for _ in range(size):
        invitation_accept(invitation=invitation, user=factories.UserFactory())
    client = client_for(administrator)
    client.get(reverse("invitations:request_list"))

    with django_assert_num_queries(6):
        response = client.get(reverse("invitations:request_list"))

    assert len(response.context["page_obj"].object_list) == size


@pytest.mark.parametrize("size", [3, 30])
def test_link_detail_people_query_count_is_fixed(client_for, administrator, make_link, size, django_assert_num_queries):
    invitation, _ = make_link(max_uses=100)
    for _ in range(size):
        invitation_accept(invitation=invitation, user=factories.UserFactory())
    client = client_for(administrator)
    url = reverse("invitations:detail", kwargs={"pk": invitation.pk})
    client.get(url)

    with django_assert_num_queries(7):
        client.get(url)


# --- Bulk personal invitations ------------------------------------------------


def _preview(client, group, **data):
    return client.post(
        reverse("invitations:dispatch_create"),
        {"role": Role.STUDENT, "group": group.pk, "days": 7, **data},
    )


def test_preview_reports_duplicates_and_invalid_numbers(client_for, administrator, group):
    text = (
        "ФИО;Телефон\nИванов Иван;8 912 345-67-89\nПетрова Мария;+7 912 345 67 89\n"
        "Сидоров;12345\nКузнецова;anna@example.org"
    )

    response = _preview(client_for(administrator), group, text=text)

    assert response.context["good"] == 2
    assert response.context["bad"] == 2
    body = response.content.decode()
    assert "Повтор строки" in body
    assert "Неверный номер телефона" in body


def test_cp1251_csv_with_semicolons_is_read(client_for, administrator, group):
    data = "Фамилия Имя;Телефон\r\nЁлкина Анна;89123456789\r\n".encode("cp1251")
    upload = io.BytesIO(data)
    upload.name = "spisok.csv"

    response = _preview(client_for(administrator), group, file=upload)

    rows = response.context["rows"]
    assert [(r.name, r.phone) for r in rows] == [("Ёлкина Анна", "+79123456789")]


def test_xlsx_list_is_read(client_for, administrator, group):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["ФИО", "Телефон"])
    workbook.active.append(["Иванов Иван", "8 (912) 000-11-22"])
    workbook.active.append(["Петров Пётр", "petrov@example.org"])
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = "spisok.xlsx"

    response = _preview(client_for(administrator), group, file=upload)

    assert [r.phone or r.email for r in response.context["rows"]] == ["+79120001122", "petrov@example.org"]


def test_confirmed_dispatch_sends_each_recipient_one_sms_with_progress(
    client_for, administrator, group, sms_outbox, django_capture_on_commit_callbacks
):
    client = client_for(administrator)
    _preview(client, group, text="Иванов;89120000001\nПетров;89120000002\nСидоров;89120000003")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invitations:dispatch_create"), {"confirm": "1"})

    dispatch = BulkDispatch.objects.get()
    assert response["Location"] == reverse("invitations:dispatch_detail", kwargs={"pk": dispatch.pk})
    assert sorted(m["phone"] for m in sms_outbox) == ["+79120000001", "+79120000002", "+79120000003"]
    assert "/i/" in sms_outbox[0]["text"]
    progress = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert "Отправлено 3" in progress.content.decode()
    assert Invitation.objects.filter(dispatch=dispatch, delivery_status="sent").count() == 3
    dispatch.refresh_from_db()
    assert dispatch.status == BulkDispatch.Status.DONE


@pytest.mark.parametrize("size", [3, 30])
def test_dispatch_page_query_count_is_fixed(client_for, administrator, college, group, size, django_assert_num_queries):
    from invitations.services import bulk_dispatch_create

    dispatch = bulk_dispatch_create(
        actor=administrator,
        college=college,
        role=Role.STUDENT,
        group=group,
        expires_at=timezone.now() + datetime.timedelta(days=3),
        recipients=[{"name": f"Человек {i}", "phone": f"+7912000{i:04d}"} for i in range(size)],
    )
    client = client_for(administrator)
    url = reverse("invitations:dispatch_detail", kwargs={"pk": dispatch.pk})
    client.get(url)

    with django_assert_num_queries(7):
        client.get(url)


def test_provenance_shows_who_joined_through_whose_link_by_group(client_for, administrator, curator, college, group):
    from invitations.services import invitation_create

    other_group = factories.StudyGroupFactory(college=college)
    expires = timezone.now() + datetime.timedelta(days=1)
    curators_link, _ = invitation_create(
        actor=curator, college=college, role=Role.STUDENT, group=group, max_uses=5, expires_at=expires
    )
    admins_link, _ = invitation_create(
        actor=administrator, college=college, role=Role.STUDENT, group=other_group, max_uses=5, expires_at=expires
    )
    mine = factories.UserFactory(last_name="Кураторская")
    theirs = factories.UserFactory(last_name="Админская")
    invitation_accept(invitation=curators_link, user=mine)
    invitation_accept(invitation=admins_link, user=theirs)

    by_group = client_for(administrator).get(reverse("invitations:provenance"), {"group": group.pk}).content.decode()
    curator_view = client_for(curator).get(reverse("invitations:provenance")).content.decode()

    assert "Кураторская" in by_group and "Админская" not in by_group
    assert curator.short_name in by_group
    assert "Кураторская" in curator_view and "Админская" not in curator_view


@pytest.mark.parametrize("size", [3, 30])
def test_provenance_query_count_is_fixed(client_for, administrator, make_link, size, django_assert_num_queries):
    invitation, _ = make_link(max_uses=100)
    for _ in range(size):
        invitation_accept(invitation=invitation, user=factories.UserFactory())
    client = client_for(administrator)
    client.get(reverse("invitations:provenance"))

    with django_assert_num_queries(6):
        response = client.get(reverse("invitations:provenance"))

    assert len(response.context["page_obj"].object_list) == size


# --- Roles a link may give; the bulk form and its preview -------------------------


def test_link_form_does_not_offer_the_administrator_role(client_for, administrator):
    response = client_for(administrator).get(reverse("invitations:create"))

    offered = [value for value, _ in response.context["form"].fields["role"].choices]
    assert offered == [Role.ADMINISTRATION, Role.TEACHER, Role.STUDENT, Role.PARENT]
    assert "администратор платформы" not in response.content.decode()


def test_bulk_form_has_no_default_role_and_does_not_offer_the_administrator(client_for, administrator):
    response = client_for(administrator).get(reverse("invitations:dispatch_create"))

    field = response.context["form"]["role"]
    assert field.value() is None
    assert [value for value, _ in field.field.choices] == ["", "administration", "teacher", "student", "parent"]


def test_bulk_list_without_a_chosen_role_is_sent_back(client_for, administrator):
    response = client_for(administrator).post(
        reverse("invitations:dispatch_create"), {"days": 7, "text": "Иванов Иван;89120000001"}
    )

    assert response.status_code == 400
    assert "Выберите роль." in response.content.decode()
    assert not BulkDispatch.objects.exists()


def test_bulk_list_for_the_administrator_role_is_sent_back(client_for, administrator):
    client = client_for(administrator)

    response = client.post(
        reverse("invitations:dispatch_create"),
        {"role": Role.ADMINISTRATOR, "days": 7, "text": "Иванов Иван;89120000001"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["role"]
    assert "invitations_bulk_preview" not in client.session


def test_preview_shows_role_and_group(client_for, administrator, group):
    response = _preview(client_for(administrator), group, text="Иванов Иван;89120000001")

    body = response.content.decode()
    assert '<dd data-testid="preview-role">обучающийся</dd>' in body
    assert f'<dd data-testid="preview-group">{group.name}</dd>' in body


def test_preview_of_a_staff_list_with_a_group_is_sent_back_before_the_preview(client_for, administrator, group):
    response = _preview(client_for(administrator), group, role=Role.TEACHER, text="Иванов Иван;89120000001")

    assert response.status_code == 400
    assert "Группа указывается только для обучающихся и родителей." in response.content.decode()


@pytest.mark.parametrize(
    ("count", "button"),
    [
        (1, "Отправить 1 приглашение"),
        (4, "Отправить 4 приглашения"),
        (5, "Отправить 5 приглашений"),
        (21, "Отправить 21 приглашение"),
    ],
)
def test_preview_button_counts_invitations_in_russian(client_for, administrator, group, count, button):
    text = "\n".join(f"Человек {i};8912000{i:04d}" for i in range(count))

    response = _preview(client_for(administrator), group, text=text)

    assert f'data-testid="dispatch-confirm">{button}</button>' in response.content.decode()


# --- Counts of a link's uses ----------------------------------------------------------


def test_link_detail_counts_uses_in_russian_after_decisions(client_for, make_link, administrator):
    invitation, _ = make_link(requires_approval=True, max_uses=40)
    requests = [invitation_accept(invitation=invitation, user=factories.UserFactory()).join_request for _ in range(5)]
    join_request_approve(actor=administrator, join_request=requests[0])
    join_request_reject(actor=administrator, join_request=requests[1], reason="Не наш студент")

    response = client_for(administrator).get(reverse("invitations:detail", kwargs={"pk": invitation.pk}))

    body = response.content.decode()
    assert "1 человек присоединился, 3 заявки ждут решения, 1 заявка отклонена." in body
    assert "joined:" not in body and "requested:" not in body
    places = body.split('data-testid="invitation-places">')[1].split("</dd>")[0]
    assert places.startswith("1 из 40")
    assert "и 3 заявки ждут решения" in places


def test_rejected_request_does_not_count_as_joined_in_the_link_list(client_for, make_link, administrator):
    invitation, _ = make_link(requires_approval=True, max_uses=40)
    approved, rejected = (
        invitation_accept(invitation=invitation, user=factories.UserFactory()).join_request for _ in range(2)
    )
    join_request_approve(actor=administrator, join_request=approved)
    join_request_reject(actor=administrator, join_request=rejected, reason="Не наш студент")

    response = client_for(administrator).get(reverse("invitations:list"))

    row = response.content.decode().split('data-testid="invitation-row"')[1]
    assert "1 из 40" in row
    assert "2 из 40" not in row


def test_recent_dispatches_count_recipients_in_russian(client_for, administrator, group):
    client = client_for(administrator)
    _preview(client, group, text="Иванов;89120000001\nПетров;89120000002")
    client.post(reverse("invitations:dispatch_create"), {"confirm": "1"})

    response = client.get(reverse("invitations:list"))

    assert "— 2 получателя," in response.content.decode()


def test_link_page_limits_count_each_client_behind_a_trusted_proxy(make_link, settings):
    settings.INVITATION_OPEN_LIMIT_PER_IP = 2
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    _, token = make_link()

    answers = [Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{n // 2}").get(accept_url(token)).status_code for n in range(4)]
    third = Client(HTTP_X_FORWARDED_FOR="198.51.100.0").get(accept_url(token)).status_code

    assert answers == [200, 200, 200, 200]
    assert third == 429
