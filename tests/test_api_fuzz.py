"""Property-based fuzzing of the whole API (/api/v1/) with schemathesis, as a college administrator.

Each operation of the OpenAPI schema gets a bounded number of generated
requests (writes included: everything happens inside the test transaction),
sent in-process to the Django WSGI application. Two checks: no answer is a
server error, and every answer matches the schema it declares. A small demo
college is seeded first, and path ids are often swapped for ids of its real
objects so operations reach past «not found».
"""

import datetime
import io
import json
import os
import secrets

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from colleges.models import College, Department, Membership, Role
from groups.models import Enrollment, StudyGroup
from tests import factories

# Few examples per operation and a fixed seed: the run stays within minutes on a small machine and repeats.
# `make fuzz` runs this file alone with more (FUZZ_MAX_EXAMPLES).
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "15"))
# A file to append «METHOD path status» to for every request, to see how far the run reached.
STATS_FILE = os.environ.get("FUZZ_STATS", "")
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


class _TestTransactionWsgi(WSGIHandler):
    """The WSGI app as in production, except that a request does not close the test's database connection.

    Django's own test client does the same (``close_old_connections`` would drop
    the connection holding the test transaction).
    """

    def __call__(self, environ, start_response):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            return super().__call__(environ, start_response)
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


APP = _TestTransactionWsgi()


def _seed_beyond_the_demo(college, admin) -> None:
    """What the demo college lacks: links and their uses, join requests, a dispatch, materials, movements, imports."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from invitations import services as invitations
    from materials import services as materials
    from movement import services as movement

    groups = list(StudyGroup.objects.filter(college=college).order_by("pk"))
    later = timezone.now() + datetime.timedelta(days=30)
    link, _ = invitations.invitation_create(
        actor=admin, college=college, role=Role.STUDENT, group=groups[0], expires_at=later, requires_approval=True
    )
    invitations.invitation_create(actor=admin, college=college, role=Role.TEACHER, expires_at=later)
    invitations.invitation_accept(invitation=link, user=factories.UserFactory())
    moving = Enrollment.objects.filter(group=groups[1], ended_at__isnull=True).first().student.user
    invitations.invitation_accept(invitation=link, user=moving)
    invitations.bulk_dispatch_create(
        actor=admin,
        college=college,
        role=Role.PARENT,
        group=groups[0],
        expires_at=later,
        recipients=[{"name": "Родитель", "phone": "+79995550101"}],
    )
    staged = materials.material_file_stage(
        actor=admin, college=college, uploaded=SimpleUploadedFile("Расписание.pdf", PDF, "application/pdf")
    )
    materials.material_create(
        actor=admin,
        college=college,
        kind="document",
        title="Расписание",
        audience="college",
        upload_ids=[staged.pk],
        publish=True,
    )
    materials.material_create(
        actor=admin, college=college, kind="article", title="Черновик", audience="staff", body="x"
    )
    today = timezone.localdate()
    movement.movement_create(
        actor=admin,
        college=college,
        kind="academic_leave",
        order_number="1-к",
        order_date=today,
        effective_date=today,
        person=Enrollment.objects.filter(group=groups[0], ended_at__isnull=True).first().student,
        planned_return_date=today + datetime.timedelta(days=200),
    )
    _seed_chats(college, admin)
    rows = ["Фамилия;Имя;Телефон;Группа", f"Новикова;Анна;+79995550102;{groups[0].name}", "Без;Группы;12;НЕТ-1"]
    movement.import_upload(
        actor=admin,
        college=college,
        name="kontingent.csv",
        data="\n".join(rows).encode("cp1251"),
        order_number="2-к",
        order_date=today,
        effective_date=today,
    )


def _seed_chats(college, admin) -> None:
    """A file, a reply and a report in the administrator's college chat (the demo writes only greetings)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chats import services as chats
    from chats.models import Chat, ChatMember

    chat = Chat.objects.get(college=college, kind="college")
    greeting = chat.messages.filter(kind="text").first()
    teacher = ChatMember.objects.filter(chat=chat, member__role=Role.TEACHER).first().member.user
    chats.message_post(
        actor=teacher,
        chat=chat,
        text="Расписание во вложении",
        reply_to=greeting,
        attachments=[SimpleUploadedFile("Расписание.pdf", PDF, "application/pdf")],
    )
    chats.report_create(actor=teacher, message=greeting, reason="Не по теме")


