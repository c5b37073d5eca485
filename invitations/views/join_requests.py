"""The join requests queue: requests made through links, approved or rejected one by one or in bulk."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from colleges.models import Role
from core.pages import paginate, parse_id, parse_ids
from groups.selectors import study_group_choices
from invitations import selectors
from invitations.forms import RejectForm
from invitations.models import JoinRequest
from invitations.permissions import can_review_join_requests, can_see_all_join_requests, curated_group_ids
from invitations.services import join_requests_decide
from invitations.views.links import InvitationPage


class JoinRequestListView(InvitationPage):
    template_name = "invitations/joinrequest_list.html"
    allowed = can_review_join_requests

    def get(self, request):
        status = request.GET.get("status", JoinRequest.Status.PENDING)
        qs = selectors.join_request_list(
            viewer=request.user,
            college=self.college,
            status=status,
            role=request.GET.get("role", ""),
            group_id=parse_id(request.GET.get("group"), name="group"),
            search=request.GET.get("q", "").strip(),
        )
        curated = None
        if not can_see_all_join_requests(request.user, self.college):
            curated = curated_group_ids(request.user, self.college)
        groups = study_group_choices(college=self.college, ids=curated)
        return render(
            request,
            self.template_name,
            {
                "page_obj": paginate(request, qs, 50),
                "status": status,
                "statuses": JoinRequest.Status.choices,
                "roles": Role.choices,
                "groups": groups,
                "reject_form": RejectForm(),
            },
        )


class JoinRequestDecideView(InvitationPage):
    """Approve or reject one request, or several ticked in the queue."""

    allowed = can_review_join_requests

    def post(self, request):
        ids = request.POST.getlist("ids")
        action = request.POST.get("action")
        if action not in ("approve", "reject") or not ids:
            messages.error(request, "Отметьте заявки и выберите действие.")
            return redirect("invitations:request_list")
        qs = selectors.join_request_list(viewer=request.user, college=self.college, status="").filter(
            pk__in=parse_ids(ids, name="ids")
        )
        try:
            done, errors = join_requests_decide(
                actor=request.user,
                join_requests=list(qs),
                approve=action == "approve",
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("invitations:request_list")
        verb = "одобрено" if action == "approve" else "отклонено"
        messages.success(request, f"Заявок {verb}: {done}.")
        for error in errors:
            messages.error(request, error)
        return redirect("invitations:request_list")
