"""Reads of announcements, scoped to a college and to what the viewer may see.

Who is in an audience is computed at query time from memberships, current enrollments and parent links, as
the broadcasts and materials do: a student who moves to another group sees the new group's announcements.
"""

import datetime

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.search import Within, name_order, search_q
from announcements.models import Announcement, AnnouncementRead, Audience
from announcements.permissions import (
    can_manage_all_announcements,
    can_view_announcements,
    in_parent_audience,
    in_staff_audience,
    in_student_audience,
)
from colleges.models import STAFF_ROLES, College, Membership, Role
from groups.models import StudyGroup
from groups.permissions import teacher_scope
from groups.selectors import EVERY_ROLE, audience_memberships, parent_group_ids, student_group_ids

_AnnouncementGroup = Announcement.groups.through


def _targets_groups(group_ids) -> Exists:
    return Exists(_AnnouncementGroup.objects.filter(announcement_id=OuterRef("pk"), studygroup_id__in=group_ids))


def announcement_audience_q(*, user, college: College) -> Q:
    """The announcements of ``college`` whose audience ``user`` is in now, as one filter (withdrawn included)."""
    if not can_view_announcements(user, college):
        return Q(pk__in=[])
    audience = Q(audience=Audience.COLLEGE)
    if in_staff_audience(user, college):
        audience |= Q(audience=Audience.STAFF)
    if in_student_audience(user, college):
        audience |= Q(audience=Audience.STUDENTS) | (
            Q(audience=Audience.GROUPS) & _targets_groups(student_group_ids(user=user, college=college))
        )
    if in_parent_audience(user, college):
        audience |= Q(audience=Audience.PARENTS) | (
            Q(audience=Audience.GROUPS, with_parents=True)
            & _targets_groups(parent_group_ids(user=user, college=college))
        )
    return audience


def announcement_visibility_q(*, user, college: College) -> Q:
    """What ``user`` may open: management everything, an author their own, the audience what is not withdrawn."""
    if not can_view_announcements(user, college):
        return Q(pk__in=[])
    if can_manage_all_announcements(user, college):
        return Q()
    return (announcement_audience_q(user=user, college=college) & Q(withdrawn_at__isnull=True)) | Q(author__user=user)


def _pinned_first(today: datetime.date):
    return Case(When(pinned_until__gte=today, then=Value(0)), default=Value(1), output_field=IntegerField())


def announcement_list(*, viewer, college: College, search: str = "", today=None) -> QuerySet[Announcement]:
    """What the viewer may read and is not withdrawn: pinned ones first, then newest first; ``is_read`` for each."""
    today = today or timezone.localdate()
    qs = (
        Announcement.objects.filter(college=college, withdrawn_at__isnull=True)
        .filter(announcement_visibility_q(user=viewer, college=college))
        .filter(search_q(search, fields=("title",)))
        .annotate(
            pinned=_pinned_first(today),
            is_read=Exists(AnnouncementRead.objects.filter(announcement_id=OuterRef("pk"), user=viewer)),
        )
    )
    return qs.select_related("author__user").order_by("pinned", "-published_at", "-id")


def announcement_unread(*, viewer, college: College) -> QuerySet[Announcement]:
    """Announcements addressed to the viewer, not withdrawn, that they have not opened yet (newest first)."""
    return (
        Announcement.objects.filter(college=college, withdrawn_at__isnull=True)
        .filter(announcement_audience_q(user=viewer, college=college))
        .exclude(author__user=viewer)
        .exclude(Exists(AnnouncementRead.objects.filter(announcement_id=OuterRef("pk"), user=viewer)))
        .order_by("-published_at", "-id")
    )


def announcement_get_for(*, user, college: College, pk) -> Announcement:
    """The announcement if ``user`` may open it, else 404 (the same answer for missing, foreign and hidden)."""
    qs = Announcement.objects.filter(college=college).filter(announcement_visibility_q(user=user, college=college))
    qs = qs.select_related("college", "author__user", "withdrawn_by").prefetch_related(
        Prefetch("groups", queryset=StudyGroup.objects.order_by("name"))
    )
    try:
        return qs.get(pk=pk)
    except (Announcement.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


_AUDIENCE_ROLES = {
    Audience.COLLEGE: EVERY_ROLE,
    Audience.STAFF: STAFF_ROLES,
    Audience.STUDENTS: (Role.STUDENT,),
    Audience.PARENTS: (Role.PARENT,),
    Audience.GROUPS: (),
}


def audience_users(*, college: College, audience: str, group_ids=(), with_parents: bool = False) -> QuerySet[User]:
    """The people an audience reaches now (each person once, however many memberships they hold)."""
    group_ids = list(group_ids) if audience == Audience.GROUPS else []
    members = audience_memberships(
        college=college,
        roles=_AUDIENCE_ROLES[audience],
        students_of=group_ids,
        parents_of=group_ids if with_parents else (),
    )
    return User.objects.filter(Exists(members.filter(user_id=OuterRef("pk"))), is_active=True)


def announcement_audience(*, announcement: Announcement) -> QuerySet[User]:
    return audience_users(
        college=announcement.college,
        audience=announcement.audience,
        group_ids=[g.pk for g in announcement.groups.all()],
        with_parents=announcement.with_parents,
    )


def announcement_read_figures(*, announcement: Announcement) -> dict[str, int]:
    """«Прочитали 830 из 1 240»: of the audience now, how many have opened it."""
    audience = announcement_audience(announcement=announcement)
    read = audience.filter(Exists(AnnouncementRead.objects.filter(announcement=announcement, user_id=OuterRef("pk"))))
    return {"total": audience.count(), "read": read.count()}


def announcement_unread_people(*, announcement: Announcement, search: str = "") -> QuerySet[User]:
    """Who of the audience has not opened it yet, by name; ``search`` finds them by name or phone.

    The words are looked up among the college's memberships (their copies of the person's search text), so
    the search starts from one college's rows rather than every user of the installation.
    """
    members = Membership.objects.filter(college_id=announcement.college_id)
    return (
        announcement_audience(announcement=announcement)
        .exclude(Exists(AnnouncementRead.objects.filter(announcement=announcement, user_id=OuterRef("pk"))))
        .filter(search_q(search, within=[Within("pk", members, people=("",), column="user_id")]))
        .order_by(name_order(), "pk")
    )


def publishable_groups(*, user, college: College) -> QuerySet[StudyGroup]:
    qs = StudyGroup.objects.filter(college=college, status=StudyGroup.Status.ACTIVE)
    if not can_manage_all_announcements(user, college):
        qs = qs.filter(pk__in=teacher_scope(user, college).curated)
    return qs.order_by("name")