@pytest.fixture
def seeded(db, settings, tmp_path):
    """A small demo college (2 groups, staff, disciplines, assignments, links, materials...) and its administrator."""
    settings.STORAGES = {
        **settings.STORAGES,
        "materials": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "materials")},
        },
        "chats": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "chats")},
        },
        "support": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "support")},
        },
    }
    call_command("seed_demo", "--students", "40", stdout=io.StringIO())
    college = College.objects.get()
    admin = Membership.objects.get(college=college, role=Role.ADMINISTRATOR).user
    _seed_beyond_the_demo(college, admin)
    return college, admin


def _real_ids(college) -> dict[str, list[int]]:
    """Ids of the seeded objects, by the first part of the path after /api/v1/ (and /colleges/{college_id}/)."""
    from chats.models import ChatMember, Message, MessageAttachment, MessageReport
    from groups.models import CuratorAssignment, Discipline, StaffGroup, SubjectTeacherAssignment
    from invitations.models import BulkDispatch, Invitation, JoinRequest
    from materials.models import Material, MaterialFile
    from movement.models import ImportBatch, Movement
    from support.models import Ticket

    def ids(qs):
        return sorted(qs.values_list("pk", flat=True))

    in_college = {"college": college}
    # The administrator's chats, so chat paths get past «not found».
    admin_rows = ChatMember.objects.filter(chat__college=college, member__role=Role.ADMINISTRATOR, left_at__isnull=True)
    chats = sorted(set(admin_rows.values_list("chat_id", flat=True)))
    return {
        "colleges": [college.pk],
        "departments": ids(Department.objects.filter(**in_college)),
        "memberships": ids(Membership.objects.filter(**in_college))[:20],
        "study-groups": ids(StudyGroup.objects.filter(**in_college)),
        "movement/groups": ids(StudyGroup.objects.filter(**in_college)),
        "staff-groups": ids(StaffGroup.objects.filter(**in_college)),
        "disciplines": ids(Discipline.objects.filter(**in_college)),
        "curator-assignments": ids(CuratorAssignment.objects.filter(group__college=college)),
        "subject-assignments": ids(SubjectTeacherAssignment.objects.filter(**in_college)),
        "invitations": ids(Invitation.objects.filter(**in_college)),
        "join-requests": ids(JoinRequest.objects.filter(**in_college)),
        "invitation-dispatches": ids(BulkDispatch.objects.filter(**in_college)),
        "materials": ids(Material.objects.filter(**in_college)),
        "material-files": ids(MaterialFile.objects.filter(**in_college)),
        "movement/movements": ids(Movement.objects.filter(**in_college)),
        "movement/imports": ids(ImportBatch.objects.filter(**in_college)),
        "member_pk": ids(Membership.objects.filter(staff_groups__college=college)),
        "chats": chats,
        "chat_pk": chats,
        "chats/{chat_pk}/messages": ids(Message.objects.filter(chat_id__in=chats)),
        "chats/{chat_pk}/members": ids(Membership.objects.filter(chat_memberships__chat_id__in=chats).distinct())[:20],
        "chats/{chat_pk}/attachments": ids(MessageAttachment.objects.filter(message__chat_id__in=chats)),
        "chat-reports": ids(MessageReport.objects.filter(**in_college)),
        "support/tickets": ids(Ticket.objects.filter(**in_college)),
        # Body fields that name other objects.
        "staff": ids(Membership.objects.filter(college=college).exclude(role__in=[Role.STUDENT, Role.PARENT]))[:20],
        "teachers": ids(Membership.objects.filter(college=college, role=Role.TEACHER))[:20],
        "students": ids(Membership.objects.filter(college=college, role=Role.STUDENT))[:20],
    }


# A body field naming an object → the pool of real ids it is aimed at.
BODY_REFERENCES = {
    "department": "departments",
    "group": "study-groups",
    "to_group": "study-groups",
    "groups": "study-groups",
    "discipline": "disciplines",
    "teacher": "teachers",
    "member": "staff",
    "person": "students",
    "files": "material-files",
    "reply_to": "chats/{chat_pk}/messages",
    "message_id": "chats/{chat_pk}/messages",
}


