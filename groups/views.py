"""HTML pages of the groups app: thin views that parse a form, call one service or selector, render."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views import View

from colleges.middleware import current_college_or_none
from colleges.selectors import membership_get_for
from core import college_cache, dashboard
from core.pages import apply_service_errors, paginate
from groups import forms, permissions, selectors, services

PAGE_SIZE = 25


class CollegeView(LoginRequiredMixin, View):
    """A page inside the current college. ``allowed(user, college)`` guards the whole page (403 otherwise)."""

    allowed = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.college = current_college_or_none(request)
        if self.allowed is not None and not type(self).allowed(request.user, self.college):
            raise PermissionDenied("Эта страница доступна не для вашей роли в колледже.")
        return super().dispatch(request, *args, **kwargs)


class GroupObjectView(CollegeView):
    """A page of one study group: 404 when it is not of the current college, then ``allowed_on(user, group)``."""

    allowed_on = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.college = current_college_or_none(request)
        self.group = selectors.study_group_get_for(college=self.college, pk=kwargs["pk"])
        if not type(self).allowed_on(request.user, self.group):
            raise PermissionDenied("Это действие с группой доступно только администратору платформы колледжа.")
        return View.dispatch(self, request, *args, **kwargs)


# --- Dashboard --------------------------------------------------------------


class DashboardView(CollegeView):
    """The administrator's and administration's dashboard: figures and «требует внимания» cards."""

    allowed = permissions.can_view_dashboard

    def get(self, request):
        can_manage = permissions.can_create_study_group(request.user, self.college)

        def compute():
            counts = selectors.college_counts(college=self.college, request=request)
            part = {
                "counts": counts,
                "cards": dashboard.cards_for(request, self.college),
                # A college without students is still being set up: its dashboard leads through the first steps.
                "first_steps": dashboard.steps_for(request, self.college) if not counts["students"] else [],
            }
            # The body holds no CSRF token: it is cached rendered, with the figures it shows.
            part["body"] = render_to_string("groups/_dashboard_body.html", {**part, "can_manage": can_manage})
            return part

        # The cards depend on the viewer's roles only (core/dashboard.py).
        vary = (sorted(request.roles), request.LANGUAGE_CODE, can_manage)
        context = college_cache.get_or_compute(self.college, "groups.dashboard", vary=vary, compute=compute)
        return render(request, "groups/dashboard.html", context)


# --- Study groups -------------------------------------------------------------


class StudyGroupListView(CollegeView):
    allowed = permissions.can_view_study_group_list

    def get(self, request):
        can_manage = permissions.can_create_study_group(request.user, self.college)
        # The filters and the table hold no CSRF token and depend on the query and
        # whether the viewer manages groups only, so they are cached per college.
        template = "groups/_study_group_table.html" if request.htmx else "groups/_study_group_list_body.html"
        query = sorted((key, request.GET.getlist(key)) for key in request.GET)
        vary = (template, can_manage, request.LANGUAGE_CODE, query)

        def compute() -> str:
            filter_form = forms.StudyGroupFilterForm(request.GET or None, college=self.college)
            groups = selectors.study_group_list(college=self.college, **filter_form.filters())
            context = {
                "request": request,
                "filter_form": filter_form,
                "page_obj": paginate(request, groups, PAGE_SIZE),
                "can_manage": can_manage,
                "has_filters": any(
                    request.GET.get(key) for key in ("q", "department", "course", "status", "attention")
                ),
            }
            return render_to_string(template, context)

        body = college_cache.get_or_compute(self.college, "groups.study_group_list", vary=vary, compute=compute)
        if request.htmx:
            return HttpResponse(body)
        return render(request, "groups/study_group_list.html", {"body": body})


class StudyGroupCreateView(CollegeView):
    allowed = permissions.can_create_study_group

    def get(self, request):
        form = forms.StudyGroupForm(college=self.college)
        return render(request, "groups/study_group_form.html", {"form": form})

    def post(self, request):
        form = forms.StudyGroupForm(request.POST, college=self.college)
        if form.is_valid():
            try:
                group = services.study_group_create(actor=request.user, college=self.college, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"Учебная группа «{group.name}» создана.")
                return redirect("groups:study_group_detail", pk=group.pk)
        return render(request, "groups/study_group_form.html", {"form": form}, status=400)


class StudyGroupDetailView(GroupObjectView):
    allowed_on = permissions.can_view_study_group

    def get(self, request, pk):
        group = self.group
        return render(
            request,
            "groups/study_group_detail.html",
            {
                "group": group,
                "roster": list(selectors.study_group_roster(group=group)),
                "curator": selectors.study_group_curator(group=group),
                "subjects": list(selectors.subject_assignment_list(college=self.college, group=group)),
                "can_edit": permissions.can_edit_study_group(request.user, group),
                "can_assign_curator": permissions.can_assign_curator(request.user, group),
                "can_assign_subject": permissions.can_assign_subject_teacher(request.user, group),
            },
        )


class StudyGroupEditView(GroupObjectView):
    allowed_on = permissions.can_edit_study_group

    def get(self, request, pk):
        form = forms.StudyGroupForm(initial=forms.StudyGroupForm.initial_for(self.group), college=self.college)
        return render(request, "groups/study_group_form.html", {"form": form, "group": self.group})

    def post(self, request, pk):
        form = forms.StudyGroupForm(request.POST, college=self.college)
        if form.is_valid():
            try:
                group = services.study_group_update(actor=request.user, group=self.group, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "Изменения сохранены.")
                return redirect("groups:study_group_detail", pk=group.pk)
        return render(request, "groups/study_group_form.html", {"form": form, "group": self.group}, status=400)


class StudyGroupInlineEditView(GroupObjectView):
    """HTMX: a row of the list turns into a small form (name, course, status) and back."""

    allowed_on = permissions.can_edit_study_group

    def _row(self, request):
        group = selectors.study_group_list(college=self.college).get(pk=self.group.pk)
        return render(request, "groups/_study_group_row.html", {"group": group, "can_manage": True})

    def get(self, request, pk):
        if request.GET.get("cancel"):
            return self._row(request)
        form = forms.StudyGroupInlineForm(
            initial={"name": self.group.name, "course": self.group.course, "status": self.group.status}
        )
        return render(request, "groups/_study_group_row_form.html", {"group": self.group, "form": form})

    def post(self, request, pk):
        form = forms.StudyGroupInlineForm(request.POST)
        if form.is_valid():
            try:
                services.study_group_update(actor=request.user, group=self.group, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                return self._row(request)
        return render(request, "groups/_study_group_row_form.html", {"group": self.group, "form": form})


# --- Curator and subject teachers ---------------------------------------------


class CuratorAssignView(GroupObjectView):
    allowed_on = permissions.can_assign_curator

    def _render(self, request, form, status=200):
        curator = selectors.study_group_curator(group=self.group)
        context = {"group": self.group, "form": form, "curator": curator}
        return render(request, "groups/curator_assign.html", context, status=status)

    def get(self, request, pk):
        return self._render(request, forms.CuratorAssignForm(college=self.college))

    def post(self, request, pk):
        form = forms.CuratorAssignForm(request.POST, college=self.college)
        if form.is_valid():
            try:
                assignment = services.curator_assign(
                    actor=request.user, group=self.group, teacher=form.cleaned_data["teacher"]
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                teacher = assignment.teacher.user
                messages.success(request, f"{teacher.full_name or teacher.phone_display} — куратор группы.")
                return redirect("groups:study_group_detail", pk=self.group.pk)
        return self._render(request, form, status=400)


class CuratorEndView(GroupObjectView):
    allowed_on = permissions.can_assign_curator

    def get(self, request, pk):
        curator = selectors.study_group_curator(group=self.group)
        return render(request, "groups/curator_end_confirm.html", {"group": self.group, "curator": curator})

    def post(self, request, pk):
        curator = selectors.study_group_curator(group=self.group)
        if curator is not None:
            services.curator_end(actor=request.user, assignment=curator)
            messages.success(request, "Куратор снят с группы.")
        return redirect("groups:study_group_detail", pk=self.group.pk)


class SubjectAssignView(GroupObjectView):
    allowed_on = permissions.can_assign_subject_teacher

    def get(self, request, pk):
        form = forms.SubjectAssignForm(college=self.college)
        return render(request, "groups/subject_assign.html", {"group": self.group, "form": form})

    def post(self, request, pk):
        form = forms.SubjectAssignForm(request.POST, college=self.college)
        if form.is_valid():
            try:
                services.subject_teacher_assign(actor=request.user, group=self.group, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "Преподаватель дисциплины назначен.")
                return redirect("groups:study_group_detail", pk=self.group.pk)
        return render(request, "groups/subject_assign.html", {"group": self.group, "form": form}, status=400)


class SubjectAssignmentEndView(CollegeView):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.assignment = selectors.subject_assignment_get_for(
            college=current_college_or_none(request), pk=kwargs["pk"]
        )
        if not permissions.can_assign_subject_teacher(request.user, self.assignment.group):
            raise PermissionDenied("Снимать преподавателей дисциплин может только администратор платформы колледжа.")
        return View.dispatch(self, request, *args, **kwargs)

    def get(self, request, pk):
        return render(request, "groups/subject_assignment_end_confirm.html", {"assignment": self.assignment})

    def post(self, request, pk):
        services.subject_teacher_assignment_end(actor=request.user, assignment=self.assignment)
        messages.success(request, "Преподаватель снят с дисциплины.")
        return redirect("groups:study_group_detail", pk=self.assignment.group_id)


# --- «Мои группы», «Моя группа» ----------------------------------------------


class MyGroupsView(CollegeView):
    allowed = permissions.can_view_my_groups

    def get(self, request):
        data = selectors.teacher_groups(user=request.user, college=self.college)
        return render(request, "groups/my_groups.html", data)


class MyGroupView(CollegeView):
    allowed = permissions.can_view_my_group

    def get(self, request):
        data = selectors.student_group(user=request.user, college=self.college)
        return render(request, "groups/my_group.html", {"data": data})


# --- Staff groups -----------------------------------------------------------------


class StaffGroupListView(CollegeView):
    allowed = permissions.can_view_staff_groups

    def get(self, request):
        search = request.GET.get("q", "").strip()
        return render(
            request,
            "groups/staff_group_list.html",
            {
                "page_obj": paginate(
                    request, selectors.staff_group_list(college=self.college, search=search), PAGE_SIZE
                ),
                "search": search,
                "can_manage": permissions.can_manage_staff_groups(request.user, self.college),
            },
        )


class StaffGroupCreateView(CollegeView):
    allowed = permissions.can_manage_staff_groups

    def get(self, request):
        return render(request, "groups/staff_group_form.html", {"form": forms.StaffGroupForm()})

    def post(self, request):
        form = forms.StaffGroupForm(request.POST)
        if form.is_valid():
            try:
                staff_group = services.staff_group_create(actor=request.user, college=self.college, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"Группа сотрудников «{staff_group.name}» создана.")
                return redirect("groups:staff_group_detail", pk=staff_group.pk)
        return render(request, "groups/staff_group_form.html", {"form": form}, status=400)


class StaffGroupObjectView(CollegeView):
    manage = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.college = current_college_or_none(request)
        self.staff_group = selectors.staff_group_get_for(college=self.college, pk=kwargs["pk"])
        allowed = permissions.can_manage_staff_groups if self.manage else permissions.can_view_staff_groups
        if not allowed(request.user, self.college):
            raise PermissionDenied("Изменять группы сотрудников может только администратор платформы колледжа.")
        return View.dispatch(self, request, *args, **kwargs)


class StaffGroupDetailView(StaffGroupObjectView):
    def get(self, request, pk):
        members = list(selectors.staff_group_members(staff_group=self.staff_group))
        can_manage = permissions.can_manage_staff_groups(request.user, self.college)
        add_form = (
            forms.StaffGroupMemberForm(college=self.college, exclude_ids=[m.pk for m in members])
            if can_manage
            else None
        )
        return render(
            request,
            "groups/staff_group_detail.html",
            {"staff_group": self.staff_group, "members": members, "add_form": add_form, "can_manage": can_manage},
        )


class StaffGroupEditView(StaffGroupObjectView):
    manage = True

    def get(self, request, pk):
        staff_group = self.staff_group
        form = forms.StaffGroupForm(initial={"name": staff_group.name, "description": staff_group.description})
        return render(request, "groups/staff_group_form.html", {"form": form, "staff_group": self.staff_group})

    def post(self, request, pk):
        form = forms.StaffGroupForm(request.POST)
        if form.is_valid():
            try:
                services.staff_group_update(actor=request.user, staff_group=self.staff_group, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "Изменения сохранены.")
                return redirect("groups:staff_group_detail", pk=self.staff_group.pk)
        return render(
            request, "groups/staff_group_form.html", {"form": form, "staff_group": self.staff_group}, status=400
        )


class StaffGroupMemberAddView(StaffGroupObjectView):
    manage = True

    def post(self, request, pk):
        form = forms.StaffGroupMemberForm(request.POST, college=self.college)
        if form.is_valid():
            try:
                services.staff_group_member_add(
                    actor=request.user, staff_group=self.staff_group, member=form.cleaned_data["member"]
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, "Сотрудник добавлен в группу.")
                return redirect("groups:staff_group_detail", pk=self.staff_group.pk)
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        response = redirect("groups:staff_group_detail", pk=self.staff_group.pk)
        return response


class StaffGroupMemberRemoveView(StaffGroupObjectView):
    manage = True

    def _member(self, member_pk):
        return membership_get_for(college=self.college, pk=member_pk)

    def get(self, request, pk, member_pk):
        member = self._member(member_pk)
        return render(
            request, "groups/staff_group_member_remove.html", {"staff_group": self.staff_group, "member": member}
        )

    def post(self, request, pk, member_pk):
        member = self._member(member_pk)
        services.staff_group_member_remove(actor=request.user, staff_group=self.staff_group, member=member)
        messages.success(request, "Сотрудник исключён из группы.")
        return redirect("groups:staff_group_detail", pk=self.staff_group.pk)


# --- Disciplines ---------------------------------------------------------------------


class DisciplineListView(CollegeView):
    allowed = permissions.can_view_disciplines

    def get(self, request):
        search = request.GET.get("q", "").strip()
        return render(
            request,
            "groups/discipline_list.html",
            {
                "page_obj": paginate(
                    request, selectors.discipline_list(college=self.college, search=search), PAGE_SIZE
                ),
                "search": search,
                "can_manage": permissions.can_manage_disciplines(request.user, self.college),
            },
        )


class DisciplineCreateView(CollegeView):
    allowed = permissions.can_manage_disciplines

    def get(self, request):
        return render(request, "groups/discipline_form.html", {"form": forms.DisciplineForm()})

    def post(self, request):
        form = forms.DisciplineForm(request.POST)
        if form.is_valid():
            try:
                discipline = services.discipline_create(actor=request.user, college=self.college, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"Дисциплина «{discipline.name}» добавлена.")
                return redirect("groups:discipline_list")
        return render(request, "groups/discipline_form.html", {"form": form}, status=400)


class DisciplineEditView(CollegeView):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.college = current_college_or_none(request)
        self.discipline = selectors.discipline_get_for(college=self.college, pk=kwargs["pk"])
        if not permissions.can_manage_disciplines(request.user, self.college):
            raise PermissionDenied("Изменять дисциплины может только администратор платформы колледжа.")
        return View.dispatch(self, request, *args, **kwargs)

    def get(self, request, pk):
        form = forms.DisciplineForm(initial={"name": self.discipline.name, "code": self.discipline.code})
        return render(request, "groups/discipline_form.html", {"form": form, "discipline": self.discipline})

    def post(self, request, pk):
        form = forms.DisciplineForm(request.POST)
        if form.is_valid():
            try:
                services.discipline_update(actor=request.user, discipline=self.discipline, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "Изменения сохранены.")
                return redirect("groups:discipline_list")
        return render(request, "groups/discipline_form.html", {"form": form, "discipline": self.discipline}, status=400)
