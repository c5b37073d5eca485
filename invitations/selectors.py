"""Reads of the invitations app, scoped to a college and shaped to avoid N+1."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.search import Within, search_q
from colleges.models import College, Membership, Role
from core.compiled import PLACEHOLDER_INT, PLACEHOLDER_TEXT, CompiledSelect
from groups.models import Enrollment, StudyGroup
from invitations.models import BulkDispatch, Invitation, InvitationUse, JoinRequest
from invitations.permissions import (
    can_see_all_groups_invitations,
    can_see_all_join_requests,
    can_view_invitation,
    curated_group_ids,
)
from invitations.tokens import token_hash


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
    *, viewer: User, college: College, role: str = "", group_id: int | None = None, status: str = "", search: str = ""
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
    # People and groups are looked up among the college's own (see accounts.search.Within).
    members = Membership.objects.filter(college=college)
    qs = qs.filter(
        search_q(
            search,
            within=(
                Within("created_by", members, people=("",), column="user_id"),
                Within("handed_to", members, people=("",)),
                Within("group", StudyGroup.objects.filter(college=college), fields=("name",)),
            ),
        )
    )
    return qs.order_by("-created_at", "-pk")


def invitation_get_for(*, viewer: User, college: College, pk) -> Invitation:
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


def invitation_joined_people(
    *,
    college: College,
    invitation: Invitation | None = None,
    group: StudyGroup | None = None,
    created_by: User | None = None,
) -> QuerySet[InvitationUse]:
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
    viewer: User,
    college: College,
    status: str = JoinRequest.Status.PENDING,
    role: str = "",
    group_id: int | None = None,
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


def join_request_pending_of(*, user: User) -> QuerySet[JoinRequest]:
    """A person's own join requests still waiting for the administrator, oldest first."""
    return (
        JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING)
        .select_related("college", "group")
        .order_by("created_at", "pk")
    )


def join_request_get_for(*, viewer: User, college: College, pk) -> JoinRequest:
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


# --- Links and acceptance ----------------------------------------------------


def invitation_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("invitations:accept", kwargs={"token": token})


def invitation_problem(invitation: Invitation, *, now: datetime.datetime | None = None) -> str | None:
    """Why the link admits no one now (a ``InvitationUse.Result``), or None. Advisory: the UPDATE decides."""
    now = now or timezone.now()
    if invitation.status == Invitation.Status.REVOKED:
        return InvitationUse.Result.REVOKED
    if invitation.expires_at <= now:
        return InvitationUse.Result.EXPIRED
    if invitation.max_uses is not None and invitation.uses_count >= invitation.max_uses:
        return InvitationUse.Result.USED_UP
    if invitation.status == Invitation.Status.PAUSED:
        return InvitationUse.Result.PAUSED
    return None


def group_parent_link_current(*, group: StudyGroup) -> Invitation | None:
    """The group's newest multi-use parent link that admits people now, or None."""
    links = Invitation.objects.filter(
        group=group,
        role=Role.PARENT,
        kind=Invitation.Kind.MULTI,
        status=Invitation.Status.ACTIVE,
        expires_at__gt=timezone.now(),
    ).order_by("-pk")
    return next((link for link in links.select_related("group")[:20] if invitation_problem(link) is None), None)


def token_plausible(token: str) -> bool:
    """Not empty and not absurdly long: anything else is forged without asking the database."""
    return bool(token) and len(token) <= 100


def _by_token(token: str, *related: str) -> QuerySet[Invitation]:
    """The link of ``token`` with ``related``: one row at most (the hash is unique), so no ORDER BY to build."""
    return Invitation.objects.select_related(*related).filter(token_hash=token_hash(token)).order_by()


def invitation_find(*, token: str) -> Invitation | None:
    """The link a token opens, or None for a forged one. The hash lookup reveals nothing about other tokens."""
    if not token_plausible(token):
        return None
    return next(iter(_by_token(token, "college", "group", "created_by")[:1]), None)


