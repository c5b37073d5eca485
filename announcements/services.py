"""Every write of the announcements app: one transaction each, permission checked, audited."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from announcements import messages
from announcements.models import REASON_MAX, TEXT_MAX, TITLE_MAX, Announcement, AnnouncementRead, Audience
from announcements.permissions import can_publish_announcements, can_publish_to, can_withdraw_announcement
from audit.services import audit_log
from colleges.models import STAFF_ROLES, College, Membership, Role
from groups.models import StudyGroup


def _clean_text(value: str) -> str:
    """What was typed, without NUL bytes (PostgreSQL refuses them) and with one kind of line break."""
    return (value or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _author_for(*, actor: User, college: College) -> Membership:
    """The actor's membership the announcement is signed with: management first, then the curator."""
    own = Membership.objects.filter(
        college=college, user=actor, role__in=STAFF_ROLES, status=Membership.Status.ACTIVE
    ).order_by("pk")
    for role in (Role.ADMINISTRATION, Role.ADMINISTRATOR, Role.TEACHER):
        for membership in own:
            if membership.role == role:
                return membership
    raise PermissionDenied(messages.NO_PUBLISH_PERMISSION)


def announcement_check(
    *,
    actor: User,
    college: College,
    title: str,
    text: str,
    audience: str,
    groups: Iterable[StudyGroup] = (),
    pinned_until: datetime.date | None = None,
) -> tuple[str, str, list[StudyGroup]]:
    """The publish rules without publishing (the form's preview asks them too): the cleaned title, text, groups."""
    if not can_publish_announcements(actor, college):
        raise PermissionDenied(messages.NO_PUBLISH_PERMISSION)
    title = " ".join(_clean_text(title).split())[:TITLE_MAX]
    text = _clean_text(text)[:TEXT_MAX]
    if not title:
        raise ValidationError({"title": messages.TITLE_REQUIRED}, code="title_required")
    if not text:
        raise ValidationError({"text": messages.TEXT_REQUIRED}, code="text_required")
    if audience not in Audience.values:
        raise ValidationError({"audience": messages.AUDIENCE_REQUIRED}, code="audience")
    groups = list(groups) if audience == Audience.GROUPS else []
    if any(group.college_id != college.pk for group in groups):
        raise ValidationError({"groups": messages.FOREIGN_GROUP}, code="foreign")
    if audience == Audience.GROUPS and not groups:
        raise ValidationError({"groups": messages.GROUPS_REQUIRED}, code="groups_required")
    if pinned_until is not None and pinned_until < timezone.localdate():
        raise ValidationError({"pinned_until": messages.PINNED_IN_PAST}, code="pinned_in_past")
    if not can_publish_to(actor, college, audience=audience, group_ids={g.pk for g in groups}):
        raise PermissionDenied(messages.NO_TARGET_PERMISSION)
    return title, text, groups


@transaction.atomic
def announcement_publish(
    *,
    actor: User,
    college: College,
    title: str,
    text: str,
    audience: str,
    groups: Iterable[StudyGroup] = (),
    with_parents: bool = False,
    pinned_until: datetime.date | None = None,
) -> Announcement:
    """Publish an announcement; its audience is told after commit (``announcement_notify``, once)."""
    from announcements.tasks import announcement_notify

    title, text, groups = announcement_check(
        actor=actor,
        college=college,
        title=title,
        text=text,
        audience=audience,
        groups=groups,
        pinned_until=pinned_until,
    )
    announcement = Announcement(
        college=college,
        title=title,
        text=text,
        audience=audience,
        with_parents=bool(with_parents) and audience == Audience.GROUPS,
        author=_author_for(actor=actor, college=college),
        published_at=timezone.now(),
        pinned_until=pinned_until,
    )
    announcement.full_clean(exclude=["groups"])
    announcement.save()
    announcement.groups.set(groups)
    audit_log(
        actor=actor,
        college=college,
        action="announcement.publish",
        target=announcement,
        after={
            "title": title,
            "audience": audience,
            "groups": sorted(g.pk for g in groups),
            "with_parents": announcement.with_parents,
            "pinned_until": pinned_until,
        },
    )
    transaction.on_commit(lambda: announcement_notify.delay(announcement.pk), robust=True)
    return announcement


@transaction.atomic
def announcement_withdraw(*, actor: User, announcement: Announcement, reason: str) -> Announcement:
    """Take an announcement down: it leaves the lists and its audience can no longer open it."""
    announcement = (
        Announcement.objects.select_for_update(of=("self",)).select_related("college", "author").get(pk=announcement.pk)
    )
    if not can_withdraw_announcement(actor, announcement):
        raise PermissionDenied(messages.NO_WITHDRAW_PERMISSION)
    if announcement.is_withdrawn:
        raise ValidationError(messages.ALREADY_WITHDRAWN, code="withdrawn")
    reason = " ".join(_clean_text(reason).split())[:REASON_MAX]
    if not reason:
        raise ValidationError({"reason": messages.REASON_REQUIRED}, code="reason_required")
    announcement.withdrawn_at = timezone.now()
    announcement.withdrawn_by = actor
    announcement.withdraw_reason = reason
    announcement.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    audit_log(actor=actor, action="announcement.withdraw", target=announcement, after={"reason": reason})
    return announcement


def announcement_mark_read(*, user: User, announcement: Announcement) -> AnnouncementRead:
    """Record the person's first opening of the page (not audited: one row per person says who read it and
    when). The unique constraint decides two openings at once: the loser finds the winner's row."""
    existing = AnnouncementRead.objects.filter(announcement=announcement, user=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return AnnouncementRead.objects.create(announcement=announcement, user=user, read_at=timezone.now())
    except IntegrityError:
        return AnnouncementRead.objects.get(announcement=announcement, user=user)


def announcement_notify(*, announcement_id: int) -> int:
    """Tell an announcement's audience (its author excepted): a Web Push to their browsers and an e-mail where
    they have an address, never an SMS. Claimed by a conditional UPDATE, so two runs at once tell them once,
    and a withdrawn announcement is told to nobody. Returns how many people were told (0 for a run that did
    not claim it)."""
    from announcements.selectors import announcement_audience
    from notifications.push import push_notify
    from notifications.services import notification_enqueue_email_batch

    with transaction.atomic():
        claimed = Announcement.objects.filter(
            pk=announcement_id, notified_at__isnull=True, withdrawn_at__isnull=True
        ).update(notified_at=timezone.now())
        if not claimed:
            return 0
        announcement = Announcement.objects.select_related("college", "author__user").get(pk=announcement_id)
        people = announcement_audience(announcement=announcement).exclude(pk=announcement.author.user_id)
        rows = list(people.order_by("pk").values_list("pk", "email"))
        key = f"announcement:{announcement.pk}"
        path = reverse("announcements:detail", kwargs={"pk": announcement.pk})
        push_notify(
            user_ids=[pk for pk, _ in rows],
            title=messages.PUSH_TITLE.format(title=announcement.title),
            body=announcement.text,
            url=path,
            tag=f"announcement-{announcement.pk}",
            idempotency_key=key,
        )
        notification_enqueue_email_batch(
            template="announcement_published",
            context={
                "title": announcement.title,
                "text": announcement.text,
                "college": announcement.college.short_name,
                "author": announcement.author.user.short_name,
                "url": settings.SITE_URL.rstrip("/") + path,
            },
            recipients=[(email, f"{key}:{pk}") for pk, email in rows if email],
            college=announcement.college_id,
        )
    return len(rows)
