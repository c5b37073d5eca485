"""Reads of the groups app, scoped to a college and shaped so no caller can make them N+1."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce
from django.http import Http404

from colleges.models import STAFF_ROLES, College, Department, Membership, Role
from groups.models import (
    CuratorAssignment,
    Discipline,
    Enrollment,
    StaffGroup,
    StudyGroup,
    SubjectTeacherAssignment,
)


def _active_student_count() -> Coalesce:
    """Active enrollments of the outer group, as a correlated subquery.

    Unlike a JOIN + GROUP BY over every group, PostgreSQL evaluates it only for
    the rows it returns (the page: it runs after ORDER BY/LIMIT), and the
    paginator's COUNT(*) drops it as an unreferenced annotation.
    """
    per_group = (
        Enrollment.objects.filter(group=OuterRef("pk"), ended_at__isnull=True)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_group, output_field=IntegerField()), 0)


def _active_curators() -> Prefetch:
    return Prefetch(
        "curator_assignments",
        queryset=CuratorAssignment.objects.filter(ended_at__isnull=True).select_related("teacher__user"),
        to_attr="active_curators",
    )


def study_group_list(
    *,
    college: College,
    search: str = "",
    department_id: int | None = None,
    course: int | None = None,
    status: str | None = None,
    attention: str | None = None,
) -> QuerySet[StudyGroup]:
    """Groups of ``college`` with ``student_count`` and ``active_curators`` (a one-element list or empty).

    ``attention`` narrows to the dashboard's problem groups: "no_curator" or "no_students".
    """
    qs = (
        StudyGroup.objects.filter(college=college)
        .select_related("department")
        .annotate(student_count=_active_student_count())
        .prefetch_related(_active_curators())
    )
    if search:
        for word in search.split():
            qs = qs.filter(
                Q(name__icontains=word) | Q(specialty_code__icontains=word) | Q(specialty_name__icontains=word)
            )
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


def study_group_visible_to(*, user, college: College) -> QuerySet[StudyGroup]:
    """The groups ``user`` may see in ``college``: all for overseers, assigned ones for teachers, own for students."""
    from colleges.permissions import roles_in

    roles = roles_in(user, college)
    qs = study_group_list(college=college)
    if roles & {Role.ADMINISTRATOR, Role.ADMINISTRATION}:
        return qs
    condition = Q(pk__in=[])
    if Role.TEACHER in roles:
        condition |= Q(
            pk__in=CuratorAssignment.objects.filter(
                ended_at__isnull=True, teacher__user=user, teacher__college=college, teacher__status="active"
            ).values("group_id")
        ) | Q(
            pk__in=SubjectTeacherAssignment.objects.filter(
                ended_at__isnull=True, teacher__user=user, teacher__college=college, teacher__status="active"
            ).values("group_id")
        )
    if Role.STUDENT in roles:
        condition |= Q(
            pk__in=Enrollment.objects.filter(
                ended_at__isnull=True, student__user=user, student__college=college, student__status="active"
            ).values("group_id")
        )
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
        .order_by("student__user__last_name", "student__user__first_name", "pk")
    )


def study_group_curator(*, group: StudyGroup) -> CuratorAssignment | None:
    return CuratorAssignment.objects.filter(group=group, ended_at__isnull=True).select_related("teacher__user").first()


def subject_assignment_list(*, college: College, group: StudyGroup | None = None) -> QuerySet[SubjectTeacherAssignment]:
    qs = SubjectTeacherAssignment.objects.filter(college=college, ended_at__isnull=True).select_related(
        "teacher__user", "discipline", "group"
    )
    if group is not None:
        qs = qs.filter(group=group)
    return qs.order_by("discipline__name", "teacher__user__last_name", "pk")


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
        .order_by("user__last_name", "user__first_name", "pk")
    )


def staff_choices(*, college: College) -> QuerySet[Membership]:
    """Active staff memberships of the college (administrator, administration, teachers)."""
    return (
        Membership.objects.filter(college=college, role__in=STAFF_ROLES, status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def department_choices(*, college: College) -> QuerySet[Department]:
    return Department.objects.filter(college=college).order_by("name")


def staff_group_list(*, college: College, search: str = "") -> QuerySet[StaffGroup]:
    qs = StaffGroup.objects.filter(college=college).annotate(member_count=Count("members", distinct=True))
    if search:
        qs = qs.filter(name__icontains=search)
    return qs.order_by("name", "pk")


def staff_group_get_for(*, college: College | None, pk) -> StaffGroup:
    if not college:
        raise Http404
    try:
        return StaffGroup.objects.select_related("college").get(pk=pk, college=college)
    except (StaffGroup.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def staff_group_members(*, staff_group: StaffGroup) -> QuerySet[Membership]:
    return staff_group.members.select_related("user").order_by("user__last_name", "user__first_name", "pk")


def discipline_list(*, college: College, search: str = "") -> QuerySet[Discipline]:
    qs = Discipline.objects.filter(college=college).annotate(
        group_count=Count("assignments__group", filter=Q(assignments__ended_at__isnull=True), distinct=True)
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return qs.order_by("name", "pk")


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
        .order_by("student__user__last_name", "student__user__first_name", "pk"),
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


def _no_active_student() -> Q:
    return ~Q(Exists(Enrollment.objects.filter(group=OuterRef("pk"), ended_at__isnull=True)))


def study_group_figures(*, college: College) -> dict[str, int]:
    """Active groups, and those of them without a curator / without students, in one query."""
    active = Q(status=StudyGroup.Status.ACTIVE)
    return StudyGroup.objects.filter(college=college).aggregate(
        study_groups=Count("pk", filter=active),
        without_curator=Count("pk", filter=active & _no_active_curator()),
        without_students=Count("pk", filter=active & _no_active_student()),
    )


def study_group_figures_for(request, *, college: College) -> dict[str, int]:
    """``study_group_figures`` once per request: the dashboard's figures and its two group cards share it."""
    cache = request.__dict__.setdefault("_study_group_figures", {})
    if college.pk not in cache:
        cache[college.pk] = study_group_figures(college=college)
    return cache[college.pk]