@dataclass(frozen=True)
class PersonStanding:
    """What a person already has in a college, as following one of its links needs to know."""

    member: Membership | None  # their current membership with the link's role
    student: Membership | None  # their current student membership
    student_group: int | None  # the group the student studies in now
    pending_request: JoinRequest | None  # their request for the link's role still waiting
    other_colleges: bool  # whether they are an active member of another college


def person_standing(*, user: User, college: College, role: str) -> PersonStanding:
    """Where ``user`` stands in ``college`` before following a link that gives ``role``: their current
    memberships everywhere and their pending request (two queries), and a student's current group (a third,
    for a student only)."""
    memberships = list(Membership.objects.filter(user=user).exclude(status=Membership.Status.LEFT).order_by())
    here = {m.role: m for m in memberships if m.college_id == college.pk}
    for membership in here.values():
        membership.user, membership.college = user, college  # spares the services that describe them a query
    student = here.get(Role.STUDENT)
    student_group = None
    if student is not None:
        student_group = (
            Enrollment.objects.filter(student=student, ended_at__isnull=True).values_list("group_id", flat=True).first()
        )
    pending = JoinRequest.objects.filter(
        user=user, college=college, role=role, status=JoinRequest.Status.PENDING
    ).first()
    return PersonStanding(
        member=here.get(role),
        student=student,
        student_group=student_group,
        pending_request=pending,
        other_colleges=any(m.college_id != college.pk and m.status == Membership.Status.ACTIVE for m in memberships),
    )


# A membership that counts as the person's in a college: any but one that ended.
_CURRENT_MEMBERSHIP = [status for status in Membership.Status.values if status != Membership.Status.LEFT]


def _find_for_query(hashed: str, user_pk: int) -> QuerySet[Invitation]:
    """The link of the token hash ``hashed`` with its college and group, and ``follower_is_known``: whether the
    person ``user_pk`` belongs to a college or has a request waiting anywhere (on the person alone, not tied
    to the link's college and role). Two EXISTS, each on one table by its ``user_id`` index: the server plans
    them faster than one over the person joined to both (the statement is built once, ``_FIND_FOR``)."""
    # Not its author: the page of a joined person is a redirect (a refusal's page loads them).
    return (
        Invitation.objects.select_related("college", "group")
        .filter(token_hash=hashed)
        .order_by()
        .annotate(
            follower_is_known=ExpressionWrapper(
                Q(Exists(Membership.objects.filter(user_id=user_pk, status__in=_CURRENT_MEMBERSHIP)))
                | Q(Exists(JoinRequest.objects.filter(user_id=user_pk, status=JoinRequest.Status.PENDING))),
                output_field=BooleanField(),
            )
        )
    )


# Built by the ORM once per process (invitations/compiled.py): every newcomer of a rush runs it.
_FIND_FOR = CompiledSelect(Invitation, _find_for_query, PLACEHOLDER_TEXT, PLACEHOLDER_INT)


def invitation_find_for(*, token: str, user: User) -> tuple[Invitation | None, PersonStanding | None]:
    """``invitation_find`` and ``person_standing`` of ``user`` in the link's college, as (None, None) for a
    forged token.

    One query when ``user`` belongs to no college yet and has no request waiting anywhere — the busy case,
    a whole group of newcomers following their curator's link: the link's row says whether that is so.
    Anyone else's standing takes ``person_standing``'s queries as well.
    """
    if not token_plausible(token):
        return None, None
    invitation = _FIND_FOR.first(token_hash(token), user.pk)
    if invitation is None:
        return None, None
    if invitation.follower_is_known:
        return invitation, person_standing(user=user, college=invitation.college, role=invitation.role)
    return invitation, PersonStanding(
        member=None, student=None, student_group=None, pending_request=None, other_colleges=False
    )


# --- Bulk dispatches -----------------------------------------------------------


def _stuck_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.STUCK_WORK_MINUTES)