def _aimed(value, pool: list[int]):
    """An even non-negative integer becomes a real id from ``pool``; anything else stays as generated."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)  # the coverage phase sends «0» with every body it tries
    if pool and isinstance(value, int) and not isinstance(value, bool) and value % 2 == 0:
        return pool[(value // 2) % len(pool)]
    return value


def _aim_at_real_objects(case, real: dict[str, list[int]]) -> None:
    """Half the generated integer ids (the even ones), in the path and in the body, become ids of real objects.

    So requests get past «not found». A function of the generated value, so
    Hypothesis replays and shrinks a failure the same way.
    """
    path = case.operation.path.removeprefix("/api/v1/").removeprefix("colleges/{college_id}/")
    # The longest prefix: «chats/{chat_pk}/messages» before «chats».
    resource = max((key for key in real if path.startswith(key + "/")), key=len, default=None)
    for name, value in (case.path_parameters or {}).items():
        if name == "college_id":
            # Always the seeded college, so every request gets past it (other ids: tests/colleges/test_api_base.py).
            case.path_parameters[name] = real["colleges"][0]
            continue
        pool = real.get(name if name in ("member_pk", "chat_pk") else resource) or []
        case.path_parameters[name] = _aimed(value, pool)
    if isinstance(case.body, dict):
        for name, key in BODY_REFERENCES.items():
            value = case.body.get(name)
            if isinstance(value, list):
                case.body[name] = [_aimed(item, real[key]) for item in value]
            elif value is not None:
                case.body[name] = _aimed(value, real[key])


def _openapi() -> dict:
    """The schema /api/v1/schema/ serves, generated the same way (drf-spectacular), as a dict."""
    generator = SchemaGenerator(patterns=None, urlconf=None)
    return json.loads(json.dumps(generator.get_schema(request=None, public=True), cls=DjangoJSONEncoder))


schema = schemathesis.openapi.from_dict(_openapi())


@pytest.fixture
def session(seeded, client):
    """Cookies and headers of the signed-in administrator (session and CSRF, as a browser sends them)."""
    college, admin = seeded
    client.force_login(admin)
    csrf = secrets.token_hex(16)
    session_cookie = django_settings.SESSION_COOKIE_NAME
    return {
        "cookie_name": session_cookie,
        "cookies": {session_cookie: client.cookies[session_cookie].value, django_settings.CSRF_COOKIE_NAME: csrf},
        "headers": {"X-CSRFToken": csrf},
        "real": _real_ids(college),
    }


@pytest.mark.fuzz
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_fuzz(case, session):
    _aim_at_real_objects(case, session["real"])
    # The schema's security schemes are generated like parameters; the administrator's own session is sent instead.
    (case.headers or {}).pop("Authorization", None)
    (case.cookies or {}).pop(session["cookie_name"], None)
    response = case.call(app=APP, cookies=session["cookies"], headers=session["headers"])
    if STATS_FILE:
        with open(STATS_FILE, "a") as stats:
            stats.write(f"{case.method} {case.operation.path} {response.status_code}\n")
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
    case.validate_response(response, checks=[response_schema_conformance])


def test_fields_that_can_be_null_are_marked_nullable_in_the_schema():
    components = _openapi()["components"]["schemas"]

    not_marked = [
        (component, field)
        for component, field in [
            ("Invitation", "group_name"),
            ("Invitation", "created_by_name"),
            ("InvitationUse", "user_name"),
            ("JoinRequest", "group_name"),
            ("JoinRequest", "from_group_name"),
            ("RosterRow", "group"),
            ("RosterRow", "current_group"),
            ("Movement", "from_group"),
            ("Movement", "to_group"),
            ("StudyGroup", "curator"),
            ("BulkDispatch", "progress"),
        ]
        if not components[component]["properties"][field].get("nullable")
    ]

    assert not_marked == []


def test_objects_inside_answers_are_declared_not_free_form():
    components = _openapi()["components"]["schemas"]

    assert components["StudyGroup"]["properties"]["curator"]["allOf"] == [{"$ref": "#/components/schemas/Person"}]
    assert components["StaffGroup"]["properties"]["members"]["items"] == {"$ref": "#/components/schemas/Person"}
    assert components["BulkDispatch"]["properties"]["progress"]["allOf"] == [
        {"$ref": "#/components/schemas/DispatchProgress"}
    ]
    skipped = components["BulkDispatchCreateResult"]["properties"]["skipped"]["items"]
    assert skipped == {"$ref": "#/components/schemas/SkippedRecipient"}
