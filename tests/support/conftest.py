from dataclasses import dataclass
from typing import Any

import pytest

from colleges.models import Role
from groups.services import group_parent_add
from support import services
from support.models import Topic
from tests import factories
from tests.conftest import add_totp


@dataclass
class SupportWorld:
    college: Any
    other_college: Any
    users: dict[str, Any]

    def ask(self, who: str = "student", text: str = "Не приходит код из SMS", topic: str = Topic.ACCESS):
        return services.ticket_create(actor=self.users[who], college=self.college, topic=topic, text=text)


@pytest.fixture
def sw(db) -> SupportWorld:
    """A college with a student of ИС-1, a parent of ИС-1, a parent of another group, a teacher, the
    administration and the administrator (with an e-mail); another college's administrator; platform staff."""
    college = factories.CollegeFactory()
    other_college = factories.CollegeFactory()
    group = factories.StudyGroupFactory(college=college, name="ИС-1")
    other_group = factories.StudyGroupFactory(college=college, name="ТМ-2")
    m = {
        "student": factories.MembershipFactory(
            college=college, role=Role.STUDENT, user=factories.UserFactory(email="student@example.org")
        ),
        "classmate": factories.MembershipFactory(college=college, role=Role.STUDENT),
        "parent": factories.MembershipFactory(college=college, role=Role.PARENT),
        "other_parent": factories.MembershipFactory(college=college, role=Role.PARENT),
        "teacher": factories.MembershipFactory(college=college, role=Role.TEACHER),
        "administration": factories.MembershipFactory(college=college, role=Role.ADMINISTRATION),
        "administrator": factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR),
        "other_administrator": factories.MembershipFactory(college=other_college, role=Role.ADMINISTRATOR),
    }
    factories.EnrollmentFactory(student=m["student"], group=group)
    factories.EnrollmentFactory(student=m["classmate"], group=group)
    group_parent_add(actor=None, parent=m["parent"], group=group)
    group_parent_add(actor=None, parent=m["other_parent"], group=other_group)
    for role in ("administration", "administrator", "other_administrator"):
        add_totp(m[role].user)
    users = {role: membership.user for role, membership in m.items()}
    users["platform_staff"] = factories.UserFactory(is_staff=True)
    add_totp(users["platform_staff"])
    return SupportWorld(college=college, other_college=other_college, users=users)


@pytest.fixture(autouse=True)
def _support_storage(settings, tmp_path):
    """Each test keeps support's files in its own folder (``stored_files`` lists what is there)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "support": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "s"}},
    }


@pytest.fixture
def stored_files(tmp_path):
    """Every file in support's storage folder of this test, as paths relative to it."""
    root = tmp_path / "s"
    return lambda: sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
