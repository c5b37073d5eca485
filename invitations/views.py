"""Pages of the invitations app: thin views over services and selectors."""

import datetime
import io

import segno
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import ngettext_lazy
from django.views import View

from accounts import ratelimits
from accounts.flows import sign_in_code_send
from accounts.forms import NameForm, RequestLoginCodeForm
from accounts.services import user_profile_update
from colleges.middleware import SESSION_KEY as COLLEGE_SESSION_KEY
from colleges.middleware import current_college_or_none
from colleges.models import Role
from core.pages import apply_service_errors, paginate, parse_id, parse_ids
from groups.models import StudyGroup
from invitations import conf, selectors
from invitations.forms import BulkInvitationForm, InvitationForm, RejectForm, SendLinkForm
from invitations.messages import FORGED_MESSAGE, PROBLEM_MESSAGES
from invitations.models import Invitation, InvitationUse, JoinRequest
from invitations.notes import join_request_waiting
from invitations.parsing import recipients_preview, rows_from_text, rows_from_upload
from invitations.permissions import (
    INVITABLE_ROLE_CHOICES,
    can_hand_invitations,
    can_manage_invitation,
    can_review_join_requests,
    can_see_all_groups_invitations,
    can_see_all_join_requests,
    can_send_bulk_invitations,
    can_view_invitations,
    curated_group_ids,
    invitable_roles,
)
from invitations.selectors import (
    bulk_dispatch_is_stuck,
    bulk_dispatch_progress,
    invitation_find,
    invitation_problem,
    invitation_url,
)
from invitations.services import (
    bulk_dispatch_create,
    bulk_dispatch_requeue,
    invitation_accept_by_token,
    invitation_create,
    invitation_regenerate,
    invitation_revoke,
    invitation_send_to,
    invitation_set_paused,
    invitation_target_check,
    invitations_hand_to_curator,
    join_requests_decide,
)
from invitations.tokens import token_unseal

RATE_LIMITED_MESSAGE = "Слишком много попыток с вашего адреса. Подождите минуту и откройте ссылку снова."
JOIN_AFTER_CODE_SESSION_KEY = "invitations_join_after_code"
LINK_BUSY_MESSAGE = "По этой ссылке сейчас запрашивают слишком много кодов. Попробуйте через 10 минут."


