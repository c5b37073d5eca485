"""A college with one study group as chats see it: its administrator, curator, a subject teacher,
students, a parent, and a second group and a second college to be denied."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chats.models import Chat, ChatKind
from chats.services import chat_sync_group
from colleges.models import Membership, Role
from groups.models import GroupParent, StudyGroup
from tests import factories

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + b"\x00" * 100


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def _chats_storage(settings, tmp_path):
    """Each test keeps chat attachments in its own folder; the in-memory channel layer."""
    settings.STORAGES = {
        **settings.STORAGES,
        "chats": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "c"}},
    }
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@dataclass
class World:
    college: object
    admin: Membership
    curator: Membership
    subject_teacher: Membership
    other_teacher: Membership
    students: list[Membership]
    parent: Membership
    group: StudyGroup
    other_group: StudyGroup
    other_student: Membership
    discipline: object

    def chat(self, kind: str, group: StudyGroup | None = None) -> Chat:
        return Chat.objects.get(college=self.college, kind=kind, study_group=group or self.group)

    @property
    def group_chat(self) -> Chat:
        return self.chat(ChatKind.STUDY_GROUP)


def member(college, role) -> Membership:
    return factories.MembershipFactory(college=college, role=role)


def student_in(group) -> Membership:
    membership = member(group.college, Role.STUDENT)
    factories.EnrollmentFactory(student=membership, group=group, started_at=datetime.date(2025, 9, 1))
    return membership


@pytest.fixture
def world(college) -> World:
    department = factories.DepartmentFactory(college=college)
    group = factories.StudyGroupFactory(college=college, department=department, name="ИС-21")
    other_group = factories.StudyGroupFactory(college=college, department=department, name="ИС-22")
    admin = member(college, Role.ADMINISTRATOR)
    curator = member(college, Role.TEACHER)
    subject_teacher = member(college, Role.TEACHER)
    factories.CuratorAssignmentFactory(group=group, teacher=curator)
    discipline = factories.DisciplineFactory(college=college, name="Математика")
    factories.SubjectTeacherAssignmentFactory(group=group, teacher=subject_teacher, discipline=discipline)
    students = [student_in(group) for _ in range(3)]
    parent = member(college, Role.PARENT)
    GroupParent.objects.create(college=college, parent=parent, group=group)
    other_student = student_in(other_group)
    chat_sync_group(group=group)
    chat_sync_group(group=other_group)
    return World(
        college=college,
        admin=admin,
        curator=curator,
        subject_teacher=subject_teacher,
        other_teacher=member(college, Role.TEACHER),
        students=students,
        parent=parent,
        group=group,
        other_group=other_group,
        other_student=other_student,
        discipline=discipline,
    )
