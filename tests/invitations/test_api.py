import pytest
from django.urls import reverse

from colleges.models import Role
from groups.models import Enrollment
from invitations.models import BulkDispatch, Invitation, JoinRequest
from invitations.services import invitation_accept
from tests import factories
from tests.college_api import api_url

pytestmark = pytest.mark.django_db


def test_create_link_returns_url_and_never_the_hash(college, client_for, administrator, group):
    response = client_for(administrator).post(
        api_url("api:invitation-list", college),
        {"role": Role.STUDENT, "group": group.pk, "max_uses": 25},
        content_type="application/json",
    )

    assert response.status_code == 201
    body = response.json()
    assert "/i/" in body["url"]
    assert "token_hash" not in body
    assert Invitation.objects.get().max_uses == 25


def test_student_link_without_group_is_400_with_field_error(college, client_for, administrator):
    response = client_for(administrator).post(
        api_url("api:invitation-list", college), {"role": Role.STUDENT}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "group" in response.json()


def test_revoke_through_api_stops_the_link(college, client_for, administrator, make_link):
    invitation, _ = make_link()

    response = client_for(administrator).post(api_url("api:invitation-revoke", college, pk=invitation.pk))

    assert response.json()["status"] == "revoked"


def test_uses_list_shows_who_joined(college, client_for, administrator, make_link):
    invitation, _ = make_link()
    person = factories.UserFactory()
    invitation_accept(invitation=invitation, user=person)

    response = client_for(administrator).get(api_url("api:invitation-uses", college, pk=invitation.pk))

    assert [row["user"] for row in response.json()["results"]] == [person.pk]


def test_approve_and_reject_through_api(college, client_for, administrator, make_link, group):
    invitation, _ = make_link(requires_approval=True)
    first, second = (invitation_accept(invitation=invitation, user=factories.UserFactory()).join_request for _ in "ab")
    client = client_for(administrator)

    approved = client.post(api_url("api:join-request-approve", college, pk=first.pk))
    no_reason = client.post(api_url("api:join-request-reject", college, pk=second.pk), {})
    rejected = client.post(api_url("api:join-request-reject", college, pk=second.pk), {"reason": "Дубликат"})

    assert approved.json()["status"] == "approved"
    assert Enrollment.objects.filter(student__user=first.user, group=group).exists()
    assert no_reason.status_code == 400
    assert rejected.json()["status"] == "rejected"


def test_bulk_dispatch_through_api_reports_skipped(
    college, client_for, administrator, group, sms_outbox, django_capture_on_commit_callbacks
):
    payload = {
        "role": Role.STUDENT,
        "group": group.pk,
        "recipients": [
            {"name": "Иванов", "contact": "89120000001"},
            {"name": "Иванов снова", "contact": "+7 912 000-00-01"},
            {"name": "Никто", "contact": "123456"},
        ],
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(administrator).post(
            api_url("api:invitation-dispatch-list", college), payload, content_type="application/json"
        )

    assert response.status_code == 201
    assert len(response.json()["skipped"]) == 2
    dispatch = BulkDispatch.objects.get()
    detail = client_for(administrator).get(api_url("api:invitation-dispatch-detail", college, pk=dispatch.pk))
    assert detail.json()["progress"]["sent"] == 1
    assert len(sms_outbox) == 1


@pytest.mark.parametrize("size", [3, 30])
def test_link_list_endpoint_query_count_is_fixed(
    client_for, administrator, college, make_link, size, django_assert_num_queries
):
    for _ in range(size):
        make_link(group=factories.StudyGroupFactory(college=college))
    client = client_for(administrator)
    client.get(api_url("api:invitation-list", college))

    with django_assert_num_queries(5):
        response = client.get(api_url("api:invitation-list", college))

    assert response.json()["count"] == size


@pytest.mark.parametrize("size", [3, 30])
def test_join_request_list_endpoint_query_count_is_fixed(
    college, client_for, administrator, make_link, size, django_assert_num_queries
):
    invitation, _ = make_link(requires_approval=True, max_uses=100)
    for _ in range(size):
        invitation_accept(invitation=invitation, user=factories.UserFactory())
    client = client_for(administrator)
    client.get(api_url("api:join-request-list", college))

    with django_assert_num_queries(5):
        response = client.get(api_url("api:join-request-list", college))

    assert response.json()["count"] == size
    assert JoinRequest.objects.count() == size


@pytest.mark.parametrize("size", [3, 30])
def test_uses_endpoint_query_count_is_fixed(
    college, client_for, administrator, make_link, size, django_assert_num_queries
):
    invitation, _ = make_link(max_uses=100)
    for _ in range(size):
        invitation_accept(invitation=invitation, user=factories.UserFactory())
    client = client_for(administrator)
    url = api_url("api:invitation-uses", college, pk=invitation.pk)
    client.get(url)

    with django_assert_num_queries(6):
        response = client.get(url)

    assert response.json()["count"] == size


@pytest.mark.parametrize("size", [3, 30])
def test_dispatch_list_endpoint_query_count_is_fixed(
    client_for, administrator, college, group, size, django_assert_num_queries
):
    import datetime

    from django.utils import timezone

    from invitations.services import bulk_dispatch_create

    for i in range(size):
        bulk_dispatch_create(
            actor=administrator,
            college=college,
            role=Role.STUDENT,
            group=group,
            expires_at=timezone.now() + datetime.timedelta(days=1),
            recipients=[{"name": "Х", "phone": f"+7912300{i:04d}"}],
        )
    client = client_for(administrator)
    client.get(api_url("api:invitation-dispatch-list", college))

    with django_assert_num_queries(5):
        response = client.get(api_url("api:invitation-dispatch-list", college))

    assert response.json()["count"] == size


@pytest.mark.parametrize(
    ("url_name", "payload"),
    [
        ("api:invitation-list", {"role": Role.ADMINISTRATOR}),
        (
            "api:invitation-dispatch-list",
            {"role": Role.ADMINISTRATOR, "recipients": [{"name": "Иванов", "contact": "89120000001"}]},
        ),
    ],
)
def test_api_does_not_invite_to_the_administrator_role(client_for, college, administrator, url_name, payload):
    response = client_for(administrator).post(api_url(url_name, college), payload, content_type="application/json")

    assert response.status_code == 400
    assert "Администратора платформы назначает директор" in response.json()["role"][0]
    assert not Invitation.objects.exists()


def test_api_schema_offers_only_roles_a_link_can_give(client_for, administrator):
    schema = client_for(administrator).get(reverse("api:schema"), {"format": "json"}).json()

    assert schema["components"]["schemas"]["InvitableRoleEnum"]["enum"] == [
        "administration",
        "teacher",
        "student",
        "parent",
    ]
