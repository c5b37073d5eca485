"""Reads of video sessions, scoped to a college and to what the viewer may see.

Visibility is computed at query time from the viewer's memberships, current
enrollment and parent links, as materials do: a student who moves to another
group sees the new group's sessions at once.
"""

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.search import search_q
from broadcasts.models import Attendance, Audience, Kind, Session
from broadcasts.permissions import (
    can_manage_all_sessions,
    can_view_sessions,
    sees_childrens_parent_meetings,
    sees_own_group_sessions,
    sees_seminars,
    sees_staff_and_own_groups_sessions,
)
from colleges.models import STAFF_ROLES, College, Membership, Role
from groups.models import StudyGroup
from groups.permissions import teacher_scope
from groups.selectors import EVERY_ROLE, audience_memberships, parent_group_ids, student_group_ids

_SessionGroup = Session.groups.through


def _targets_groups(group_ids) -> Exists:
    return Exists(_SessionGroup.objects.filter(session_id=OuterRef("pk"), studygroup_id__in=group_ids))


def session_visibility_q(*, user, college: College) -> Q:
    """What ``user`` may see among ``college``'s sessions, as one filter."""
    if not can_view_sessions(user, college):
        return Q(pk__in=[])
    if can_manage_all_sessions(user, college):
        return Q()
    visible = Q(audience=Audience.COLLEGE) | Q(host__user=user)
    if sees_staff_and_own_groups_sessions(user, college):
        visible |= Q(audience=Audience.STAFF)
        group_ids = teacher_scope(user, college).group_ids
        if group_ids:
            visible |= Q(audience=Audience.GROUPS) & _targets_groups(list(group_ids))
    if sees_own_group_sessions(user, college):
        visible |= (
            Q(audience=Audience.GROUPS)
            & ~Q(kind=Kind.PARENT_MEETING)
            & _targets_groups(student_group_ids(user=user, college=college))
        )
    if sees_childrens_parent_meetings(user, college):
        visible |= (
            Q(audience=Audience.GROUPS)
            & Q(kind=Kind.PARENT_MEETING)
            & _targets_groups(parent_group_ids(user=user, college=college))
        )
    return visible


def _with_related(qs: QuerySet[Session]) -> QuerySet[Session]:
    return qs.select_related("college", "host", "host__user").prefetch_related(
        Prefetch("groups", queryset=StudyGroup.objects.order_by("name"))
    )


def session_list(*, viewer, college: College, search: str = "", kind: str = "", now=None) -> QuerySet[Session]:
    """Upcoming and running sessions first, soonest first; then past ones, latest first (of one ``kind`` if given)."""
    now = now or timezone.now()
    qs = Session.objects.filter(college=college).filter(session_visibility_q(user=viewer, college=college))
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    qs = qs.filter(search_q(search, fields=("title", "description")))
    past = Case(When(ends_at__lt=now, then=Value(1)), default=Value(0), output_field=IntegerField())
    upcoming_start = Case(When(ends_at__gte=now, then=F("starts_at")))
    past_start = Case(When(ends_at__lt=now, then=F("starts_at")))
    return _with_related(qs).order_by(past, upcoming_start.asc(nulls_last=True), past_start.desc(nulls_last=True), "id")


def seminar_upcoming(*, viewer, college: College, now=None) -> QuerySet[Session]:
    """Seminars and webinars for teachers not over yet, soonest first (empty for whoever is not staff)."""
    if not sees_seminars(viewer, college):
        return Session.objects.none()
    now = now or timezone.now()
    qs = Session.objects.filter(
        college=college, kind=Kind.SEMINAR, status=Session.Status.PLANNED, ends_at__gt=now
    ).filter(session_visibility_q(user=viewer, college=college))
    return qs.select_related("host__user").order_by("starts_at", "id")


