"""Reads of the audit trail for other apps' figures."""

from collections.abc import Iterable

from django.db.models import Count

from audit.models import AuditEvent


def action_counts(*, college_id: int, actions: Iterable[str], since, until, by_people: bool = True) -> dict[str, int]:
    """How many events of each of ``actions`` the college's trail holds in [since, until) (one GROUP BY, read by
    the (college, created_at) index); ``by_people`` leaves out what tasks did with no one acting."""
    qs = AuditEvent.objects.filter(
        college_id=college_id, action__in=list(actions), created_at__gte=since, created_at__lt=until
    )
    if by_people:
        qs = qs.filter(actor__isnull=False)
    return dict(qs.values_list("action").annotate(n=Count("pk")).order_by())
