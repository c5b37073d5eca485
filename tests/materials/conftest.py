import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from colleges.models import Role
from groups.services import group_parent_add
from tests import factories
from tests.conftest import add_totp
from tests.materials.files import mp4_bytes, ooxml_bytes

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
# A Windows executable starts with «MZ» and has a PE header further on.
EXE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + b"\x80\x00\x00\x00"
    + (b"\x00" * 64 + b"PE\x00\x00L\x01\x03\x00" + b"\x00" * 200)
)
# Minimal but complete: an MP4 of ftyp, moov and mdat boxes; a DOCX with its content types and relationships.
MP4_BYTES = mp4_bytes()
DOCX_BYTES = ooxml_bytes("docx")


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def pdf(name: str = "Расписание.pdf") -> SimpleUploadedFile:
    return upload(name, PDF_BYTES, "application/pdf")


@pytest.fixture(autouse=True)
def _materials_storage(settings, tmp_path):
    """Each test keeps material files in its own folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "materials": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "materials")},
        },
    }


@dataclass
class MaterialsWorld:
    college: Any
    other_college: Any
    group: Any
    other_group: Any
    foreign_group: Any
    discipline: Any
    other_discipline: Any
    users: dict[str, Any]
    memberships: dict[str, Any]


@pytest.fixture
def mw(db) -> MaterialsWorld:
    """A college with two groups: a subject teacher, a curator and a parent of ИС-1, students of both groups,
    and the rest."""
    college = factories.CollegeFactory()
    other_college = factories.CollegeFactory()
    group = factories.StudyGroupFactory(college=college, name="ИС-1")
    other_group = factories.StudyGroupFactory(college=college, name="ТМ-2")
    foreign_group = factories.StudyGroupFactory(college=other_college, name="ИС-1")
    discipline = factories.DisciplineFactory(college=college, name="Математика")
    other_discipline = factories.DisciplineFactory(college=college, name="История")
    m = {
        "student": factories.MembershipFactory(college=college, role=Role.STUDENT),
        "other_student": factories.MembershipFactory(college=college, role=Role.STUDENT),
        "parent": factories.MembershipFactory(college=college, role=Role.PARENT),
        "teacher": factories.MembershipFactory(college=college, role=Role.TEACHER),
        "other_teacher": factories.MembershipFactory(college=college, role=Role.TEACHER),
        "curator": factories.MembershipFactory(college=college, role=Role.TEACHER),
        "administration": factories.MembershipFactory(college=college, role=Role.ADMINISTRATION),
        "administrator": factories.MembershipFactory(college=college, role=Role.ADMINISTRATOR),
        "other_administrator": factories.MembershipFactory(college=other_college, role=Role.ADMINISTRATOR),
    }
    factories.EnrollmentFactory(student=m["student"], group=group)
    factories.EnrollmentFactory(student=m["other_student"], group=other_group)
    group_parent_add(actor=None, parent=m["parent"], group=group)
    factories.SubjectTeacherAssignmentFactory(group=group, teacher=m["teacher"], discipline=discipline)
    factories.SubjectTeacherAssignmentFactory(
        group=other_group, teacher=m["other_teacher"], discipline=other_discipline
    )
    factories.CuratorAssignmentFactory(group=group, teacher=m["curator"], started_at=datetime.date(2026, 9, 1))
    for role in ("administration", "administrator", "other_administrator"):
        add_totp(m[role].user)
    users = {role: membership.user for role, membership in m.items()}
    users["platform_staff"] = factories.UserFactory(is_staff=True)
    return MaterialsWorld(
        college=college,
        other_college=other_college,
        group=group,
        other_group=other_group,
        foreign_group=foreign_group,
        discipline=discipline,
        other_discipline=other_discipline,
        users=users,
        memberships=m,
    )
