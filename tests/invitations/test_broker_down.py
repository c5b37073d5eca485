"""Work queued after commit survives a broker that is down: the request that committed answers, the
row stays «в очереди», and the beat sweep queues it again once the broker is back (issue #14)."""

import datetime
from collections import Counter

import pytest
from celery.app.task import Task
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from invitations.models import BulkDispatch, Invitation
from invitations.tasks import bulk_dispatch_requeue_stuck
from tests.invitations.test_dispatch import _dispatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refuse)
    return monkeypatch


def test_a_dispatch_committed_with_the_broker_down_is_sent_by_the_sweep(
    broker_down, administrator, college, group, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dispatch = _dispatch(administrator, college, group)

    dispatch.refresh_from_db()
    assert Invitation.objects.filter(dispatch=dispatch, delivery_status="queued").count() == 5
    assert sms_outbox == []

    broker_down.undo()
    BulkDispatch.objects.filter(pk=dispatch.pk).update(queued_at=timezone.now() - datetime.timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert bulk_dispatch_requeue_stuck() == 1

    dispatch.refresh_from_db()
    assert dispatch.status == BulkDispatch.Status.DONE
    assert sorted(Counter(m["phone"] for m in sms_outbox).values()) == [1] * 5


def test_sending_a_link_with_the_broker_down_answers_the_page(
    broker_down, client_for, make_link, curator, sms_outbox, django_capture_on_commit_callbacks
):
    invitation, _ = make_link()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(curator).post(
            reverse("invitations:send", kwargs={"pk": invitation.pk}), {"phone": "8 912 345-67-89"}
        )

    assert response.status_code == 302
    assert sms_outbox == []
