"""Bulk personal invitations: a list pasted or uploaded, previewed, sent by SMS with a delivery status each."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from colleges.models import Role
from core.pages import apply_service_errors, paginate
from groups.selectors import study_group_get_for
from invitations import selectors
from invitations.forms import BulkInvitationForm
from invitations.models import Invitation
from invitations.parsing import recipients_preview, rows_from_text, rows_from_upload
from invitations.permissions import can_send_bulk_invitations, invitable_roles
from invitations.selectors import bulk_dispatch_is_stuck, bulk_dispatch_progress
from invitations.services import bulk_dispatch_create, bulk_dispatch_requeue, invitation_target_check
from invitations.views.links import InvitationPage


class BulkDispatchCreateView(InvitationPage):
    """Paste or upload a list → preview (duplicates and invalid numbers shown, not sent) → send."""

    template_name = "invitations/bulkdispatch_form.html"
    SESSION_KEY = "invitations_bulk_preview"
    allowed = can_send_bulk_invitations

    def _form(self, request, data=None, files=None):
        return BulkInvitationForm(data, files, college=self.college, roles=invitable_roles(request.user, self.college))

    def get(self, request):
        return render(request, self.template_name, {"form": self._form(request)})

    def post(self, request):
        if request.POST.get("confirm"):
            return self._send(request)
        form = self._form(request, request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        role, group = form.cleaned_data["role"], form.cleaned_data["group"]
        try:
            # The role and group are checked before the list: the preview promises only what will be sent.
            invitation_target_check(college=self.college, role=role, group=group)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return render(request, self.template_name, {"form": form}, status=400)
        try:
            upload = form.cleaned_data.get("file")
            raw = rows_from_upload(upload.name, upload.read()) if upload else rows_from_text(form.cleaned_data["text"])
            rows = recipients_preview(raw)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            return render(request, self.template_name, {"form": form}, status=400)
        good = [row for row in rows if row.ok]
        request.session[self.SESSION_KEY] = {
            "role": role,
            "group": group.pk if group else None,
            "days": form.cleaned_data["days"],
            "recipients": [row.as_recipient() for row in good],
        }
        return render(
            request,
            "invitations/bulkdispatch_preview.html",
            {
                "rows": rows,
                "good": len(good),
                "bad": len(rows) - len(good),
                "form": form,
                "role_label": Role(role).label,
                "group": group,
                "days": form.cleaned_data["days"],
            },
        )

    def _send(self, request):
        data = request.session.pop(self.SESSION_KEY, None)
        if not data:
            messages.error(request, "Предпросмотр устарел — загрузите список ещё раз.")
            return redirect("invitations:dispatch_create")
        group = _group_or_none(self.college, data["group"])
        try:
            dispatch = bulk_dispatch_create(
                actor=request.user,
                college=self.college,
                role=data["role"],
                group=group,
                expires_at=timezone.now() + datetime.timedelta(days=data["days"]),
                recipients=data["recipients"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("invitations:dispatch_create")
        return redirect("invitations:dispatch_detail", pk=dispatch.pk)


class BulkDispatchDetailView(InvitationPage):
    template_name = "invitations/bulkdispatch_detail.html"
    allowed = can_send_bulk_invitations
    lookup = selectors.bulk_dispatch_get_for

    def get(self, request, pk):
        dispatch = self.object
        progress = bulk_dispatch_progress(dispatch=dispatch)
        if request.htmx:
            return render(request, "invitations/_dispatch_progress.html", {"dispatch": dispatch, "progress": progress})
        status = request.GET.get("status", "")
        return render(
            request,
            self.template_name,
            {
                "dispatch": dispatch,
                "progress": progress,
                "page_obj": paginate(request, selectors.dispatch_recipient_list(dispatch=dispatch, status=status), 50),
                "statuses": Invitation.Delivery.choices[1:],
                "stuck": bulk_dispatch_is_stuck(dispatch=dispatch, progress=progress),
            },
        )


class BulkDispatchRequeueView(InvitationPage):
    """«Повторить»: invitations still «в очереди» long after the dispatch was queued are queued again."""

    allowed = can_send_bulk_invitations
    lookup = selectors.bulk_dispatch_get_for

    def post(self, request, pk):
        dispatch = self.object
        try:
            bulk_dispatch_requeue(actor=request.user, dispatch=dispatch)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Рассылка снова поставлена в очередь.")
        return redirect("invitations:dispatch_detail", pk=dispatch.pk)


def _group_or_none(college, pk):
    """The group chosen at the preview, if it is still the college's."""
    if not pk:
        return None
    try:
        return study_group_get_for(college=college, pk=pk)
    except Http404:
        return None
