"""The public page an invitation link opens: who invites you where, then phone → code → name → joined."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View

from accounts import ratelimits
from accounts.flows import sign_in_code_send
from accounts.forms import NameForm, RequestLoginCodeForm
from accounts.services import user_profile_update
from colleges.middleware import SESSION_KEY as COLLEGE_SESSION_KEY
from colleges.models import Role
from core.pages import apply_service_errors
from invitations import conf, selectors
from invitations.messages import FORGED_MESSAGE, PROBLEM_MESSAGES
from invitations.models import InvitationUse
from invitations.notes import join_request_waiting
from invitations.selectors import invitation_find, invitation_problem
from invitations.services import invitation_accept_by_token

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
            "is_student_link": bool(invitation and invitation.role == Role.STUDENT),
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
            if invitation.role == Role.PARENT and invitation.group_id:
                return redirect("groups:guardian_claim", pk=invitation.group_id)  # «Кто ваш ребёнок?»
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
