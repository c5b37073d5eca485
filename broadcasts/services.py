"""Every write of the broadcasts app: one transaction each, permission checked, audited."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log
from broadcasts import messages
from broadcasts.models import DURATION_MAX, DURATION_MIN, JOIN_EARLY, Attendance, Audience, Kind, Session
from broadcasts.permissions import can_edit_session, can_manage_all_sessions, can_plan_sessions, can_plan_to
from colleges.middleware import college_zone
from colleges.models import STAFF_ROLES, College, Membership, Role
from core.dates import validate_year_range
from groups.models import StudyGroup

# A form filled in a minute before the start is still in time.
START_SLACK = datetime.timedelta(minutes=5)
_recording_url = URLValidator(schemes=["http", "https"], message=messages.RECORDING_SCHEME)


def _check_target(*, actor: User, college: College, kind: str, audience: str, groups: list[StudyGroup]) -> None:
    if kind not in Kind.values:
        raise ValidationError({"kind": messages.KIND_REQUIRED}, code="kind")
    if audience not in Audience.values:
        raise ValidationError({"audience": messages.AUDIENCE_REQUIRED}, code="audience")
    if any(group.college_id != college.pk for group in groups):
        raise ValidationError({"groups": messages.FOREIGN_GROUP}, code="foreign")
    if audience == Audience.GROUPS and not groups:
        raise ValidationError({"groups": messages.GROUPS_REQUIRED}, code="groups_required")
    if kind == Kind.STAFF_MEETING and audience != Audience.STAFF:
        raise ValidationError({"audience": messages.STAFF_MEETING_AUDIENCE}, code="staff_meeting")
    if kind == Kind.SEMINAR and audience != Audience.STAFF:
        raise ValidationError({"audience": messages.SEMINAR_AUDIENCE}, code="seminar")
    if kind == Kind.PARENT_MEETING and audience == Audience.STAFF:
        raise ValidationError({"audience": messages.PARENT_MEETING_AUDIENCE}, code="parent_meeting")
    if not can_plan_to(actor, college, kind=kind, audience=audience, group_ids={g.pk for g in groups}):
        raise PermissionDenied(messages.NO_TARGET_PERMISSION)


def _check_time(*, starts_at: datetime.datetime | None, duration_minutes: int, changed: bool = True) -> None:
    if starts_at is None:
        raise ValidationError({"starts_at": messages.START_REQUIRED}, code="start_required")
    try:
        validate_year_range(starts_at)
    except ValidationError as exc:
        raise ValidationError({"starts_at": exc.messages}, code="date_out_of_range") from None
    if changed and starts_at < timezone.now() - START_SLACK:
        raise ValidationError({"starts_at": messages.START_IN_PAST}, code="start_in_past")
    if not DURATION_MIN <= int(duration_minutes or 0) <= DURATION_MAX:
        message = messages.DURATION_RANGE.format(low=DURATION_MIN, high=DURATION_MAX)
        raise ValidationError({"duration_minutes": message}, code="duration")


def _host_for(*, actor: User, college: College, host: Membership | None) -> Membership:
    """The named host (management names any staff member), or the actor's own staff membership."""
    if host is None:
        own = Membership.objects.filter(
            college=college, user=actor, role__in=STAFF_ROLES, status=Membership.Status.ACTIVE
        ).order_by("pk")
        # A teacher who also administers hosts as the teacher.
        host = own.filter(role=Role.TEACHER).first() or own.first()
    if (
        host is None
        or host.college_id != college.pk
        or host.role not in STAFF_ROLES
        or host.status != Membership.Status.ACTIVE
    ):
        raise ValidationError({"host": messages.HOST_INVALID}, code="host")
    if host.user_id != actor.pk and not can_manage_all_sessions(actor, college):
        raise PermissionDenied(messages.HOST_SELF_ONLY)
    return host


@transaction.atomic
def session_create(
    *,
    actor: User,
    college: College,
    kind: str,
    title: str,
    starts_at: datetime.datetime | None,
    duration_minutes: int,
    audience: str,
    groups: Iterable[StudyGroup] = (),
    description: str = "",
    host: Membership | None = None,
) -> Session:
    if not can_plan_sessions(actor, college):
        raise PermissionDenied(messages.NO_PLAN_PERMISSION)
    title, groups, host = _checked_plan(
        actor=actor,
        college=college,
        kind=kind,
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        audience=audience,
        groups=groups,
        host=host,
    )
    session = Session(college=college, kind=kind, created_by=actor)
    _fill(session, title, description, starts_at, duration_minutes, audience, host)
    _save(session, groups)
    audit_log(
        actor=actor,
        college=college,
        action="broadcast.create",
        target=session,
        after={"kind": kind, **_audited(session, groups)},
    )
    return session


