"""The start page's note of announcements the person has not opened yet (see core/home.py)."""

from django.urls import reverse
from django.utils.html import format_html, format_html_join

from announcements.selectors import announcement_unread
from colleges.middleware import current_college_or_none

NOTE_TITLES = 3


def unread_announcement_notes(request) -> list[str]:
    """One note with links to the newest unread announcements (one query; none without a college)."""
    college = current_college_or_none(request)
    if college is None or not request.user.is_authenticated:
        return []
    unread = list(
        announcement_unread(viewer=request.user, college=college).values_list("pk", "title")[: NOTE_TITLES + 1]
    )
    if not unread:
        return []
    links = format_html_join(
        ", ",
        '<a href="{}" data-testid="unread-announcement">«{}»</a>',
        ((reverse("announcements:detail", kwargs={"pk": pk}), title) for pk, title in unread[:NOTE_TITLES]),
    )
    more = format_html(' и <a href="{}">другие</a>', reverse("announcements:list")) if len(unread) > NOTE_TITLES else ""
    return [format_html("Новые объявления: {}{}.", links, more)]
