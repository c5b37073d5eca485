"""``core.bulk.instance_maker``: unsaved instances for ``bulk_create``, the same as built by keyword."""

import datetime

import pytest

from core.bulk import instance_maker
from movement.models import ImportBatch, Movement, MovementKind


def test_an_instance_has_the_values_given_and_the_defaults_of_the_rest():
    day = datetime.date(2026, 9, 1)
    make = instance_maker(Movement, college_id=1, order_number="1-к", order_date=day, effective_date=day)

    movement = make(kind=MovementKind.ENROL, person_id=5, to_group_id=3)

    expected = Movement(
        college_id=1, order_number="1-к", order_date=day, effective_date=day, kind="enrol", person_id=5, to_group_id=3
    )
    fields = [field.attname for field in Movement._meta.concrete_fields]
    assert [getattr(movement, name) for name in fields] == [getattr(expected, name) for name in fields]
    assert movement.pk is None and movement._state.adding


def test_a_mutable_default_is_not_shared_between_instances():
    make = instance_maker(ImportBatch, college_id=1)

    first, second = make(), make()

    assert first.summary == {} and first.summary is not second.summary


def test_an_unknown_field_is_refused():
    with pytest.raises(TypeError):
        instance_maker(Movement, college=1)
    with pytest.raises(TypeError):
        instance_maker(Movement)(group_id=1)
