"""Statements the ORM builds once per process and database, then runs again with other values.

A newcomer pressing «Присоединиться» reads the link (with its college, its group and whether the person
is known anywhere) and claims a place: two statements whose SQL never changes, only their values. The
ORM spent longer building them than the database spends answering: a third of the whole request's
instructions (22.6 M of them per accepted invitation, 14.8 M once built here; a bare POST 7.7 M —
``bench/invitations_rush.py --in-process`` under cachegrind). Here the ORM builds each one once with
placeholder values; later calls send the same SQL with the values swapped in and make the models the way
the ORM's own iterator does (``django.db.models.query.ModelIterable``).

The SQL is the ORM's own, sent as an ordinary statement: nothing is prepared on the server, so it works
behind PgBouncer in transaction mode and on SQLite alike. ``accounts.selectors.user_by_pk`` does the same
for the signed-in person. Should the placeholders not come back among the statement's parameters as
given (an ORM that prepares them differently), each call falls back to the ORM.
"""

import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import AutoField, Model, QuerySet, sql
from django.db.models.query import get_related_populators

# Placeholders to compile with: values no statement takes otherwise (a pk below zero, a hash no token has,
# a date no link expires at). ``placeholder_datetime`` is aware, as the project's times are.
PLACEHOLDER_INT = -7_734_921_611
PLACEHOLDER_TEXT = "\u2063compiled-placeholder\u2063"
PLACEHOLDER_DATETIME = datetime.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC)

_FALLBACK = object()


