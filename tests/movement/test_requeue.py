"""A batch whose worker was lost is queued again, by the beat or by «Повторить», and applied once."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from movement import messages, services
from movement.models import ImportBatch, Movement
from movement.tasks import import_requeue_stuck
from tests.movement.test_import import LINES, roster, upload

pytestmark = pytest.mark.django_db


def _lost(admin, college, *, minutes_ago=20):
    """A batch handed to a worker that died: «применяется», its task never ran."""
    batch = upload(admin, college, roster(LINES))
    services.import_apply_start(actor=admin, batch=batch)  # the on-commit queueing is not run here
    ImportBatch.objects.filter(pk=batch.pk).update(queued_at=timezone.now() - datetime.timedelta(minutes=minutes_ago))
    batch.refresh_from_db()
    return batch


def test_sweep_applies_a_batch_stuck_in_applying(admin, college, groups, django_capture_on_commit_callbacks):
    batch = _lost(admin, college)

    with django_capture_on_commit_callbacks(execute=True):
        queued = import_requeue_stuck.apply().get()

    batch.refresh_from_db()
    assert queued == 1
    assert batch.status == ImportBatch.Status.APPLIED
    assert Movement.objects.filter(batch=batch, status="applied").count() == 3


def test_sweep_leaves_a_fresh_batch_alone(admin, college, groups, django_capture_on_commit_callbacks):
    batch = _lost(admin, college, minutes_ago=5)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = import_requeue_stuck()

    batch.refresh_from_db()
    assert (queued, callbacks) == (0, [])
    assert batch.status == ImportBatch.Status.APPLYING


def test_sweep_run_twice_queues_once(admin, college, groups, django_capture_on_commit_callbacks):
    batch = _lost(admin, college)

    with django_capture_on_commit_callbacks() as callbacks:
        first, second = import_requeue_stuck(), import_requeue_stuck()

    assert (first, second, len(callbacks)) == (1, 0, 1)
    assert AuditEvent.objects.filter(action="roster_import.requeue", target_id=str(batch.pk)).count() == 1


def test_sweep_finishes_a_stuck_rollback(admin, college, groups, django_capture_on_commit_callbacks):
    batch = _lost(admin, college)
    with django_capture_on_commit_callbacks(execute=True):
        import_requeue_stuck()
    rollback = services.import_rollback(actor=admin, batch=ImportBatch.objects.get(pk=batch.pk))
    ImportBatch.objects.filter(pk=rollback.pk).update(queued_at=timezone.now() - datetime.timedelta(minutes=20))

    with django_capture_on_commit_callbacks(execute=True):
        import_requeue_stuck()

    rollback.refresh_from_db()
    assert rollback.status == ImportBatch.Status.APPLIED
    assert Movement.objects.filter(batch=rollback, status="applied").count() == 3


def test_administrator_requeues_a_stuck_batch(admin, college, groups, django_capture_on_commit_callbacks):
    batch = _lost(admin, college)

    with django_capture_on_commit_callbacks(execute=True):
        services.import_requeue(actor=admin, batch=batch)

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED


def test_a_batch_still_within_its_time_is_not_requeued(admin, college, groups):
    batch = _lost(admin, college, minutes_ago=1)

    with pytest.raises(ValidationError) as exc:
        services.import_requeue(actor=admin, batch=batch)

    assert exc.value.messages == [messages.IMPORT_NOT_STUCK_MESSAGE]


def test_teacher_cannot_requeue(admin, college, groups, teacher):
    batch = _lost(admin, college)

    with pytest.raises(PermissionDenied):
        services.import_requeue(actor=teacher, batch=batch)


def test_stuck_batch_page_offers_retry_and_the_button_applies_it(
    admin, college, groups, client_for, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    batch = _lost(admin, college)
    client = client_for(admin)
    page = client.get(reverse("movement:import_detail", kwargs={"pk": batch.pk})).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("movement:import_requeue", kwargs={"pk": batch.pk}))

    batch.refresh_from_db()
    assert 'id="requeue-import"' in page and 'data-confirm="' in page
    assert response.status_code == 302
    assert batch.status == ImportBatch.Status.APPLIED


def test_fresh_batch_page_has_no_retry_button(admin, college, groups, client_for):
    from django.urls import reverse

    batch = _lost(admin, college, minutes_ago=1)

    page = client_for(admin).get(reverse("movement:import_detail", kwargs={"pk": batch.pk})).content.decode()

    assert 'id="requeue-import"' not in page


def test_teacher_is_refused_the_retry_button(admin, college, groups, teacher, client_for):
    from django.urls import reverse

    batch = _lost(admin, college)

    response = client_for(teacher).post(reverse("movement:import_requeue", kwargs={"pk": batch.pk}))

    batch.refresh_from_db()
    assert response.status_code == 403
    assert batch.queued_at < timezone.now() - datetime.timedelta(minutes=15)
