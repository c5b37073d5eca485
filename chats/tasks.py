"""Celery tasks of chats: thin, retried, idempotent (each calls a sync service that applies a difference)."""

from celery import shared_task

from core.tasks import RetryingTask

MAX_RETRIES = 5


@shared_task(name="chats.tasks.sync_group", base=RetryingTask, bind=True, max_retries=MAX_RETRIES)
def sync_group(self, group_id: int, membership_ids: list[int] | None = None) -> int:
    """A group's roster chats in line with its students, parents, curator and teachers (only for
    ``membership_ids`` when given: one student's move costs the same whatever the group's size)."""
    from chats.services import chat_sync_group
    from groups.models import StudyGroup

    group = StudyGroup.objects.filter(pk=group_id).first()
    if group is None:
        return 0
    members = set(membership_ids) if membership_ids is not None else None
    return len(chat_sync_group(group=group, members=members))


@shared_task(name="chats.tasks.sync_roster", base=RetryingTask, bind=True, max_retries=MAX_RETRIES)
def sync_roster(self, college_id: int, items: list[str] | None = None) -> int:
    """The chats of a college's roster changes (``chats.roster_queue``): the entries gathered in Redis for
    the college, or ``items`` when the change came without Redis."""
    from chats.roster_queue import roster_put_back, roster_sync, roster_take

    taken = items is None
    if taken:
        items = roster_take(college_id)
    try:
        return roster_sync(college_id, items)
    except Exception:
        if taken:
            roster_put_back(college_id, items)
        raise


@shared_task(name="chats.tasks.sync_members", base=RetryingTask, bind=True, max_retries=MAX_RETRIES)
def sync_members(self, college_id: int, membership_ids: list[int]) -> int:
    """The college and staff chats for a few memberships (an enrolment, a leaving, a new teacher)."""
    from chats.services import chat_sync_college
    from colleges.models import College

    college = College.objects.filter(pk=college_id).first()
    if college is None:
        return 0
    chat_sync_college(college=college, members=set(membership_ids))
    return len(membership_ids)


@shared_task(name="chats.tasks.group_changed", base=RetryingTask, bind=True, max_retries=MAX_RETRIES)
def group_changed(self, group_id: int, kind: str) -> str:
    """A study group created, renamed, archived or restored (``groups.signals.StudyGroupChange``)."""
    from chats.services import chat_group_rename, chat_group_restore, chat_sync_group
    from groups.models import StudyGroup
    from groups.signals import StudyGroupChange

    group = StudyGroup.objects.filter(pk=group_id).first()
    if group is None:
        return "missing"
    if kind == StudyGroupChange.RENAMED:
        chat_group_rename(group=group)
    elif kind == StudyGroupChange.RESTORED:
        chat_group_restore(group=group)
    else:
        chat_sync_group(group=group)
    return kind


@shared_task(name="chats.tasks.sync_all", base=RetryingTask)
def sync_all() -> int:
    """Beat (nightly): every college's chats and every active group's, catching up on what no signal told
    and on events lost while the broker was down. Each college's whole roster goes through the roster queue
    («everyone» entries): one set-based sync per college, not a task per group."""
    from collections import defaultdict

    from chats.roster_queue import EVERYONE, roster_changed
    from colleges.models import College
    from groups.models import StudyGroup

    groups = defaultdict(list)
    for college_id, group_id in StudyGroup.objects.filter(status=StudyGroup.Status.ACTIVE).values_list(
        "college_id", "pk"
    ):
        groups[college_id].append(group_id)
    count = 0
    for college_id in College.objects.filter(status=College.Status.ACTIVE).values_list("pk", flat=True):
        entries = [(None, EVERYONE), *((group_id, EVERYONE) for group_id in groups[college_id])]
        roster_changed(college_id=college_id, entries=entries)
        count += 1
    return count


@shared_task(name="chats.tasks.sync_college", base=RetryingTask, bind=True, max_retries=MAX_RETRIES)
def sync_college(self, college_id: int) -> int:
    from chats.services import chat_sync_college
    from colleges.models import College

    college = College.objects.filter(pk=college_id).first()
    if college is None:
        return 0
    chat_sync_college(college=college)
    return 1


@shared_task(name="chats.tasks.push_message", base=RetryingTask, bind=True, max_retries=MAX_RETRIES)
def push_message(self, message_id: int) -> int:
    """A posted message's Web Push to the mentioned (and, in a direct chat, the other person); idempotent per
    message (``chats.services.push``)."""
    from chats.services.push import message_push

    return message_push(message_id=message_id)
