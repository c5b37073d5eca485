"""No list of a college reads the whole installation: each table that grows with it is reached by an index.

Every statement of every list (``tests/region_plans.py``) is EXPLAINed on a
database of two colleges, the other one crowded, with ``enable_seqscan`` and
``enable_sort`` off: PostgreSQL then takes an index wherever one can serve
and reads each list in order from an index where one gives it. A Seq Scan
that stays, or an index walked whole, means no index keeps that statement
inside the college. This asks whether an index *could* serve, not which plan
the planner picks on a region's statistics (``bench/region_plans.py`` shows
those): a test database is too small for the planner's own choice to mean
anything, while a missing index or a list ordered only by an
installation-wide index (the movement list before its (college, date, id)
index) is caught at any size.
"""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from announcements.models import Announcement
from broadcasts.models import Session
from colleges.models import Membership, Role
from groups.models import Enrollment, GroupParent
from invitations.models import BulkDispatch, Invitation, InvitationUse, JoinRequest
from materials.models import Audience, Material
from movement.models import Movement, MovementKind
from tests import factories
from tests.conftest import add_totp
from tests.region_plans import (
    LIST_URLS,
    big_tables,
    captured_statements,
    explain,
    list_url,
    plan_text,
    whole_table_reads,
)

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]


def _fill(college, *, people: int = 4) -> None:
    """A few rows of every kind a list shows, so each of its statements runs."""
    group = factories.StudyGroupFactory(college=college, name="Г-1")
    factories.CuratorAssignmentFactory(college=college, group=group)
    factories.DisciplineFactory(college=college)
    factories.StaffGroupFactory(college=college)
    now = timezone.now()
    for n in range(people):
        member = factories.MembershipFactory(
            college=college, role=Role.STUDENT, user=factories.UserFactory(last_name=f"Иванов{n}")
        )
        Enrollment.objects.create(college=college, student=member, group=group, started_at=datetime.date(2025, 9, 1))
        Movement.objects.create(
            college=college,
            kind=MovementKind.ENROL,
            person=member,
            to_group=group,
            order_number=f"П-{n}",
            order_date=datetime.date(2025, 8, 30),
            effective_date=datetime.date(2025, 9, 1),
            status=Movement.Status.APPLIED,
        )
        invitation = Invitation.objects.create(
            college=college,
            group=group,
            created_by=member.user,
            handed_to=member,
            role=Role.STUDENT,
            token_hash=f"{college.pk}-{n}",
            token_sealed=_sealed(),
            expires_at=now + datetime.timedelta(days=30),
        )
        request = JoinRequest.objects.create(
            college=college, user=member.user, role=Role.STUDENT, group=group, invitation=invitation
        )
        InvitationUse.objects.create(
            college=college,
            invitation=invitation,
            user=member.user,
            join_request=request,
            result=InvitationUse.Result.REQUESTED,
        )
        Material.objects.create(
            college=college,
            kind="article",
            title=f"Материал {n}",
            body="Текст",
            audience=Audience.COLLEGE,
            status=Material.Status.PUBLISHED,
            published_at=now,
            author=member.user,
        )
        BulkDispatch.objects.create(college=college, role=Role.STUDENT, group=group, created_by=member.user)
        GroupParent.objects.get_or_create(college=college, parent=member, group=group)
        Session.objects.create(
            college=college,
            kind="broadcast",
            title=f"Занятие {n}",
            starts_at=now,
            duration_minutes=45,
            ends_at=now + datetime.timedelta(minutes=45),
            host=member,
            audience="college",
        )
        Announcement.objects.create(
            college=college, title=f"Объявление {n}", text="Текст", audience="college", author=member, published_at=now
        )


def _crowd_sessions(college, host, *, count: int) -> None:
    now = timezone.now()
    Session.objects.bulk_create(
        [
            Session(
                college=college,
                kind="lesson",
                title=f"Занятие {n}",
                starts_at=now + datetime.timedelta(hours=n),
                duration_minutes=45,
                ends_at=now + datetime.timedelta(hours=n, minutes=45),
                host=host,
                audience="college",
                room_name=f"crowd-{college.pk}-{n}",
            )
            for n in range(count)
        ]
    )


def _crowd_announcements(college, author, *, count: int) -> None:
    now = timezone.now()
    Announcement.objects.bulk_create(
        [
            Announcement(college=college, title=f"Объявление {n}", text="Текст", audience="college", author=author,
                         published_at=now - datetime.timedelta(minutes=n))
            for n in range(count)
        ]
    )  # fmt: skip


def _sealed() -> str:
    from invitations.tokens import token_new, token_seal

    return token_seal(token_new())


