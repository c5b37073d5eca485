"""The INSERT of a batch of audit events: its SQL built by the ORM once per database and number of rows.

Every accepted invitation writes three events in one INSERT (``audit_log_batch``). ``bulk_create`` builds
that statement anew each time: about 1,100 Python calls for three rows, a fifth of what accepting a link
costs beyond a bare POST (``bench/invitations_rush.py --in-process``). Here the ORM builds it the first
time a batch of that size is written; later batches prepare their values as the ORM does
(``Field.pre_save``, then ``get_db_prep_save``) and lay them out as the ORM did that first time: row after
row, or one array per column (PostgreSQL's UNNEST). Should the ORM's parameters match neither layout, or the
database return no ids from a many-row INSERT, that size is written by ``bulk_create`` for good.

The SQL is the ORM's own, sent as an ordinary statement: nothing is prepared on the server (PgBouncer in
transaction mode), and SQLite works alike.
"""

import threading
from itertools import chain
from typing import NamedTuple

from django.db import connections, router
from django.db.models import AutoField, sql

from audit.models import AuditEvent

# What bulk_create inserts: every column but the id, which the database gives back.
_FIELDS = [field for field in AuditEvent._meta.local_concrete_fields if not field.primary_key]
_RETURNING = AuditEvent._meta.db_returning_fields


class _Plan(NamedTuple):
    sql: str
    columns: bool  # the parameters are one array per column (UNNEST) rather than the rows one after another


_FALLBACK = _Plan("", False)
# Batches of more rows (a bulk service's) are rare and may need splitting to the database's limit of
# parameters: ``bulk_create`` writes them.
_MAX_ROWS = 16
_plans: dict[tuple[str, str, int], _Plan] = {}
_lock = threading.Lock()


def audit_events_insert(events: list[AuditEvent]) -> None:
    """Insert ``events`` in one statement and give each its ``pk``, as ``bulk_create(events)`` would."""
    alias = router.db_for_write(AuditEvent)
    if len(events) > _MAX_ROWS:
        AuditEvent.objects.using(alias).bulk_create(events)
        return
    connection = connections[alias]
    key = (alias, connection.vendor, len(events))
    plan = _plans.get(key)
    if plan is None:
        with _lock:
            plan = _plans.get(key)
            if plan is None:
                # The first batch of this size is the ORM's own: it shows the statement and its layout.
                plan, inserted = _compile(events, alias, connection)
                _plans[key] = plan
                if inserted:
                    return
    if plan is _FALLBACK:
        AuditEvent.objects.using(alias).bulk_create(events)
        return
    rows = [[field.get_db_prep_save(field.pre_save(event, True), connection) for field in _FIELDS] for event in events]
    params = _columns(rows) if plan.columns else list(chain.from_iterable(rows))
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, params)
        ids = cursor.fetchall()
    _saved(events, ids, alias)


def _compile(events: list[AuditEvent], alias: str, connection) -> tuple[_Plan, bool]:
    """The plan for batches of the size of ``events`` (``_FALLBACK`` if the ORM's statement cannot be reused),
    and whether ``events`` are inserted already (by that statement)."""
    returning_many = len(events) == 1 or connection.features.can_return_rows_from_bulk_insert
    if not (
        connection.features.can_return_columns_from_insert
        and returning_many
        and len(_RETURNING) == 1
        and isinstance(_RETURNING[0], AutoField)
    ):
        return _FALLBACK, False
    query = sql.InsertQuery(AuditEvent)
    query.insert_values(_FIELDS, events)
    compiler = query.get_compiler(using=alias)
    compiler.returning_fields = _RETURNING
    statements = compiler.as_sql()
    if len(statements) != 1 or compiler.returning_params:
        return _FALLBACK, False
    [(statement, params)] = statements
    # The values as prepared for this statement (pre_save has set the creation time on each event).
    rows = [
        [field.get_db_prep_save(getattr(event, field.attname), connection) for field in _FIELDS] for event in events
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        ids = cursor.fetchall()
    _saved(events, ids, alias)
    if _same(params, list(chain.from_iterable(rows))):
        return _Plan(statement, columns=False), True
    if len(events) > 1 and _same(params, _columns(rows)):
        return _Plan(statement, columns=True), True
    return _FALLBACK, True


def _columns(rows: list[list]) -> list[list]:
    return [list(column) for column in zip(*rows, strict=True)]


def _saved(events: list[AuditEvent], ids: list[tuple], alias: str) -> None:
    for event, (pk,) in zip(events, ids, strict=True):
        event.pk = pk
        event._state.adding = False
        event._state.db = alias


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
