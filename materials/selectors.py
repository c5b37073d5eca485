"""Reads of materials, scoped to a college and to what the viewer may see.

Visibility is computed from the viewer's memberships and current enrollment
at query time, so a transferred student sees the new group's materials and
no longer the old group's, with nothing to update when they move.

Parents: a parent belongs to the groups whose parent links they followed
(``groups.GroupParent``) and sees what is addressed to the whole college and
the «родители группы …» materials of those groups.
"""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.search import search_q
from colleges.models import College, Membership, Role
from groups.models import Discipline, Enrollment, GroupParent, StudyGroup
from groups.selectors import parent_group_ids, student_group_ids
from materials.models import GROUP_AUDIENCES, Audience, Material, MaterialFile, MaterialNotice, Section
from materials.permissions import (
    STAFF_AUDIENCE_ROLES,
    can_edit_material,
    can_manage_all_materials,
    can_view_materials,
    can_view_own_group_materials,
    can_view_parent_materials,
    can_view_staff_materials,
    teacher_scope,
)

_MaterialGroup = Material.groups.through


def _targets_groups(group_ids) -> Exists:
    return Exists(_MaterialGroup.objects.filter(material_id=OuterRef("pk"), studygroup_id__in=group_ids))


def material_visibility_q(*, user, college: College, now=None) -> Q:
    """What ``user`` may see among ``college``'s materials, as one filter."""
    if not can_view_materials(user, college):
        return Q(pk__in=[])
    if can_manage_all_materials(user, college):
        return Q()
    now = now or timezone.now()
    teacher = can_view_staff_materials(user, college)
    audience = Q(audience=Audience.COLLEGE)
    if teacher:
        audience |= Q(audience=Audience.STAFF)
        group_ids = teacher_scope(user, college).group_ids
        if group_ids:
            audience |= Q(audience__in=GROUP_AUDIENCES) & _targets_groups(list(group_ids))
    if can_view_own_group_materials(user, college):
        audience |= Q(audience__in=(Audience.GROUPS, Audience.DISCIPLINE)) & _targets_groups(
            student_group_ids(user=user, college=college)
        )
    if can_view_parent_materials(user, college):
        audience |= Q(audience=Audience.PARENTS) & _targets_groups(parent_group_ids(user=user, college=college))
    visible = Q(status=Material.Status.PUBLISHED, published_at__lte=now) & audience
    if teacher:
        visible |= Q(author=user)
    return visible


def _with_related(qs: QuerySet[Material]) -> QuerySet[Material]:
    return qs.select_related("college", "author", "discipline").prefetch_related(
        Prefetch("groups", queryset=StudyGroup.objects.order_by("name")),
        Prefetch(
            "files",
            queryset=MaterialFile.objects.filter(is_current=True).order_by("created_at", "id"),
            to_attr="current_files",
        ),
    )


def material_list(
    *,
    viewer,
    college: College,
    section: str = Section.LEARNING,
    group: StudyGroup | None = None,
    discipline: Discipline | None = None,
    kind: str = "",
    search: str = "",
) -> QuerySet[Material]:
    """Newest first, pinned on top; filtered by group, discipline, kind and words of title and text."""
    qs = Material.objects.filter(college=college, section=section).filter(
        material_visibility_q(user=viewer, college=college)
    )
    if group is not None:
        qs = qs.filter(_targets_groups([group.pk]))
    if discipline is not None:
        qs = qs.filter(discipline=discipline)
    if kind:
        qs = qs.filter(kind=kind)
    qs = qs.filter(search_q(search, fields=("title", "description", "body")))
    return _with_related(qs).order_by("-pinned", Coalesce("published_at", "created_at").desc(), "-id")


