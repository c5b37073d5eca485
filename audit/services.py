import contextlib
import contextvars
import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from audit.context import current_ip
from audit.models import AuditEvent
from core import college_cache
from core.compiled import CompiledInsert

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    # Who made a change: a person (``accounts.User``, which audit, a lower layer, does not import), an
    # anonymous visitor, or no one (a task, a public form); the event keeps only a signed-in person.
    Actor = AbstractBaseUser | AnonymousUser | None

# The events ``audit_log`` keeps inside ``audit_log_batch()`` (with the colleges they change), or None.
_batch: contextvars.ContextVar[list[tuple[AuditEvent, list[int]]] | None] = contextvars.ContextVar(
    "audit_batch", default=None
)


# A batch's events in one INSERT built once per database (an accepted invitation writes three).
_EVENTS_INSERT = CompiledInsert(AuditEvent)
_ACTOR = AuditEvent._meta.get_field("actor")
_COLLEGE = AuditEvent._meta.get_field("college")


def audit_log(
    *,
    actor: "Actor",
    action: str,
    target: models.Model | None = None,
    college: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    drops_pages: bool = True,
) -> AuditEvent:
    """Record one change. Called by every service that changes college data, inside its transaction.

    Once the transaction commits, the college's cached pages are dropped (core/college_cache.py) — unless
    ``drops_pages`` is False: a change no college-wide cached page shows, which keeps a stamp of its own
    (a chat message bumps its chat's ``history_version``), so a busy chat does not empty the dashboard's cache.
    """
    if college is None and target is not None:
        # A college is its own tenant; anything else points at its college.
        college = target if target._meta.label_lower == "colleges.college" else getattr(target, "college", None)
    actor = actor if getattr(actor, "is_authenticated", False) else None
    # By id, with the instances put in the event's cache: assigning them through the relations' descriptors
    # costs half of what making an event costs (three events on every accepted invitation).
    event = AuditEvent(
        actor_id=actor.pk if actor is not None else None,
        college_id=college.pk if college is not None else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        before=_jsonable(before),
        after=_jsonable(after),
        ip=current_ip.get(),
    )
    _ACTOR.set_cached_value(event, actor)
    _COLLEGE.set_cached_value(event, college)
    changed = _changed_colleges(college, target) if drops_pages and college_cache.enabled() else []
    batch = _batch.get()
    if batch is not None:
        batch.append((event, changed))
        return event
    event.save(force_insert=True)
    college_cache.changed_on_commit(changed)
    return event


@contextlib.contextmanager
def audit_log_batch() -> Iterator[None]:
    """Inside the block, ``audit_log`` keeps its events and the block's end writes them in one INSERT.

    For a busy flow that several services audit at once (an accepted invitation: the membership, the
    enrollment, the acceptance). Use it inside the transaction of writes that succeed or fail as a
    whole: an exception leaving the block drops the kept events with them. Events have no ``pk``
    until the block ends.
    """
    if _batch.get() is not None:  # already batching: the outer block writes them
        yield
        return
    batch: list[tuple[AuditEvent, list[int]]] = []
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
    if batch:
        _EVENTS_INSERT.insert([event for event, _ in batch])
        college_cache.changed_on_commit(sorted({pk for _, changed in batch for pk in changed}))


def audit_log_many(
    *,
    actor: "Actor",
    college: models.Model,
    action: str,
    model: type[models.Model],
    ids: Sequence[int],
    after: dict[str, Any] | None = None,
) -> AuditEvent | None:
    """Record one change made to many rows of ``model`` at once by a bulk service: one event naming them all.

    ``after`` gets ``count`` and ``ids`` added; the event's target is the model, described as
    «участники: 2000». Nothing is recorded for no rows. Drops the college's cached pages on commit, as
    ``audit_log`` does.
    """
    if not ids:
        return None
    event = AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        college=college,
        action=action,
        target_type=model._meta.label_lower,
        target_repr=f"{model._meta.verbose_name_plural}: {len(ids)}",
        after=_jsonable({**(after or {}), "count": len(ids), "ids": list(ids)}),
        ip=current_ip.get(),
    )
    if college_cache.enabled():
        college_cache.changed_on_commit([college.pk])
    return event


def _changed_colleges(college: models.Model | None, target: models.Model | None) -> list[int]:
    """The colleges whose cached pages this change makes stale: its own, or a person's colleges.

    A change to a person (their name, say) shows on the pages of every college they belong to.
    """
    if college is not None:
        return [college.pk]
    if target is not None and target._meta.label_lower == "accounts.user":
        return list(target.memberships.values_list("college_id", flat=True).distinct())
    return []


def _jsonable(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """``data`` with model instances as their pk and dates, decimals, UUIDs as strings, at any depth."""
    if data is None:
        return None
    return {str(key): _json_value(value) for key, value in data.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_value(v) for v in value]
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    # Dates, times, decimals, UUIDs, lazy strings: as DjangoJSONEncoder writes them.
    try:
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    except TypeError:
        return str(value)


def model_snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The values of ``fields`` for before/after records."""
    return {
        name: getattr(instance, f"{name}_id", None) if _is_fk(instance, name) else getattr(instance, name)
        for name in fields
    }


def _is_fk(instance: models.Model, name: str) -> bool:
    field = instance._meta.get_field(name)
    return field.is_relation and field.many_to_one
