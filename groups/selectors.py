"""Reads of the groups app, scoped to a college and shaped so no caller can make them N+1."""

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import NullIf
from django.http import Http404

from accounts.models import User
from accounts.search import name_order, search_q
from colleges.models import STAFF_ROLES, College, Department, Membership, Role
from groups.models import (
    CuratorAssignment,
    Discipline,
    Enrollment,
    GroupParent,
    Guardian,
    StaffGroup,
    StudyGroup,
    SubjectTeacherAssignment,
)


def parent_group_ids(*, user, college: College) -> QuerySet:
    """A subquery of the groups ``user`` is an active parent of in ``college`` (the groups whose links they used)."""
    return GroupParent.objects.filter(
        college=college,
        parent__user=user,
        parent__role=Role.PARENT,
        parent__status=Membership.Status.ACTIVE,
    ).values("group_id")


def student_group_ids(*, user, college: College) -> QuerySet:
    """A subquery of the group ``user`` studies in at ``college`` now (the enrollment with no end)."""
    return Enrollment.objects.filter(
        college=college,
        student__user=user,
        student__role=Role.STUDENT,
        student__status=Membership.Status.ACTIVE,
        ended_at__isnull=True,
    ).values("group_id")


EVERY_ROLE = None


def audience_memberships(*, college: College | int, roles=(), students_of=(), parents_of=()) -> QuerySet[Membership]:
    """The active memberships of ``college`` an audience reaches now: those holding one of ``roles``
    (``EVERY_ROLE``: the whole college), the students enrolled now in a group of ``students_of`` and the parents
    of a group of ``parents_of`` (group ids or a subquery of them). The one rule of «who is in a group's
    audience» for whatever is addressed to people (sessions, announcements)."""
    reached = Q(pk__in=[])
    if roles is EVERY_ROLE:
        reached = Q()
    elif roles:
        reached |= Q(role__in=list(roles))
    if students_of:
        reached |= Q(role=Role.STUDENT) & Exists(
            Enrollment.objects.filter(student_id=OuterRef("pk"), group_id__in=students_of, ended_at__isnull=True)
        )
    if parents_of:
        reached |= Q(role=Role.PARENT) & Exists(
            GroupParent.objects.filter(parent_id=OuterRef("pk"), group_id__in=parents_of)
        )
    return Membership.objects.filter(reached, college=college, status=Membership.Status.ACTIVE)


def _active_curators() -> Prefetch:
    return Prefetch(
        "curator_assignments",
        queryset=CuratorAssignment.objects.filter(ended_at__isnull=True).select_related("teacher__user"),
        to_attr="active_curators",
    )


def _study_groups_filtered(
    *,
    college: College,
    search: str = "",
    department_id: int | None = None,
    course: int | None = None,
    status: str | None = None,
    attention: str | None = None,
) -> QuerySet[StudyGroup]:
    qs = StudyGroup.objects.filter(college=college)
    qs = qs.filter(search_q(search, fields=("name", "specialty_code", "specialty_name")))
    if department_id:
        qs = qs.filter(department_id=department_id)
    if course:
        qs = qs.filter(course=course)
    if status:
        qs = qs.filter(status=status)
    if attention == "no_curator":
        qs = qs.filter(pk__in=groups_without_curator(college=college).values("pk"))
    elif attention == "no_students":
        qs = qs.filter(pk__in=groups_without_students(college=college).values("pk"))
    return qs.order_by("name", "pk")


def study_group_list(*, college: College, **filters) -> QuerySet[StudyGroup]:
    """Groups of ``college`` with ``active_curators`` (a one-element list or empty).

    ``filters``: ``search``, ``department_id``, ``course``, ``status`` and ``attention``, which narrows to the
    dashboard's problem groups: "no_curator" or "no_students".
    """
    return (
        _study_groups_filtered(college=college, **filters)
        .select_related("department")
        .prefetch_related(_active_curators())
    )


STUDY_GROUP_ROW_FIELDS = (
    "pk",
    "name",
    "specialty_code",
    "specialty_name",
    "course",
    "status",
    "department__name",
    "student_count",
    "curator__teacher__user__last_name",
    "curator__teacher__user__first_name",
    "curator__teacher__user__patronymic",
    "curator__teacher__user__phone",
)