def _crowd(college, *, people: int, groups: int) -> None:
    """Many rows of every kind in ``college`` (bulk rows: the guard needs sizes, not services), so that
    reading another college's rows costs the planner more than reading the first college's by an index."""
    from accounts.models import User
    from colleges.models import Department, Membership
    from groups.models import CuratorAssignment, Discipline, StaffGroup, StudyGroup, SubjectTeacherAssignment

    departments = Department.objects.bulk_create([Department(college=college, name=f"О-{n}") for n in range(groups)])
    study_groups = StudyGroup.objects.bulk_create(
        [
            StudyGroup(college=college, department=department, name=f"Ц-{n}", course=1, admission_year=2025)
            for n, department in enumerate(departments)
        ]
    )
    disciplines = Discipline.objects.bulk_create([Discipline(college=college, name=f"Д-{n}") for n in range(groups)])
    StaffGroup.objects.bulk_create([StaffGroup(college=college, name=f"С-{n}") for n in range(groups)])
    users = [
        User(phone=f"+7998{college.pk:03d}{n:04d}", last_name=f"Иванов{n}", first_name="Иван") for n in range(people)
    ]
    for user in users:
        user.fill_search_fields()
    users = User.objects.bulk_create(users)
    members = [Membership(college=college, user=user, role=Role.STUDENT if n % 10 else Role.TEACHER) for n, user in
               enumerate(users)]  # fmt: skip
    for member in members:
        member.copy_user_names()
    members = Membership.objects.bulk_create(members)
    teachers = [m for m in members if m.role == Role.TEACHER]
    CuratorAssignment.objects.bulk_create(
        [
            CuratorAssignment(college=college, group=g, teacher=teachers[n % len(teachers)], started_at=_DAY)
            for n, g in enumerate(study_groups)
        ]
    )
    SubjectTeacherAssignment.objects.bulk_create(
        [
            SubjectTeacherAssignment(
                college=college, group=g, discipline=d, teacher=teachers[n % len(teachers)], started_at=_DAY
            )
            for n, (g, d) in enumerate(zip(study_groups, disciplines, strict=True))
        ]
    )
    students = [m for m in members if m.role == Role.STUDENT]
    Enrollment.objects.bulk_create(
        [
            Enrollment(college=college, student=m, group=study_groups[n % groups], started_at=_DAY)
            for n, m in enumerate(students)
        ]
    )
    # A parent of each group (the students' memberships stand in for them: the guard needs rows, not roles).
    GroupParent.objects.bulk_create(
        [GroupParent(college=college, parent=students[n], group=g) for n, g in enumerate(study_groups)]
    )
    Movement.objects.bulk_create(
        [
            Movement(
                college=college,
                kind=MovementKind.ENROL,
                person=m,
                to_group=study_groups[n % groups],
                discipline=disciplines[n % groups],
                order_number=f"П-{m.pk}",
                order_date=_DAY,
                effective_date=_DAY,
                status=Movement.Status.APPLIED,
            )
            for n, m in enumerate(students)
        ]
    )
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                college=college,
                group=g,
                role=Role.STUDENT,
                token_hash=f"crowd-{g.pk}",
                created_by=teachers[0].user,
                handed_to=teachers[0],
                expires_at=timezone.now(),
            )
            for g in study_groups
        ]
    )
    requests = JoinRequest.objects.bulk_create(
        [
            JoinRequest(
                college=college,
                user=m.user,
                role=Role.STUDENT,
                group=study_groups[n % groups],
                from_group=study_groups[(n + 1) % groups],
                invitation=invitations[n % groups],
            )
            for n, m in enumerate(students)
        ]
    )
    InvitationUse.objects.bulk_create(
        [
            InvitationUse(
                college=college,
                invitation=r.invitation,
                user=r.user,
                join_request=r,
                result=InvitationUse.Result.REQUESTED,
            )
            for r in requests
        ]
    )
    BulkDispatch.objects.bulk_create(
        [BulkDispatch(college=college, role=Role.STUDENT, group=g, created_by=teachers[0].user) for g in study_groups]
    )
    Material.objects.bulk_create(
        [
            Material(
                college=college,
                kind="article",
                title=f"Материал {n}",
                audience=Audience.DISCIPLINE,
                status=Material.Status.PUBLISHED,
                published_at=timezone.now(),
                discipline=disciplines[n % groups],
                author=teachers[0].user,
            )
            for n in range(people)
        ]
    )


