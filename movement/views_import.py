"""Pages of the roster import: upload, column mapping, dry run, apply with progress, result, rollback."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from core.pages import apply_service_errors, paginate, parse_id, parse_ids
from groups.models import StudyGroup
from movement import forms, selectors, services
from movement.importers import FIELDS
from movement.messages import NOT_ALLOWED_MESSAGE
from movement.models import ImportBatch, RosterRow
from movement.permissions import can_manage_movements


def _manager_college(request):
    college = request.college
    if not college or not can_manage_movements(request.user, college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    return college


class ImportListView(LoginRequiredMixin, View):
    def get(self, request):
        college = _manager_college(request)
        page = paginate(request, selectors.import_batch_list(college=college), 30)
        return render(request, "movement/import_list.html", {"page_obj": page})


def _batch(request, pk):
    college = _manager_college_or_404(request)
    return selectors.import_batch_get_for(college=college, pk=pk)


def _manager_college_or_404(request):
    college = request.college
    if not college:
        raise Http404
    if not can_manage_movements(request.user, college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    return college


class ImportUploadView(LoginRequiredMixin, View):
    def get(self, request):
        _manager_college(request)
        return render(request, "movement/import_upload.html", {"form": forms.ImportUploadForm()})

    def post(self, request):
        college = _manager_college(request)
        form = forms.ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = services.import_upload(
                    actor=request.user,
                    college=college,
                    name=upload.name,
                    data=upload.read(),
                    order_number=form.cleaned_data["order_number"],
                    order_date=form.cleaned_data["order_date"],
                    effective_date=form.cleaned_data["effective_date"],
                )
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                return redirect("movement:import_detail", pk=batch.pk)
        return render(request, "movement/import_upload.html", {"form": form}, status=400)


ROWS_SHOWN = 200


class ImportDetailView(LoginRequiredMixin, View):
    """The dry-run diff, the apply form, the progress bar while applying, and the result."""

    def get(self, request, pk):
        batch = _batch(request, pk)
        return render(
            request, "movement/import_detail.html", self.context(batch, stuck=selectors.import_is_stuck(batch))
        )

    @staticmethod
    def context(batch, **extra):
        sections = []
        if batch.status != ImportBatch.Status.NEEDS_MAPPING:
            for action, title in (
                (RosterRow.Action.ERROR, "Строки с ошибками"),
                (RosterRow.Action.NEW, "Новые обучающиеся"),
                (RosterRow.Action.ENROL, "Зачисление в группу"),
                (RosterRow.Action.TRANSFER, "Переводы"),
                (RosterRow.Action.MISSING, "Нет в файле (отчисление — только если отметить ниже)"),
            ):
                count = batch.summary.get(action, 0)
                if not count:
                    continue
                if action == RosterRow.Action.MISSING and batch.status == ImportBatch.Status.PREVIEWED:
                    # Not stored at the dry run: read from the roster (stored only when applied with expulsions).
                    rows = selectors.import_missing_rows(batch=batch, stop=ROWS_SHOWN)
                elif action == RosterRow.Action.MISSING and not batch.include_expulsions:
                    continue
                else:
                    rows = batch.rows.filter(action=action).select_related("group", "current_group")[:ROWS_SHOWN]
                sections.append({"action": action, "title": title, "count": count, "rows": rows})
        return {
            "batch": batch,
            "sections": sections,
            "apply_form": forms.ImportApplyForm(),
            "mapping_fields": [(f, label, batch.mapping.get(f)) for f, label in FIELDS.items()],
            "headers": list(enumerate(batch.headers)),
            "rows_shown": ROWS_SHOWN,
            "movements": batch.movements.count() if batch.status in FINISHED else None,
            "result_groups": (
                StudyGroup.objects.filter(pk__in=batch.movements.values("to_group")).order_by("name")
                if batch.status in FINISHED
                else []
            ),
            **extra,
        }


FINISHED = (ImportBatch.Status.APPLIED, ImportBatch.Status.ROLLED_BACK)


class ImportMappingView(LoginRequiredMixin, View):
    def post(self, request, pk):
        batch = _batch(request, pk)
        mapping = {}
        for field in FIELDS:
            column = parse_id(request.POST.get(field), name=field)
            if column is not None and column < len(batch.headers):
                mapping[field] = column
        try:
            services.import_set_mapping(actor=request.user, batch=batch, mapping=mapping)
        except ValidationError as exc:
            batch.mapping = mapping
            context = ImportDetailView.context(batch, mapping_error=" ".join(exc.messages))
            return render(request, "movement/import_detail.html", context, status=400)
        return redirect("movement:import_detail", pk=batch.pk)


class ImportApplyView(LoginRequiredMixin, View):
    def post(self, request, pk):
        batch = _batch(request, pk)
        form = forms.ImportApplyForm(request.POST)
        form.is_valid()
        try:
            services.import_apply_start(
                actor=request.user,
                batch=batch,
                include_expulsions=form.cleaned_data.get("include_expulsions", False),
                confirm_threshold=form.cleaned_data.get("confirm_threshold", False),
            )
        except ValidationError as exc:
            batch.refresh_from_db()  # the dry run is refreshed when the roster moved since it
            context = ImportDetailView.context(batch, apply_error=" ".join(exc.messages))
            return render(request, "movement/import_detail.html", context, status=400)
        return redirect("movement:import_detail", pk=batch.pk)


class ImportProgressView(LoginRequiredMixin, View):
    """The progress bar polled by htmx; once done it tells the page to reload into the result."""

    def get(self, request, pk):
        batch = _batch(request, pk)
        response = render(request, "movement/_import_progress.html", {"batch": batch})
        if batch.status != ImportBatch.Status.APPLYING and request.htmx:
            response["HX-Refresh"] = "true"
        return response


class ImportRollbackView(LoginRequiredMixin, View):
    def post(self, request, pk):
        batch = _batch(request, pk)
        try:
            rollback = services.import_rollback(actor=request.user, batch=batch)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("movement:import_detail", pk=batch.pk)
        messages.success(request, "Импорт отменён компенсирующими приказами.")
        return redirect("movement:import_detail", pk=rollback.pk)


class ImportRequeueView(LoginRequiredMixin, View):
    """«Повторить»: a batch still «применяется» long after it was queued is handed to the worker again."""

    def post(self, request, pk):
        batch = _batch(request, pk)
        try:
            services.import_requeue(actor=request.user, batch=batch)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Пакет снова поставлен в очередь.")
        return redirect("movement:import_detail", pk=batch.pk)


class RolloverView(LoginRequiredMixin, View):
    """Year roll-over: preview what happens to every group, untick or tick final groups, then apply as one batch."""

    def _render(self, request, college, form, plan, status=200, error=""):
        return render(request, "movement/rollover.html", {"form": form, "plan": plan, "error": error}, status=status)

    def get(self, request):
        college = _manager_college(request)
        return self._render(request, college, forms.RolloverForm(), selectors.rollover_plan(college=college))

    def post(self, request):
        college = _manager_college(request)
        form = forms.RolloverForm(request.POST)
        graduating = set(parse_ids(request.POST.getlist("graduate"), name="graduate"))
        plan = selectors.rollover_plan(college=college, graduating_ids=graduating)
        if form.is_valid():
            try:
                batch = services.rollover_start(
                    actor=request.user, college=college, graduating_ids=graduating, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                return redirect("movement:import_detail", pk=batch.pk)
        return self._render(request, college, form, plan, status=400)