def study_group_rows(*, college: College, **filters) -> QuerySet[dict]:
    """The rows of the group list page, as ``study_group_list`` filters them: dicts of ``STUDY_GROUP_ROW_FIELDS``.

    One statement for a page, the curator joined through the group's active assignment (at most one, by
    ``one_active_curator_per_group``), the students counted by the group's own ``student_count`` — no
    instances, no second query, no count per row. The list's first view after every change to the college
    computes it (issue #12: cold ≤ 3× the bare view).
    """
    active = Q(curator_assignments__ended_at__isnull=True)
    return (
        _study_groups_filtered(college=college, **filters)
        .annotate(curator=FilteredRelation("curator_assignments", condition=active))
        .values(*STUDY_GROUP_ROW_FIELDS)
    )


def study_group_visible_to(*, user, college: College) -> QuerySet[StudyGroup]:
    """The groups ``user`` may see in ``college``: all for overseers, assigned ones for teachers, own for students."""
    from groups.permissions import can_view_my_group, can_view_my_groups, can_view_study_group_list, teacher_scope

    qs = study_group_list(college=college)
    if can_view_study_group_list(user, college):
        return qs
    condition = Q(pk__in=[])
    if can_view_my_groups(user, college):
        condition |= Q(pk__in=teacher_scope(user, college).group_ids)
    if can_view_my_group(user, college):
        condition |= Q(pk__in=student_group_ids(user=user, college=college))
    return qs.filter(condition)


