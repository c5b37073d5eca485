"""The INSERT of a batch of audit events: the ORM's one-row statement, built once per database, with as many
rows of values as the batch has.

Every accepted invitation writes three events in one INSERT (``audit_log_batch``). ``bulk_create`` built
that statement anew each time: about 1,100 Python calls for three rows, a fifth of what accepting a link
costs beyond a bare POST (``bench/invitations_rush.py --in-process``). Here the ORM builds the one-row
INSERT once; a batch repeats its row of placeholders and prepares each value as the ORM does
(``Field.pre_save``, then ``get_db_prep_save``). On PostgreSQL, ``bulk_create`` would send the rows as one
array per column (``UNNEST``), which saves planning for thousands of rows; for the few of a batch, the
VALUES rows cost the server less (three events: 57 µs of CPU against 99 µs).

Should the ORM's one-row statement not have its parameters in one row of placeholders as given, or the
database return no ids from a many-row INSERT, or the batch be long (a bulk service's, which may need
splitting to the database's limit of parameters), ``bulk_create`` writes it. The SQL is the ORM's own,
sent as an ordinary statement: nothing is prepared on the server (PgBouncer in transaction mode), and
SQLite works alike.
"""

import threading
from typing import NamedTuple

from django.db import connections, router
from django.db.models import AutoField, sql

from audit.models import AuditEvent

# What bulk_create inserts: every column but the id, which the database gives back.
_FIELDS = [field for field in AuditEvent._meta.local_concrete_fields if not field.primary_key]
_RETURNING = AuditEvent._meta.db_returning_fields
_MAX_ROWS = 16


class _Plan(NamedTuple):
    sql: str  # the one-row statement
    row: str  # its row of placeholders, found once in it


_FALLBACK = _Plan("", "")
_plans: dict[tuple[str, str], _Plan] = {}
_statements: dict[tuple[str, str, int], str] = {}
_lock = threading.Lock()


def audit_events_insert(events: list[AuditEvent]) -> None:
    """Insert ``events`` in one statement and give each its ``pk``, as ``bulk_create(events)`` would."""
    alias = router.db_for_write(AuditEvent)
    connection = connections[alias]
    key = (alias, connection.vendor)
    plan = _plans.get(key)
    if plan is None:
        with _lock:
            plan = _plans.get(key)
            if plan is None:
                plan = _plans[key] = _compile(events[0], alias, connection)
    if plan is _FALLBACK or len(events) > _MAX_ROWS:
        AuditEvent.objects.using(alias).bulk_create(events)
        return
    statement = _statements.get((*key, len(events)))
    if statement is None:
        statement = plan.sql.replace(plan.row, ", ".join([plan.row] * len(events)), 1)
        _statements[(*key, len(events))] = statement
    params = [field.get_db_prep_save(field.pre_save(event, True), connection) for event in events for field in _FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        ids = cursor.fetchall()
    for event, (pk,) in zip(events, ids, strict=True):
        event.pk = pk
        event._state.adding = False
        event._state.db = alias


def _compile(event: AuditEvent, alias: str, connection) -> _Plan:
    """The ORM's INSERT of ``event`` (not sent), or ``_FALLBACK`` when batches cannot reuse it."""
    features = connection.features
    if not (
        features.can_return_columns_from_insert
        and features.can_return_rows_from_bulk_insert
        and len(_RETURNING) == 1
        and isinstance(_RETURNING[0], AutoField)
    ):
        return _FALLBACK
    query = sql.InsertQuery(AuditEvent)
    query.insert_values(_FIELDS, [event])
    compiler = query.get_compiler(using=alias)
    compiler.returning_fields = _RETURNING
    statements = compiler.as_sql()
    row = "(" + ", ".join(["%s"] * len(_FIELDS)) + ")"
    if len(statements) != 1 or compiler.returning_params or statements[0][0].count(row) != 1:
        return _FALLBACK
    statement, params = statements[0]
    # The values as prepared for that statement (its pre_save has set the event's creation time).
    mine = [field.get_db_prep_save(getattr(event, field.attname), connection) for field in _FIELDS]
    return _Plan(statement, row) if _same(params, mine) else _FALLBACK


def _same(left, right) -> bool:
    """Equal parameters; the driver's JSON wrappers, which have no equality of their own, by what they wrap
    (``obj`` in psycopg 3, ``adapted`` in psycopg2)."""
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right, strict=True))
    return type(left) is type(right) and (left == right or _wrapped(left) == _wrapped(right))


def _wrapped(value):
    for name in ("obj", "adapted"):
        if hasattr(value, name):
            return getattr(value, name)
    return repr(value)
