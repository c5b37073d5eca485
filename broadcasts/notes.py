"""The start page's note of the next seminar or webinar for teachers (seed §3.4; see core/home.py)."""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html

from broadcasts import selectors
from broadcasts.permissions import sees_seminars
from colleges.middleware import current_college_or_none


def next_seminar_notes(request) -> list[str]:
    """One note with the nearest seminar or webinar for the staff who are its audience (one query; none for
    anyone else, and none without a college)."""
    college = current_college_or_none(request)
    if college is None or not sees_seminars(request.user, college):
        return []
    seminar = selectors.seminar_upcoming(viewer=request.user, college=college).select_related(None).first()
    if seminar is None:
        return []
    when = formats.date_format(timezone.localtime(seminar.starts_at), "j E в H:i")
    return [
        format_html(
            'Семинар для педагогов: <a href="{}" data-testid="next-seminar">«{}»</a>, {}.',
            reverse("broadcasts:detail", kwargs={"pk": seminar.pk}),
            seminar.title,
            when,
        )
    ]
