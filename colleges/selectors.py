from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from accounts.search import name_order, search_q
from colleges.models import STAFF_ROLES, College, CollegeApplication, Department, Membership, Role


def user_active_memberships(*, user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE, college__status=College.Status.ACTIVE)
        .select_related("college")
        .order_by("college__short_name", "role")
    )


def college_get_for(*, user, pk) -> College:
    """The college if the user is an active member of it, else 404 (same answer for missing and foreign)."""
    try:
        return College.objects.get(pk=pk, memberships__user=user, memberships__status=Membership.Status.ACTIVE)
    except (College.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    except College.MultipleObjectsReturned:
        return College.objects.filter(pk=pk).first()


def department_group_count() -> Subquery:
    """The outer department's groups, counted per row: the list reads the college's departments by its
    index in name order, where a GROUP BY over the join would walk the departments of every college."""
    per_row = Department.objects.filter(pk=OuterRef("pk")).annotate(n=Count("study_groups")).values("n")
    return Subquery(per_row, output_field=IntegerField())


def department_list(*, college: College, search: str = "") -> QuerySet[Department]:
    qs = Department.objects.filter(college=college).annotate(group_count=department_group_count())
    return qs.filter(search_q(search, fields=("name", "head_name"))).order_by("name")


def department_get_for(*, college: College, pk) -> Department:
    try:
        return Department.objects.get(pk=pk, college=college)
    except (Department.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def membership_list(
    *, college: College, roles=None, search: str = "", status: str | None = None
) -> QuerySet[Membership]:
    qs = Membership.objects.filter(college=college).select_related("user")
    if roles:
        qs = qs.filter(role__in=roles)
    if status:
        qs = qs.filter(status=status)
    # The membership's own copies of the user's search text and sort key (see Membership.search_text).
    return qs.filter(search_q(search, people=("",))).order_by(name_order(), "pk")


def membership_get_for(*, college: College, pk, roles=None) -> Membership:
    qs = Membership.objects.filter(college=college).select_related("user")
    if roles:
        qs = qs.filter(role__in=roles)
    try:
        return qs.get(pk=pk)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def application_list(*, status: str | None = None) -> QuerySet[CollegeApplication]:
    qs = CollegeApplication.objects.select_related("reviewed_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def application_search(*, status: str | None = None, search: str = "") -> QuerySet[CollegeApplication]:
    """The platform staff's queue: by status, searched by name, INN, OGRN or the administrator's surname."""
    qs = application_list(status=status)
    return qs.filter(search_q(search, fields=("short_name", "full_name", "inn", "ogrn", "region", "admin_last_name")))


def application_get(*, pk) -> CollegeApplication:
    try:
        return CollegeApplication.objects.select_related("reviewed_by", "college").get(pk=pk)
    except (CollegeApplication.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def staff_list(*, college: College, search: str = "") -> QuerySet[Membership]:
    """The college's current employees: administrator, administration and teachers."""
    return membership_list(college=college, roles=STAFF_ROLES, search=search, status=Membership.Status.ACTIVE)


def staff_member_choices(*, college: College) -> QuerySet[Membership]:
    """Employees the director may appoint as the administrator (a person may appear once per role)."""
    return staff_list(college=college).exclude(role=Role.ADMINISTRATOR)


def colleges_of(*, user, roles=None) -> QuerySet[College]:
    """Colleges where ``user`` holds an active membership (with one of ``roles`` when given)."""
    memberships = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return College.objects.filter(pk__in=memberships.values("college_id"))


def membership_sign_in_counts(*, college: College, since, until) -> dict[str, dict[str, int]]:
    """Per role, the college's active members: how many, how many ever signed in, how many last signed in
    within [since, until) — one GROUP BY (the analytics page's «Подключение»).

    A sign-in is ``User.last_login``: a person who also signed in after ``until`` is not counted «in the
    period» of a period that ended before it.
    """
    signed_in = Q(user__last_login__isnull=False)
    rows = (
        Membership.objects.filter(college=college, status=Membership.Status.ACTIVE)
        .values("role")
        .annotate(
            total=Count("pk"),
            ever=Count("pk", filter=signed_in),
            in_period=Count("pk", filter=Q(user__last_login__gte=since, user__last_login__lt=until)),
        )
        .order_by()
    )
    return {row["role"]: {key: row[key] for key in ("total", "ever", "in_period")} for row in rows}
