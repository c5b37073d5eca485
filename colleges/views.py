import mimetypes

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import TemplateView

from accounts import ratelimits
from colleges import permissions, selectors, services
from colleges.forms import (
    AdministratorAppointForm,
    CollegeApplicationForm,
    CollegeProfileForm,
    DepartmentForm,
    RejectForm,
    StaffAddForm,
)
from colleges.middleware import SESSION_KEY
from colleges.models import CollegeApplication, Role
from core import home
from core.pages import apply_service_errors, paginate

PAGE_SIZE = 20


class HomeView(View):
    """Sends each person to the page of their main role in the current college."""

    def get(self, request):
        if not request.user.is_authenticated:
            return redirect("account_login")
        roles = request.roles
        if Role.ADMINISTRATOR in roles or Role.ADMINISTRATION in roles:
            return redirect("dashboard")
        if Role.TEACHER in roles:
            return redirect("groups:my_groups")
        if Role.STUDENT in roles:
            return redirect("groups:my_group")
        if request.user.is_staff and not request.college:
            return redirect("colleges:application_queue")
        return render(request, "colleges/home.html", {"home_notes": home.notes_for(request)})


class CollegeSwitchView(LoginRequiredMixin, View):
    """Chooses the college the user works in; only a college where the user is a member."""

    def post(self, request):
        wanted = request.POST.get("college", "")
        if not any(str(m.college_id) == wanted for m in request.memberships):
            raise Http404
        request.session[SESSION_KEY] = int(wanted)
        return redirect("home")


# --- Public application ---------------------------------------------------------------


# The public form takes files from anyone: a few tries per address per hour is plenty for a real college.
APPLY_ATTEMPTS_PER_HOUR = 10
APPLY_TOO_MANY_MESSAGE = "Слишком много попыток отправить заявку с вашего адреса. Попробуйте через час."


def _apply_attempt_allowed(request) -> bool:
    return ratelimits.consume(request, action="colleges.apply", rates=f"{APPLY_ATTEMPTS_PER_HOUR}/h/ip")


