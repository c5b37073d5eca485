"""Every table an invitation flow writes is written by its owning app's code (tests/write_owners.py):
memberships by colleges, enrollments and a parent's groups by groups, users by accounts, messages by
notifications, audit events by audit — invitations only its own."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from colleges.models import Membership, Role
from groups.models import Enrollment, GroupParent
from invitations.models import BulkDispatch, Invitation, JoinRequest
from invitations.services import bulk_dispatch_create, invitation_accept, join_request_approve
from notifications.models import Message
from tests import factories
from tests.invitations.test_newcomer import NEW_PHONE, give_name, newcomer_arrives
from tests.write_owners import writes_owned

pytestmark = pytest.mark.django_db


def _tables(writes) -> set[str]:
    return {table for _, _, table in writes}


def test_a_never_seen_phone_joins_by_a_student_link(make_link, group, sms_outbox):
    _, token = make_link()
    client = Client()

    with writes_owned() as writes:
        newcomer_arrives(client, token, sms_outbox)
        response = give_name(client, token)

    assert response.status_code == 302
    assert Enrollment.objects.get(student__user__phone=NEW_PHONE, ended_at__isnull=True).group == group
    assert {"accounts_user", "colleges_membership", "groups_enrollment", "invitations_invitationuse"} <= _tables(writes)


def test_a_parent_joins_by_a_group_parent_link(make_link, group):
    link, _ = make_link(role=Role.PARENT)
    person = factories.UserFactory()

    with writes_owned() as writes:
        result = invitation_accept(invitation=link, user=person)

    assert result.joined
    assert GroupParent.objects.filter(parent__user=person, group=group).exists()
    assert {"colleges_membership", "groups_groupparent", "audit_auditevent"} <= _tables(writes)


def test_an_approval_link_and_its_approval(make_link, administrator, group):
    link, _ = make_link(requires_approval=True)
    person = factories.UserFactory()

    with writes_owned() as writes:
        request = invitation_accept(invitation=link, user=person).join_request
        join_request_approve(actor=administrator, join_request=request)

    assert JoinRequest.objects.get(pk=request.pk).status == JoinRequest.Status.APPROVED
    assert Membership.objects.filter(user=person, role=Role.STUDENT).exists()
    assert {"invitations_joinrequest", "colleges_membership", "groups_enrollment"} <= _tables(writes)


def test_a_bulk_dispatch_batch(administrator, college, group, django_capture_on_commit_callbacks):
    with writes_owned() as writes, django_capture_on_commit_callbacks(execute=True):
        dispatch = bulk_dispatch_create(
            actor=administrator,
            college=college,
            role=Role.STUDENT,
            group=group,
            expires_at=timezone.now() + datetime.timedelta(days=3),
            recipients=[{"name": f"Обучающийся {i}", "phone": f"+7912200{i:04d}"} for i in range(3)]
            + [{"name": "По почте", "email": "student@example.org"}],
        )

    assert BulkDispatch.objects.get(pk=dispatch.pk).status == BulkDispatch.Status.DONE
    assert set(Invitation.objects.filter(dispatch=dispatch).values_list("delivery_status", flat=True)) == {"sent"}
    assert Message.objects.count() == 4
    assert {"invitations_invitation", "invitations_bulkdispatch", "notifications_message"} <= _tables(writes)