def material_get_for(*, user, college: College, pk) -> Material:
    """The material if ``user`` may see it, else 404 (same answer for missing, foreign and hidden)."""
    qs = Material.objects.filter(college=college).filter(material_visibility_q(user=user, college=college))
    try:
        return _with_related(qs).get(pk=pk)
    except (Material.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def material_file_versions(*, material: Material) -> QuerySet[MaterialFile]:
    return MaterialFile.objects.filter(material=material).order_by("-created_at", "-id")


def material_file_get_for(*, user, college: College, pk) -> MaterialFile:
    """A file of a material ``user`` may see; earlier versions only for those who may edit it. Else 404."""
    try:
        file = MaterialFile.objects.select_related("material", "material__college").get(pk=pk, college=college)
    except (MaterialFile.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if file.material is None:
        # A staged upload belongs to its uploader until the material is saved.
        if file.uploaded_by_id != user.pk:
            raise Http404
        return file
    visible = (
        Material.objects.filter(pk=file.material_id).filter(material_visibility_q(user=user, college=college)).exists()
    )
    if not visible:
        raise Http404
    if not file.is_current and not can_edit_material(user, file.material):
        raise Http404
    return file


def browsable_group_ids(*, user, college: College) -> set[int] | None:
    """Groups whose material pages ``user`` may open; None means every group of the college."""
    if can_manage_all_materials(user, college):
        return None
    ids = set(teacher_scope(user, college).group_ids)
    if can_view_own_group_materials(user, college):
        ids |= set(student_group_ids(user=user, college=college).values_list("group_id", flat=True))
    return ids


def material_group_get_for(*, user, college: College, pk) -> StudyGroup:
    try:
        group = StudyGroup.objects.get(pk=pk, college=college)
    except (StudyGroup.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    allowed = browsable_group_ids(user=user, college=college)
    if allowed is not None and group.pk not in allowed:
        raise Http404
    return group


def browsable_groups(*, user, college: College) -> QuerySet[StudyGroup]:
    allowed = browsable_group_ids(user=user, college=college)
    qs = StudyGroup.objects.filter(college=college, status=StudyGroup.Status.ACTIVE)
    if allowed is not None:
        qs = qs.filter(pk__in=allowed)
    return qs.order_by("name")


def group_disciplines(*, group: StudyGroup) -> QuerySet[Discipline]:
    """Disciplines taught to ``group`` now (for the per-discipline filter)."""
    return (
        Discipline.objects.filter(assignments__group=group, assignments__ended_at__isnull=True)
        .distinct()
        .order_by("name")
    )


def teacher_targets(*, user, college: College) -> dict:
    """What the upload page offers a teacher: their groups and their (group, discipline) pairs."""
    scope = teacher_scope(user, college)
    groups = {g.pk: g for g in StudyGroup.objects.filter(college=college, pk__in=scope.group_ids).order_by("name")}
    disciplines = {d.pk: d for d in Discipline.objects.filter(college=college, pk__in={d for _, d in scope.subjects})}
    pairs = sorted(
        ((groups[g], disciplines[d]) for g, d in scope.subjects if g in groups and d in disciplines),
        key=lambda pair: (pair[0].name, pair[1].name),
    )
    return {
        "groups": list(groups.values()),
        "curated": sorted((groups[g] for g in scope.curated if g in groups), key=lambda group: group.name),
        "pairs": pairs,
    }


def material_notice_list(*, user, college: College) -> QuerySet[MaterialNotice]:
    """The person's «Новые материалы»: notices of materials they may still see, newest first."""
    visible = Material.objects.filter(college=college).filter(material_visibility_q(user=user, college=college))
    return (
        MaterialNotice.objects.filter(user=user, material__in=visible)
        .select_related("material", "material__author")
        .order_by("-created_at", "-id")
    )


def material_notice_unseen_count(*, user, college: College) -> int:
    return material_notice_list(user=user, college=college).filter(seen_at__isnull=True).count()


def material_audience_user_ids(*, material: Material) -> set[int]:
    """Who is told about a publication: the people of its audience now, except its author."""
    members = Membership.objects.filter(college_id=material.college_id, status=Membership.Status.ACTIVE)
    audience = material.audience
    if audience == Audience.COLLEGE:
        ids = set(members.values_list("user_id", flat=True))
    elif audience == Audience.STAFF:
        ids = set(members.filter(role__in=STAFF_AUDIENCE_ROLES).values_list("user_id", flat=True))
    elif audience == Audience.PARENTS:
        ids = set(
            GroupParent.objects.filter(
                college_id=material.college_id,
                group__in=material.groups.all(),
                parent__role=Role.PARENT,
                parent__status=Membership.Status.ACTIVE,
            ).values_list("parent__user_id", flat=True)
        )
    else:
        group_ids = list(material.groups.values_list("pk", flat=True))
        ids = set(
            Enrollment.objects.filter(
                group_id__in=group_ids,
                ended_at__isnull=True,
                student__status=Membership.Status.ACTIVE,
            ).values_list("student__user_id", flat=True)
        )
    ids.discard(material.author_id)
    return ids


def published_counts_by_author(*, college: College, since, until, user_ids) -> dict[int, int]:
    """Author (user id) → materials published with a publication time in [since, until): one GROUP BY
    (the analytics page's «Преподаватели»)."""
    rows = (
        Material.objects.filter(
            college=college,
            status=Material.Status.PUBLISHED,
            published_at__gte=since,
            published_at__lt=until,
            author_id__in=list(user_ids),
        )
        .values_list("author_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)