class ApplyView(View):
    """The public form a college fills to join the platform."""

    template_name = "colleges/collegeapplication_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": CollegeApplicationForm()})

    def post(self, request):
        if not _apply_attempt_allowed(request):
            context = {"form": CollegeApplicationForm(), "error": APPLY_TOO_MANY_MESSAGE}
            return render(request, self.template_name, context, status=429)
        form = CollegeApplicationForm(request.POST, request.FILES)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "order_file"}
            try:
                services.college_application_submit(order_file=form.cleaned_data["order_file"], **data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                return redirect("colleges:apply_done")
        return render(request, self.template_name, {"form": form}, status=400)


class ApplyDoneView(TemplateView):
    template_name = "colleges/collegeapplication_done.html"


# --- Platform staff: the application queue ------------------------------------------------


class PlatformStaffMixin(LoginRequiredMixin):
    """Platform staff only; everyone else signed in gets 404 (the queue is not theirs to know of)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_review_applications(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ApplicationQueueView(PlatformStaffMixin, View):
    def get(self, request):
        status = request.GET.get("status", CollegeApplication.Status.PENDING)
        if status not in CollegeApplication.Status.values:
            status = ""
        search = request.GET.get("q", "").strip()
        page = paginate(request, selectors.application_search(status=status or None, search=search), PAGE_SIZE)
        return render(
            request,
            "colleges/collegeapplication_list.html",
            {"page_obj": page, "status": status, "q": search, "statuses": CollegeApplication.Status.choices},
        )


class ApplicationDetailView(PlatformStaffMixin, View):
    def get(self, request, pk):
        application = selectors.application_get(pk=pk)
        return render(request, "colleges/collegeapplication_detail.html", {"application": application})


class ApplicationFileView(PlatformStaffMixin, View):
    """The order scan, served to platform staff only (never from a public media URL)."""

    def get(self, request, pk):
        application = selectors.application_get(pk=pk)
        if not application.order_file:
            raise Http404
        try:
            handle = application.order_file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        extension = application.order_file.name.rsplit(".", 1)[-1].lower()
        content_type = mimetypes.types_map.get(f".{extension}", "application/octet-stream")
        return FileResponse(
            handle, as_attachment=True, filename=f"prikaz-{application.pk}.{extension}", content_type=content_type
        )


class ApplicationApproveView(PlatformStaffMixin, View):
    def post(self, request, pk):
        application = selectors.application_get(pk=pk)
        try:
            college = services.college_application_approve(actor=request.user, application_id=application.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"Заявка одобрена: колледж «{college.short_name}» создан, администратору отправлено SMS.",
            )
        return redirect("colleges:application_detail", pk=application.pk)


class ApplicationRejectView(PlatformStaffMixin, View):
    """Asks for the reason and a confirmation, then rejects."""

    template_name = "colleges/collegeapplication_reject.html"

    def get(self, request, pk):
        application = selectors.application_get(pk=pk)
        return render(request, self.template_name, {"application": application, "form": RejectForm()})

    def post(self, request, pk):
        application = selectors.application_get(pk=pk)
        form = RejectForm(request.POST)
        if form.is_valid():
            try:
                services.college_application_reject(
                    actor=request.user, application_id=application.pk, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "Заявка отклонена, заявителю отправлена причина отказа.")
                return redirect("colleges:application_detail", pk=application.pk)
        return render(request, self.template_name, {"application": application, "form": form}, status=400)


# --- Inside a college ---------------------------------------------------------------------


class CollegeMixin(LoginRequiredMixin):
    """A page of the current college. No college → 404; ``allowed`` says who of its members may open it."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.college:
            raise Http404
        self.college = request.college._wrapped if hasattr(request.college, "_wrapped") else request.college
        return super().dispatch(request, *args, **kwargs)

    def require(self, allowed: bool, message: str) -> None:
        if not allowed:
            raise PermissionDenied(message)


class CollegeProfileView(CollegeMixin, View):
    def get(self, request):
        self.require(
            permissions.can_view_college_profile(request.user, self.college), "Профиль доступен участникам колледжа."
        )
        return render(
            request,
            "colleges/college_detail.html",
            {"college": self.college, "can_edit": permissions.can_manage_college(request.user, self.college)},
        )


class CollegeProfileEditView(CollegeMixin, View):
    """Edit the profile: a whole page, or inline through htmx (the card swaps for the form and back)."""

    def _check(self, request):
        self.require(permissions.can_manage_college(request.user, self.college), services.MANAGE_DENIED_MESSAGE)

    def _render_form(self, request, form, status=200):
        template = "colleges/_college_form.html" if request.htmx else "colleges/college_form.html"
        return render(request, template, {"form": form, "college": self.college}, status=status)

    def get(self, request):
        self._check(request)
        if request.GET.get("cancel") and request.htmx:
            return render(request, "colleges/_college_card.html", {"college": self.college, "can_edit": True})
        return self._render_form(request, CollegeProfileForm(instance=self.college))

    def post(self, request):
        self._check(request)
        form = CollegeProfileForm(request.POST, instance=self.college)
        if form.is_valid():
            try:
                college = services.college_update(
                    actor=request.user,
                    college=self.college,
                    **{name: form.cleaned_data[name] for name in services.PROFILE_FIELDS},
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if request.htmx:
                    return render(request, "colleges/_college_card.html", {"college": college, "can_edit": True})
                messages.success(request, "Профиль колледжа сохранён.")
                return redirect("colleges:profile")
        return self._render_form(request, form, status=200 if request.htmx else 400)


class DepartmentListView(CollegeMixin, View):
    def get(self, request):
        self.require(
            permissions.can_view_departments(request.user, self.college),
            "Список отделений доступен сотрудникам колледжа.",
        )
        search = request.GET.get("q", "").strip()
        page = paginate(request, selectors.department_list(college=self.college, search=search), PAGE_SIZE)
        return render(
            request,
            "colleges/department_list.html",
            {
                "page_obj": page,
                "q": search,
                "can_edit": permissions.can_manage_college(request.user, self.college),
                "form": DepartmentForm(),
            },
        )


class DepartmentCreateView(CollegeMixin, View):
    def _check(self, request):
        self.require(
            permissions.can_manage_college(request.user, self.college),
            "Создавать отделения может только администратор платформы колледжа.",
        )

    def get(self, request):
        self._check(request)
        return render(request, "colleges/department_form.html", {"form": DepartmentForm()})

    def post(self, request):
        self._check(request)
        form = DepartmentForm(request.POST)
        if form.is_valid():
            try:
                department = services.department_create(actor=request.user, college=self.college, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"Отделение «{department.name}» создано.")
                return redirect("colleges:department_list")
        return render(request, "colleges/department_form.html", {"form": form}, status=400)


class DepartmentEditView(CollegeMixin, View):
    """Inline edit through htmx (the row swaps for a form), or a whole page without it."""

    def _load(self, request, pk):
        department = selectors.department_get_for(college=self.college, pk=pk)
        self.require(
            permissions.can_manage_college(request.user, self.college),
            "Изменять отделения может только администратор платформы колледжа.",
        )
        return department

    def _row(self, request, department):
        department = selectors.department_list(college=self.college).get(pk=department.pk)
        return render(request, "colleges/_department_row.html", {"department": department, "can_edit": True})

    def _form(self, request, department, form, status=200):
        template = "colleges/_department_form_row.html" if request.htmx else "colleges/department_form.html"
        return render(request, template, {"form": form, "department": department}, status=status)

    def get(self, request, pk):
        department = self._load(request, pk)
        if request.GET.get("cancel") and request.htmx:
            return self._row(request, department)
        return self._form(request, department, DepartmentForm(instance=department))

    def post(self, request, pk):
        department = self._load(request, pk)
        form = DepartmentForm(request.POST, instance=department)
        if form.is_valid():
            try:
                department = services.department_update(actor=request.user, department=department, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if request.htmx:
                    return self._row(request, department)
                messages.success(request, f"Отделение «{department.name}» сохранено.")
                return redirect("colleges:department_list")
        return self._form(request, department, form, status=200 if request.htmx else 400)


class DepartmentDeleteView(CollegeMixin, View):
    """A confirmation page; the POST deletes, or explains why it cannot."""

    def _load(self, request, pk):
        department = selectors.department_get_for(college=self.college, pk=pk)
        self.require(
            permissions.can_manage_college(request.user, self.college),
            "Удалять отделения может только администратор платформы колледжа.",
        )
        return department

    def get(self, request, pk):
        department = self._load(request, pk)
        has_groups = department.study_groups.exists()
        return render(
            request, "colleges/department_confirm_delete.html", {"department": department, "has_groups": has_groups}
        )

    def post(self, request, pk):
        department = self._load(request, pk)
        try:
            services.department_delete(actor=request.user, department=department)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Отделение «{department.name}» удалено.")
        return redirect("colleges:department_list")


class StaffListView(CollegeMixin, View):
    def get(self, request):
        self.require(
            permissions.can_view_staff(request.user, self.college),
            "Список сотрудников доступен администратору и администрации колледжа.",
        )
        search = request.GET.get("q", "").strip()
        page = paginate(request, selectors.staff_list(college=self.college, search=search), PAGE_SIZE)
        return render(
            request,
            "colleges/membership_list.html",
            {
                "page_obj": page,
                "q": search,
                "can_add": permissions.can_add_staff(request.user, self.college),
                "can_appoint": permissions.can_appoint_administrator(request.user, self.college),
            },
        )


class StaffAddView(CollegeMixin, View):
    template_name = "colleges/membership_form.html"

    def _check(self, request):
        self.require(
            permissions.can_add_staff(request.user, self.college),
            "Добавлять сотрудников может только администратор платформы колледжа.",
        )

    def get(self, request):
        self._check(request)
        return render(request, self.template_name, {"form": StaffAddForm()})

    def post(self, request):
        self._check(request)
        form = StaffAddForm(request.POST)
        if form.is_valid():
            try:
                membership = services.staff_add(actor=request.user, college=self.college, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, f"Сотрудник {membership.user.full_name} добавлен: {membership.get_role_display()}."
                )
                return redirect("colleges:staff_list")
        return render(request, self.template_name, {"form": form}, status=400)


class AdministratorAppointView(CollegeMixin, View):
    template_name = "colleges/administrator_appoint.html"

    def _context(self, form):
        current = selectors.membership_list(college=self.college, roles=[Role.ADMINISTRATOR], status="active").first()
        return {"form": form, "current": current}

    def _form(self, data=None):
        staff = list(selectors.staff_member_choices(college=self.college))
        return AdministratorAppointForm(data, staff=staff)

    def _check(self, request):
        self.require(permissions.can_appoint_administrator(request.user, self.college), services.APPOINT_DENIED_MESSAGE)

    def get(self, request):
        self._check(request)
        return render(request, self.template_name, self._context(self._form()))

    def post(self, request):
        self._check(request)
        form = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointed = services.administrator_appoint(
                    actor=request.user,
                    college=self.college,
                    membership=data["membership"],
                    phone=data.get("phone") or "",
                    last_name=data.get("last_name") or "",
                    first_name=data.get("first_name") or "",
                    patronymic=data.get("patronymic") or "",
                    order_number=data["order_number"],
                    order_date=data["order_date"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Администратором платформы назначен(а) {appointed.user.full_name}. Ему (ей) отправлено SMS.",
                )
                return redirect("colleges:staff_list")
        return render(request, self.template_name, self._context(form), status=400)
