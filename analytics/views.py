"""«Аналитика»: one page in sections, each its own URL (a phone loads one section), with a period picker
and a CSV/XLSX export of each section (``?format=csv`` or ``xlsx``)."""

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone

from analytics import figures, messages, tables
from analytics.periods import PRESETS, Period, moment_label, period_from
from analytics.permissions import can_view_analytics, can_view_joining, joining_group_scope
from colleges.pages import CollegePageView
from core.dates import MAX_DATE, MIN_DATE
from core.exports import EXPORT_FORMATS, export_response
from core.pages import paginate

SESSIONS_PAGE = 25
TEACHERS_PAGE = 25
GROUPS_PAGE = 50

# (section, label, url name) in the order of the tabs.
SECTIONS = (
    ("joining", "Подключение", "analytics:joining"),
    ("invitations", "Приглашения", "analytics:invitations"),
    ("chats", "Чаты", "analytics:chats"),
    ("sessions", "Видеосвязь", "analytics:sessions"),
    ("teachers", "Преподаватели", "analytics:teachers"),
)


class AnalyticsPage(CollegePageView):
    """A section: the period from the query (400 with a Russian message when it is not one), then the
    section's figures as a page or, with ``?format=``, as a file."""

    allowed = can_view_analytics
    denied_message = messages.DENIED
    section = ""
    title = ""
    template_name = ""
    # The section's figures come from the college cache and may be a few minutes old (figures._cached).
    cached = True

    def get(self, request):
        try:
            period = period_from(request.GET, college=self.college)
        except ValidationError as exc:
            return self.render_page(request, None, {"error": exc.messages[0]}, status=400)
        export = request.GET.get("format", "")
        if export in EXPORT_FORMATS:
            header, rows = self.table(request, period)
            return export_response(
                export, filename=f"analitika-{self.section}-{period.slug}", title=self.title, header=header, rows=rows
            )
        return self.render_page(request, period, self.context(request, period))

    def render_page(self, request, period: Period | None, context: dict, *, status: int = 200):
        full = can_view_analytics(request.user, self.college)
        base = {
            "section": self.section,
            "section_title": self.title,
            "sections": [s for s in SECTIONS if full or s[0] == "joining"],
            "period": period,
            "presets": PRESETS,
            "date_min": MIN_DATE.isoformat(),
            "date_max": MAX_DATE.isoformat(),
            "freshness": self.freshness(context.get("computed_at")) if period is not None else "",
        }
        template = self.template_name if period is not None else "analytics/error.html"
        return render(request, template, {**base, **context}, status=status)

    def freshness(self, computed_at) -> str:
        """«Данные на 15:32 · обновляются каждые 5 мин.»: when the figures shown were computed, on the
        college's clock (the cached ones then, the others now)."""
        text = messages.FRESH_AT.format(moment=moment_label(computed_at or timezone.now(), college=self.college))
        seconds = settings.COLLEGE_CACHE_SECONDS
        if self.cached and seconds:
            text += " · " + messages.FRESH_HINT.format(minutes=math.ceil(seconds / 60))
        return text

    def context(self, request, period: Period) -> dict:
        raise NotImplementedError

    def table(self, request, period: Period):
        raise NotImplementedError


class JoiningView(AnalyticsPage):
    """«Подключение»: per role and per group, who is in the college and who has signed in; a curator sees
    the groups they curate."""

    allowed = can_view_joining
    denied_message = messages.DENIED_JOINING
    section = "joining"
    title = "Подключение"
    template_name = "analytics/joining.html"

    def _figures(self, request, period):
        scope = joining_group_scope(request.user, self.college)
        return figures.joining(college=self.college, period=period, group_ids=scope), scope

    def context(self, request, period):
        found, scope = self._figures(request, period)
        page = paginate(request, found["groups"], GROUPS_PAGE)
        return {
            "roles": found["roles"],
            "page_obj": page,
            "groups": page.object_list,
            "curator_only": scope is not None,
            "computed_at": found.get("computed_at"),
        }

    def table(self, request, period):
        return tables.joining(self._figures(request, period)[0])


class InvitationsView(AnalyticsPage):
    section = "invitations"
    title = "Приглашения"
    template_name = "analytics/invitations.html"

    def context(self, request, period):
        found = figures.invitation_figures(college=self.college, period=period)
        return {"found": found, "computed_at": found.get("computed_at")}

    def table(self, request, period):
        return tables.invitations(figures.invitation_figures(college=self.college, period=period))


class ChatsView(AnalyticsPage):
    section = "chats"
    title = "Чаты"
    template_name = "analytics/chats.html"

    def context(self, request, period):
        found = figures.chat_figures(college=self.college, period=period)
        return {"found": found, "computed_at": found.get("computed_at")}

    def table(self, request, period):
        return tables.chats(figures.chat_figures(college=self.college, period=period))


class SessionsView(AnalyticsPage):
    section = "sessions"
    title = "Видеосвязь"
    template_name = "analytics/sessions.html"

    def context(self, request, period):
        page = paginate(request, figures.session_rows(college=self.college, period=period), SESSIONS_PAGE)
        found = figures.session_figures(college=self.college, period=period)
        return {
            "found": found,
            "computed_at": found.get("computed_at"),
            "page_obj": page,
            "sessions": [figures.session_row(session) for session in page.object_list],
        }

    def table(self, request, period):
        return tables.sessions(figures.session_rows(college=self.college, period=period))


class TeachersView(AnalyticsPage):
    section = "teachers"
    title = "Преподаватели"
    template_name = "analytics/teachers.html"
    cached = False  # a page of teachers is counted on every look

    def _search(self, request) -> str:
        return request.GET.get("q", "").strip()[:100]  # a NUL byte is refused before (core.middleware)

    def context(self, request, period):
        search = self._search(request)
        page = paginate(request, figures.teacher_list(college=self.college, search=search), TEACHERS_PAGE)
        rows = figures.teacher_rows(college=self.college, period=period, teachers=page.object_list)
        return {"page_obj": page, "teachers": rows, "q": search}

    def table(self, request, period):
        teachers = figures.teacher_list(college=self.college, search=self._search(request))
        return tables.teachers(figures.teacher_rows(college=self.college, period=period, teachers=teachers))
