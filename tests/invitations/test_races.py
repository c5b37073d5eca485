"""Invariant 4 under real concurrency: threads against PostgreSQL, each on its own connection."""

import datetime
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.utils import timezone

from colleges.models import Membership, Role
from groups.models import Enrollment
from invitations.models import Invitation, InvitationUse
from invitations.services import invitation_accept, invitation_accept_by_token, invitation_create
from tests import factories
from tests.groups.student_counts import assert_student_counts_exact

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]

THREADS = 200


@pytest.fixture
def link(settings):
    settings.INVITATION_BURST_LIMIT = 100_000
    college = factories.CollegeFactory()
    admin = factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR).user
    group = factories.StudyGroupFactory(college=college)
    invitation, token = invitation_create(
        actor=admin,
        college=college,
        role=Role.STUDENT,
        group=group,
        max_uses=30,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    invitation.token = token
    return invitation


@pytest.fixture(params=["invitation_accept", "invitation_accept_by_token"])
def path(request):
    """Each race runs against the service and against what the page calls (the link found by its token first)."""
    return request.param


def _accept(path, invitation, user, barrier=None):
    try:
        if barrier is not None:
            barrier.wait()
        if path == "invitation_accept_by_token":
            return invitation_accept_by_token(token=invitation.token, user=user)[1].result
        return invitation_accept(invitation=invitation, user=user).result
    finally:
        connection.close()


def test_many_concurrent_acceptances_never_exceed_max_uses(link, path):
    users = [factories.UserFactory() for _ in range(THREADS)]
    barrier = threading.Barrier(50)

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(lambda u: _accept(path, link, u, barrier), users))

    assert results.count(InvitationUse.Result.JOINED) == 30
    assert results.count(InvitationUse.Result.USED_UP) == THREADS - 30
    assert Membership.objects.filter(college=link.college, role=Role.STUDENT).count() == 30
    assert Enrollment.objects.filter(group=link.group, ended_at__isnull=True).count() == 30
    assert Invitation.objects.get(pk=link.pk).uses_count == 30
    assert assert_student_counts_exact() == {link.group.name: 30}  # the refused ones' counts rolled back


def test_acceptance_in_flight_when_revocation_commits_admits_no_one(link, path):
    """The acceptance reads the link as active, then its UPDATE waits for the revoking
    transaction's row lock; once the revocation commits, it must see «revoked»."""
    person = factories.UserFactory()
    locked = threading.Event()
    results = {}

    def revoke():
        try:
            with transaction.atomic():
                row = Invitation.objects.select_for_update().get(pk=link.pk)
                row.status = Invitation.Status.REVOKED
                row.save(update_fields=["status"])
                locked.set()
                time.sleep(0.5)  # the acceptance starts and blocks on the row meanwhile
        finally:
            connection.close()

    def accept():
        locked.wait()
        started = time.monotonic()
        results["result"] = _accept(path, link, person)
        results["waited"] = time.monotonic() - started

    threads = [threading.Thread(target=revoke), threading.Thread(target=accept)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert results["result"] == InvitationUse.Result.REVOKED
    assert results["waited"] > 0.2  # it really was in flight while the revocation committed
    assert not Membership.objects.filter(user=person).exists()
    assert Invitation.objects.get(pk=link.pk).uses_count == 0


def test_acceptance_in_flight_when_expiry_is_committed_admits_no_one(link, path):
    person = factories.UserFactory()
    locked = threading.Event()
    results = {}

    def expire():
        try:
            with transaction.atomic():
                Invitation.objects.select_for_update().get(pk=link.pk)
                Invitation.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
                locked.set()
                time.sleep(0.5)
        finally:
            connection.close()

    def accept():
        locked.wait()
        results["result"] = _accept(path, link, person)

    threads = [threading.Thread(target=expire), threading.Thread(target=accept)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert results["result"] == InvitationUse.Result.EXPIRED
    assert not Membership.objects.filter(user=person).exists()


def test_same_person_accepting_twice_at_once_joins_once(link, path):
    person = factories.UserFactory()
    barrier = threading.Barrier(8)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: _accept(path, link, person, barrier), range(8)))

    assert results.count(InvitationUse.Result.JOINED) == 1
    assert set(results) == {InvitationUse.Result.JOINED, InvitationUse.Result.ALREADY_MEMBER}
    assert Invitation.objects.get(pk=link.pk).uses_count == 1
