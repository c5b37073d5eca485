"""Following a link through ``invitation_accept`` (what «Присоединиться» calls, by token): what a join
writes, what every other case answers, what follows the commit, and how many statements each costs."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from colleges.models import Membership, Role
from core import college_cache
from groups.models import Enrollment
from groups.signals import enrollment_changed
from invitations.models import Invitation, InvitationUse, JoinRequest
from invitations.services import invitation_accept, invitation_accept_by_token, invitation_create
from tests import factories
from tests.groups.student_counts import assert_student_counts_exact

pytestmark = pytest.mark.django_db


def _written(user) -> dict:
    """What joining wrote for ``user``, without ids and times."""
    membership = Membership.objects.get(user=user)
    enrollment = Enrollment.objects.filter(student=membership).first()
    use = InvitationUse.objects.get(user=user)
    events = AuditEvent.objects.filter(actor=user).order_by("action")
    ids = {
        ("colleges.membership", str(membership.pk)): "membership",
        ("groups.enrollment", str(getattr(enrollment, "pk", ""))): "enrollment",
        ("invitations.invitation", str(use.invitation_id)): "link",
    }
    return {
        "membership": (membership.college_id, membership.role, membership.status, membership.position),
        "enrollment": (enrollment.group_id, enrollment.started_at, enrollment.ended_at) if enrollment else None,
        "use": (use.result, use.membership_id == membership.pk, use.join_request_id),
        "audit": [
            (e.action, e.college_id, e.target_type, ids.get((e.target_type, e.target_id)), e.target_repr, e.after)
            for e in events
        ],
    }


@pytest.mark.parametrize("role", [Role.STUDENT, Role.TEACHER, Role.PARENT])
def test_joining_writes_the_membership_enrollment_use_and_audit_events(make_link, college, group, role):
    group_for = group if role == Role.STUDENT else None
    link, token = make_link(role=role, group=group_for)
    person = factories.UserFactory(last_name="Быстрова", first_name="Анна", patronymic="")

    invitation, result = invitation_accept_by_token(token=token, user=person)

    assert result.joined and invitation.pk == link.pk
    role_label = Role(role).label
    membership_event = (
        "membership.create",
        college.pk,
        "colleges.membership",
        "membership",
        f"{person} — {role_label} ({college.short_name})",
        {"user": person.pk, "role": role, "position": ""},
    )
    accept_event = (
        "invitation.accept",
        college.pk,
        "invitations.invitation",
        "link",
        str(link),
        {"result": "joined", "user": person.pk},
    )
    enrollment_events = []
    if role == Role.STUDENT:
        today = timezone.localdate()
        enrollment_events = [
            (
                "enrollment.start",
                college.pk,
                "groups.enrollment",
                "enrollment",
                f"{person} в {group.name}",
                {"group": group.pk, "started_at": today.isoformat()},
            )
        ]
    assert _written(person) == {
        "membership": (college.pk, role, Membership.Status.ACTIVE, ""),
        "enrollment": (group.pk, timezone.localdate(), None) if role == Role.STUDENT else None,
        "use": (InvitationUse.Result.JOINED, True, None),
        "audit": [*enrollment_events, accept_event, membership_event],
    }
    link.refresh_from_db()
    assert link.uses_count == 1
    assert assert_student_counts_exact()[group.name] == (1 if role == Role.STUDENT else 0)


def test_a_newcomer_stays_in_the_one_college_they_joined(make_link):
    _, token = make_link()

    _, result = invitation_accept_by_token(token=token, user=factories.UserFactory())

    assert result.joined and not result.other_colleges


def test_a_person_of_another_college_is_told_to_switch(make_link):
    _, token = make_link()
    person = factories.MembershipFactory(role=Role.TEACHER).user

    _, result = invitation_accept_by_token(token=token, user=person)

    assert result.joined and result.other_colleges


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
def test_what_each_case_answers_and_whether_it_takes_a_place(make_link, group, college, student, case):
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
    # The answer, and whether it takes a place on the link.
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


def _statements(queries) -> list[str]:
    """Each statement as its verb and table («INSERT colleges_membership»); the transaction's BEGIN left out."""
    shapes = []
    for query in queries.captured_queries:
        sql = query["sql"]
        verb = sql.split(" ", 1)[0]
        if verb == "BEGIN":
            continue
        if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT"):
            shapes.append(re.sub(r'\s*"\w+"', "", sql))  # the savepoint's name left out
            continue
        shapes.append(f"{verb} {_table(sql)}")
    return shapes


