import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from colleges.models import Membership, Role
from groups.models import Enrollment
from invitations.messages import (
    ADMINISTRATOR_NOT_INVITED_MESSAGE,
    PARENT_LINK_IN_STUDENT_SESSION_MESSAGE,
    USED_UP_MESSAGE,
)
from invitations.models import Invitation, InvitationUse, JoinRequest
from invitations.selectors import invitation_find
from invitations.services import (
    bulk_dispatch_create,
    invitation_accept,
    invitation_create,
    invitation_regenerate,
    invitation_revoke,
    invitations_hand_to_curator,
    join_request_approve,
    join_request_reject,
    join_requests_close_for_student,
    join_requests_decide,
)
from invitations.tokens import token_hash, token_unseal
from tests import factories

pytestmark = pytest.mark.django_db

IN_A_WEEK = datetime.timedelta(days=7)


def test_token_is_stored_only_hashed_and_sealed(make_link):
    invitation, token = make_link()

    invitation.refresh_from_db()
    assert len(token) >= 32
    assert invitation.token_hash == token_hash(token)
    assert token not in invitation.token_sealed
    assert token_unseal(invitation.token_sealed) == token
    assert not AuditEvent.objects.filter(after__icontains=token).exists()


def test_forged_token_finds_nothing(make_link):
    make_link()

    assert invitation_find(token="x" * 32) is None


def test_new_student_joins_group_through_link(make_link, group):
    invitation, token = make_link()
    person = factories.UserFactory()

    result = invitation_accept(invitation=invitation_find(token=token), user=person)

    assert result.joined
    enrollment = Enrollment.objects.get(student__user=person, ended_at__isnull=True)
    assert enrollment.group == group
    invitation.refresh_from_db()
    assert invitation.uses_count == 1
    assert InvitationUse.objects.get(invitation=invitation).result == InvitationUse.Result.JOINED


def test_teacher_link_gives_teacher_membership(make_link, college):
    invitation, _ = make_link(role=Role.TEACHER, group=None)
    person = factories.UserFactory()

    invitation_accept(invitation=invitation, user=person)

    assert Membership.objects.filter(user=person, college=college, role=Role.TEACHER, status="active").exists()


def test_used_up_link_answers_used_up(make_link):
    invitation, _ = make_link(max_uses=1)
    invitation_accept(invitation=invitation, user=factories.UserFactory())
    invitation.refresh_from_db()

    result = invitation_accept(invitation=invitation, user=factories.UserFactory())

    assert result.result == InvitationUse.Result.USED_UP
    assert result.message == USED_UP_MESSAGE


def test_expired_invitation_cannot_be_accepted(make_link):
    invitation, _ = make_link()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    result = invitation_accept(invitation=invitation, user=factories.UserFactory())

    assert result.result == InvitationUse.Result.EXPIRED
    assert not Enrollment.objects.filter(group=invitation.group).exists()


def test_revoked_invitation_cannot_be_accepted(make_link, administrator):
    invitation, _ = make_link()
    invitation_revoke(actor=administrator, invitation=invitation)

    result = invitation_accept(invitation=invitation, user=factories.UserFactory())

    assert result.result == InvitationUse.Result.REVOKED


def test_stale_invitation_object_still_refused_after_revoke(make_link, administrator):
    invitation, _ = make_link()
    stale = Invitation.objects.get(pk=invitation.pk)
    invitation_revoke(actor=administrator, invitation=invitation)

    result = invitation_accept(invitation=stale, user=factories.UserFactory())

    assert result.result == InvitationUse.Result.REVOKED
    assert Invitation.objects.get(pk=invitation.pk).uses_count == 0


def test_regenerate_stops_old_token_at_once(make_link, administrator):
    invitation, old_token = make_link()

    _, new_token = invitation_regenerate(actor=administrator, invitation=invitation)

    assert invitation_find(token=old_token) is None
    assert invitation_find(token=new_token).pk == invitation.pk