class InvitationAcceptView(View):
    """The public page a link opens: who invites you where, then phone → code → (new person) name → joined.

    One flow for everybody: the phone form here sends allauth's sign-in code
    to any phone, a new one included (its account is made with no name); the
    code page comes back here signed in, where a person known here lands
    joined (or with a request) at once and a person with no name yet gives it
    together with «Присоединиться». The token is in the path; the logging
    filter masks ``/i/<token>`` and the token never goes into a log line, an
    audit row or a message.
    """

    template_name = "invitations/invitation_accept.html"

    def _limited(self, request, kind: str) -> bool:
        rates = conf.rates(kind)
        return bool(rates) and not ratelimits.consume(request, action=f"invitations.{kind}", rates=rates)

    def _page(
        self, request, *, invitation=None, problem_message="", result=None, phone_form=None, name_form=None, status=200
    ):
        user = request.user
        needs_name = user.is_authenticated and not (user.first_name and user.last_name)
        waiting = ""
        if invitation is not None and not problem_message and result is None:
            if not user.is_authenticated and phone_form is None:
                phone_form = RequestLoginCodeForm()
            if needs_name and name_form is None:
                name_form = NameForm(initial=self._known_name(invitation, user))
            if user.is_authenticated:
                pending = (
                    selectors.join_request_pending_of(user=user)
                    .filter(college_id=invitation.college_id, role=invitation.role)
                    .first()
                )
                waiting = join_request_waiting(pending) if pending else ""
        context = {
            "invitation": invitation,
            "problem_message": problem_message,
            "result": result,
            "phone_form": phone_form,
            "name_form": name_form if needs_name else None,
            "waiting_message": waiting,
            "login_url": reverse("account_login") + "?" + urlencode({"next": request.path}),
            "is_parent_link": bool(invitation and invitation.role == Role.PARENT),
        }
        response = render(request, self.template_name, context, status=status)
        # The token is in the path: never hand it to another site in a Referer header.
        # (Not "no-referrer": Chrome then sends «Origin: null» and the CSRF check refuses the join form.)
        response["Referrer-Policy"] = "same-origin"
        response["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def _known_name(invitation, user) -> dict:
        """A personal link's name, for its own addressee only (whose phone the code has just proved)."""
        if invitation.recipient_name and invitation.recipient_phone and invitation.recipient_phone == user.phone:
            return NameForm.initial_from_full_name(invitation.recipient_name)
        return {}

    def get(self, request, token):
        if self._limited(request, "open"):
            return self._page(request, problem_message=RATE_LIMITED_MESSAGE, status=429)
        invitation = invitation_find(token=token)
        if invitation is None:
            return self._page(request, problem_message=FORGED_MESSAGE, status=404)
        problem = invitation_problem(invitation)
        user = request.user
        if (
            not problem
            and user.is_authenticated
            and user.first_name
            and user.last_name
            and request.session.get(JOIN_AFTER_CODE_SESSION_KEY) == invitation.pk
        ):
            # Back from the code page this link's phone form led to: that form was the request to
            # join, so the person lands joined (or with a request) without pressing a button again.
            return self._accept(request, token)
        return self._page(request, invitation=invitation, problem_message=PROBLEM_MESSAGES[problem] if problem else "")

    def post(self, request, token):
        if not request.user.is_authenticated:
            return self._send_code(request, token)
        if not (request.user.first_name and request.user.last_name):
            invitation = invitation_find(token=token)
            if invitation is None:
                return self._page(request, problem_message=FORGED_MESSAGE, status=404)
            name_form = NameForm(request.POST)
            if not self._save_name(request, name_form):
                return self._page(request, invitation=invitation, name_form=name_form, status=400)
        return self._accept(request, token)

    def _accept(self, request, token):
        request.session.pop(JOIN_AFTER_CODE_SESSION_KEY, None)
        if self._limited(request, "accept"):
            return self._page(request, problem_message=RATE_LIMITED_MESSAGE, status=429)
        invitation, result = invitation_accept_by_token(token=token, user=request.user)
        if invitation is None:
            return self._page(request, problem_message=FORGED_MESSAGE, status=404)
        if result.joined:
            request._memberships_cache = None
            messages.success(request, result.message)
            if result.other_colleges:
                # The college just joined becomes the current one (with no other, it is anyway).
                request.session[COLLEGE_SESSION_KEY] = invitation.college_id
            return redirect("home")
        ok = result.result in (InvitationUse.Result.REQUESTED, InvitationUse.Result.ALREADY_MEMBER)
        return self._page(
            request,
            invitation=invitation,
            result=result,
            problem_message="" if ok else result.message,
            status=200 if ok else 409,
        )

    def _send_code(self, request, token):
        """The phone form: allauth's code to any phone (a new one gets its account), then allauth's code page."""
        if self._limited(request, "open"):
            return self._page(request, problem_message=RATE_LIMITED_MESSAGE, status=429)
        invitation = invitation_find(token=token)
        if invitation is None:
            return self._page(request, problem_message=FORGED_MESSAGE, status=404)
        problem = invitation_problem(invitation)
        if problem:
            return self._page(request, invitation=invitation, problem_message=PROBLEM_MESSAGES[problem], status=409)
        form = RequestLoginCodeForm(request.POST)
        if not form.is_valid():
            limited = any(e.code == "too_many_code_requests" for e in form.errors.as_data().get("phone", []))
            return self._page(request, invitation=invitation, phone_form=form, status=429 if limited else 400)
        code_rates = conf.rates("code")
        if code_rates and not ratelimits.consume(
            request, action="invitations.code", rates=code_rates, key=str(invitation.pk)
        ):
            form.add_error(None, LINK_BUSY_MESSAGE)
            return self._page(request, invitation=invitation, phone_form=form, status=429)
        # A personal link admits its addressee only: another new phone gets what the ordinary
        # sign-in gives an unknown phone (the same page, no SMS), and no account.
        new_account_welcome = not invitation.is_personal or invitation.recipient_phone == form.cleaned_data["phone"]
        sign_in_code_send(request, form=form, create_account=new_account_welcome)
        # Kept through sign-in (an anonymous session's data survives it); the link's page reads it once.
        request.session[JOIN_AFTER_CODE_SESSION_KEY] = invitation.pk
        return redirect(reverse("account_confirm_login_code") + "?" + urlencode({"next": request.path}))

    @staticmethod
    def _save_name(request, form: NameForm) -> bool:
        if not form.is_valid():
            return False
        try:
            user_profile_update(actor=request.user, user=request.user, email=request.user.email, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return False
        request.user.refresh_from_db(fields=["last_name", "first_name", "patronymic"])
        return True


# --- Staff pages -------------------------------------------------------------


class CollegePageMixin(LoginRequiredMixin):
    """A page of the current college. ``allowed(request)`` decides; no college or not allowed → 403."""

    def allowed(self, request) -> bool:
        return True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.college = current_college_or_none(request)
        if self.college is None or not self.allowed(request):
            raise PermissionDenied("Эта страница доступна администратору, администрации и кураторам групп.")
        return super().dispatch(request, *args, **kwargs)


class InvitationListView(CollegePageMixin, View):
    template_name = "invitations/invitation_list.html"

    def allowed(self, request):
        return can_view_invitations(request.user, self.college)

    def get(self, request):
        qs = selectors.invitation_list(
            viewer=request.user,
            college=self.college,
            role=request.GET.get("role", ""),
            status=request.GET.get("status", ""),
            search=request.GET.get("q", "").strip(),
        )
        page = paginate(request, qs, 25)
        for invitation in page.object_list:
            invitation.url = invitation_url(token_unseal(invitation.token_sealed))
        return render(
            request,
            self.template_name,
            {
                "page_obj": page,
                "roles": INVITABLE_ROLE_CHOICES,
                "statuses": Invitation.Status.choices,
                "can_send_bulk": can_send_bulk_invitations(request.user, self.college),
                "dispatches": selectors.bulk_dispatch_list(college=self.college)[:5]
                if can_send_bulk_invitations(request.user, self.college)
                else [],
            },
        )


class InvitationCreateView(CollegePageMixin, View):
    template_name = "invitations/invitation_form.html"

    def allowed(self, request):
        return can_view_invitations(request.user, self.college)

    def _form(self, request, data=None):
        groups = None
        if not can_see_all_groups_invitations(request.user, self.college):
            groups = curated_group_ids(request.user, self.college)
        initial = {"role": request.GET.get("role", Role.STUDENT), "group": request.GET.get("group")}
        return InvitationForm(
            data,
            initial=initial,
            college=self.college,
            roles=invitable_roles(request.user, self.college),
            groups=groups,
        )

    def get(self, request):
        return render(request, self.template_name, {"form": self._form(request)})

    def post(self, request):
        form = self._form(request, request.POST)
        if form.is_valid():
            try:
                invitation, _ = invitation_create(actor=request.user, college=self.college, **form.service_kwargs())
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "Ссылка-приглашение создана.")
                return redirect("invitations:detail", pk=invitation.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class InvitationDetailView(CollegePageMixin, View):
    template_name = "invitations/invitation_detail.html"

    def get(self, request, pk):
        invitation = selectors.invitation_get_for(viewer=request.user, college=self.college, pk=pk)
        token = token_unseal(invitation.token_sealed)
        people = paginate(request, selectors.invitation_joined_people(college=self.college, invitation=invitation), 25)
        return render(
            request,
            self.template_name,
            {
                "invitation": invitation,
                "url": invitation_url(token) if token else "",
                "problem": invitation_problem(invitation),
                "page_obj": people,
                "use_summary": _use_summary(selectors.invitation_use_counts(invitation=invitation)),
                "can_manage": can_manage_invitation(request.user, invitation),
                "can_hand": can_hand_invitations(request.user, self.college),
                "send_form": SendLinkForm(),
            },
        )


# A link's uses in words, one phrase per outcome («2 человека присоединились»); the other
# outcomes read «ссылка исчерпана: 3». The number is put in when the page is drawn.
USE_PHRASES = {
    InvitationUse.Result.JOINED: ngettext_lazy("%(n)s человек присоединился", "%(n)s человека присоединились", "n"),
    InvitationUse.Result.REQUESTED: ngettext_lazy("%(n)s заявка ждёт решения", "%(n)s заявки ждут решения", "n"),
    InvitationUse.Result.REJECTED: ngettext_lazy("%(n)s заявка отклонена", "%(n)s заявки отклонены", "n"),
    InvitationUse.Result.CLOSED: ngettext_lazy("%(n)s заявка закрыта", "%(n)s заявки закрыты", "n"),
}


def _use_summary(counts: dict[str, int]) -> list[str]:
    return [
        USE_PHRASES[result] % {"n": n} if result in USE_PHRASES else f"{result.label}: {n}"
        for result in InvitationUse.Result
        if (n := counts.get(result.value))
    ]


class _InvitationActionView(CollegePageMixin, View):
    """POST-only actions on one link; the confirmation is the page that shows the button."""

    def post(self, request, pk):
        invitation = selectors.invitation_get_for(viewer=request.user, college=self.college, pk=pk)
        try:
            self.act(request, invitation)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("invitations:detail", pk=invitation.pk)


class InvitationRevokeView(_InvitationActionView):
    def act(self, request, invitation):
        invitation_revoke(actor=request.user, invitation=invitation)
        messages.success(request, "Ссылка отозвана: по ней больше никто не присоединится.")


class InvitationRegenerateView(_InvitationActionView):
    def act(self, request, invitation):
        invitation_regenerate(actor=request.user, invitation=invitation)
        messages.success(request, "Создана новая ссылка. Старая больше не действует.")


class InvitationPauseView(_InvitationActionView):
    def act(self, request, invitation):
        paused = request.POST.get("paused", "1") == "1"
        invitation_set_paused(actor=request.user, invitation=invitation, paused=paused)
        messages.success(request, "Ссылка приостановлена." if paused else "Ссылка снова действует.")


class InvitationSendView(_InvitationActionView):
    def act(self, request, invitation):
        form = SendLinkForm(request.POST)
        if not form.is_valid():
            raise ValidationError("Укажите номер телефона.")
        invitation_send_to(actor=request.user, invitation=invitation, phone=form.cleaned_data["phone"])
        messages.success(request, "Ссылка отправлена по SMS.")


class InvitationQrView(CollegePageMixin, View):
    """The link as a QR code: PNG for printing, SVG for any size."""

    def get(self, request, pk, fmt):
        if fmt not in ("png", "svg"):
            raise Http404
        invitation = selectors.invitation_get_for(viewer=request.user, college=self.college, pk=pk)
        qr = segno.make(invitation_url(token_unseal(invitation.token_sealed)), error="m")
        buffer = io.BytesIO()
        if fmt == "svg":
            qr.save(buffer, kind="svg", scale=8, border=2)
            content_type = "image/svg+xml"
        else:
            qr.save(buffer, kind="png", scale=10, border=2)
            content_type = "image/png"
        response = HttpResponse(buffer.getvalue(), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="invitation-{invitation.pk}.{fmt}"'
        response["Cache-Control"] = "no-store"
        return response


class GroupPrintSheetView(CollegePageMixin, View):
    """A printable sheet with a group's active student links and their QR codes."""

    template_name = "invitations/group_print.html"

    def allowed(self, request):
        return can_view_invitations(request.user, self.college)

    def get(self, request, group_pk):
        group = get_object_or_404(StudyGroup, pk=group_pk, college=self.college)
        links = [
            link
            for link in selectors.invitation_list(viewer=request.user, college=self.college, group_id=group.pk)
            if link.role == Role.STUDENT and not invitation_problem(link)
        ]
        if not can_see_all_groups_invitations(request.user, self.college) and (
            group.pk not in curated_group_ids(request.user, self.college)
        ):
            raise Http404
        for link in links:
            link.url = invitation_url(token_unseal(link.token_sealed))
            link.qr_svg = segno.make(link.url, error="m").svg_inline(scale=6, border=2)
        return render(request, self.template_name, {"group": group, "links": links})


class HandToCuratorView(CollegePageMixin, View):
    def allowed(self, request):
        return can_hand_invitations(request.user, self.college)

    def post(self, request, group_pk):
        group = get_object_or_404(StudyGroup, pk=group_pk, college=self.college)
        try:
            links = invitations_hand_to_curator(actor=request.user, group=group)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("invitations:list")
        messages.success(request, f"Ссылки группы {group.name} переданы куратору ({len(links)}).")
        return redirect("invitations:detail", pk=links[0].pk)


# --- Join requests -------------------------------------------------------------


class JoinRequestListView(CollegePageMixin, View):
    template_name = "invitations/joinrequest_list.html"

    def allowed(self, request):
        return can_review_join_requests(request.user, self.college)

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
        groups = StudyGroup.objects.filter(college=self.college).order_by("name").only("pk", "name")
        if not can_see_all_join_requests(request.user, self.college):
            groups = groups.filter(pk__in=curated_group_ids(request.user, self.college))
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


class JoinRequestDecideView(CollegePageMixin, View):
    """Approve or reject one request, or several ticked in the queue."""

    def allowed(self, request):
        return can_review_join_requests(request.user, self.college)

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


# --- Bulk personal invitations ---------------------------------------------------


class BulkDispatchCreateView(CollegePageMixin, View):
    """Paste or upload a list → preview (duplicates and invalid numbers shown, not sent) → send."""

    template_name = "invitations/bulkdispatch_form.html"
    SESSION_KEY = "invitations_bulk_preview"

    def allowed(self, request):
        return can_send_bulk_invitations(request.user, self.college)

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
        group = StudyGroup.objects.filter(pk=data["group"], college=self.college).first() if data["group"] else None
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


class BulkDispatchDetailView(CollegePageMixin, View):
    template_name = "invitations/bulkdispatch_detail.html"

    def allowed(self, request):
        return can_send_bulk_invitations(request.user, self.college)

    def get(self, request, pk):
        dispatch = selectors.bulk_dispatch_get_for(college=self.college, pk=pk)
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


class BulkDispatchRequeueView(CollegePageMixin, View):
    """«Повторить»: invitations still «в очереди» long after the dispatch was queued are queued again."""

    def allowed(self, request):
        return can_send_bulk_invitations(request.user, self.college)

    def post(self, request, pk):
        dispatch = selectors.bulk_dispatch_get_for(college=self.college, pk=pk)
        try:
            bulk_dispatch_requeue(actor=request.user, dispatch=dispatch)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Рассылка снова поставлена в очередь.")
        return redirect("invitations:dispatch_detail", pk=dispatch.pk)


class ProvenanceView(CollegePageMixin, View):
    """Who joined through whose links: by group and by the person who made the link."""

    template_name = "invitations/invitationuse_list.html"

    def allowed(self, request):
        return can_view_invitations(request.user, self.college)

    def get(self, request):
        group_id = parse_id(request.GET.get("group"), name="group")
        groups = StudyGroup.objects.filter(college=self.college).order_by("name").only("pk", "name")
        qs = selectors.invitation_joined_people(college=self.college)
        if not can_see_all_groups_invitations(request.user, self.college):
            curated = curated_group_ids(request.user, self.college)
            groups = groups.filter(pk__in=curated)
            qs = qs.filter(invitation__group_id__in=curated)
        if group_id:
            qs = qs.filter(invitation__group_id=group_id)
        return render(request, self.template_name, {"page_obj": paginate(request, qs, 50), "groups": groups})
