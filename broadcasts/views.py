"""Pages of the broadcasts app («Видеосвязь»): thin views over selectors and services."""

from urllib.parse import urlsplit

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from broadcasts import messages, selectors, services
from broadcasts.forms import SessionCancelForm, SessionFilterForm, SessionForm, SessionHeldForm
from broadcasts.ics import session_ics
from broadcasts.permissions import can_edit_session, can_plan_sessions, can_view_sessions
from colleges.pages import CollegePageView
from core.pages import apply_service_errors, paginate

PAGE_SIZE = 20
SEMINARS_SHOWN = 3


def _room_form_allowed(response):
    """A page with the «Войти» form: the form's answer redirects to the video room on another host, which the
    site's ``form-action 'self'`` would stop, so that one origin is allowed for this page."""
    parts = urlsplit(settings.VIDEO_ROOM_URL)
    return csp_update({"form-action": [f"{parts.scheme}://{parts.netloc}"]})(lambda: response)()


class CollegeSessionsPage(CollegePageView):
    """A page of the current college's video sessions: its members."""

    allowed = can_view_sessions
    denied_message = messages.NOT_A_MEMBER


class SessionListView(CollegeSessionsPage):
    def get(self, request):
        filters = SessionFilterForm(request.GET or None)
        valid = filters.is_valid()
        search = filters.cleaned_data["q"].strip() if valid else ""
        kind = filters.cleaned_data["kind"] if valid else ""
        now = timezone.now()
        sessions = selectors.session_list(viewer=request.user, college=self.college, search=search, kind=kind)
        page = paginate(request, sessions, PAGE_SIZE)
        # Seminars and webinars for teachers (seed §3.4) stand above the list, on its first page.
        seminars = []
        if not (kind or search) and page.number == 1:
            upcoming = selectors.seminar_upcoming(viewer=request.user, college=self.college, now=now)
            seminars = list(upcoming[:SEMINARS_SHOWN])
        return render(
            request,
            "broadcasts/session_list.html",
            {
                "page_obj": page,
                "sessions": page.object_list,
                "filters": filters,
                "search": search,
                "kind": kind,
                "seminars": seminars,
                "now": now,
                "can_plan": can_plan_sessions(request.user, self.college),
            },
        )


class _SessionFormBase(CollegeSessionsPage):
    def render_form(self, request, form, *, session=None, status=200):
        return render(request, "broadcasts/session_form.html", {"form": form, "session": session}, status=status)

    def save(self, request, form, *, session=None):
        """The service's answer: the saved session, or None with its errors on the form."""
        data = form.cleaned_data
        fields = {
            "title": data["title"],
            "description": data["description"],
            "starts_at": data["starts_at"],
            "duration_minutes": data["duration_minutes"],
            "audience": data["audience"],
            "groups": data["groups"],
            "host": data.get("host"),
        }
        try:
            if session is None:
                return services.session_create(actor=request.user, college=self.college, kind=data["kind"], **fields)
            return services.session_update(actor=request.user, session=session, **fields)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        return None


class SessionCreateView(_SessionFormBase):
    def get(self, request):
        self.require(can_plan_sessions(request.user, self.college), messages.NO_PLAN_PERMISSION)
        return self.render_form(request, SessionForm(user=request.user, college=self.college))

    def post(self, request):
        self.require(can_plan_sessions(request.user, self.college), messages.NO_PLAN_PERMISSION)
        form = SessionForm(request.POST, user=request.user, college=self.college)
        if form.is_valid() and (session := self.save(request, form)) is not None:
            flash.success(request, "Сеанс запланирован.")
            return redirect("broadcasts:detail", pk=session.pk)
        return self.render_form(request, form, status=400)


class SessionPage(CollegeSessionsPage):
    """A page of one session the viewer may see (404 for any other)."""

    lookup = selectors.session_get_for
    lookup_user = "user"


class SessionChangePage(SessionPage):
    allowed_on = can_edit_session
    denied_on_message = messages.NO_EDIT_PERMISSION


class SessionDetailView(SessionPage):
    def get(self, request, pk):
        session = self.object
        can_edit = can_edit_session(request.user, session)
        now = timezone.now()
        is_open = session.is_open(now)
        response = render(
            request,
            "broadcasts/session_detail.html",
            {
                "session": session,
                "can_edit": can_edit,
                "is_open": is_open,
                "has_started": session.starts_at <= now,
                "attendance": list(selectors.session_attendance(session=session)) if can_edit else [],
            },
        )
        return _room_form_allowed(response) if is_open else response


