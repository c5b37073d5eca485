import pytest
from allauth.mfa.models import Authenticator

from colleges.models import Role
from notifications.backends import MemorySmsBackend
from tests import factories


@pytest.fixture(autouse=True)
def _isolate(settings, tmp_path):
    """Each test gets empty SMS outbox, its own media folder and an empty cache."""
    from django.core.cache import cache

    MemorySmsBackend.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    MemorySmsBackend.clear()


@pytest.fixture
def sms_outbox():
    return MemorySmsBackend.outbox


def add_totp(user) -> None:
    """Give ``user`` a TOTP authenticator, as if they had set it up (roles that require it)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())


@pytest.fixture
def college(db):
    return factories.CollegeFactory()


@pytest.fixture
def other_college(db):
    return factories.CollegeFactory()


def _member(college, role, *, totp=False):
    membership = factories.MembershipFactory(college=college, role=role)
    if totp:
        add_totp(membership.user)
    return membership


@pytest.fixture
def administrator(college):
    """The college's platform administrator (with TOTP set up)."""
    return _member(college, Role.ADMINISTRATOR, totp=True).user


@pytest.fixture
def administration(college):
    return _member(college, Role.ADMINISTRATION, totp=True).user


@pytest.fixture
def teacher(college):
    return _member(college, Role.TEACHER).user


@pytest.fixture
def student(college):
    membership = _member(college, Role.STUDENT)
    factories.EnrollmentFactory(student=membership, group=factories.StudyGroupFactory(college=college))
    return membership.user


@pytest.fixture
def platform_staff(db):
    """An operator of this installation; platform staff must have TOTP, so this one has it."""
    staff = factories.UserFactory(is_staff=True)
    add_totp(staff)
    return staff


@pytest.fixture
def client_for(client):
    """``client_for(user)``: a test client signed in as ``user`` (allauth sign-in state included)."""

    def make(user):
        client.force_login(user)
        return client

    return make


__all__ = ["Authenticator", "add_totp"]