def _checked_plan(
    *, actor, college, kind, title, starts_at, duration_minutes, audience, groups, host, moved: bool = True
) -> tuple[str, list[StudyGroup], Membership]:
    """The plan's title, groups and host, once its audience, title, time and host pass the rules."""
    groups = list(groups) if audience == Audience.GROUPS else []
    _check_target(actor=actor, college=college, kind=kind, audience=audience, groups=groups)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": messages.TITLE_REQUIRED}, code="title_required")
    _check_time(starts_at=starts_at, duration_minutes=duration_minutes, changed=moved)
    return title, groups, _host_for(actor=actor, college=college, host=host)


def _fill(session: Session, title, description, starts_at, duration_minutes, audience, host) -> None:
    session.title = title
    session.description = (description or "").strip()
    session.starts_at = starts_at
    session.duration_minutes = duration_minutes
    session.ends_at = starts_at + datetime.timedelta(minutes=duration_minutes)
    session.audience = audience
    session.host = host


def _save(session: Session, groups: list[StudyGroup]) -> None:
    session.full_clean(exclude=["groups", "room_name"])
    session.save()
    session.groups.set(groups)


def _audited(session: Session, groups: list[StudyGroup]) -> dict:
    """What a session's audit event says of its plan."""
    return {
        "audience": session.audience,
        "groups": sorted(g.pk for g in groups),
        "starts_at": session.starts_at,
        "duration_minutes": session.duration_minutes,
        "host": session.host_id,
    }


def _locked(session: Session) -> Session:
    return Session.objects.select_for_update(of=("self",)).select_related("college", "host__user").get(pk=session.pk)


def _require_edit(actor: User, session: Session) -> None:
    if not can_edit_session(actor, session):
        raise PermissionDenied(messages.NO_EDIT_PERMISSION)


def _require_planned(session: Session) -> None:
    if not session.is_planned:
        raise ValidationError(messages.NOT_PLANNED.format(status=session.get_status_display()), code="not_planned")


@transaction.atomic
def session_update(
    *,
    actor: User,
    session: Session,
    title: str,
    starts_at: datetime.datetime | None,
    duration_minutes: int,
    audience: str,
    groups: Iterable[StudyGroup] = (),
    description: str = "",
    host: Membership | None = None,
) -> Session:
    """Change a planned session; its kind stays. A new start time is reminded of again, and the people the
    change concerns are told (``_notify_update``)."""
    session = _locked(session)
    _require_edit(actor, session)
    _require_planned(session)
    college = session.college
    moved = starts_at != session.starts_at
    title, groups, host = _checked_plan(
        actor=actor,
        college=college,
        kind=session.kind,
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        audience=audience,
        groups=groups,
        host=host or session.host,
        moved=moved,
    )
    old_groups = list(session.groups.all())
    before = {"title": session.title, **_audited(session, old_groups)}
    retimed = moved or duration_minutes != session.duration_minutes
    regrouped = (
        audience != session.audience
        or {g.pk for g in groups} != {g.pk for g in old_groups}
        or host.pk != session.host_id
    )
    ends_at = starts_at + datetime.timedelta(minutes=duration_minutes)
    # Who was in the audience is asked before the change is written; only when someone is to be told.
    announced = (retimed or regrouped) and ends_at > timezone.now()
    was_in = _audience_of(session, old_groups) if announced and regrouped else None
    known = {"title": session.title, "starts_at": session.starts_at}
    _fill(session, title, description, starts_at, duration_minutes, audience, host)
    if moved:
        session.reminded_at = None
    _save(session, groups)
    if announced:
        now_in = _audience_of(session, groups)
        _notify_update(
            session,
            actor=actor,
            was_in=now_in if was_in is None else was_in,
            now_in=now_in,
            retimed=retimed,
            known=known,
        )
    audit_log(
        actor=actor,
        college=college,
        action="broadcast.update",
        target=session,
        before=before,
        after={"title": title, **_audited(session, groups)},
    )
    return session


def _audience_of(session: Session, groups: list[StudyGroup]) -> set[int]:
    from broadcasts.selectors import session_audience_user_ids

    return session_audience_user_ids(session=session, group_ids=[g.pk for g in groups])


def _notify_update(
    session: Session, *, actor: User, was_in: set[int], now_in: set[int], retimed: bool, known: dict
) -> None:
    """Tell each person what a change of a session means to them (its changer excepted):

    - still in the audience, and the time changed: the new time (``_notify_change``);
    - no longer in it: the session is off for them, under the title and time they knew (``_notify_removed``);
    - newly in it: nothing more than the others get. Nobody is told of a session when it is planned, so a
      newcomer learns of it the same way: the list, the calendar and the reminder before the start. When the
      reminder has gone already (and the start stays), the newcomers get it now.
    """
    kept = (was_in & now_in) - {actor.pk}
    removed = (was_in - now_in) - {actor.pk}
    added = (now_in - was_in) - {actor.pk}
    if retimed and kept:
        _notify_change(session, actor=actor, user_ids=kept)
    if removed:
        _notify_removed(session, user_ids=removed, known=known)
    if added and session.reminded_at is not None:
        _send_reminder(session, user_ids=added, key=f"{_reminder_key(session)}:{session.updated_at.isoformat()}")