def test_link_requiring_approval_files_join_request(make_link):
    invitation, _ = make_link(requires_approval=True)
    person = factories.UserFactory()

    result = invitation_accept(invitation=invitation, user=person)

    assert result.result == InvitationUse.Result.REQUESTED
    assert JoinRequest.objects.get(user=person).status == JoinRequest.Status.PENDING
    assert not Membership.objects.filter(user=person).exists()


def test_joins_after_auto_approve_window_go_to_review(make_link):
    invitation, _ = make_link(auto_approve_until=timezone.now() - datetime.timedelta(minutes=1))

    result = invitation_accept(invitation=invitation, user=factories.UserFactory())

    assert result.result == InvitationUse.Result.REQUESTED


def test_student_of_another_group_gets_transfer_request_not_second_group(make_link, student, group):
    invitation, _ = make_link()

    result = invitation_accept(invitation=invitation, user=student)

    assert result.result == InvitationUse.Result.REQUESTED
    request = JoinRequest.objects.get(user=student)
    assert request.is_transfer
    assert Enrollment.objects.filter(student__user=student, ended_at__isnull=True).count() == 1
    assert not Enrollment.objects.filter(student__user=student, group=group).exists()


def test_approving_transfer_moves_student_to_new_group(make_link, student, group, administrator):
    invitation, _ = make_link()
    request = invitation_accept(invitation=invitation, user=student).join_request

    join_request_approve(actor=administrator, join_request=request)

    current = Enrollment.objects.get(student__user=student, ended_at__isnull=True)
    assert current.group == group


def test_parent_link_opened_in_student_session_is_refused(make_link, student):
    invitation, _ = make_link(role=Role.PARENT)

    result = invitation_accept(invitation=invitation, user=student)

    assert result.result == InvitationUse.Result.REFUSED
    assert result.message == PARENT_LINK_IN_STUDENT_SESSION_MESSAGE
    assert not Membership.objects.filter(user=student, role=Role.PARENT).exists()


def test_personal_invitation_admits_only_its_addressee(make_link):
    addressee = factories.UserFactory()
    invitation, _ = make_link(kind=Invitation.Kind.PERSONAL, recipient_phone=addressee.phone)

    stranger_result = invitation_accept(invitation=invitation, user=factories.UserFactory())
    result = invitation_accept(invitation=invitation, user=addressee)

    assert stranger_result.result == InvitationUse.Result.REFUSED
    assert result.joined


def test_member_accepting_again_is_told_and_uses_nothing(make_link):
    invitation, _ = make_link()
    person = factories.UserFactory()
    invitation_accept(invitation=invitation, user=person)
    invitation.refresh_from_db()

    result = invitation_accept(invitation=invitation, user=person)

    assert result.result == InvitationUse.Result.ALREADY_MEMBER
    invitation.refresh_from_db()
    assert invitation.uses_count == 1


def test_curator_creates_student_link_for_own_group_only(curator, college, group):
    other_group = factories.StudyGroupFactory(college=college)
    expires = timezone.now() + IN_A_WEEK

    invitation, _ = invitation_create(
        actor=curator, college=college, role=Role.STUDENT, group=group, max_uses=25, expires_at=expires
    )

    assert invitation.created_by == curator
    with pytest.raises(PermissionDenied):
        invitation_create(actor=curator, college=college, role=Role.STUDENT, group=other_group, expires_at=expires)
    with pytest.raises(PermissionDenied):
        invitation_create(actor=curator, college=college, role=Role.TEACHER, expires_at=expires)


@pytest.mark.parametrize("inviter", ["administrator", "administration"])
def test_nobody_invites_to_the_administrator_role(inviter, college, request):
    actor = request.getfixturevalue(inviter)

    with pytest.raises(ValidationError) as caught:
        invitation_create(actor=actor, college=college, role=Role.ADMINISTRATOR, expires_at=timezone.now() + IN_A_WEEK)

    assert caught.value.message_dict["role"] == [ADMINISTRATOR_NOT_INVITED_MESSAGE]
    assert not Invitation.objects.exists()


