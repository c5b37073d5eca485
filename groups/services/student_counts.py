"""``StudyGroup.student_count``: the group's active enrollments, kept in the transaction of every start and end.

Only the enrollment services change it (``student_counts_add``), by F() expressions, so concurrent
enrolments into one group add up exactly: each UPDATE takes the group's row lock and adds to the newest
value. That lock is held until COMMIT. An invitation's acceptance, whose enrolment comes in the middle
of its transaction, defers the counter to the end of its writes (``student_counts_deferred``), so that
the group row is locked for its last statements only, as the link is for its claim.
"""

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from core.compiled import PLACEHOLDER_INT, CompiledUpdate
from groups.models import StudyGroup

# Not the pk's placeholder: each placeholder must be a value of its own.
_PLACEHOLDER_DELTA = PLACEHOLDER_INT + 1


def _add_query(pk: int, delta: int) -> tuple[QuerySet[StudyGroup], dict]:
    return StudyGroup.objects.filter(pk=pk), {"student_count": F("student_count") + Value(delta)}


# The one-group UPDATE runs on every accepted student invitation: built by the ORM once per process.
_ADD_ONE_GROUP = CompiledUpdate(StudyGroup, _add_query, PLACEHOLDER_INT, _PLACEHOLDER_DELTA)


@dataclass
class _Deferred:
    depth: int  # len(connection.savepoint_ids) when the block opened
    deltas: dict[int, int] = field(default_factory=dict)


_state = threading.local()


def student_counts_add(deltas: Mapping[int, int]) -> None:
    """Add ``deltas`` (group id → change) to the groups' ``student_count``, inside the caller's transaction.

    Inside ``student_counts_deferred`` the change waits for the block's end, unless a savepoint opened
    since (its rollback must undo the change with the rows).
    """
    deferred = getattr(_state, "deferred", None)
    if deferred is not None and not any(connection.savepoint_ids[deferred.depth :]):
        for pk, delta in deltas.items():
            deferred.deltas[pk] = deferred.deltas.get(pk, 0) + delta
        return
    _apply(deltas)


@contextmanager
def student_counts_deferred() -> Iterator[None]:
    """Inside a transaction: the ``student_count`` changes of the block's enrollment writes are made when
    it ends, in one statement per group — for a caller whose transaction goes on after its enrolment
    and should hold the group's row lock only from its last statements (an invitation's acceptance).

    When the block ends with an exception and the transaction can still run statements, the changes are
    made all the same: the enrollment rows they count were written and stay unless the caller rolls back.
    """
    if getattr(_state, "deferred", None) is not None or not connection.in_atomic_block:
        yield  # an inner block (the outer one applies), or no transaction: nothing to defer to
        return
    _state.deferred = deferred = _Deferred(depth=len(connection.savepoint_ids))
    try:
        yield
    finally:
        _state.deferred = None
        if deferred.deltas and not connection.needs_rollback:
            _apply(deferred.deltas)


def _apply(deltas: Mapping[int, int]) -> None:
    changes = sorted((pk, delta) for pk, delta in deltas.items() if delta)
    if not changes:
        return
    if len(changes) == 1:
        [(pk, delta)] = changes
        _ADD_ONE_GROUP.run(pk, delta)
        return
    # One statement for many groups (a roster import); PostgreSQL reads the ids through the primary key
    # in order, so two such statements lock their common groups in the same order.
    by_group = Case(*(When(pk=pk, then=Value(delta)) for pk, delta in changes), output_field=IntegerField())
    StudyGroup.objects.filter(pk__in=[pk for pk, _ in changes]).update(student_count=F("student_count") + by_group)
