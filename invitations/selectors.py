"""Reads of the invitations app, scoped to a college and shaped to avoid N+1."""

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.search import search_q
from colleges.models import College, Role
from invitations.models import BulkDispatch, Invitation, InvitationUse, JoinRequest
from invitations.permissions import (
    can_see_all_groups_invitations,
    can_see_all_join_requests,
    can_view_invitation,
    curated_group_ids,
)


def _with_places(qs: QuerySet[Invitation]) -> QuerySet[Invitation]:
    """``pending_requests`` and ``joined_count`` on each link: its ``uses_count`` counts the people who
    joined and the requests still waiting (a decided request that ended without a join gave its place back)."""
    pending = (
        JoinRequest.objects.filter(invitation=OuterRef("pk"), status=JoinRequest.Status.PENDING)
        .order_by()
        .values("invitation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(pending_requests=Coalesce(Subquery(pending), 0)).annotate(
        joined_count=F("uses_count") - F("pending_requests")
    )


def invitation_list(
    *, viewer, college: College, role: str = "", group_id=None, status: str = "", search: str = ""
) -> QuerySet[Invitation]:
    """Multi-use links the viewer may see: all for the administrator and administration; for a curator
    the links of their groups and the ones they made."""
    qs = _with_places(
        Invitation.objects.filter(college=college, kind=Invitation.Kind.MULTI).select_related(
            "group", "created_by", "handed_to__user"
        )
    )
    if not can_see_all_groups_invitations(viewer, college):
        qs = qs.filter(Q(group_id__in=curated_group_ids(viewer, college)) | Q(created_by=viewer))
    if role:
        qs = qs.filter(role=role)
    if group_id:
        qs = qs.filter(group_id=group_id)
    if status:
        qs = qs.filter(status=status)
    qs = qs.filter(search_q(search, people=("created_by", "handed_to__user"), fields=("group__name",)))
    return qs.order_by("-created_at", "-pk")


def invitation_get_for(*, viewer, college: College, pk) -> Invitation:
    """The link if it is of this college and the viewer may see it; 404 otherwise (missing or not yours)."""
    try:
        invitation = _with_places(
            Invitation.objects.select_related("college", "group", "created_by", "handed_to__user")
        ).get(pk=pk, college=college)
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can_view_invitation(viewer, invitation):
        raise Http404
    return invitation


def invitation_use_list(*, invitation: Invitation, result: str = "") -> QuerySet[InvitationUse]:
    qs = InvitationUse.objects.filter(invitation=invitation).select_related("user")
    if result:
        qs = qs.filter(result=result)
    return qs.order_by("-created_at", "-pk")


def invitation_joined_people(*, college: College, invitation=None, group=None, created_by=None):
    """Provenance: everyone who joined (or whose request still waits) through a link, a group's links or
    one person's links. A request approved later is logged as joined; a rejected one is not here."""
    qs = InvitationUse.objects.filter(
        college=college, result__in=[InvitationUse.Result.JOINED, InvitationUse.Result.REQUESTED]
    ).select_related("user", "invitation__created_by", "invitation__group")
    if invitation is not None:
        qs = qs.filter(invitation=invitation)
    if group is not None:
        qs = qs.filter(invitation__group=group)
    if created_by is not None:
        qs = qs.filter(invitation__created_by=created_by)
    return qs.order_by("-created_at", "-pk")


def invitation_use_counts(*, invitation: Invitation) -> dict[str, int]:
    """How many uses of the link ended how (``InvitationUse.Result`` → count)."""
    return dict(
        InvitationUse.objects.filter(invitation=invitation)
        .values_list("result")
        .annotate(n=Count("pk"))
        .values_list("result", "n")
    )


def join_request_list(
    *,
    viewer,
    college: College,
    status: str = JoinRequest.Status.PENDING,
    role: str = "",
    group_id=None,
    search: str = "",
) -> QuerySet[JoinRequest]:
    qs = JoinRequest.objects.filter(college=college).select_related(
        "user", "group", "from_group", "invitation__created_by", "decided_by"
    )
    if not can_see_all_join_requests(viewer, college):
        qs = qs.filter(role=Role.STUDENT, group_id__in=curated_group_ids(viewer, college))
    if status:
        qs = qs.filter(status=status)
    if role:
        qs = qs.filter(role=role)
    if group_id:
        qs = qs.filter(group_id=group_id)
    return qs.filter(search_q(search, people=("user",))).order_by("created_at", "pk")


def join_request_pending_of(*, user) -> QuerySet[JoinRequest]:
    """A person's own join requests still waiting for the administrator, oldest first."""
    return (
        JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING)
        .select_related("college", "group")
        .order_by("created_at", "pk")
    )


def join_request_get_for(*, viewer, college: College, pk) -> JoinRequest:
    try:
        return join_request_list(viewer=viewer, college=college, status="").get(pk=pk)
    except (JoinRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def bulk_dispatch_list(*, college: College) -> QuerySet[BulkDispatch]:
    return BulkDispatch.objects.filter(college=college).select_related("group", "created_by").order_by("-created_at")


def bulk_dispatch_get_for(*, college: College, pk) -> BulkDispatch:
    try:
        return bulk_dispatch_list(college=college).get(pk=pk)
    except (BulkDispatch.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def dispatch_recipient_list(*, dispatch: BulkDispatch, status: str = "") -> QuerySet[Invitation]:
    qs = Invitation.objects.filter(dispatch=dispatch)
    if status:
        qs = qs.filter(delivery_status=status)
    return qs.order_by("pk")
