"""The acceptance's statements built once (invitations/compiled.py): the same SQL as the ORM's, the same
models, the same answers, and the ORM itself when a placeholder does not come back."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from colleges.models import Role
from core.compiled import PLACEHOLDER_INT, CompiledSelect, CompiledUpdate
from invitations import selectors
from invitations.models import Invitation, JoinRequest
from invitations.services import acceptance
from invitations.tokens import token_hash
from tests import factories

pytestmark = pytest.mark.django_db


def _orm_find_for(hashed, user_pk):
    return next(iter(selectors._find_for_query(hashed, user_pk)[:1]), None)


def _row(invitation: Invitation) -> dict:
    """Every column of the link, its college and its group, and whether the follower is known."""

    def columns(obj):
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields} if obj else None

    return {
        "link": columns(invitation),
        "college": columns(invitation.college),
        "group": columns(invitation.group),
        "known": invitation.follower_is_known,
    }


@pytest.mark.parametrize("follower", ["newcomer", "member elsewhere", "request waiting", "left a college"])
@pytest.mark.parametrize("with_group", [True, False])
def test_the_compiled_read_of_a_link_is_the_orms(make_link, follower, with_group):
    link, token = make_link() if with_group else make_link(role=Role.TEACHER, group=None)
    person = factories.UserFactory()
    if follower == "member elsewhere":
        factories.MembershipFactory(user=person)
    elif follower == "left a college":
        factories.MembershipFactory(user=person, status="left")
    elif follower == "request waiting":
        other_link, _ = make_link(requires_approval=True)
        JoinRequest.objects.create(college_id=other_link.college_id, user=person, role=Role.STUDENT)

    compiled = selectors._FIND_FOR.first(token_hash(token), person.pk)

    expected = _orm_find_for(token_hash(token), person.pk)
    assert compiled.pk == link.pk
    assert _row(compiled) == _row(expected)
    assert compiled.follower_is_known is (follower in ("member elsewhere", "request waiting"))


def test_the_compiled_read_sends_the_orms_statement_with_the_values(make_link):
    _, token = make_link()
    person = factories.UserFactory()
    selectors._FIND_FOR.first("warm", person.pk)

    with CaptureQueriesContext(connection) as compiled:
        selectors._FIND_FOR.first(token_hash(token), person.pk)
    with CaptureQueriesContext(connection) as orm:
        _orm_find_for(token_hash(token), person.pk)

    assert [q["sql"] for q in compiled.captured_queries] == [q["sql"] for q in orm.captured_queries]


def test_the_compiled_read_loads_the_college_and_group_with_the_link(make_link, college, group):
    _, token = make_link()
    person = factories.UserFactory()

    invitation = selectors._FIND_FOR.first(token_hash(token), person.pk)

    with CaptureQueriesContext(connection) as queries:
        names = (invitation.college.short_name, invitation.group.name)
    assert names == (college.short_name, group.name)
    assert queries.captured_queries == []


def test_a_hash_no_link_has_reads_nothing(make_link):
    make_link()

    assert selectors._FIND_FOR.first(token_hash("x" * 43), factories.UserFactory().pk) is None


def _claims(link: Invitation) -> tuple[int, int]:
    """(rows the compiled claim changed, rows the ORM's claim would have changed), the ORM's rolled back."""
    from django.db import transaction

    with transaction.atomic():
        queryset, changes = acceptance._claim_query(link.pk, timezone.now(), personal=link.is_personal)
        by_orm = queryset.update(**changes)
        transaction.set_rollback(True)
    return acceptance._CLAIMS[link.is_personal].run(link.pk, timezone.now()), by_orm


@pytest.mark.parametrize(
    "state, admits",
    [
        ({}, True),
        ({"max_uses": None}, True),
        ({"uses_count": 30}, False),
        ({"status": Invitation.Status.PAUSED}, False),
        ({"status": Invitation.Status.REVOKED}, False),
        ({"expires_at": datetime.timedelta(seconds=-1)}, False),
    ],
)
def test_the_compiled_claim_takes_a_place_only_while_the_link_admits(make_link, state, admits):
    link, _ = make_link(max_uses=30)
    if "expires_at" in state:
        state = {"expires_at": timezone.now() + state["expires_at"]}
    Invitation.objects.filter(pk=link.pk).update(**state)

    assert _claims(link) == (int(admits), int(admits))
    link.refresh_from_db()
    assert link.uses_count == (1 if admits else state.get("uses_count", 0))


def test_the_compiled_claim_of_a_personal_link_marks_it_accepted(make_link):
    link, _ = make_link(kind=Invitation.Kind.PERSONAL, max_uses=1, recipient_phone="+79160000001")

    assert _claims(link) == (1, 1)

    link.refresh_from_db()
    assert (link.uses_count, link.delivery_status) == (1, Invitation.Delivery.ACCEPTED)


def test_a_statement_whose_placeholder_does_not_come_back_is_left_to_the_orm(make_link):
    link, _ = make_link()
    # The pk goes through abs(): the statement never holds the placeholder as given.
    read = CompiledSelect(Invitation, lambda pk: Invitation.objects.filter(pk=abs(pk)), PLACEHOLDER_INT)
    claim = CompiledUpdate(
        Invitation,
        lambda pk: (Invitation.objects.filter(pk=abs(pk)), {"paused_reason": "проверка"}),
        PLACEHOLDER_INT,
    )

    assert read.first(link.pk).pk == link.pk
    assert read.first(-link.pk).pk == link.pk
    assert claim.run(-link.pk) == 1
    link.refresh_from_db()
    assert link.paused_reason == "проверка"
