"""Staff pages of invitation links: the list, a new link, one link and its actions, QR codes, print sheets."""

import io

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext_lazy

from colleges.models import Role
from colleges.pages import CollegePageView
from core.pages import apply_service_errors, paginate, parse_id
from groups.selectors import study_group_choices, study_group_get_for
from invitations import selectors
from invitations.forms import InvitationForm, SendLinkForm
from invitations.models import Invitation, InvitationUse
from invitations.permissions import (
    INVITABLE_ROLE_CHOICES,
    can_hand_invitations,
    can_hand_to_curator,
    can_invite_parents,
    can_manage_invitation,
    can_see_all_groups_invitations,
    can_send_bulk_invitations,
    can_view_group_invitations,
    can_view_invitations,
    curated_group_ids,
    invitable_roles,
)
from invitations.selectors import invitation_problem, invitation_url
from invitations.services import (
    group_parent_link,
    invitation_create,
    invitation_regenerate,
    invitation_revoke,
    invitation_send_to,
    invitation_set_paused,
    invitations_hand_to_curator,
)
from invitations.tokens import token_unseal

DENIED_MESSAGE = "Эта страница доступна администратору, администрации и кураторам групп."


class InvitationPage(CollegePageView):
    """A staff page of invitations: the administrator, the administration and curators."""

    denied_message = DENIED_MESSAGE


class InvitationListView(InvitationPage):
    template_name = "invitations/invitation_list.html"
    allowed = can_view_invitations

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


class InvitationCreateView(InvitationPage):
    template_name = "invitations/invitation_form.html"
    allowed = can_view_invitations

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


class InvitationObjectPage(InvitationPage):
    """A page of one link the viewer may see (404 for any other)."""

    lookup = selectors.invitation_get_for
    lookup_user = "viewer"


class InvitationDetailView(InvitationObjectPage):
    template_name = "invitations/invitation_detail.html"

    def get(self, request, pk):
        invitation = self.object
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
                "can_hand": can_hand_to_curator(request.user, invitation),
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


class _InvitationActionView(InvitationObjectPage):
    """POST-only actions on one link; the confirmation is the page that shows the button."""

    def post(self, request, pk):
        invitation = self.object
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


class InvitationQrView(InvitationObjectPage):
    """The link as a QR code: PNG for printing, SVG for any size."""

    def get(self, request, pk, fmt):
        if fmt not in ("png", "svg"):
            raise Http404
        invitation = self.object
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


class GroupPrintSheetView(InvitationPage):
    """A printable sheet with a group's active student links and their QR codes."""

    template_name = "invitations/group_print.html"
    allowed = can_view_invitations
    lookup = study_group_get_for
    pk_kwarg = "group_pk"

    def get_object(self, pk):
        group = super().get_object(pk)
        if not can_view_group_invitations(self.request.user, group):
            raise Http404  # a curator knows of their own groups' sheets only
        return group

    def get(self, request, group_pk):
        group = self.object
        students = selectors.invitation_list(
            viewer=request.user, college=self.college, role=Role.STUDENT, group_id=group.pk
        )
        links = [link for link in students if not invitation_problem(link)]
        for link in links:
            link.url = invitation_url(token_unseal(link.token_sealed))
            link.qr_svg = segno.make(link.url, error="m").svg_inline(scale=6, border=2)
        return render(request, self.template_name, {"group": group, "links": links})


class HandToCuratorView(InvitationPage):
    allowed = can_hand_invitations
    lookup = study_group_get_for
    pk_kwarg = "group_pk"

    def post(self, request, group_pk):
        group = self.object
        try:
            links = invitations_hand_to_curator(actor=request.user, group=group)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("invitations:list")
        messages.success(request, f"Ссылки группы {group.name} переданы куратору ({len(links)}).")
        return redirect("invitations:detail", pk=links[0].pk)


class ProvenanceView(InvitationPage):
    """Who joined through whose links: by group and by the person who made the link."""

    template_name = "invitations/invitationuse_list.html"
    allowed = can_view_invitations

    def get(self, request):
        group_id = parse_id(request.GET.get("group"), name="group")
        qs = selectors.invitation_joined_people(college=self.college)
        curated = None
        if not can_see_all_groups_invitations(request.user, self.college):
            curated = curated_group_ids(request.user, self.college)
            qs = qs.filter(invitation__group_id__in=curated)
        groups = study_group_choices(college=self.college, ids=curated)
        if group_id:
            qs = qs.filter(invitation__group_id=group_id)
        return render(request, self.template_name, {"page_obj": paginate(request, qs, 50), "groups": groups})


class GroupParentLinkView(InvitationPage):
    """«Пригласить родителей»: the group's parent link with its QR code, made by one press when there is none.

    The parents' chat links here (``chats/_parents_invite.html``); the link admits a parent into the group,
    and the roster sync puts them into its parents' chat.
    """

    template_name = "invitations/group_parent_link.html"
    allowed = can_view_invitations
    lookup = study_group_get_for
    pk_kwarg = "group_pk"
    allowed_on = can_invite_parents
    denied_on_message = "Пригласить родителей группы может её куратор, администрация или администратор."

    def get(self, request, group_pk):
        group = self.object
        link = selectors.group_parent_link_current(group=group)
        context = {"group": group, "invitation": link}
        if link is not None:
            context["url"] = invitation_url(token_unseal(link.token_sealed))
            context["qr_svg"] = segno.make(context["url"], error="m").svg_inline(scale=6, border=2)
        return render(request, self.template_name, context)

    def post(self, request, group_pk):
        try:
            _link, created = group_parent_link(actor=request.user, group=self.object)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if created:
                messages.success(request, "Ссылка для родителей создана.")
        return redirect("invitations:group_parents", group_pk=self.object.pk)
