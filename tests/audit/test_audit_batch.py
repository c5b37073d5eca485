"""``audit_log_batch()``: the events several services audit inside it are written in one INSERT."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from audit.services import audit_log, audit_log_batch

pytestmark = pytest.mark.django_db


def _inserts(queries) -> int:
    return sum(q["sql"].startswith('INSERT INTO "audit_auditevent"') for q in queries.captured_queries)


def test_the_events_of_a_batch_are_written_in_one_insert_at_its_end(college, administrator):
    with CaptureQueriesContext(connection) as queries:
        with audit_log_batch():
            audit_log(actor=administrator, action="college.update", target=college)
            audit_log(actor=administrator, action="college.update", target=college, after={"a": 1})
            assert not AuditEvent.objects.exists()

    assert _inserts(queries) == 1
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "after")) == [
        ("college.update", None),
        ("college.update", {"a": 1}),
    ]


def test_an_exception_leaving_the_batch_drops_its_events(college):
    with pytest.raises(ValueError), transaction.atomic(), audit_log_batch():
        audit_log(actor=None, action="college.update", target=college)
        raise ValueError

    assert not AuditEvent.objects.exists()


def test_a_batch_inside_a_batch_is_written_by_the_outer_one(college):
    with CaptureQueriesContext(connection) as queries:
        with audit_log_batch():
            audit_log(actor=None, action="college.update", target=college)
            with audit_log_batch():
                audit_log(actor=None, action="college.update", target=college)
            assert not AuditEvent.objects.exists()

    assert _inserts(queries) == 1
    assert AuditEvent.objects.count() == 2


def test_outside_a_batch_each_event_is_written_at_once(college):
    audit_log(actor=None, action="college.update", target=college)

    assert AuditEvent.objects.count() == 1
