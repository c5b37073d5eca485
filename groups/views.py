"""HTML pages of the groups app: thin views that parse a form, call one service or selector, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from colleges.pages import CollegePageView
from colleges.selectors import membership_get_for
from core import college_cache, home
from core.pages import apply_service_errors, paginate
from groups import forms, permissions, selectors, services

PAGE_SIZE = 25


GROUP_ADMIN_ONLY_MESSAGE = "Это действие с группой доступно только администратору платформы колледжа."


class GroupObjectView(CollegePageView):
    """A page of one study group of the current college (404 outside it), guarded by ``allowed_on(user, group)``."""

    lookup = selectors.study_group_get_for
    denied_on_message = GROUP_ADMIN_ONLY_MESSAGE

    @property
    def group(self):
        return self.object


# --- Study groups -------------------------------------------------------------


class StudyGroupListView(CollegePageView):
    allowed = permissions.can_view_study_group_list

    def cached_part(self, request) -> tuple[str, tuple]:
        # The filters and the table hold no CSRF token and depend on the query and
        # whether the viewer manages groups only, so they are cached per college.
        can_manage = permissions.can_create_study_group(request.user, self.college)
        query = sorted((key, request.GET.getlist(key)) for key in request.GET)
        return "groups.study_group_list", (self._template(request), can_manage, request.LANGUAGE_CODE, query)

    @staticmethod
    def _template(request) -> str:
        return "groups/_study_group_table.html" if request.htmx else "groups/_study_group_list_body.html"

    def cached_parts(self, request):
        return [*super().cached_parts(request), self.cached_part(request)]

    def get(self, request):
        name, vary = self.cached_part(request)
        template = self._template(request)
        can_manage = permissions.can_create_study_group(request.user, self.college)

        def compute() -> str:
            filter_form = forms.StudyGroupFilterForm(request.GET or None, college=self.college)
            groups = selectors.study_group_rows(college=self.college, **filter_form.filters())
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

        body = college_cache.get_or_compute(self.college, name, vary=vary, compute=compute)
        if request.htmx:
            return HttpResponse(body)
        return render(request, "groups/study_group_list.html", {"body": body})


class StudyGroupCreateView(CollegePageView):
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
        group = selectors.study_group_rows(college=self.college).get(pk=self.group.pk)
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


class SubjectAssignmentEndView(CollegePageView):
    lookup = selectors.subject_assignment_get_for
    allowed_on = permissions.can_end_subject_assignment
    denied_on_message = "Снимать преподавателей дисциплин может только администратор платформы колледжа."

    @property
    def assignment(self):
        return self.object

    def get(self, request, pk):
        return render(request, "groups/subject_assignment_end_confirm.html", {"assignment": self.assignment})

    def post(self, request, pk):
        services.subject_teacher_assignment_end(actor=request.user, assignment=self.assignment)
        messages.success(request, "Преподаватель снят с дисциплины.")
        return redirect("groups:study_group_detail", pk=self.assignment.group_id)


# --- «Мои группы», «Моя группа» ----------------------------------------------


class MyGroupsView(CollegePageView):
    allowed = permissions.can_view_my_groups

    def get(self, request):
        data = selectors.teacher_groups(user=request.user, college=self.college)
        return render(request, "groups/my_groups.html", {**data, "home_notes": home.notes_for(request)})


class MyGroupView(CollegePageView):
    allowed = permissions.can_view_my_group

    def get(self, request):
        data = selectors.student_group(user=request.user, college=self.college)
        return render(request, "groups/my_group.html", {"data": data, "home_notes": home.notes_for(request)})


# --- Staff groups -----------------------------------------------------------------


class StaffGroupListView(CollegePageView):
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


class StaffGroupCreateView(CollegePageView):
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


class StaffGroupObjectView(CollegePageView):
    """A page of one staff group of the current college; its viewers see it, its managers change it."""

    allowed = permissions.can_view_staff_groups
    denied_message = "Изменять группы сотрудников может только администратор платформы колледжа."
    lookup = selectors.staff_group_get_for

    @property
    def staff_group(self):
        return self.object


class StaffGroupChangeView(StaffGroupObjectView):
    allowed = permissions.can_manage_staff_groups


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


class StaffGroupEditView(StaffGroupChangeView):
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


class StaffGroupMemberAddView(StaffGroupChangeView):
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


class StaffGroupMemberRemoveView(StaffGroupChangeView):
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


class DisciplineListView(CollegePageView):
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


class DisciplineCreateView(CollegePageView):
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


class DisciplineEditView(CollegePageView):
    allowed = permissions.can_manage_disciplines
    denied_message = "Изменять дисциплины может только администратор платформы колледжа."
    lookup = selectors.discipline_get_for

    @property
    def discipline(self):
        return self.object

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