def test_bulk_invitations_to_the_administrator_role_are_refused(administrator, college):
    with pytest.raises(ValidationError) as caught:
        bulk_dispatch_create(
            actor=administrator,
            college=college,
            role=Role.ADMINISTRATOR,
            group=None,
            expires_at=timezone.now() + IN_A_WEEK,
            recipients=[{"name": "Иванов Иван", "phone": "+79120000001"}],
        )

    assert caught.value.message_dict["role"] == [ADMINISTRATOR_NOT_INVITED_MESSAGE]
    assert not Invitation.objects.exists()


def test_student_link_needs_group(administrator, college):
    with pytest.raises(ValidationError):
        invitation_create(
            actor=administrator, college=college, role=Role.STUDENT, expires_at=timezone.now() + IN_A_WEEK
        )


def test_teacher_cannot_revoke_administrators_link(make_link, teacher):
    invitation, _ = make_link()

    with pytest.raises(PermissionDenied):
        invitation_revoke(actor=teacher, invitation=invitation)


def test_hand_to_curator_creates_link_when_group_has_none(administrator, group, curator):
    links = invitations_hand_to_curator(actor=administrator, group=group)

    assert len(links) == 1
    assert links[0].handed_to.user == curator
    assert links[0].role == Role.STUDENT


def test_approval_creates_membership_and_enrollment_and_tells_the_person(
    make_link, administrator, group, sms_outbox, django_capture_on_commit_callbacks
):
    invitation, _ = make_link(requires_approval=True)
    person = factories.UserFactory()
    request = invitation_accept(invitation=invitation, user=person).join_request

    with django_capture_on_commit_callbacks(execute=True):
        join_request_approve(actor=administrator, join_request=request)

    assert Enrollment.objects.get(student__user=person, ended_at__isnull=True).group == group
    assert [m["phone"] for m in sms_outbox] == [person.phone]
    assert "одобрена" in sms_outbox[0]["text"]