def _chats(college, members, *, per_chat: int = 20, messages: int = 5) -> None:
    """Free chats of ``members`` (``per_chat`` in each) with a few messages and a report each (bulk rows)."""
    from chats.models import Chat, ChatKind, ChatMember, Message, MessageReport

    count = max(1, len(members) // per_chat)
    chats = Chat.objects.bulk_create(
        [
            Chat(college=college, kind=ChatKind.FREE, title=f"Чат {n}", last_message_at=timezone.now())
            for n in range(count)
        ]
    )
    now = timezone.now()
    ChatMember.objects.bulk_create(
        [ChatMember(chat=chats[n % count], member=member, joined_at=now) for n, member in enumerate(members)]
    )
    posted = Message.objects.bulk_create(
        [
            Message(college=college, chat=chat, author=members[n % len(members)], text=f"Иванов пишет {n}")
            for chat in chats
            for n in range(messages)
        ]
    )
    MessageReport.objects.bulk_create(
        [MessageReport(college=college, message=m, reporter=members[0], reason="Спам") for m in posted[::messages]]
    )


_DAY = datetime.date(2025, 9, 1)


def _api_chats(college, owner, *, chats: int, messages: int) -> None:
    """Chats of ``owner`` with the college's students, their messages, mentions, reactions and reports
    (bulk rows, as ``_crowd``): the owner reports a message of each chat, a student another."""
    from chats.models import Chat, ChatKind, ChatMember, Message, MessageMention, MessageReaction, MessageReport

    students = list(Membership.objects.filter(college=college, role=Role.STUDENT).order_by("pk")[:20])
    now = timezone.now()
    made = Chat.objects.bulk_create(
        [Chat(college=college, kind=ChatKind.FREE, title=f"Чат {n}", created_by=owner.user) for n in range(chats)]
    )
    ChatMember.objects.bulk_create(
        [
            ChatMember(chat=chat, member=member, joined_at=now, role="owner" if member == owner else "member")
            for chat in made
            for member in [owner, *students]
        ]
    )
    sent = Message.objects.bulk_create(
        [
            Message(college=college, chat=chat, author=students[n % len(students)], text=f"Сообщение {n} в чате")
            for chat in made
            for n in range(messages)
        ]
    )
    MessageMention.objects.bulk_create([MessageMention(message=m, member=owner) for m in sent[::3]])
    MessageReaction.objects.bulk_create([MessageReaction(message=m, member=owner, emoji="👍") for m in sent[::2]])
    firsts = {}
    for message in sent:
        firsts.setdefault(message.chat_id, []).append(message)
    MessageReport.objects.bulk_create(
        [MessageReport(college=college, message=found[0], reporter=owner, reason="Спам") for found in firsts.values()]
        + [
            MessageReport(college=college, message=found[-1], reporter=students[0], reason="Грубость")
            for found in firsts.values()
        ]
    )


@pytest.fixture
def region(client):
    """Two colleges with rows of every kind, the second crowded; a client signed in as the first one's administrator."""
    first, second = factories.CollegeFactory(), factories.CollegeFactory()
    # The crowd first: the first college's rows get the highest ids, so a merge join cannot stop early on them.
    _crowd(second, people=2000, groups=300)
    _fill(second, people=8)
    _crowd_sessions(second, Membership.objects.filter(college=second).first(), count=2000)
    _crowd_announcements(second, Membership.objects.filter(college=second).first(), count=2000)
    _api_chats(second, factories.MembershipFactory(college=second, role=Role.TEACHER), chats=60, messages=40)
    _fill(first)
    membership = factories.MembershipFactory(college=first, role=Role.ADMINISTRATOR)
    _chats(second, list(Membership.objects.filter(college=second)))
    _chats(first, list(Membership.objects.filter(college=first)), per_chat=3)
    _api_chats(first, membership, chats=3, messages=5)
    administrator = membership.user
    add_totp(administrator)
    client.force_login(administrator)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return first, client


def test_every_list_reads_only_its_college_through_indexes(region):
    """One database for all the lists (building the crowd is the slow part), every list's reads reported."""
    college, client = region
    administrator = Membership.objects.get(college=college, role=Role.ADMINISTRATOR).user
    tables = big_tables()
    found = []

    for name, url in LIST_URLS.items():
        for sql in captured_statements(client, list_url(url, college, administrator)):
            plan = explain(sql, index_only=True)
            if reads := whole_table_reads(plan, tables):
                found.append(f"{name}: " + "; ".join(reads) + f"\n  in: {sql[:300]}…\n" + plan_text(plan))

    assert not found, "\n\n".join(found)


def test_guard_sees_a_list_ordered_by_an_installation_wide_index(region):
    """The guard itself: the movement list as it was before its (college, date, id) index is caught."""
    sql, params = (
        Movement.objects.filter(college=region[0]).order_by("-effective_date", "-id")[:25].query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX movement_college_list_idx")

    assert whole_table_reads(explain(sql, params, index_only=True), big_tables())


def test_guard_sees_a_list_that_reads_every_college(region):
    """The guard itself: a statement filtered on an unindexed column is caught."""
    sql, params = Movement.objects.filter(reason="перевод").query.sql_with_params()

    assert whole_table_reads(explain(sql, params, index_only=True), big_tables())