def _notify_removed(session: Session, *, user_ids: set[int], known: dict) -> None:
    """Tell people taken out of a session's audience that it is off for them: a push and an e-mail, once per
    change (keyed by the session's ``updated_at``), after commit. They may no longer see the session, so the
    link is to their list of sessions."""
    from notifications.push import push_notify

    user_ids = sorted(user_ids)
    key = f"broadcast-removed:{session.pk}:{session.updated_at.isoformat()}"
    local_start = timezone.localtime(known["starts_at"], college_zone(session.college))
    push_notify(
        user_ids=user_ids,
        title=messages.REMOVED_TITLE.format(title=known["title"]),
        body=messages.REMOVED_BODY.format(
            kind=session.get_kind_display().capitalize(), time=f"{local_start:%d.%m в %H:%M}"
        ),
        url=reverse("broadcasts:list"),
        tag=f"broadcast-{session.pk}",
        idempotency_key=key,
    )
    _email_audience(
        session,
        user_ids=user_ids,
        template="session_removed",
        key=key,
        extra={
            "title": known["title"],
            "starts": f"{local_start:%d.%m.%Y %H:%M}",
            "url": settings.SITE_URL.rstrip("/") + reverse("broadcasts:list"),
        },
    )


@transaction.atomic
def session_cancel(*, actor: User, session: Session, reason: str) -> Session:
    """Cancel a planned session; the reason is shown to its audience and sent to them (``_notify_change``)."""
    session = _locked(session)
    _require_edit(actor, session)
    _require_planned(session)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": messages.CANCEL_REASON_REQUIRED}, code="reason_required")
    session.status = Session.Status.CANCELLED
    session.cancel_reason = reason[:500]
    session.save(update_fields=["status", "cancel_reason", "updated_at"])
    audit_log(actor=actor, action="broadcast.cancel", target=session, after={"reason": session.cancel_reason})
    _notify_change(session, actor=actor)
    return session


def _notify_change(session: Session, *, actor: User, user_ids: set[int] | None = None) -> int:
    """Tell a session's audience (or ``user_ids`` of it), its changer excepted, that it is cancelled or has
    a new time: a Web Push to their browsers and an e-mail where they have one, never an SMS; how many
    people are told.

    Called inside the changing service's transaction, so it goes out after commit or not at all. Each change
    has its own key (the session's ``updated_at`` at that change): a retried task sends nothing twice, and
    moving a session there and back again is two notices. A session already over is not announced.
    """
    from broadcasts.selectors import session_audience_user_ids
    from notifications.push import push_notify

    if session.ends_at <= timezone.now():
        return 0
    cancelled = session.status == Session.Status.CANCELLED
    if user_ids is None:
        user_ids = session_audience_user_ids(session=session)
    user_ids = sorted(set(user_ids) - {actor.pk})
    if not user_ids:
        return 0
    key = f"broadcast-{'cancel' if cancelled else 'moved'}:{session.pk}:{session.updated_at.isoformat()}"
    local_start = timezone.localtime(session.starts_at, college_zone(session.college))
    kind = session.get_kind_display().capitalize()
    when = f"{local_start:%d.%m в %H:%M}"
    if cancelled:
        title = messages.CANCELLED_TITLE.format(title=session.title)
        body = messages.CANCELLED_BODY.format(kind=kind, time=when, reason=session.cancel_reason)
    else:
        title = messages.MOVED_TITLE.format(title=session.title)
        body = messages.MOVED_BODY.format(kind=kind, time=when)
    push_notify(
        user_ids=user_ids,
        title=title,
        body=body,
        url=reverse("broadcasts:detail", kwargs={"pk": session.pk}),
        tag=f"broadcast-{session.pk}",
        idempotency_key=key,
    )
    _email_audience(
        session,
        user_ids=user_ids,
        template="session_cancelled" if cancelled else "session_moved",
        key=key,
        extra={"reason": session.cancel_reason} if cancelled else {},
    )
    return len(user_ids)


def _email_audience(session: Session, *, user_ids: list[int], template: str, key: str, extra: dict) -> int:
    """One e-mail to everyone of ``user_ids`` with an address, as one batch after commit (keyed per person)."""
    from notifications.services import notification_enqueue_email_batch

    with_email = (
        User.objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email=None)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", "email")
    )
    return notification_enqueue_email_batch(
        template=template,
        context={**session_email_context(session), **extra},
        recipients=[(email, f"{key}:{user_id}") for user_id, email in with_email],
        college=session.college_id,
    )