def _table(sql: str) -> str:
    """The table a statement reads or writes: the first one named outside parentheses (not a subquery's)."""
    depth = 0
    for match in re.finditer(r'[()]|(?:FROM|INTO|UPDATE) "(\w+)"', sql):
        if match.group(0) == "(":
            depth += 1
        elif match.group(0) == ")":
            depth -= 1
        elif depth == 0:
            return match.group(1)
    return "?"


# No savepoint: a clash on the unique index rolls the whole acceptance back (then «already a member»).
MEMBERSHIP = ["INSERT colleges_membership"]
# The link by its token, with whether the person is a member or has a request waiting anywhere (invitation_find_for).
FOUND = ["SELECT invitations_invitation"]
# The link as the caller read it, then the person's memberships and their pending request (person_standing).
FOLLOWED = ["SELECT invitations_invitation", "SELECT colleges_membership", "SELECT invitations_joinrequest"]
# What following a link costs, statement by statement, outside any transaction as a request runs it
# (the BEGIN and COMMIT of its one transaction are not statements here). The parent's savepoint is
# groups' own (group_parent_add goes on after a unique-index violation: the row is there already).
STATEMENTS = {
    "student": [
        *FOUND,
        *MEMBERSHIP,
        "INSERT groups_enrollment",
        "INSERT invitations_invitationuse",
        "INSERT audit_auditevent",  # membership.create, enrollment.start and invitation.accept at once
        "UPDATE groups_studygroup",  # its student count, deferred to here: the group's row lock until COMMIT only
        "UPDATE invitations_invitation",  # the claim
        "COMMIT",
    ],
    "parent": [
        *FOUND,
        *MEMBERSHIP,
        "SELECT groups_groupparent",
        "SAVEPOINT",
        "INSERT groups_groupparent",
        "RELEASE SAVEPOINT",
        "INSERT invitations_invitationuse",
        "INSERT audit_auditevent",
        "UPDATE invitations_invitation",
        "COMMIT",
    ],
    "approval": [
        *FOUND,
        "INSERT invitations_joinrequest",
        "INSERT invitations_invitationuse",
        "INSERT audit_auditevent",
        "UPDATE invitations_invitation",
        "COMMIT",
    ],
    "used_up": [*FOUND, "INSERT invitations_invitationuse"],
    "race_lost": [
        *FOLLOWED,
        *MEMBERSHIP,
        "INSERT groups_enrollment",
        "INSERT invitations_invitationuse",
        "INSERT audit_auditevent",
        "UPDATE groups_studygroup",
        "UPDATE invitations_invitation",  # claims nothing: all above rolls back
        "ROLLBACK",
        "SELECT invitations_invitation",  # why
        "INSERT invitations_invitationuse",
    ],
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", list(STATEMENTS))
def test_statements_of_an_acceptance(case, administrator, college, group, without_chat_sync):
    """The acceptance's own statements (chats' roster sync is a task it queues, run eagerly here, so off)."""
    role, options = {
        "student": (Role.STUDENT, {}),
        "parent": (Role.PARENT, {}),
        "approval": (Role.STUDENT, {"requires_approval": True}),
        "used_up": (Role.STUDENT, {"max_uses": 1}),
        "race_lost": (Role.STUDENT, {"max_uses": 1}),
    }[case]
    link, token = invitation_create(
        actor=administrator,
        college=college,
        role=role,
        group=group,
        expires_at=timezone.now() + datetime.timedelta(days=7),
        **options,
    )
    if case in ("used_up", "race_lost"):
        invitation_accept_by_token(token=token, user=factories.UserFactory())
    person = factories.UserFactory()

    with CaptureQueriesContext(connection) as queries:
        if case == "race_lost":
            # The link as read before the last place went: the claim decides.
            _, result = link, invitation_accept(invitation=_as_read_before(link), user=person)
        else:
            _, result = invitation_accept_by_token(token=token, user=person)

    expected = {"approval": "requested", "used_up": "used_up", "race_lost": "used_up"}.get(case, "joined")
    assert result.result == expected
    assert _statements(queries) == STATEMENTS[case]


def _as_read_before(link: Invitation) -> Invitation:
    """``link`` with its college and group loaded and a count from before its last place was taken."""
    stale = Invitation.objects.select_related("college", "group").get(pk=link.pk)
    stale.uses_count = 0
    return stale
