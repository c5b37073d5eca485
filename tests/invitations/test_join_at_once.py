"""The one-statement join (``_join_at_once``) behind «Присоединиться»: the same outcome as ``invitation_accept``.

Each test accepts one link through ``invitation_accept_by_token`` (what the
page calls) and a twin link through ``invitation_accept`` (the service with
one ORM statement per step), then compares what each wrote. The statement is
PostgreSQL's: on SQLite the page's acceptance is the service itself, so the
tests marked ``postgresql`` (the statement and nothing else) are left out there.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from colleges.models import Membership, Role
from core import college_cache
from groups.models import Enrollment
from groups.signals import enrollment_changed
from invitations import services
from invitations.models import Invitation, InvitationUse, JoinRequest
from invitations.services import invitation_accept, invitation_accept_by_token
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_full_path(monkeypatch):
    """Fail if the page's acceptance falls back to the service: the one statement must do it all."""

    def refuse(**kwargs):
        raise AssertionError("fell back to invitation_accept")

    monkeypatch.setattr(services, "invitation_accept", refuse)


def _written(user) -> dict:
    """What joining wrote for ``user``, without ids and times, to compare the two paths."""
    membership = Membership.objects.get(user=user)
    enrollment = Enrollment.objects.filter(student=membership).first()
    use = InvitationUse.objects.get(user=user)
    events = AuditEvent.objects.filter(actor=user).order_by("action")
    ids = {
        str(membership.pk): "membership",
        str(getattr(enrollment, "pk", "")): "enrollment",
        str(use.invitation_id): "link",
    }
    return {
        "membership": (membership.college_id, membership.role, membership.status, membership.position),
        "enrollment": (enrollment.group_id, enrollment.started_at, enrollment.ended_at) if enrollment else None,
        "use": (use.result, use.membership_id == membership.pk, use.join_request_id),
        "audit": [
            (
                e.action,
                e.college_id,
                e.target_type,
                ids.get(e.target_id, e.target_id),
                e.target_repr.replace(str(user), "<person>"),
                {k: ("<person>" if k == "user" else v) for k, v in (e.after or {}).items()},
                e.before,
                e.ip,
            )
            for e in events
        ],
    }


@pytest.mark.parametrize("role", [Role.STUDENT, Role.TEACHER, Role.PARENT])
def test_it_writes_what_the_service_writes(make_link, group, role, monkeypatch):
    # A group's parent link is not joined at once: the parent's group is recorded by the service.
    group_for = group if role == Role.STUDENT else None
    fast_link, fast_token = make_link(role=role, group=group_for)
    slow_link, _ = make_link(role=role, group=group_for)
    fast_person = factories.UserFactory(last_name="Быстрова", first_name="Анна", patronymic="")
    slow_person = factories.UserFactory(last_name="Медленнова", first_name="Анна", patronymic="")

    invitation, result = invitation_accept_by_token(token=fast_token, user=fast_person)
    invitation_accept(invitation=slow_link, user=slow_person)

    assert result.joined and invitation.pk == fast_link.pk
    fast, slow = _written(fast_person), _written(slow_person)
    assert fast == slow
    assert [event[0] for event in fast["audit"]] == (
        ["enrollment.start", "invitation.accept", "membership.create"]
        if role == Role.STUDENT
        else ["invitation.accept", "membership.create"]
    )
    fast_link.refresh_from_db()
    assert fast_link.uses_count == 1


@pytest.mark.postgresql
def test_the_page_joins_a_new_student_in_one_statement(make_link, group, no_full_path):
    _, token = make_link()
    person = factories.UserFactory()

    invitation_accept_by_token(token=make_link()[1], user=factories.UserFactory())  # prepares the statement

    with CaptureQueriesContext(connection) as queries:
        invitation, result = invitation_accept_by_token(token=token, user=person)

    # Around it only the savepoint that keeps a refused statement from spoiling the test's transaction.
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1 and statements[0].startswith("EXECUTE sferum_join_at_once")

    assert result.joined and not result.other_colleges
    assert Enrollment.objects.get(student__user=person, ended_at__isnull=True).group == group


@pytest.mark.postgresql
def test_a_person_of_another_college_is_told_to_switch(make_link, no_full_path):
    _, token = make_link()
    person = factories.MembershipFactory(role=Role.TEACHER).user

    _, result = invitation_accept_by_token(token=token, user=person)

    assert result.joined and result.other_colleges