class SessionUpdateView(SessionChangePage, _SessionFormBase):
    def get(self, request, pk):
        session = self.object
        initial = {
            "title": session.title,
            "description": session.description,
            "starts_at": timezone.localtime(session.starts_at),
            "duration_minutes": session.duration_minutes,
            "audience": session.audience,
            "groups": list(session.groups.all()),
            "host": session.host,
        }
        form = SessionForm(user=request.user, college=self.college, editing=session, initial=initial)
        return self.render_form(request, form, session=session)

    def post(self, request, pk):
        session = self.object
        form = SessionForm(request.POST, user=request.user, college=self.college, editing=session)
        if form.is_valid() and self.save(request, form, session=session) is not None:
            flash.success(request, "Изменения сохранены.")
            return redirect("broadcasts:detail", pk=session.pk)
        return self.render_form(request, form, session=session, status=400)


class SessionCancelView(SessionChangePage):
    """Asks for the reason and a confirmation, then cancels."""

    template_name = "broadcasts/session_confirm_cancel.html"

    def get(self, request, pk):
        return render(request, self.template_name, {"session": self.object, "form": SessionCancelForm()})

    def post(self, request, pk):
        session = self.object
        form = SessionCancelForm(request.POST)
        if form.is_valid():
            try:
                services.session_cancel(actor=request.user, session=session, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                flash.success(request, f"Сеанс «{session.title}» отменён.")
                return redirect("broadcasts:detail", pk=session.pk)
        return render(request, self.template_name, {"session": session, "form": form}, status=400)


class SessionHeldView(SessionChangePage):
    """Mark the session held and add the link to its recording (or change the link later)."""

    template_name = "broadcasts/session_held.html"

    def get(self, request, pk):
        session = self.object
        form = SessionHeldForm(initial={"recording_url": session.recording_url})
        return render(request, self.template_name, {"session": session, "form": form})

    def post(self, request, pk):
        session = self.object
        form = SessionHeldForm(request.POST)
        if form.is_valid():
            try:
                services.session_mark_held(
                    actor=request.user, session=session, recording_url=form.cleaned_data["recording_url"]
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                flash.success(request, "Сеанс отмечен проведённым.")
                return redirect("broadcasts:detail", pk=session.pk)
        return render(request, self.template_name, {"session": session, "form": form}, status=400)


class SessionJoinView(SessionPage):
    """«Войти»: the page a reminder links to shows the session and a «Войти в комнату» button; only its POST
    (CSRF) records the first entry and sends the browser on to the video room, so a browser or a mail
    scanner fetching the link records nothing."""

    template_name = "broadcasts/session_join.html"

    def get(self, request, pk):
        session = self.object
        if not session.is_open(timezone.now()):
            return self._closed(request, session)
        return _room_form_allowed(render(request, self.template_name, {"session": session}))

    def post(self, request, pk):
        session = self.object
        now = timezone.now()
        if services.session_join(user=request.user, session=session, now=now) is None:
            return self._closed(request, session, now=now)
        return redirect(session.room_url(display_name=request.user.full_name))

    def _closed(self, request, session, *, now=None):
        """Not open: the session's page, saying why."""
        now = now or timezone.now()
        if session.status == session.Status.CANCELLED:
            flash.warning(request, messages.JOIN_CANCELLED.format(reason=session.cancel_reason))
        elif now < session.opens_at:
            opens = date_format(timezone.localtime(session.opens_at), "j E в H:i")
            flash.info(request, messages.JOIN_NOT_YET.format(opens=opens))
        else:
            flash.info(request, messages.JOIN_ENDED)
        return redirect("broadcasts:detail", pk=session.pk)


class SessionCalendarView(SessionPage):
    """The session as a file for the person's calendar (.ics)."""

    def get(self, request, pk):
        session = self.object
        page_url = request.build_absolute_uri(reverse("broadcasts:detail", kwargs={"pk": session.pk}))
        domain = urlsplit(settings.SITE_URL).hostname or request.get_host()
        body = session_ics(session, page_url=page_url, domain=domain)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="broadcast-{session.pk}.ics"'
        return response
