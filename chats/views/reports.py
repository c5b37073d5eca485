"""«Жалобы»: the queue of the chats I moderate (all of them for the administrator), deciding one, my own."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from chats import permissions, selectors, services
from chats.downloads import attachment_response
from chats.forms import DecideForm
from chats.views.base import CollegeChatsPage
from core.pages import apply_service_errors, paginate

PAGE_SIZE = 20


class ReportQueueView(CollegeChatsPage):
    allowed = permissions.can_view_reports
    denied_message = "Жалобы рассматривают модераторы чатов и администратор колледжа."

    def get(self, request):
        page = paginate(request, selectors.reports_queue(request.user, self.college), PAGE_SIZE)
        return render(request, "chats/report_queue.html", {"page_obj": page, "reports": page.object_list})


class ReportDecideView(CollegeChatsPage):
    allowed = permissions.can_view_reports
    denied_message = ReportQueueView.denied_message
    lookup = selectors.report_get_for
    lookup_user = "user"
    template_name = "chats/report_decide.html"

    def get(self, request, pk):
        return render(request, self.template_name, {"report": self.object, "form": DecideForm()})

    def post(self, request, pk):
        report = self.object
        form = DecideForm(request.POST)
        if form.is_valid():
            uphold = form.cleaned_data["decision"] == "uphold"
            try:
                services.report_decide(
                    actor=request.user, report=report, uphold=uphold, outcome=form.cleaned_data["outcome"]
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "Сообщение удалено, жалоба закрыта." if uphold else "Жалоба отклонена.")
                return redirect("chats:reports")
        return render(request, self.template_name, {"report": report, "form": form}, status=400)


class MyReportsView(CollegeChatsPage):
    """«Мои жалобы»: what I reported and what was decided."""

    def get(self, request):
        page = paginate(request, selectors.reports_mine(request.user, self.college), PAGE_SIZE)
        return render(request, "chats/report_mine.html", {"page_obj": page, "reports": page.object_list})


class AttachmentDownloadView(CollegeChatsPage):
    """The only way to a stored attachment: ``permissions.can_view_attachment``, then nginx serves the bytes."""

    lookup = selectors.attachment_get_for
    lookup_user = "user"

    def get(self, request, pk):
        return attachment_response(self.object)
