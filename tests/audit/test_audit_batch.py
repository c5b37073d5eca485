"""``audit_log_batch()``: the events several services audit inside it are written in one INSERT."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.context import current_ip
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


def test_every_batch_keeps_each_value_and_gets_its_ids(college, administrator):
    token = current_ip.set("10.1.2.3")
    try:
        batches = []
        for round_ in range(3):  # the statement built for the first batch serves the next ones
            with audit_log_batch():
                batches.append(
                    [
                        audit_log(actor=administrator, action="college.update", target=college, after={"n": round_}),
                        audit_log(actor=None, action="college.view", college=college, before={"at": [round_]}),
                    ]
                )
    finally:
        current_ip.reset(token)

    stored = {event.pk: event for event in AuditEvent.objects.all()}
    assert len(stored) == 6
    for round_, (first, second) in enumerate(batches):
        assert (stored[first.pk].actor_id, stored[first.pk].after, stored[first.pk].ip) == (
            administrator.pk,
            {"n": round_},
            "10.1.2.3",
        )
        assert (stored[second.pk].actor_id, stored[second.pk].college_id, stored[second.pk].before) == (
            None,
            college.pk,
            {"at": [round_]},
        )
        assert stored[first.pk].created_at is not None and not first._state.adding


def test_a_long_batch_is_written_whole(college):
    with audit_log_batch():
        events = [audit_log(actor=None, action="college.update", target=college, after={"i": i}) for i in range(40)]

    assert sorted(AuditEvent.objects.values_list("pk", flat=True)) == sorted(event.pk for event in events)
    assert AuditEvent.objects.get(pk=events[-1].pk).after == {"i": 39}


def test_a_short_batch_goes_through_the_statement_built_once(college, administrator):
    """Not the fallback: the ORM's one-row INSERT is reused with its row repeated (core.compiled.CompiledInsert)."""
    from audit.services import _EVENTS_INSERT

    with CaptureQueriesContext(connection) as queries:
        with audit_log_batch():
            for _ in range(3):
                audit_log(actor=administrator, action="college.update", target=college)

    (insert,) = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "audit_auditevent"')]
    assert "UNNEST" not in insert and insert.count("), (") == 2
    assert all(isinstance(plan, tuple) for plan in _EVENTS_INSERT._plans.values())
    assert AuditEvent.objects.filter(action="college.update").count() == 3