def study_group_get_for(*, college: College | None, pk) -> StudyGroup:
    """The group of ``college`` with that pk, else 404 (the same for missing and another college's)."""
    if not college:
        raise Http404
    try:
        return StudyGroup.objects.select_related("department", "college").get(pk=pk, college=college)
    except (StudyGroup.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def study_group_roster(*, group: StudyGroup) -> QuerySet[Enrollment]:
    """Active enrollments of the group, by surname."""
    return (
        Enrollment.objects.filter(group=group, ended_at__isnull=True)
        .select_related("student__user")
        .order_by(name_order("student"), "pk")
    )


def study_group_curator(*, group: StudyGroup) -> CuratorAssignment | None:
    return CuratorAssignment.objects.filter(group=group, ended_at__isnull=True).select_related("teacher__user").first()


def subject_assignment_list(*, college: College, group: StudyGroup | None = None) -> QuerySet[SubjectTeacherAssignment]:
    qs = SubjectTeacherAssignment.objects.filter(college=college, ended_at__isnull=True).select_related(
        "teacher__user", "discipline", "group"
    )
    if group is not None:
        qs = qs.filter(group=group)
    return qs.order_by("discipline__name", name_order("teacher"), "pk")


def subject_assignment_get_for(*, college: College | None, pk) -> SubjectTeacherAssignment:
    if not college:
        raise Http404
    try:
        return SubjectTeacherAssignment.objects.select_related("group", "teacher__user", "discipline").get(
            pk=pk, college=college
        )
    except (SubjectTeacherAssignment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def curator_assignment_list(*, college: College, active_only: bool = True) -> QuerySet[CuratorAssignment]:
    qs = CuratorAssignment.objects.filter(college=college).select_related("teacher__user", "group")
    if active_only:
        qs = qs.filter(ended_at__isnull=True)
    return qs.order_by("group__name", "-started_at", "pk")


def teacher_choices(*, college: College) -> QuerySet[Membership]:
    """Active teachers of the college, for curator and subject teacher forms."""
    return (
        Membership.objects.filter(college=college, role=Role.TEACHER, status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by(name_order(), "pk")
    )


def staff_choices(*, college: College) -> QuerySet[Membership]:
    """Active staff memberships of the college (administrator, administration, teachers)."""
    return (
        Membership.objects.filter(college=college, role__in=STAFF_ROLES, status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by(name_order(), "pk")
    )


def department_choices(*, college: College) -> QuerySet[Department]:
    return Department.objects.filter(college=college).order_by("name")


def staff_group_list(*, college: College, search: str = "") -> QuerySet[StaffGroup]:
    # Counted per row (not GROUP BY over the join): the page is read by the (college, name) index.
    per_row = StaffGroup.objects.filter(pk=OuterRef("pk")).annotate(n=Count("members")).values("n")
    qs = StaffGroup.objects.filter(college=college).annotate(
        member_count=Subquery(per_row, output_field=IntegerField())
    )
    return qs.filter(search_q(search, fields=("name",))).order_by("name", "pk")


def staff_group_get_for(*, college: College | None, pk) -> StaffGroup:
    if not college:
        raise Http404
    try:
        return StaffGroup.objects.select_related("college").get(pk=pk, college=college)
    except (StaffGroup.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def staff_group_members(*, staff_group: StaffGroup) -> QuerySet[Membership]:
    return staff_group.members.select_related("user").order_by(name_order(), "pk")


def discipline_list(*, college: College, search: str = "") -> QuerySet[Discipline]:
    # Counted per row (not GROUP BY over the join): the page is read by the (college, name) index.
    per_row = (
        Discipline.objects.filter(pk=OuterRef("pk"))
        .annotate(n=Count("assignments__group", filter=Q(assignments__ended_at__isnull=True), distinct=True))
        .values("n")
    )
    qs = Discipline.objects.filter(college=college).annotate(group_count=Subquery(per_row, output_field=IntegerField()))
    return qs.filter(search_q(search, fields=("name", "code"))).order_by("name", "pk")


def discipline_get_for(*, college: College | None, pk) -> Discipline:
    if not college:
        raise Http404
    try:
        return Discipline.objects.get(pk=pk, college=college)
    except (Discipline.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _roster_prefetch(prefix: str = "") -> Prefetch:
    return Prefetch(
        f"{prefix}enrollments",
        queryset=Enrollment.objects.filter(ended_at__isnull=True)
        .select_related("student__user")
        .order_by(name_order("student"), "pk"),
        to_attr="roster",
    )


def teacher_groups(*, user, college: College) -> dict:
    """«Мои группы»: ``curated`` groups and ``taught`` subject assignments, each group with its ``roster``.

    Four queries whatever the number of groups.
    """
    curated = list(
        StudyGroup.objects.filter(
            college=college,
            curator_assignments__ended_at__isnull=True,
            curator_assignments__teacher__user=user,
            curator_assignments__teacher__status=Membership.Status.ACTIVE,
        )
        .select_related("department")
        .prefetch_related(_roster_prefetch())
        .order_by("name", "pk")
    )
    taught = list(
        SubjectTeacherAssignment.objects.filter(
            college=college, ended_at__isnull=True, teacher__user=user, teacher__status=Membership.Status.ACTIVE
        )
        .select_related("group__department", "discipline")
        .prefetch_related(_roster_prefetch("group__"))
        .order_by("group__name", "discipline__name", "pk")
    )
    return {"curated": curated, "taught": taught}


def student_group(*, user, college: College) -> dict | None:
    """«Моя группа»: the student's active enrollment, its group, roster, curator and subject teachers."""
    enrollment = (
        Enrollment.objects.filter(
            college=college, ended_at__isnull=True, student__user=user, student__status=Membership.Status.ACTIVE
        )
        .select_related("group__department")
        .first()
    )
    if enrollment is None:
        return None
    group = enrollment.group
    return {
        "enrollment": enrollment,
        "group": group,
        "roster": list(study_group_roster(group=group)),
        "curator": study_group_curator(group=group),
        "subjects": list(subject_assignment_list(college=college, group=group)),
    }


def _no_active_curator() -> Q:
    return ~Q(Exists(CuratorAssignment.objects.filter(group=OuterRef("pk"), ended_at__isnull=True)))


def _figures_sql() -> str:
    """The statement of ``college_figures``: six counts as scalar subqueries of one SELECT, each run once.

    Written as SQL text rather than built by the ORM: the figures are computed on
    the first view after every change to the college's data, and assembling six
    nested querysets cost several times what PostgreSQL takes to run them (each
    count is served by a (college, …) index or a per-group index probe). Plain
    SQL that SQLite runs as well; table names come from the models.
    """
    group, member = StudyGroup._meta.db_table, Membership._meta.db_table
    department = Department._meta.db_table
    curator = CuratorAssignment._meta.db_table
    active_groups = f"FROM {group} g WHERE g.college_id = %(college)s AND g.status = %(active_group)s"
    active_members = f"FROM {member} m WHERE m.college_id = %(college)s AND m.status = %(active_member)s"
    staff_roles = ", ".join(f"'{role.value}'" for role in STAFF_ROLES)
    return f"""SELECT
        (SELECT COUNT(*) FROM {department} d WHERE d.college_id = %(college)s),
        (SELECT COUNT(*) {active_groups}),
        (SELECT COUNT(*) {active_members} AND m.role IN ({staff_roles})),
        (SELECT COUNT(*) {active_members} AND m.role = %(student)s),
        (SELECT COUNT(*) {active_groups} AND NOT EXISTS (
            SELECT 1 FROM {curator} c WHERE c.group_id = g.id AND c.ended_at IS NULL)),
        (SELECT COUNT(*) {active_groups} AND g.student_count = 0)"""


FIGURES = ("departments", "study_groups", "staff", "students", "without_curator", "without_students")


def college_figures(*, college: College) -> dict[str, int]:
    """Every figure of the dashboard in one query.

    ``departments``, ``study_groups`` (active), ``staff`` and ``students`` (active
    memberships), and the active groups ``without_curator`` / ``without_students``.
    """
    params = {
        "college": college.pk,
        "active_group": StudyGroup.Status.ACTIVE.value,
        "active_member": Membership.Status.ACTIVE.value,
        "student": Role.STUDENT.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(_figures_sql(), params)
        row = cursor.fetchone()
    return dict(zip(FIGURES, row, strict=True))


def college_figures_for(request, *, college: College) -> dict[str, int]:
    """``college_figures`` once per request: the dashboard's figures and its group cards share it."""
    cache = request.__dict__.setdefault("_college_figures", {})
    if college.pk not in cache:
        cache[college.pk] = college_figures(college=college)
    return cache[college.pk]


def college_counts(*, college: College, request=None) -> dict[str, int]:
    """The dashboard figures (departments, active study groups, staff, students) in one query.

    With ``request``, they come from (and go to) the per-request cache the group cards read too.
    """
    figures = college_figures_for(request, college=college) if request is not None else college_figures(college=college)
    return {key: figures[key] for key in ("departments", "study_groups", "staff", "students")}


def groups_without_curator(*, college: College) -> QuerySet[StudyGroup]:
    return StudyGroup.objects.filter(_no_active_curator(), college=college, status=StudyGroup.Status.ACTIVE)


def groups_without_students(*, college: College) -> QuerySet[StudyGroup]:
    return StudyGroup.objects.filter(college=college, status=StudyGroup.Status.ACTIVE, student_count=0)


def teachers_without_assignment(*, college: College) -> QuerySet[Membership]:
    """Active teachers who neither curate a group nor teach a discipline to one."""
    return (
        Membership.objects.filter(college=college, role=Role.TEACHER, status=Membership.Status.ACTIVE)
        .exclude(Exists(CuratorAssignment.objects.filter(teacher=OuterRef("pk"), ended_at__isnull=True)))
        .exclude(Exists(SubjectTeacherAssignment.objects.filter(teacher=OuterRef("pk"), ended_at__isnull=True)))
        .select_related("user")
    )


def _idle_teachers_sql() -> str:
    """The statement of ``teachers_without_assignment_preview`` (``teachers_without_assignment`` with names).

    SQL text for the reason ``_figures_sql`` is: computed on the first view after
    every change. The total rides on each row as a window count; the surname is
    a per-row subquery rather than a join, so PostgreSQL reads only the idle
    teachers' users, not the installation's, and the shown ones' names by pk.
    The assignments are read by college too: without it the anti-joins hash
    every college's assignments (9 ms at 50 colleges).
    """
    member, user = Membership._meta.db_table, User._meta.db_table
    curator, subject = CuratorAssignment._meta.db_table, SubjectTeacherAssignment._meta.db_table
    return f"""SELECT u.last_name, u.first_name, u.patronymic, u.phone, idle.total FROM (
        SELECT m.id, m.user_id, COUNT(*) OVER () AS total,
            (SELECT s.last_name FROM {user} s WHERE s.id = m.user_id) AS surname
        FROM {member} m
        WHERE m.college_id = %(college)s AND m.role = %(teacher)s AND m.status = %(active)s
            AND NOT EXISTS (SELECT 1 FROM {curator} c
                WHERE c.college_id = %(college)s AND c.teacher_id = m.id AND c.ended_at IS NULL)
            AND NOT EXISTS (SELECT 1 FROM {subject} t
                WHERE t.college_id = %(college)s AND t.teacher_id = m.id AND t.ended_at IS NULL)
        ORDER BY surname, m.id
        LIMIT %(limit)s
    ) idle JOIN {user} u ON u.id = idle.user_id
    ORDER BY idle.surname, idle.id"""


def teachers_without_assignment_preview(*, college: College, limit: int) -> tuple[int, list[str]]:
    """How many teachers are without assignment, and the short names of the first ``limit`` by surname (one query)."""
    params = {
        "college": college.pk,
        "teacher": Role.TEACHER.value,
        "active": Membership.Status.ACTIVE.value,
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(_idle_teachers_sql(), params)
        rows = cursor.fetchall()
    names = [User(last_name=a, first_name=b, patronymic=c, phone=d).short_name for a, b, c, d, _ in rows]
    return (rows[0][4] if rows else 0), names


def study_group_choices(*, college: College, ids=None) -> QuerySet[StudyGroup]:
    """The college's groups by name, id and name only (a filter's choices); ``ids`` narrows them."""
    qs = StudyGroup.objects.filter(college=college).order_by("name").only("pk", "name")
    return qs if ids is None else qs.filter(pk__in=ids)


def curatorships_of(*, teacher: Membership) -> QuerySet[CuratorAssignment]:
    """The groups a teacher curates now, with their groups."""
    return CuratorAssignment.objects.filter(teacher=teacher, ended_at__isnull=True).select_related("group")


# --- Guardians ---------------------------------------------------------------------


def parent_group_list(*, user, college: College) -> QuerySet[StudyGroup]:
    """The active groups ``user`` is a parent of (by their links), by name."""
    return StudyGroup.objects.filter(
        college=college, status=StudyGroup.Status.ACTIVE, pk__in=parent_group_ids(user=user, college=college)
    ).order_by("name")


def guardian_student_choices(*, group: StudyGroup) -> list[tuple[int, str]]:
    """«Кто ваш ребёнок?»: the group's current students as (membership id, full name) — names only, nothing
    else of them, and nobody of another group."""
    rows = (
        Enrollment.objects.filter(
            group=group, ended_at__isnull=True, student__role=Role.STUDENT, student__status=Membership.Status.ACTIVE
        )
        .order_by("student__user__last_name", "student__user__first_name", "pk")
        .values_list("student_id", "student__user__last_name", "student__user__first_name", "student__user__patronymic")
    )
    return [(pk, " ".join(part for part in names if part) or "—") for pk, *names in rows]


def _pending_first():
    return Case(When(status=Guardian.Status.PENDING, then=Value(0)), default=Value(1))


def guardian_list_of_parent(*, user, group: StudyGroup) -> QuerySet[Guardian]:
    """The children a parent named in ``group``, with their status."""
    return (
        Guardian.objects.filter(group=group, parent__user=user, parent__status=Membership.Status.ACTIVE)
        .select_related("student__user")
        .order_by("pk")
    )


def guardian_list_for_group(*, group: StudyGroup) -> QuerySet[Guardian]:
    """The curator's page: guardians of the group's current students, the waiting ones first."""
    students = Enrollment.objects.filter(group=group, ended_at__isnull=True).values("student_id")
    return (
        Guardian.objects.filter(student_id__in=students)
        .select_related("parent__user", "student__user")
        .order_by(_pending_first(), "-created_at", "-pk")
    )


def guardian_list_for_student(*, user, college: College) -> QuerySet[Guardian]:
    """«Подтвердите: это ваш родитель?»: who named the student as their child, waiting ones first."""
    return (
        Guardian.objects.filter(college=college, student__user=user, student__status=Membership.Status.ACTIVE)
        .select_related("parent__user")
        .order_by(_pending_first(), "-created_at", "-pk")
    )


def guardian_get_for(*, college: College, pk) -> Guardian:
    guardian = (
        Guardian.objects.filter(college=college, pk=pk)
        .select_related("college", "student__user", "parent__user")
        .first()
    )
    if guardian is None:
        raise Http404
    return guardian


def study_group_sign_in_counts(*, college: College, since, until, group_ids=None) -> QuerySet[dict]:
    """The college's active study groups with their active students (``total``), those who ever signed in
    (``ever``) and those who last signed in within [since, until) (``in_period``): one GROUP BY, worst share
    of ``ever`` first (groups without students last), so a page of it shows whom to chase.

    ``group_ids`` narrows it to those groups (a curator's own).
    """
    current = Q(
        enrollments__ended_at__isnull=True,
        enrollments__student__status=Membership.Status.ACTIVE,
        enrollments__student__college=college,
    )
    login = "enrollments__student__user__last_login"
    qs = StudyGroup.objects.filter(college=college, status=StudyGroup.Status.ACTIVE)
    if group_ids is not None:
        qs = qs.filter(pk__in=list(group_ids))
    qs = qs.values("pk", "name", "course").annotate(
        total=Count("enrollments", filter=current),
        ever=Count("enrollments", filter=current & Q(**{f"{login}__isnull": False})),
        in_period=Count("enrollments", filter=current & Q(**{f"{login}__gte": since, f"{login}__lt": until})),
    )
    share = ExpressionWrapper(F("ever") * 1.0 / NullIf(F("total"), 0), output_field=FloatField())
    return qs.annotate(share=share).order_by(F("share").asc(nulls_last=True), "name", "pk")
