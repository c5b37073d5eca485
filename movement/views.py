"""Pages of movement: thin views over services and selectors."""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from colleges.models import Role
from core.dates import year_in_range
from core.exports import EXPORT_FORMATS, export_response
from core.pages import apply_service_errors, paginate
from groups.models import CuratorAssignment
from movement import forms, selectors, services
from movement.messages import NOT_ALLOWED_MESSAGE
from movement.models import Movement, MovementKind
from movement.permissions import (
    can_manage_movements,
    can_view_all_movements,
    can_view_group_roster,
    can_view_movement_list,
    can_view_person,
)

PAGE_SIZE = 50


def _college_or_403(request):
    college = request.college
    if not college:
        raise PermissionDenied("Выберите колледж.")
    return college


def parse_ru_date(value: str) -> datetime.date | None:
    """A date typed as дд.мм.гггг or ISO, within the accepted years; anything else is None."""
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            parsed = datetime.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
        return parsed if year_in_range(parsed) else None
    return None


class MovementListView(LoginRequiredMixin, View):
    """All movements for the administrator and administration; a curator sees their groups'."""

    def get(self, request):
        college = _college_or_403(request)
        if not can_view_movement_list(request.user, college):
            raise PermissionDenied("Нет доступа к движению контингента.")
        search = request.GET.get("q", "").strip()
        status = request.GET.get("status", "")
        qs = selectors.movement_list(viewer=request.user, college=college, search=search, status=status)
        page = paginate(request, qs, PAGE_SIZE)
        page.object_list = list(page.object_list)
        _mark_openable_cards(request.user, college, page.object_list)
        return render(
            request,
            "movement/movement_list.html",
            {
                "page_obj": page,
                "search": search,
                "status": status,
                "statuses": Movement.Status.choices,
                "can_manage": can_manage_movements(request.user, college),
                "can_view_people": can_view_all_movements(request.user, college),
                "pending_count": selectors.pending_movement_count(college=college),
            },
        )


def _mark_openable_cards(user, college, movements) -> None:
    """Each movement gets ``can_open_person``: a curator's list links only to cards the curator may open."""
    movements = [m for m in movements if m.person_id]
    if can_view_all_movements(user, college):
        for m in movements:
            m.can_open_person = True
        return
    group_ids = selectors.people_group_ids(college=college, user_ids=[m.person.user_id for m in movements])
    for m in movements:
        m.person.college = college  # the list is of this college: spares a query per row
        m.can_open_person = can_view_person(user, m.person, group_ids=group_ids.get(m.person.user_id, set()))


class PersonCardView(LoginRequiredMixin, View):
    """A student's or teacher's card: the timeline of movements and enrollments."""

    def get(self, request, pk):
        person = selectors.person_get_for(college=request.college, pk=pk)
        if not can_view_person(request.user, person, group_ids=selectors.person_group_ids(person=person)):
            raise PermissionDenied("Нет доступа к карточке участника.")
        latest = selectors.person_latest(person=person)
        if latest.pk != person.pk:
            # An earlier period of the same person (before reinstatement): the card is the current one.
            return redirect("movement:person", pk=latest.pk)
        curatorships = []
        if person.role == Role.TEACHER:
            curatorships = list(
                CuratorAssignment.objects.filter(teacher=person, ended_at__isnull=True).select_related("group")
            )
        return render(
            request,
            "movement/person_detail.html",
            {
                "person": person,
                "timeline": selectors.person_timeline(person=person),
                "enrollments": selectors.person_enrollments(person=person),
                "current": selectors.current_enrollment(person) if person.role == Role.STUDENT else None,
                "on_leave": selectors.last_leave(person) if person.role == Role.STUDENT else None,
                "curatorships": curatorships,
                "can_manage": can_manage_movements(request.user, person.college),
            },
        )