def test_rejection_needs_reason_and_tells_the_person(
    make_link, administrator, sms_outbox, django_capture_on_commit_callbacks
):
    invitation, _ = make_link(requires_approval=True)
    person = factories.UserFactory()
    request = invitation_accept(invitation=invitation, user=person).join_request

    with pytest.raises(ValidationError):
        join_request_reject(actor=administrator, join_request=request, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        join_request_reject(actor=administrator, join_request=request, reason="Не обучается в колледже")

    request.refresh_from_db()
    assert request.status == JoinRequest.Status.REJECTED
    assert "Не обучается в колледже" in sms_outbox[0]["text"]
    assert not Membership.objects.filter(user=person).exists()


def test_request_decided_twice_is_refused(make_link, administrator):
    invitation, _ = make_link(requires_approval=True)
    request = invitation_accept(invitation=invitation, user=factories.UserFactory()).join_request
    join_request_approve(actor=administrator, join_request=request)

    with pytest.raises(ValidationError):
        join_request_approve(actor=administrator, join_request=request)


def test_bulk_approval_decides_each_and_reports_errors(make_link, administrator):
    invitation, _ = make_link(requires_approval=True)
    requests = [invitation_accept(invitation=invitation, user=factories.UserFactory()).join_request for _ in range(3)]
    join_request_approve(actor=administrator, join_request=requests[0])

    done, errors = join_requests_decide(actor=administrator, join_requests=requests, approve=True)

    assert done == 2
    assert len(errors) == 1
    assert JoinRequest.objects.filter(status=JoinRequest.Status.APPROVED).count() == 3


def test_curator_decides_requests_of_own_group_only(make_link, curator, college):
    invitation, _ = make_link(requires_approval=True)
    own = invitation_accept(invitation=invitation, user=factories.UserFactory()).join_request
    other_link, _ = make_link(requires_approval=True, group=factories.StudyGroupFactory(college=college))
    foreign = invitation_accept(invitation=other_link, user=factories.UserFactory()).join_request

    join_request_approve(actor=curator, join_request=own)

    with pytest.raises(PermissionDenied):
        join_request_approve(actor=curator, join_request=foreign)


# --- What a decision on a request does to the link's log and count ---------------


def test_approved_request_is_logged_as_joined(make_link, administrator):
    invitation, _ = make_link(requires_approval=True)
    person = factories.UserFactory()
    request = invitation_accept(invitation=invitation, user=person).join_request

    join_request_approve(actor=administrator, join_request=request)

    use = InvitationUse.objects.get(invitation=invitation, user=person)
    assert use.result == InvitationUse.Result.JOINED
    assert use.membership == Membership.objects.get(user=person, role=Role.STUDENT)
    invitation.refresh_from_db()
    assert invitation.uses_count == 1


def test_rejected_request_is_logged_as_rejected_and_gives_its_place_back(make_link, administrator):
    invitation, _ = make_link(requires_approval=True, max_uses=40)
    accepted, rejected = factories.UserFactory(), factories.UserFactory()
    first = invitation_accept(invitation=invitation, user=accepted).join_request
    second = invitation_accept(invitation=invitation, user=rejected).join_request
    join_request_approve(actor=administrator, join_request=first)

    join_request_reject(actor=administrator, join_request=second, reason="Не обучается в колледже")

    assert InvitationUse.objects.get(user=rejected).result == InvitationUse.Result.REJECTED
    invitation.refresh_from_db()
    assert invitation.uses_count == 1
    assert invitation.uses_left == 39


def test_place_given_back_by_a_rejection_admits_the_next_person(make_link, administrator):
    invitation, _ = make_link(requires_approval=True, max_uses=1)
    request = invitation_accept(invitation=invitation, user=factories.UserFactory()).join_request
    join_request_reject(actor=administrator, join_request=request, reason="Ошибся группой")

    result = invitation_accept(invitation=invitation, user=factories.UserFactory())

    assert result.result == InvitationUse.Result.REQUESTED


def test_rejected_personal_invitation_stays_spent(make_link, administrator):
    invitation, _ = make_link(
        kind=Invitation.Kind.PERSONAL, recipient_phone="+79120000077", requires_approval=True, max_uses=None
    )
    person = factories.UserFactory(phone="+79120000077")
    request = invitation_accept(invitation=invitation, user=person).join_request

    join_request_reject(actor=administrator, join_request=request, reason="Уже отчислен")

    assert InvitationUse.objects.get(user=person).result == InvitationUse.Result.REJECTED
    invitation.refresh_from_db()
    assert invitation.uses_count == 1


def test_requests_closed_for_a_leaver_are_logged_and_give_places_back(make_link, college):
    invitation, _ = make_link(requires_approval=True)
    person = factories.UserFactory()
    invitation_accept(invitation=invitation, user=person)
    membership = factories.MembershipFactory(college=college, user=person, role=Role.STUDENT)

    join_requests_close_for_student(college_id=college.pk, student=membership, reason="Отчислен")

    assert InvitationUse.objects.get(user=person).result == InvitationUse.Result.CLOSED
    invitation.refresh_from_db()
    assert invitation.uses_count == 0


def test_transfer_approved_from_a_join_request_is_recorded_as_an_applied_movement_order(
    make_link, student, group, administrator
):
    from movement.models import Movement
    from movement.selectors import person_timeline

    old_group = Enrollment.objects.get(student__user=student, ended_at__isnull=True).group
    invitation, _ = make_link()
    request = invitation_accept(invitation=invitation, user=student).join_request

    join_request_approve(actor=administrator, join_request=request)

    movement = Movement.objects.get(person__user=student)
    assert (movement.kind, movement.status) == ("transfer", "applied")
    assert (movement.from_group, movement.to_group) == (old_group, group)
    assert movement.order_number == f"заявка № {request.pk}"
    assert movement.entered_by == administrator
    assert [item["movement"] for item in person_timeline(person=movement.person)] == [movement]
    assert Enrollment.objects.get(student__user=student, ended_at__isnull=True).group == group
