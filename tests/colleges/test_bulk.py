"""``memberships_add_many`` and ``memberships_end_many``: roles given and ended in bulk (PostgreSQL and SQLite)."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from audit.models import AuditEvent
from colleges.models import Membership, Role
from colleges.services import memberships_add_many, memberships_add_many_unchecked, memberships_end_many
from tests import factories

pytestmark = pytest.mark.django_db


def test_missing_memberships_are_added_and_audited_in_one_event(administrator, college):
    users = factories.UserFactory.create_batch(3)

    found = memberships_add_many(
        actor=administrator, college=college, role=Role.STUDENT, user_ids=[u.pk for u in users], order_number="7-к"
    )

    added = Membership.objects.filter(college=college, role=Role.STUDENT)
    assert found == dict(added.values_list("user_id", "id"))
    assert set(added.values_list("status", "order_number")) == {(Membership.Status.ACTIVE, "7-к")}
    event = AuditEvent.objects.get(action="membership.create_many")
    assert (event.actor, event.college, event.target_type) == (administrator, college, "colleges.membership")
    assert event.after == {"role": Role.STUDENT, "count": 3, "ids": sorted(found.values())}


def test_a_current_membership_is_kept_and_a_left_one_is_not_reused(administrator, college):
    current = factories.MembershipFactory(college=college, role=Role.STUDENT)
    left = factories.MembershipFactory(college=college, role=Role.STUDENT, status=Membership.Status.LEFT)

    found = memberships_add_many(
        actor=administrator, college=college, role=Role.STUDENT, user_ids=[current.user_id, left.user_id]
    )

    assert found[current.user_id] == current.pk
    assert found[left.user_id] != left.pk
    assert AuditEvent.objects.get(action="membership.create_many").after["ids"] == [found[left.user_id]]


def test_nothing_to_add_writes_no_audit_event(administrator, college):
    current = factories.MembershipFactory(college=college, role=Role.STUDENT)

    assert memberships_add_many(
        actor=administrator, college=college, role=Role.STUDENT, user_ids=[current.user_id]
    ) == {current.user_id: current.pk}

    assert not AuditEvent.objects.filter(action="membership.create_many").exists()


def test_only_the_administrator_adds_members_unless_the_caller_checked(teacher, college):
    user = factories.UserFactory()

    with pytest.raises(PermissionDenied):
        memberships_add_many(actor=teacher, college=college, role=Role.STUDENT, user_ids=[user.pk])
    found = memberships_add_many_unchecked(
        actor=None,
        college=college,
        role=Role.STUDENT,
        user_ids=[user.pk],
    )

    assert list(found) == [user.pk]


def test_ending_many_leaves_other_colleges_and_ended_ones_alone(administrator, college, other_college):
    mine = factories.MembershipFactory.create_batch(2, college=college, role=Role.STUDENT)
    gone = factories.MembershipFactory(college=college, role=Role.STUDENT, status=Membership.Status.LEFT)
    foreign = factories.MembershipFactory(college=other_college, role=Role.STUDENT)

    ended = memberships_end_many(
        actor=administrator, college=college, membership_ids=[m.pk for m in mine] + [gone.pk, foreign.pk]
    )

    assert ended == sorted(m.pk for m in mine)
    assert set(Membership.objects.filter(pk__in=ended).values_list("status", flat=True)) == {"left"}
    assert Membership.objects.get(pk__in=ended[:1]).ended_at is not None
    foreign.refresh_from_db()
    assert foreign.status == Membership.Status.ACTIVE
    assert AuditEvent.objects.get(action="membership.end_many").after["ids"] == ended


def test_a_role_given_by_someone_else_meanwhile_is_kept_and_its_id_returned(administrator, college):
    """Between reading the current memberships and the INSERT, another request gives one user the role."""
    users = factories.UserFactory.create_batch(2)
    real_values_list = QuerySet.values_list
    theirs = []

    def someone_else_right_after_the_first_read(queryset, *fields, **kwargs):
        rows = real_values_list(queryset, *fields, **kwargs)
        if not theirs:
            rows = list(rows)  # the service's read, done before the other request
            theirs.append(None)
            theirs[0] = factories.MembershipFactory(college=college, user=users[1], role=Role.STUDENT)
        return rows

    with mock.patch.object(QuerySet, "values_list", autospec=True, side_effect=someone_else_right_after_the_first_read):
        found = memberships_add_many_unchecked(
            actor=administrator, college=college, role=Role.STUDENT, user_ids=[u.pk for u in users]
        )
    theirs = theirs[0]

    assert found[users[1].pk] == theirs.pk
    assert found == dict(Membership.objects.filter(college=college, role=Role.STUDENT).values_list("user_id", "id"))
    assert found[users[0].pk] in AuditEvent.objects.get(action="membership.create_many").after["ids"]