def college_counts(*, college: College, request=None) -> dict[str, int]:
    """The dashboard figures in three queries: departments; study groups; staff and students.

    With ``request``, the study group figures come from (and go to) the per-request cache.
    """
    if request is not None:
        groups = study_group_figures_for(request, college=college)
    else:
        groups = study_group_figures(college=college)
    people = Membership.objects.filter(college=college, status=Membership.Status.ACTIVE).aggregate(
        staff=Count("pk", filter=Q(role__in=STAFF_ROLES)),
        students=Count("pk", filter=Q(role=Role.STUDENT)),
    )
    return {
        "departments": Department.objects.filter(college=college).count(),
        "study_groups": groups["study_groups"],
        **people,
    }


def groups_without_curator(*, college: College) -> QuerySet[StudyGroup]:
    return StudyGroup.objects.filter(_no_active_curator(), college=college, status=StudyGroup.Status.ACTIVE)


def groups_without_students(*, college: College) -> QuerySet[StudyGroup]:
    return StudyGroup.objects.filter(_no_active_student(), college=college, status=StudyGroup.Status.ACTIVE)


def teachers_without_assignment(*, college: College) -> QuerySet[Membership]:
    """Active teachers who neither curate a group nor teach a discipline to one."""
    return (
        Membership.objects.filter(college=college, role=Role.TEACHER, status=Membership.Status.ACTIVE)
        .exclude(Exists(CuratorAssignment.objects.filter(teacher=OuterRef("pk"), ended_at__isnull=True)))
        .exclude(Exists(SubjectTeacherAssignment.objects.filter(teacher=OuterRef("pk"), ended_at__isnull=True)))
        .select_related("user")
    )


def teachers_without_assignment_preview(*, college: College, limit: int) -> tuple[int, list[Membership]]:
    """How many teachers are without assignment, and the first ``limit`` of them by surname, in one query.

    The total rides on each row as a window count over the whole filtered set.
    """
    rows = list(
        teachers_without_assignment(college=college)
        .annotate(total=Window(Count("pk")))
        .order_by("user__last_name", "pk")[:limit]
    )
    return (rows[0].total if rows else 0), rows
