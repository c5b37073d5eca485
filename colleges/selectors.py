from django.db.models import Count, Q, QuerySet
from django.http import Http404

from colleges.models import College, CollegeApplication, Department, Membership


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


def department_list(*, college: College, search: str = "") -> QuerySet[Department]:
    qs = Department.objects.filter(college=college).annotate(group_count=Count("study_groups", distinct=True))
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(head_name__icontains=search))
    return qs.order_by("name")


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
    if search:
        for word in search.split():
            qs = qs.filter(
                Q(user__last_name__icontains=word)
                | Q(user__first_name__icontains=word)
                | Q(user__patronymic__icontains=word)
                | Q(user__phone__contains=word)
            )
    return qs.order_by("user__last_name", "user__first_name", "pk")


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
