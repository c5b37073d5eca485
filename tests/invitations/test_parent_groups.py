"""A parent belongs to the groups whose parent links they followed (groups.GroupParent)."""

import importlib

import pytest
from django.apps import apps

from colleges.models import Membership, Role
from groups.models import GroupParent
from invitations.models import InvitationUse, JoinRequest
from invitations.services import invitation_accept_by_token, join_request_approve
from tests import factories

pytestmark = pytest.mark.django_db


def _groups_of(user):
    return set(GroupParent.objects.filter(parent__user=user).values_list("group__name", flat=True))


def test_a_parent_joining_by_a_groups_link_becomes_a_parent_of_that_group(make_link, group):
    _, token = make_link(role=Role.PARENT)
    newcomer = factories.UserFactory()

    _, result = invitation_accept_by_token(token=token, user=newcomer)

    assert result.joined
    assert _groups_of(newcomer) == {group.name}


def test_a_parent_of_the_college_joins_another_group_by_its_link(make_link, college, group):
    second = factories.StudyGroupFactory(college=college)
    _, first_token = make_link(role=Role.PARENT)
    _, second_token = make_link(role=Role.PARENT, group=second)
    parent = factories.UserFactory()
    invitation_accept_by_token(token=first_token, user=parent)

    _, result = invitation_accept_by_token(token=second_token, user=parent)

    assert result.joined
    assert _groups_of(parent) == {group.name, second.name}
    assert Membership.objects.filter(user=parent, college=college, role=Role.PARENT).count() == 1


def test_following_the_same_parent_link_again_changes_nothing(make_link, group):
    invitation, token = make_link(role=Role.PARENT)
    parent = factories.UserFactory()
    invitation_accept_by_token(token=token, user=parent)

    _, result = invitation_accept_by_token(token=token, user=parent)

    assert result.result == InvitationUse.Result.ALREADY_MEMBER
    assert _groups_of(parent) == {group.name}
    invitation.refresh_from_db()
    assert invitation.uses_count == 1


def test_a_parent_link_without_a_group_puts_the_parent_in_no_group(make_link):
    _, token = make_link(role=Role.PARENT, group=None)
    parent = factories.UserFactory()

    _, result = invitation_accept_by_token(token=token, user=parent)

    assert result.joined and _groups_of(parent) == set()


def test_approving_a_parents_join_request_records_the_group(make_link, administrator, group):
    _, token = make_link(role=Role.PARENT, requires_approval=True)
    parent = factories.UserFactory()
    _, result = invitation_accept_by_token(token=token, user=parent)

    join_request_approve(actor=administrator, join_request=result.join_request)

    assert _groups_of(parent) == {group.name}


def test_parents_who_joined_before_get_their_groups_from_the_links_they_used(make_link, administrator, college, group):
    second = factories.StudyGroupFactory(college=college)
    _, token = make_link(role=Role.PARENT)
    _, by_request = make_link(role=Role.PARENT, group=second, requires_approval=True)
    joined, requested = factories.UserFactory(), factories.UserFactory()
    invitation_accept_by_token(token=token, user=joined)
    _, result = invitation_accept_by_token(token=by_request, user=requested)
    join_request_approve(actor=administrator, join_request=JoinRequest.objects.get(pk=result.join_request.pk))
    GroupParent.objects.all().delete()
    migration = importlib.import_module("invitations.migrations.0006_derive_group_parents_from_link_use")

    migration.derive(apps, None)

    assert _groups_of(joined) == {group.name}
    assert _groups_of(requested) == {second.name}
