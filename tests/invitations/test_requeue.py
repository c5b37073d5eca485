"""A bulk dispatch left «в очереди» by a lost worker is queued again, by the beat or by «Повторить», once."""

import datetime
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from invitations.messages import DISPATCH_NOT_STUCK_MESSAGE
from invitations.models import BulkDispatch, Invitation
from invitations.services import bulk_dispatch_requeue
from invitations.tasks import bulk_dispatch_requeue_stuck
from tests.invitations.test_dispatch import _dispatch

pytestmark = pytest.mark.django_db


def _lost(administrator, college, group, *, minutes_ago=20):
    """A dispatch whose batches never reached a worker: created, its on-commit queueing not run."""
    dispatch = _dispatch(administrator, college, group)
    BulkDispatch.objects.filter(pk=dispatch.pk).update(
        queued_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    dispatch.refresh_from_db()
    return dispatch


def test_sweep_sends_a_dispatch_left_queued(
    administrator, college, group, sms_outbox, django_capture_on_commit_callbacks
):
    dispatch = _lost(administrator, college, group)

    with django_capture_on_commit_callbacks(execute=True):
        queued = bulk_dispatch_requeue_stuck.apply().get()

    dispatch.refresh_from_db()
    assert queued == 1
    assert dispatch.status == BulkDispatch.Status.DONE
    assert sorted(Counter(m["phone"] for m in sms_outbox).values()) == [1] * 5


def test_sweep_leaves_a_fresh_dispatch_alone(
    administrator, college, group, sms_outbox, django_capture_on_commit_callbacks
):
    dispatch = _lost(administrator, college, group, minutes_ago=5)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = bulk_dispatch_requeue_stuck()

    assert (queued, callbacks, sms_outbox) == (0, [], [])
    assert Invitation.objects.filter(dispatch=dispatch, delivery_status="queued").count() == 5


def test_sweep_run_twice_queues_once(administrator, college, group, django_capture_on_commit_callbacks):
    _lost(administrator, college, group)

    with django_capture_on_commit_callbacks() as callbacks:
        first, second = bulk_dispatch_requeue_stuck(), bulk_dispatch_requeue_stuck()

    assert (first, second, len(callbacks)) == (1, 0, 1)


def test_a_finished_dispatch_is_not_requeued(administrator, college, group, django_capture_on_commit_callbacks):
    dispatch = _lost(administrator, college, group)
    Invitation.objects.filter(dispatch=dispatch).update(delivery_status="sent")

    with pytest.raises(ValidationError) as exc:
        bulk_dispatch_requeue(actor=administrator, dispatch=dispatch)

    assert exc.value.messages == [DISPATCH_NOT_STUCK_MESSAGE]


def test_administrator_requeues_a_stuck_dispatch(
    administrator, college, group, sms_outbox, django_capture_on_commit_callbacks
):
    dispatch = _lost(administrator, college, group)

    with django_capture_on_commit_callbacks(execute=True):
        bulk_dispatch_requeue(actor=administrator, dispatch=dispatch)

    assert len(sms_outbox) == 5


def test_teacher_cannot_requeue_a_dispatch(administrator, college, group, teacher):
    dispatch = _lost(administrator, college, group)

    with pytest.raises(PermissionDenied):
        bulk_dispatch_requeue(actor=teacher, dispatch=dispatch)


def test_a_redelivered_link_sms_goes_out_once(make_link, sms_outbox):
    from invitations.tasks import send_link

    invitation, _token = make_link()

    for _delivery in range(2):
        send_link.apply(kwargs={"invitation_id": invitation.pk, "phone": "+79129998877"}, task_id="same-message")

    assert [m["phone"] for m in sms_outbox] == ["+79129998877"]


def test_stuck_dispatch_page_offers_retry_and_the_button_sends(
    administrator, college, group, client_for, sms_outbox, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    dispatch = _lost(administrator, college, group)
    client = client_for(administrator)
    page = client.get(reverse("invitations:dispatch_detail", kwargs={"pk": dispatch.pk})).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invitations:dispatch_requeue", kwargs={"pk": dispatch.pk}))

    assert 'id="requeue-dispatch"' in page and 'data-confirm="' in page
    assert response.status_code == 302
    assert len(sms_outbox) == 5


def test_fresh_dispatch_page_has_no_retry_button(administrator, college, group, client_for):
    from django.urls import reverse

    dispatch = _lost(administrator, college, group, minutes_ago=1)

    page = client_for(administrator).get(reverse("invitations:dispatch_detail", kwargs={"pk": dispatch.pk}))

    assert 'id="requeue-dispatch"' not in page.content.decode()


def test_teacher_is_refused_the_dispatch_retry_button(administrator, college, group, teacher, client_for, sms_outbox):
    from django.urls import reverse

    dispatch = _lost(administrator, college, group)

    response = client_for(teacher).post(reverse("invitations:dispatch_requeue", kwargs={"pk": dispatch.pk}))

    assert response.status_code == 403
    assert sms_outbox == []