def session_get_for(*, user, college: College, pk) -> Session:
    """The session if ``user`` may see it, else 404 (the same answer for missing, foreign and hidden)."""
    qs = Session.objects.filter(college=college).filter(session_visibility_q(user=user, college=college))
    try:
        return _with_related(qs).get(pk=pk)
    except (Session.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def session_attendance(*, session: Session) -> QuerySet[Attendance]:
    return Attendance.objects.filter(session=session).select_related("user").order_by("joined_at", "id")


def session_audience_user_ids(*, session: Session, group_ids=None) -> set[int]:
    """Who is reminded of a session: the people of its audience now, and its host. ``group_ids`` are the
    session's groups when the caller holds them already (a change not saved yet, or saved a moment ago):
    one query then, not two."""
    if session.audience != Audience.GROUPS:
        group_ids = []
    elif group_ids is None:
        group_ids = [group.pk for group in session.groups.all()]
    else:
        group_ids = list(group_ids)
    parents = session.kind == Kind.PARENT_MEETING
    members = audience_memberships(
        college=session.college_id,
        roles={Audience.COLLEGE: EVERY_ROLE, Audience.STAFF: STAFF_ROLES}.get(session.audience, ()),
        students_of=() if parents else group_ids,
        parents_of=group_ids if parents else (),
    )
    return {*members.values_list("user_id", flat=True), session.host.user_id}


def host_choices(*, user, college: College) -> QuerySet[Membership]:
    """Whom the planning page offers as host: any active staff member for management, else oneself."""
    qs = Membership.objects.filter(college=college, role__in=STAFF_ROLES, status=Membership.Status.ACTIVE)
    if not can_manage_all_sessions(user, college):
        qs = qs.filter(user=user, role=Role.TEACHER)
    return qs.select_related("user").order_by("sort_name", "id")


def plannable_groups(*, user, college: College) -> QuerySet[StudyGroup]:
    qs = StudyGroup.objects.filter(college=college, status=StudyGroup.Status.ACTIVE)
    if not can_manage_all_sessions(user, college):
        qs = qs.filter(pk__in=teacher_scope(user, college).group_ids)
    return qs.order_by("name")


# --- Figures of the analytics page («Видеосвязь», «Преподаватели»): aggregates, a fixed number of queries. ---


def session_counts(*, college: College, since, until) -> dict[str, dict[str, int]]:
    """Kind → sessions starting in [since, until) by status (planned, held, cancelled): one GROUP BY."""
    rows = (
        Session.objects.filter(college=college, starts_at__gte=since, starts_at__lt=until)
        .values("kind")
        .annotate(**{status: Count("pk", filter=Q(status=status)) for status in Session.Status.values})
        .order_by()
    )
    return {row["kind"]: {status: row[status] for status in Session.Status.values} for row in rows}


def _audience_size(college: College):
    """The number of people a session addresses, as the reminders do (``session_audience_user_ids``), now:
    the college's or its staff's active people but the host, the active students of its groups (their kept
    ``student_count``), or for a parent meeting the groups' active parents."""
    members = Membership.objects.filter(college_id=college.pk, status=Membership.Status.ACTIVE).order_by()
    people = members.values("college_id").annotate(n=Count("user_id", distinct=True)).values("n")
    staff = (
        members.filter(role__in=STAFF_ROLES).values("college_id").annotate(n=Count("user_id", distinct=True))
    ).values("n")
    in_groups = _SessionGroup.objects.filter(session_id=OuterRef("pk")).order_by()
    students = in_groups.values("session_id").annotate(n=Sum("studygroup__student_count")).values("n")
    # From the session's groups to their parents (the (group, parent) index): the groups are the college's, so
    # no college condition on the parents, which would let the planner start from all the college's parents.
    parents = (
        in_groups.filter(studygroup__parents__parent__status=Membership.Status.ACTIVE)
        .values("session_id")
        .annotate(n=Count("studygroup__parents__parent__user_id", distinct=True))
        .values("n")
    )
    return Coalesce(
        Case(
            When(audience=Audience.COLLEGE, then=Subquery(people) - 1),
            When(audience=Audience.STAFF, then=Subquery(staff) - 1),
            When(kind=Kind.PARENT_MEETING, then=Subquery(parents)),
            default=Subquery(students),
            output_field=IntegerField(),
        ),
        0,
    )


def _entered():
    """People who entered a session's room, its host aside."""
    entered = (
        Attendance.objects.filter(session_id=OuterRef("pk"))
        .exclude(user_id=OuterRef("host__user_id"))
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(entered, output_field=IntegerField()), 0)


def _took_place(college: College, since, until, now) -> QuerySet[Session]:
    """Sessions of [since, until) that took place: not cancelled, already started."""
    now = now or timezone.now()
    return Session.objects.filter(college=college, starts_at__gte=since, starts_at__lt=min(until, now)).exclude(
        status=Session.Status.CANCELLED
    )


def session_attendance_rows(*, college: College, since, until, now=None) -> QuerySet[Session]:
    """Sessions that took place in [since, until), newest first, each with ``attended`` (people who entered,
    the host aside) and ``audience_size`` (``_audience_size``)."""
    return (
        _took_place(college, since, until, now)
        .annotate(attended=_entered(), audience_size=_audience_size(college))
        .select_related("host", "host__user")
        .order_by("-starts_at", "-id")
    )


def session_attendance_totals(*, college: College, since, until, now=None) -> dict[str, int]:
    """``sessions``, ``attended`` and ``audience`` summed over ``session_attendance_rows``: one query."""
    totals = (
        _took_place(college, since, until, now)
        .order_by()
        .aggregate(sessions=Count("pk"), attended=Sum(_entered()), audience=Sum(_audience_size(college)))
    )
    return {key: value or 0 for key, value in totals.items()}


def held_session_counts_by_host(*, college: College, since, until, host_ids) -> dict[int, int]:
    """Host membership id → sessions held («проведён») that started in [since, until): one GROUP BY."""
    rows = (
        Session.objects.filter(
            college=college,
            starts_at__gte=since,
            starts_at__lt=until,
            status=Session.Status.HELD,
            host_id__in=list(host_ids),
        )
        .values_list("host_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)