def _prepared(value: Any, connection) -> Any:
    """A value as the ORM hands it to the driver (SQLite takes times as text)."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


@dataclass
class _Plan:
    sql: str
    params: list
    slots: list[tuple[int, int]]  # (position among the parameters, index of the value to put there)
    compiler: Any = None
    converters: dict | None = None
    start: int = 0
    end: int = 0
    init_list: list[str] | None = None
    populators: list | None = None
    annotations: dict[str, int] | None = None

    def params_for(self, values: tuple, connection) -> list:
        params = list(self.params)
        for position, index in self.slots:
            params[position] = _prepared(values[index], connection)
        return params


def _slots(params, placeholders: tuple, connection) -> list[tuple[int, int]] | None:
    """Where each placeholder went among ``params``; None when one of them is missing."""
    wanted = {}
    for index, value in enumerate(placeholders):
        wanted.setdefault(_prepared(value, connection), index)
    slots = [(position, wanted[param]) for position, param in enumerate(params) if _hashable(param) in wanted]
    found = {index for _, index in slots}
    return slots if found == set(range(len(placeholders))) else None


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return None
    return value


class _Compiled:
    """A statement per (database alias, vendor), compiled on first use."""

    def __init__(self, model: type[Model], build: Callable[..., Any], placeholders: tuple, *, write: bool):
        self.model = model
        self.build = build
        self.placeholders = placeholders
        self.write = write
        self._plans: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def _connection(self):
        alias = (router.db_for_write if self.write else router.db_for_read)(self.model)
        return alias, connections[alias]

    def _plan(self, alias: str, connection, *sample):
        key = (alias, connection.vendor)
        plan = self._plans.get(key)
        if plan is None:
            with self._lock:
                plan = self._plans.get(key)
                if plan is None:
                    plan = self._plans[key] = self._compile(alias, connection, *sample) or _FALLBACK
        return plan

    def _compile(self, alias: str, connection, *sample) -> Any:
        raise NotImplementedError


class CompiledSelect(_Compiled):
    """``build(*values)`` is a queryset of ``model`` (with ``select_related`` and annotations as it likes);
    ``first(*values)`` is its first row as ``build(*values)[:1]`` would make it, or None."""

    def __init__(self, model: type[Model], build: Callable[..., QuerySet], *placeholders):
        super().__init__(model, build, placeholders, write=False)

    def _compile(self, alias: str, connection) -> _Plan | None:
        compiler = self.build(*self.placeholders)[:1].query.get_compiler(using=alias)
        statement, params = compiler.as_sql()  # also fills select, klass_info and annotation_col_map
        slots = _slots(params, self.placeholders, connection)
        if slots is None:
            return None
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _Plan(
            sql=statement,
            params=list(params),
            slots=slots,
            compiler=compiler,
            converters=compiler.get_converters([column for column, _, _ in select[: compiler.col_count]]),
            start=start,
            end=end,
            init_list=[column.target.attname for column, _, _ in select[start:end]],
            populators=get_related_populators(klass_info, select, alias),
            annotations=dict(compiler.annotation_col_map),
        )

    def first(self, *values) -> Model | None:
        alias, connection = self._connection()
        plan = self._plan(alias, connection)
        if plan is _FALLBACK:
            return next(iter(self.build(*values)[:1]), None)
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, plan.params_for(values, connection))
            row = cursor.fetchone()
        if row is None:
            return None
        if plan.converters:
            row = next(plan.compiler.apply_converters([row], plan.converters))
        obj = self.model.from_db(alias, plan.init_list, row[plan.start : plan.end])
        for populator in plan.populators:
            populator.populate(row, obj)
        for name, position in plan.annotations.items():
            setattr(obj, name, row[position])
        return obj


class CompiledUpdate(_Compiled):
    """``build(*values)`` is ``(queryset, changes)``, what ``queryset.update(**changes)`` would take;
    ``run(*values)`` does that update and answers how many rows it changed."""

    def __init__(self, model: type[Model], build: Callable[..., tuple[QuerySet, dict]], *placeholders):
        super().__init__(model, build, placeholders, write=True)

    def _compile(self, alias: str, connection) -> _Plan | None:
        queryset, changes = self.build(*self.placeholders)
        # What QuerySet.update() builds.
        query = queryset.query.chain(sql.UpdateQuery)
        query.add_update_values(changes)
        query.annotations = {}
        compiler = query.get_compiler(using=alias)
        statement, params = compiler.as_sql()
        if query.related_updates or not statement:
            return None
        slots = _slots(params, self.placeholders, connection)
        return _Plan(sql=statement, params=list(params), slots=slots) if slots is not None else None

    def run(self, *values) -> int:
        alias, connection = self._connection()
        plan = self._plan(alias, connection)
        if plan is _FALLBACK:
            queryset, changes = self.build(*values)
            return queryset.update(**changes)
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, plan.params_for(values, connection))
            return cursor.rowcount


class CompiledInsert(_Compiled):
    """``insert(objs)`` is ``model.objects.bulk_create(objs)`` for a few rows: the ORM's one-row INSERT, built
    once per database, with its row of placeholders repeated and the values prepared as the ORM prepares them
    (``pre_save``, then ``get_db_prep_save``); each object gets its pk.

    On PostgreSQL ``bulk_create`` sends an array per column (``UNNEST``), which saves planning for thousands
    of rows; for a handful the VALUES rows cost the server less. More than ``max_rows`` rows (a bulk service's,
    which may need splitting to the database's limit of parameters), a database that returns no ids from a
    many-row INSERT, or a statement of another shape: ``bulk_create`` writes them.
    """

    def __init__(self, model: type[Model], *, max_rows: int = 16):
        super().__init__(model, lambda: None, (), write=True)
        self.fields = [field for field in model._meta.local_concrete_fields if not field.primary_key]
        self.returning = model._meta.db_returning_fields
        self.max_rows = max_rows
        self._statements: dict[tuple[str, str, int], str] = {}

    def _compile(self, alias: str, connection, sample: Model) -> tuple[str, str] | None:
        """The ORM's INSERT of ``sample`` (not sent) and its row of placeholders, or None when batches cannot
        reuse it."""
        features = connection.features
        if not (
            features.can_return_columns_from_insert
            and features.can_return_rows_from_bulk_insert
            and len(self.returning) == 1
            and isinstance(self.returning[0], AutoField)
        ):
            return None
        query = sql.InsertQuery(self.model)
        query.insert_values(self.fields, [sample])
        compiler = query.get_compiler(using=alias)
        compiler.returning_fields = self.returning
        statements = compiler.as_sql()
        row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        if len(statements) != 1 or compiler.returning_params or statements[0][0].count(row) != 1:
            return None
        statement, params = statements[0]
        # The values as prepared for that statement (its pre_save has set the sample's automatic times).
        mine = [field.get_db_prep_save(getattr(sample, field.attname), connection) for field in self.fields]
        return (statement, row) if _same(params, mine) else None

    def insert(self, objs: list[Model]) -> None:
        if not objs:
            return
        alias, connection = self._connection()
        plan = self._plan(alias, connection, objs[0])
        if plan is _FALLBACK or len(objs) > self.max_rows:
            self.model._default_manager.using(alias).bulk_create(objs)
            return
        statement, row = plan
        key = (alias, connection.vendor, len(objs))
        many = self._statements.get(key)
        if many is None:
            many = self._statements[key] = statement.replace(row, ", ".join([row] * len(objs)), 1)
        params = [
            field.get_db_prep_save(field.pre_save(obj, True), connection) for obj in objs for field in self.fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(many, params)
            ids = cursor.fetchall()
        for obj, (pk,) in zip(objs, ids, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = alias


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