def test_on_another_database_the_page_joins_through_the_service(make_link, group, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    calls = []
    service = services.invitation_accept
    monkeypatch.setattr(services, "invitation_accept", lambda **kwargs: calls.append(kwargs) or service(**kwargs))
    _, token = make_link()
    person = factories.UserFactory()

    invitation, result = invitation_accept_by_token(token=token, user=person)

    assert result.joined and len(calls) == 1
    assert Enrollment.objects.get(student__user=person, ended_at__isnull=True).group == group
    assert sorted(AuditEvent.objects.filter(actor=person).values_list("action", flat=True)) == [
        "enrollment.start",
        "invitation.accept",
        "membership.create",
    ]


def test_the_enrollment_signal_and_the_cache_drop_follow_the_commit(
    make_link, group, settings, django_capture_on_commit_callbacks
):
    settings.COLLEGE_CACHE_SECONDS = 300
    _, token = make_link()
    person = factories.UserFactory()
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    enrollment_changed.connect(receiver)
    calls = []
    college_cache.get_or_compute(group.college, "part", compute=lambda: calls.append(1) or len(calls))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            invitation_accept_by_token(token=token, user=person)
            assert received == []
    finally:
        enrollment_changed.disconnect(receiver)

    membership = Membership.objects.get(user=person)
    assert received == [
        {
            "signal": enrollment_changed,
            "college_id": group.college_id,
            "student_id": membership.pk,
            "old_group_id": None,
            "new_group_id": group.pk,
            "kind": "enrol",
        }
    ]
    assert college_cache.get_or_compute(group.college, "part", compute=lambda: calls.append(1) or len(calls)) == 2


@pytest.mark.parametrize(
    "case",
    ["requires_approval", "personal", "transfer", "pending_request", "member", "parent_link_student", "used_up"],
)
def test_everything_else_goes_through_the_service(make_link, group, college, student, case):
    """Where the service would not simply join a newcomer, the statement claims nothing and the service answers."""
    person = factories.UserFactory(phone="+79990001122")
    options = {}
    if case == "requires_approval":
        options = {"requires_approval": True}
    elif case == "personal":
        options = {"max_uses": None, "recipient_phone": "+79990001122"}
    elif case == "transfer":
        person = student
    elif case == "pending_request":
        JoinRequest.objects.create(college=college, user=person, role=Role.STUDENT, group=group)
    elif case == "member":
        factories.MembershipFactory(college=college, user=person, role=Role.STUDENT)
    elif case == "parent_link_student":
        person = student
        options = {"role": Role.PARENT}
    elif case == "used_up":
        options = {"max_uses": 1}
    link, token = make_link(**options)
    if case == "used_up":
        invitation_accept_by_token(token=token, user=factories.UserFactory())
    # The answer, and whether the service takes a place on the link for it.
    expected, claims = {
        "requires_approval": (InvitationUse.Result.REQUESTED, 1),
        "personal": (InvitationUse.Result.JOINED, 1),
        "transfer": (InvitationUse.Result.REQUESTED, 1),
        "pending_request": (InvitationUse.Result.REQUESTED, 0),
        "member": (InvitationUse.Result.JOINED, 1),  # a student without a group gets one
        "parent_link_student": (InvitationUse.Result.REFUSED, 0),
        "used_up": (InvitationUse.Result.USED_UP, 0),
    }[case]
    uses_before = Invitation.objects.get(pk=link.pk).uses_count

    invitation, result = invitation_accept_by_token(token=token, user=person)

    assert invitation.pk == link.pk and result.result == expected
    # The statement claimed nothing: only the service's own claim (if any) counts.
    assert Invitation.objects.get(pk=link.pk).uses_count - uses_before == claims
    assert Membership.objects.filter(user=person, college=college).count() <= 1


def test_an_expired_link_admits_no_one(make_link):
    link, token = make_link()
    Invitation.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    person = factories.UserFactory()

    _, result = invitation_accept_by_token(token=token, user=person)

    assert result.result == InvitationUse.Result.EXPIRED
    assert not Membership.objects.filter(user=person).exists()
    assert InvitationUse.objects.filter(user=person).count() == 1


def test_a_forged_token_finds_nothing_and_writes_nothing(make_link):
    make_link()

    assert invitation_accept_by_token(token="x" * 43, user=factories.UserFactory()) == (None, None)
    assert invitation_accept_by_token(token="", user=factories.UserFactory()) == (None, None)
    assert not InvitationUse.objects.exists()