def bulk_dispatch_stuck_list() -> QuerySet[BulkDispatch]:
    """Dispatches not finished, with invitations still «в очереди» longer than ``STUCK_WORK_MINUTES`` after queueing."""
    before = _stuck_before()
    return (
        BulkDispatch.objects.exclude(status=BulkDispatch.Status.DONE)
        .filter(Q(queued_at__lt=before) | Q(queued_at__isnull=True, created_at__lt=before))
        .filter(
            pk__in=Invitation.objects.filter(dispatch__isnull=False, delivery_status=Invitation.Delivery.QUEUED).values(
                "dispatch_id"
            )
        )
    )


def bulk_dispatch_is_stuck(*, dispatch: BulkDispatch, progress: dict[str, int]) -> bool:
    """For the page, from ``bulk_dispatch_progress`` it already has: the same test as the sweep's, no query."""
    queued_at = dispatch.queued_at or dispatch.created_at
    return dispatch.status != BulkDispatch.Status.DONE and progress["queued"] > 0 and queued_at < _stuck_before()


def bulk_dispatch_progress(*, dispatch: BulkDispatch) -> dict[str, int]:
    counts = dict(
        Invitation.objects.filter(dispatch=dispatch)
        .values_list("delivery_status")
        .annotate(n=Count("pk"))
        .values_list("delivery_status", "n")
    )
    out = {status: counts.get(status, 0) for status in ("queued", "sent", "failed", "unknown", "accepted")}
    out["total"] = dispatch.total
    out["done"] = out["sent"] + out["failed"] + out["unknown"] + out["accepted"]
    out["percent"] = int(out["done"] * 100 / dispatch.total) if dispatch.total else 100
    return out


def invitation_conversion(*, college: College, since, until) -> dict:
    """How the links made in [since, until) were used, for the analytics page's «Приглашения» (three GROUP BYs).

    - ``by_role``: per role and kind, the links made, places taken (``uses``) and offered (``places``, links
      without a cap counted in ``unlimited``);
    - ``by_group``: the same per study group;
    - ``delivery``: personal links sent out by SMS or e-mail (``queued`` — handed to the sending,
      ``sent`` — the gateway took it, ``failed`` — it did not or its outcome is unknown, ``joined`` — the
      person came in by it);
    - ``requests``: join requests filed in the period, by status.
    """
    made = Invitation.objects.filter(college=college, created_at__gte=since, created_at__lt=until)
    figures = {"uses": Coalesce(Sum("uses_count"), 0), "places": Coalesce(Sum("max_uses"), 0)}
    by_role = list(
        made.values("role", "kind")
        .annotate(links=Count("pk"), unlimited=Count("pk", filter=Q(max_uses__isnull=True)), **figures)
        .order_by("role", "kind")
    )
    by_group = list(
        made.filter(group__isnull=False)
        .values("group_id", "group__name", "role")
        .annotate(links=Count("pk"), unlimited=Count("pk", filter=Q(max_uses__isnull=True)), **figures)
        .order_by("group__name", "group_id", "role")
    )
    d = Invitation.Delivery
    personal = made.filter(kind=Invitation.Kind.PERSONAL).exclude(delivery_status=d.NONE)
    channel = Case(When(recipient_phone="", then=Value("email")), default=Value("sms"))
    delivery = {
        row["channel"]: row
        for row in personal.annotate(channel=channel)
        .values("channel")
        .annotate(
            queued=Count("pk"),
            sent=Count("pk", filter=Q(delivery_status__in=[d.SENT, d.ACCEPTED])),
            failed=Count("pk", filter=Q(delivery_status__in=[d.FAILED, d.UNKNOWN])),
            joined=Count("pk", filter=Q(delivery_status=d.ACCEPTED)),
        )
        .order_by()
    }
    requests = JoinRequest.objects.filter(college=college, created_at__gte=since, created_at__lt=until).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in JoinRequest.Status.values}
    )
    return {"by_role": by_role, "by_group": by_group, "delivery": delivery, "requests": requests}
