"""Data fixed by the invitations migrations: what an existing installation finds after upgrading."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from colleges.models import Role
from invitations.models import Invitation, InvitationUse, JoinRequest
from invitations.services import invitation_accept
from invitations.tokens import token_hash, token_new, token_seal
from tests import factories

pytestmark = pytest.mark.django_db


def _migration(name: str):
    return importlib.import_module(f"invitations.migrations.{name}")


def test_uses_of_requests_decided_before_the_upgrade_take_their_outcome(make_link):
    invitation, _ = make_link(requires_approval=True, max_uses=40)
    requests = [invitation_accept(invitation=invitation, user=factories.UserFactory()).join_request for _ in range(4)]
    # Decided the way the old code did: the request changed, its use and the link's count did not.
    for request, status in zip(requests, ["approved", "rejected", "closed"], strict=False):
        JoinRequest.objects.filter(pk=request.pk).update(status=status)

    _migration("0003_use_log_follows_join_request_decisions").settle_decided_requests(apps, None)

    results = dict(InvitationUse.objects.values_list("join_request_id", "result"))
    assert [results[r.pk] for r in requests] == ["joined", "rejected", "closed", "requested"]
    invitation.refresh_from_db()
    assert invitation.uses_count == 2


def test_links_for_the_administrator_role_are_revoked_by_the_upgrade(college, administrator):
    token = token_new()
    # Made the way the old form allowed.
    link = Invitation.objects.create(
        college=college,
        role=Role.ADMINISTRATOR,
        expires_at=timezone.now() + datetime.timedelta(days=7),
        created_by=administrator,
        token_hash=token_hash(token),
        token_sealed=token_seal(token),
    )

    _migration("0004_revoke_administrator_links").revoke_administrator_links(apps, None)

    link.refresh_from_db()
    assert link.status == Invitation.Status.REVOKED
    assert invitation_accept(invitation=link, user=factories.UserFactory()).result == InvitationUse.Result.REVOKED
