"""The one check of ``StudyGroup.student_count``, for every test of a service that moves students."""

from django.db.models import Count, Q

from groups.models import StudyGroup


def assert_student_counts_exact() -> dict[str, int]:
    """Every study group's ``student_count`` equals its active enrollments; returns the counts by group name."""
    rows = (
        StudyGroup.objects.annotate(active=Count("enrollments", filter=Q(enrollments__ended_at__isnull=True)))
        .order_by("college_id", "name")
        .values_list("name", "student_count", "active")
    )
    assert [(name, kept) for name, kept, _ in rows] == [(name, active) for name, _, active in rows]
    return {name: kept for name, kept, _ in rows}
