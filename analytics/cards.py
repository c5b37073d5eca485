"""The analytics card on the dashboard (see core/dashboard.py): the week in four figures."""

from django.urls import reverse

from analytics import figures
from analytics.periods import period_from
from analytics.permissions import can_view_analytics
from analytics.templatetags.analytics_format import number, percent

CARD_DAYS = 7


def usage(request, college) -> dict | None:
    """For the administration and the administrator: people who signed in during the week, and below it the
    students' joining, the messages and the sessions held with their attendance."""
    if not can_view_analytics(request.user, college):
        return None
    period = period_from({"days": str(CARD_DAYS)}, college=college)
    found = figures.headline(college=college, period=period)
    return {
        "title": f"вошли на платформу за {CARD_DAYS} дней",
        "count": found["signed_in"],
        "url": reverse("analytics:joining") + f"?{period.query}",
        "figures": [
            f"обучающихся подключилось: {number(found['students_joined'])} из {number(found['students'])}"
            f" ({percent(found['students_share'])})",
            f"сообщений в чатах: {number(found['messages'])}",
            f"проведено занятий и встреч: {number(found['sessions_held'])}",
            f"посещаемость: {percent(found['attendance_share'])}",
        ],
    }