def session_email_context(session: Session) -> dict[str, str]:
    """What a letter about a session says of it (the college's time zone)."""
    starts = timezone.localtime(session.starts_at, college_zone(session.college))
    return {
        "title": session.title,
        "kind": session.get_kind_display(),
        "college": session.college.short_name,
        "host": session.host.user.short_name,
        "starts": f"{starts:%d.%m.%Y %H:%M}",
        "url": settings.SITE_URL.rstrip("/") + reverse("broadcasts:detail", kwargs={"pk": session.pk}),
    }


@transaction.atomic
def session_mark_held(*, actor: User, session: Session, recording_url: str = "") -> Session:
    """Mark a started session held, with the link to its recording (added or changed later the same way)."""
    session = _locked(session)
    _require_edit(actor, session)
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(messages.HELD_CANCELLED, code="cancelled")
    if session.starts_at > timezone.now():
        raise ValidationError(messages.HELD_NOT_STARTED, code="not_started")
    recording_url = (recording_url or "").strip()
    if recording_url:
        try:
            _recording_url(recording_url)
        except ValidationError:
            raise ValidationError({"recording_url": messages.RECORDING_SCHEME}, code="recording_url") from None
    before = {"status": session.status, "recording_url": session.recording_url}
    session.status = Session.Status.HELD
    session.recording_url = recording_url
    session.full_clean(exclude=["groups", "room_name"])
    session.save(update_fields=["status", "recording_url", "updated_at"])
    audit_log(
        actor=actor,
        action="broadcast.held",
        target=session,
        before=before,
        after={"status": session.status, "recording_url": recording_url},
    )
    return session


def session_join(*, user: User, session: Session, now: datetime.datetime | None = None) -> Attendance | None:
    """Record the person's first entry into the room while it is open; None when it is not open.

    Attendance is its own record (not audited: one row per person and session
    says who came and when). The unique constraint decides two entries at once:
    the loser finds the winner's row. Only someone who may see the session enters it (the pages' own rule,
    ``selectors.session_visibility_q``).
    """
    from broadcasts.selectors import session_visibility_q

    visible = Session.objects.filter(session_visibility_q(user=user, college=session.college), pk=session.pk)
    if not visible.exists():
        raise PermissionDenied(messages.NOT_IN_AUDIENCE)
    now = now or timezone.now()
    if not session.is_open(now):
        return None
    try:
        with transaction.atomic():
            return Attendance.objects.create(session=session, user=user, joined_at=now)
    except IntegrityError:
        return Attendance.objects.get(session=session, user=user)


def session_remind(*, session_id: int, now: datetime.datetime | None = None) -> int:
    """Tell the audience of a session starting within ``JOIN_EARLY``: a push to their browsers, an e-mail
    where they have one (one batch task for all of them). Claimed by a conditional UPDATE, so two runs at
    once remind once.

    Returns the number of people reminded (0 for a run that did not claim the session).
    """
    from broadcasts.selectors import session_audience_user_ids

    now = now or timezone.now()
    with transaction.atomic():
        claimed = Session.objects.filter(
            pk=session_id,
            status=Session.Status.PLANNED,
            reminded_at__isnull=True,
            starts_at__lte=now + JOIN_EARLY,
            ends_at__gt=now,
        ).update(reminded_at=now)
        if not claimed:
            return 0
        session = Session.objects.select_related("college", "host__user").get(pk=session_id)
        user_ids = session_audience_user_ids(session=session)
        _send_reminder(session, user_ids=user_ids, key=_reminder_key(session))
    return len(user_ids)


def _reminder_key(session: Session) -> str:
    return f"broadcast-reminder:{session.pk}:{session.starts_at.isoformat()}"


def _send_reminder(session: Session, *, user_ids: set[int], key: str) -> None:
    """«Скоро начнётся» to ``user_ids``: a push and an e-mail batch, after commit, once per ``key``."""
    from notifications.push import push_notify

    user_ids = sorted(user_ids)
    local_start = timezone.localtime(session.starts_at, college_zone(session.college))
    push_notify(
        user_ids=user_ids,
        title=messages.REMINDER_TITLE.format(title=session.title),
        body=messages.REMINDER_BODY.format(kind=session.get_kind_display().capitalize(), time=f"{local_start:%H:%M}"),
        url=reverse("broadcasts:detail", kwargs={"pk": session.pk}),
        tag=f"broadcast-{session.pk}",
        idempotency_key=key,
    )
    _email_audience(session, user_ids=user_ids, template="session_reminder", key=key, extra={})


def session_join_url(session: Session) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("broadcasts:join", kwargs={"pk": session.pk})