class MovementCreateView(LoginRequiredMixin, View):
    """Enter one order for the person of the card."""

    def _person(self, request, pk):
        person = selectors.person_get_for(college=request.college, pk=pk)
        if not can_manage_movements(request.user, person.college):
            raise PermissionDenied(NOT_ALLOWED_MESSAGE)
        return person

    def get(self, request, pk):
        person = self._person(request, pk)
        form = forms.MovementForm(person=person, initial={"kind": request.GET.get("kind", "")})
        return render(request, "movement/movement_form.html", {"person": person, "form": form})

    def post(self, request, pk):
        person = self._person(request, pk)
        if request.POST.get("choose_kind"):
            # Without the page's script: the kind was picked, show its fields with what was typed so far.
            form = forms.MovementForm(person=person, initial=request.POST.dict())
            return render(request, "movement/movement_form.html", {"person": person, "form": form})
        form = forms.MovementForm(request.POST, person=person)
        if form.is_valid():
            data = form.cleaned_data
            try:
                movement = services.movement_create(
                    actor=request.user,
                    college=person.college,
                    kind=data["kind"],
                    person=person,
                    to_group=data.get("to_group"),
                    discipline=data.get("discipline"),
                    order_number=data["order_number"],
                    order_date=data["order_date"],
                    effective_date=data["effective_date"],
                    reason=form.reason_value(),
                    planned_return_date=data.get("planned_return_date"),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                movement.refresh_from_db()
                if movement.status == Movement.Status.FAILED:
                    messages.error(request, f"Приказ записан, но не применён: {movement.error}")
                elif movement.status == Movement.Status.APPLIED:
                    messages.success(request, f"{movement.get_kind_display().capitalize()} оформлено и применено.")
                elif movement.effective_date <= timezone.localdate():
                    messages.success(
                        request,
                        f"{movement.get_kind_display().capitalize()} оформлено и применяется — обновите страницу.",
                    )
                else:
                    messages.success(
                        request,
                        f"{movement.get_kind_display().capitalize()} оформлено; вступит в силу "
                        f"{movement.effective_date:%d.%m.%Y}.",
                    )
                return redirect("movement:person", pk=person.pk)
        return render(request, "movement/movement_form.html", {"person": person, "form": form}, status=400)


class MovementCancelView(LoginRequiredMixin, View):
    def post(self, request, pk):
        movement = selectors.movement_get_for(college=request.college, pk=pk)
        if not can_manage_movements(request.user, movement.college):
            raise PermissionDenied(NOT_ALLOWED_MESSAGE)
        try:
            services.movement_cancel(actor=request.user, movement=movement)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Приказ отменён.")
        if movement.person_id:
            return redirect("movement:person", pk=movement.person_id)
        return redirect("movement:list")


class HandoverView(LoginRequiredMixin, View):
    """Replace a curator: the incoming teacher takes over all the outgoing teacher's groups in one step."""

    def _outgoing(self, request, pk):
        person = selectors.person_get_for(college=request.college, pk=pk)
        if not can_manage_movements(request.user, person.college):
            raise PermissionDenied(NOT_ALLOWED_MESSAGE)
        return person

    def _render(self, request, person, form, status=200):
        groups = CuratorAssignment.objects.filter(teacher=person, ended_at__isnull=True).select_related("group")
        return render(
            request, "movement/handover_form.html", {"person": person, "form": form, "groups": groups}, status=status
        )

    def get(self, request, pk):
        person = self._outgoing(request, pk)
        return self._render(request, person, forms.HandoverForm(outgoing=person))

    def post(self, request, pk):
        person = self._outgoing(request, pk)
        form = forms.HandoverForm(request.POST, outgoing=person)
        if form.is_valid():
            try:
                moved = services.curator_handover(
                    actor=request.user,
                    outgoing=person,
                    incoming=form.cleaned_data["incoming"],
                    order_number=form.cleaned_data["order_number"],
                    order_date=form.cleaned_data["order_date"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"Группы переданы новому куратору: {len(moved)}.")
                return redirect("movement:person", pk=form.cleaned_data["incoming"].pk)
        return self._render(request, person, form, status=400)


class RosterView(LoginRequiredMixin, View):
    """A group's roster on any date (?date=дд.мм.гггг)."""

    def get(self, request, pk):
        group = selectors.group_get_for(college=request.college, pk=pk)
        if not can_view_group_roster(request.user, group):
            raise PermissionDenied("Нет доступа к списку группы.")
        raw = request.GET.get("date", "").strip()
        on = timezone.localdate()
        error = ""
        if raw:
            parsed = parse_ru_date(raw)
            if parsed is None:
                error = "Неверная дата. Введите дату в формате дд.мм.гггг."
            else:
                on = parsed
        rows = list(selectors.roster_on_date(group=group, on=on))
        return render(
            request,
            "movement/roster.html",
            {
                "group": group,
                "on": on,
                "rows": rows,
                "error": error,
                "form": forms.RosterDateForm(initial={"date": on}),
                # Every row studied in this group, so one answer of the card predicate serves them all
                # (a subject teacher sees the list but not the cards).
                "can_open_cards": bool(rows) and can_view_person(request.user, rows[0].student, group_ids={group.pk}),
            },
            status=400 if error else 200,
        )


class JoinedReportView(LoginRequiredMixin, View):
    """«В контингенте, но не присоединился» and «присоединился, но нет в контингенте», per group; CSV/XLSX."""

    def get(self, request):
        from movement.permissions import can_view_reports

        college = _college_or_403(request)
        if not can_view_reports(request.user, college):
            raise PermissionDenied("Отчёт доступен администратору и администрации колледжа.")
        rows = selectors.joined_report(college=college)
        export = request.GET.get("format", "")
        if export in EXPORT_FORMATS:
            return _export(rows, export)
        return render(request, "movement/joined_report.html", {"rows": rows})


REPORT_HEADERS = ["Группа", "Расхождение", "ФИО", "Телефон"]


def _export(rows: list[dict], fmt: str):
    return export_response(
        fmt,
        filename="prisoedinenie",
        title="Присоединение",
        header=REPORT_HEADERS,
        rows=([r["group"], r["status"], r["name"], r["phone"]] for r in rows),
    )


class PeopleListView(LoginRequiredMixin, View):
    """Find a student or an employee to open their card (administrator and administration)."""

    def get(self, request):
        college = _college_or_403(request)
        if not can_view_all_movements(request.user, college):
            raise PermissionDenied("Нет доступа к карточкам участников.")
        search = request.GET.get("q", "").strip()
        role = request.GET.get("role", "")
        qs = selectors.people_list(college=college, search=search, role=role)
        page = paginate(request, qs, PAGE_SIZE)
        return render(
            request,
            "movement/people_list.html",
            {
                "page_obj": page,
                "search": search,
                "role": role,
                "roles": [(r.value, r.label) for r in (Role.STUDENT, Role.TEACHER, Role.ADMINISTRATION)],
                "can_manage": can_manage_movements(request.user, college),
            },
        )


class HireView(LoginRequiredMixin, View):
    """Hire an employee by an order (приём на работу): applied on its effective date."""

    def _college(self, request):
        college = _college_or_403(request)
        if not can_manage_movements(request.user, college):
            raise PermissionDenied(NOT_ALLOWED_MESSAGE)
        return college

    def get(self, request):
        self._college(request)
        return render(request, "movement/hire_form.html", {"form": forms.HireForm()})

    def post(self, request):
        college = self._college(request)
        form = forms.HireForm(request.POST)
        if form.is_valid():
            try:
                movement = services.movement_create(
                    actor=request.user, college=college, kind=MovementKind.HIRE, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                movement.refresh_from_db()
                if movement.person_id:
                    messages.success(request, "Сотрудник принят на работу.")
                    return redirect("movement:person", pk=movement.person_id)
                if movement.status == Movement.Status.FAILED:
                    messages.error(request, f"Приказ записан, но не применён: {movement.error}")
                else:
                    messages.success(
                        request, f"Приказ о приёме записан; вступит в силу {movement.effective_date:%d.%m.%Y}."
                    )
                return redirect("movement:list")
        return render(request, "movement/hire_form.html", {"form": form}, status=400)


class EnrolView(LoginRequiredMixin, View):
    """Enrol one new student by an order (зачисление): the person signs in with the phone once it applies."""

    def _college(self, request):
        college = _college_or_403(request)
        if not can_manage_movements(request.user, college):
            raise PermissionDenied(NOT_ALLOWED_MESSAGE)
        return college

    def get(self, request):
        college = self._college(request)
        form = forms.EnrolForm(college=college, initial={"to_group": request.GET.get("group")})
        return render(request, "movement/enrol_form.html", {"form": form})

    def post(self, request):
        college = self._college(request)
        form = forms.EnrolForm(request.POST, college=college)
        if form.is_valid():
            data = form.cleaned_data
            try:
                # Due today or earlier: applied here, so a reason it cannot be applied comes back to the form.
                movement = services.movement_create(
                    actor=request.user,
                    college=college,
                    kind=MovementKind.ENROL,
                    apply_now=data["effective_date"] <= timezone.localdate(),
                    **data,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if movement.person_id:
                    messages.success(
                        request,
                        f"Обучающийся зачислен в группу {movement.to_group}. "
                        "Он входит на платформу по номеру телефона и коду из SMS.",
                    )
                    return redirect("movement:person", pk=movement.person_id)
                messages.success(
                    request, f"Приказ о зачислении записан; вступит в силу {movement.effective_date:%d.%m.%Y}."
                )
                return redirect("movement:list")
        return render(request, "movement/enrol_form.html", {"form": form}, status=400)
