import datetime

import pytest
from django.utils import timezone

from colleges.models import Role
from invitations.services import invitation_create
from tests import factories


@pytest.fixture
def group(college):
    return factories.StudyGroupFactory(college=college)


@pytest.fixture
def curator(group):
    """A teacher who is the curator of ``group``."""
    return factories.CuratorAssignmentFactory(group=group).teacher.user


@pytest.fixture
def make_link(administrator, college, group):
    """``make_link(**overrides)`` → (invitation, token): a student link for ``group`` by the administrator."""

    def make(**overrides):
        kwargs = dict(
            actor=administrator,
            college=college,
            role=Role.STUDENT,
            group=group,
            max_uses=30,
            expires_at=timezone.now() + datetime.timedelta(days=7),
        )
        kwargs.update(overrides)
        return invitation_create(**kwargs)

    return make
