"""Bulk personal invitations: every recipient gets exactly one message, whatever is retried or re-run."""

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from colleges.models import Membership, Role
from groups.signals import enrollment_changed
from invitations.models import BulkDispatch, Invitation, JoinRequest
from invitations.services import (
    bulk_dispatch_create,
    bulk_dispatch_enqueue,
    invitation_accept,
    invitation_deliver,
)
from invitations.tasks import dispatch_send_batch
from notifications.models import Message
from tests import factories
from tests.invitations.flaky_backend import FlakySmsBackend

pytestmark = pytest.mark.django_db


def _dispatch(administrator, college, group, n=5):
    return bulk_dispatch_create(
        actor=administrator,
        college=college,
        role=Role.STUDENT,
        group=group,
        expires_at=timezone.now() + datetime.timedelta(days=3),
        recipients=[{"name": f"Обучающийся {i}", "phone": f"+7912100{i:04d}"} for i in range(n)],
    )


def _ids(dispatch):
    return list(Invitation.objects.filter(dispatch=dispatch).order_by("pk").values_list("pk", flat=True))


def test_rerun_batch_sends_nothing_twice(administrator, college, group, sms_outbox):
    dispatch = _dispatch(administrator, college, group)

    dispatch_send_batch.apply(args=[dispatch.pk, _ids(dispatch)])
    dispatch_send_batch.apply(args=[dispatch.pk, _ids(dispatch)])
    bulk_dispatch_enqueue(dispatch=dispatch)

    assert len(sms_outbox) == 5
    assert set(Counter(m["phone"] for m in sms_outbox).values()) == {1}


def test_worker_dying_after_send_before_status_update_does_not_resend(administrator, college, group, sms_outbox):
    """Simulates SIGKILL between the gateway call and the status update: the task is redelivered."""
    dispatch = _dispatch(administrator, college, group)
    first_two = Invitation.objects.filter(dispatch=dispatch).order_by("pk")[:2]
    for invitation in first_two:
        invitation_deliver(invitation=invitation)  # sent, but the batch never recorded it
    Message.objects.filter(recipient__in=[i.recipient_phone for i in first_two]).update(status=Message.Status.SENDING)

    dispatch_send_batch.apply(args=[dispatch.pk, _ids(dispatch)])

    assert sorted(Counter(m["phone"] for m in sms_outbox).values()) == [1] * 5
    assert Invitation.objects.filter(dispatch=dispatch, delivery_status="sent").count() == 3
    # Whether the interrupted two went out is not known to the platform: flagged, not resent.
    assert Invitation.objects.filter(dispatch=dispatch, delivery_status="unknown").count() == 2


def test_gateway_failures_are_retried_until_each_recipient_has_one_message(
    administrator, college, group, settings, sms_outbox
):
    settings.SMS_BACKEND = "tests.invitations.flaky_backend.FlakySmsBackend"
    FlakySmsBackend.failures_left = {}
    FlakySmsBackend.fail_times = 2
    dispatch = _dispatch(administrator, college, group)

    dispatch_send_batch.apply(args=[dispatch.pk, _ids(dispatch)])

    assert sorted(Counter(m["phone"] for m in sms_outbox).values()) == [1] * 5
    assert Invitation.objects.filter(dispatch=dispatch, delivery_status="sent").count() == 5
    assert BulkDispatch.objects.get(pk=dispatch.pk).status == BulkDispatch.Status.DONE


def test_sms_text_holds_the_link_but_the_stored_message_does_not(administrator, college, group, sms_outbox):
    dispatch = _dispatch(administrator, college, group, n=1)

    dispatch_send_batch.apply(args=[dispatch.pk, _ids(dispatch)])

    assert "/i/" in sms_outbox[0]["text"]
    stored = Message.objects.get()
    assert "/i/" not in stored.body.replace("***", "")
    token_part = sms_outbox[0]["text"].split("/i/")[1].split("/")[0]
    assert token_part not in stored.body


def test_accepted_personal_invitation_shows_accepted(administrator, college, group):
    dispatch = _dispatch(administrator, college, group, n=1)
    invitation = Invitation.objects.get(dispatch=dispatch)
    person = factories.UserFactory(phone=invitation.recipient_phone)

    invitation_accept(invitation=invitation, user=person)

    invitation.refresh_from_db()
    assert invitation.delivery_status == Invitation.Delivery.ACCEPTED


@pytest.mark.parametrize("kind", ["expel", "graduate"])
def test_student_leaving_closes_open_requests_and_personal_invitations(make_link, administrator, college, group, kind):
    person = factories.UserFactory()
    member = factories.MembershipFactory(user=person, college=college, role=Role.STUDENT)
    factories.EnrollmentFactory(student=member, group=factories.StudyGroupFactory(college=college))
    link, _ = make_link()
    request = invitation_accept(invitation=link, user=person).join_request
    personal, _ = make_link(kind=Invitation.Kind.PERSONAL, recipient_phone=person.phone)

    enrollment_changed.send(
        sender=Membership,
        college_id=college.pk,
        student_id=member.pk,
        old_group_id=group.pk,
        new_group_id=None,
        kind=kind,
    )

    request.refresh_from_db()
    personal.refresh_from_db()
    assert request.status == JoinRequest.Status.CLOSED
    assert personal.status == Invitation.Status.REVOKED
    assert link.__class__.objects.get(pk=link.pk).status == Invitation.Status.ACTIVE


def test_transfer_does_not_close_requests(make_link, college, group):
    person = factories.UserFactory()
    member = factories.MembershipFactory(user=person, college=college, role=Role.STUDENT)
    factories.EnrollmentFactory(student=member, group=factories.StudyGroupFactory(college=college))
    link, _ = make_link()
    request = invitation_accept(invitation=link, user=person).join_request

    enrollment_changed.send(
        sender=Membership, college_id=college.pk, student_id=member.pk, old_group_id=1, new_group_id=2, kind="transfer"
    )

    request.refresh_from_db()
    assert request.status == JoinRequest.Status.PENDING
