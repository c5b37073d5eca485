"""A student who leaves the college by an order or a roster import: their open requests and personal links close.

Nothing here sends ``enrollment_changed`` by hand: the movement is applied, the groups services announce it,
the invitations receiver acts on the kinds ``groups.signals`` defines.
"""

import datetime

import pytest

from colleges.models import Role
from invitations.models import Invitation, JoinRequest
from invitations.services import invitation_accept
from movement import services as movement
from movement.models import Movement, MovementKind
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
ORDER = {"order_number": "15-к", "order_date": TODAY, "effective_date": TODAY}


@pytest.fixture
def student(college):
    member = factories.MembershipFactory(college=college, role=Role.STUDENT)
    factories.EnrollmentFactory(student=member, group=factories.StudyGroupFactory(college=college), started_at=TODAY)
    return member


@pytest.fixture
def open_things(make_link, student):
    """The student's pending join request (from a group link) and a personal invitation sent to their phone."""
    link, _ = make_link()
    request = invitation_accept(invitation=link, user=student.user).join_request
    personal, _ = make_link(kind=Invitation.Kind.PERSONAL, recipient_phone=student.user.phone)
    assert request.status == JoinRequest.Status.PENDING
    return request, personal


def _order(administrator, college, student, kind, capture, **extra):
    with capture(execute=True):
        done = movement.movement_create(
            actor=administrator, college=college, kind=kind, person=student, **ORDER, **extra
        )
    done.refresh_from_db()
    assert done.status == Movement.Status.APPLIED
    return done


@pytest.mark.parametrize(
    ("kind", "extra", "reason"),
    [
        (MovementKind.EXPEL, {"reason": "по собственному желанию"}, "Обучающийся отчислен."),
        (MovementKind.GRADUATE, {}, "Обучающийся выпущен."),
    ],
)
def test_an_order_that_takes_the_student_out_of_the_college_closes_their_requests_and_links(
    administrator, college, student, open_things, django_capture_on_commit_callbacks, kind, extra, reason
):
    request, personal = open_things

    _order(administrator, college, student, kind, django_capture_on_commit_callbacks, **extra)

    request.refresh_from_db()
    personal.refresh_from_db()
    assert (request.status, request.reason) == (JoinRequest.Status.CLOSED, reason)
    assert personal.status == Invitation.Status.REVOKED


def test_academic_leave_keeps_requests_and_links_open(
    administrator, college, student, open_things, django_capture_on_commit_callbacks
):
    request, personal = open_things

    _order(administrator, college, student, MovementKind.ACADEMIC_LEAVE, django_capture_on_commit_callbacks)

    request.refresh_from_db()
    personal.refresh_from_db()
    assert request.status == JoinRequest.Status.PENDING
    assert personal.status != Invitation.Status.REVOKED


def test_a_student_expelled_by_a_roster_import_has_their_requests_closed(
    administrator, college, student, open_things, django_capture_on_commit_callbacks
):
    request, personal = open_things
    stays = factories.MembershipFactory(college=college, role=Role.STUDENT)
    group = factories.StudyGroupFactory(college=college, name="ИС-31")
    factories.EnrollmentFactory(student=stays, group=group, started_at=TODAY)
    data = f"Фамилия;Имя;Телефон;Группа\n{stays.user.last_name};{stays.user.first_name};{stays.user.phone};ИС-31\n"
    batch = movement.import_upload(
        actor=administrator, college=college, name="k.csv", data=data.encode("utf-8"), **ORDER
    )

    with django_capture_on_commit_callbacks(execute=True):
        movement.import_apply_start(actor=administrator, batch=batch, include_expulsions=True, confirm_threshold=True)

    assert Movement.objects.get(batch=batch, person=student).kind == MovementKind.EXPEL
    request.refresh_from_db()
    personal.refresh_from_db()
    assert request.status == JoinRequest.Status.CLOSED
    assert personal.status == Invitation.Status.REVOKED
