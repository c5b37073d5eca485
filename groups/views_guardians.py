"""Guardian pages: «Кто ваш ребёнок?» for a parent of a group, the curator's confirmations, and the student's
«Подтвердите: это ваш родитель?». Every write is a ``groups.services.guardians`` call."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from colleges.pages import CollegePageView
from core.pages import parse_id
from groups import permissions, selectors
from groups.models import Guardian
from groups.services import guardian_claim, guardian_confirm, guardian_reject

CLAIMED_MESSAGE = "Готово. Куратор группы или сам обучающийся подтвердит, что вы — его родитель."
CONFIRMED_MESSAGE = "Подтверждено."
REJECTED_MESSAGE = "Отклонено."
PICK_STUDENT_MESSAGE = "Выберите своего ребёнка в списке."


class MyChildrenView(CollegePageView):
    """«Мой ребёнок»: the groups the parent joined by link; with one group, straight to its page."""

    allowed = permissions.can_view_my_children
    denied_message = "Эта страница — для родителей."

    def get(self, request):
        groups = list(selectors.parent_group_list(user=request.user, college=self.college))
        if len(groups) == 1:
            return redirect("groups:guardian_claim", pk=groups[0].pk)
        return render(request, "groups/my_children.html", {"groups": groups})


class GuardianClaimView(CollegePageView):
    """«Кто ваш ребёнок?»: the group's students, names only; the parent picks theirs."""

    allowed = permissions.can_view_my_children
    denied_message = "Эта страница — для родителей."
    lookup = selectors.study_group_get_for
    allowed_on = permissions.can_claim_guardian
    denied_on_message = "Указать ребёнка можно в группе, к которой вы присоединились по ссылке."

    def _render(self, request, *, error: str = "", status: int = 200):
        group = self.object
        claims = list(selectors.guardian_list_of_parent(user=request.user, group=group))
        claimed = {claim.student_id for claim in claims}
        choices = [(pk, name) for pk, name in selectors.guardian_student_choices(group=group) if pk not in claimed]
        context = {"group": group, "choices": choices, "claims": claims, "error": error}
        return render(request, "groups/guardian_claim.html", context, status=status)

    def get(self, request, pk):
        return self._render(request)

    def post(self, request, pk):
        student_id = parse_id(request.POST.get("student", ""), name="student")
        enrollment = selectors.study_group_roster(group=self.object).filter(student_id=student_id).first()
        if student_id is None or enrollment is None:
            return self._render(request, error=PICK_STUDENT_MESSAGE, status=400)
        try:
            guardian_claim(actor=request.user, group=self.object, student=enrollment.student)
        except ValidationError as exc:
            return self._render(request, error=" ".join(exc.messages), status=400)
        messages.success(request, CLAIMED_MESSAGE)
        return redirect("groups:guardian_claim", pk=self.object.pk)


class GroupGuardiansView(CollegePageView):
    """The curator's page: the group's parents and whose they say they are, the waiting ones first."""

    allowed = permissions.can_view_my_groups
    lookup = selectors.study_group_get_for
    allowed_on = permissions.can_view_group_guardians
    denied_on_message = "Родителей группы подтверждает её куратор."

    def get(self, request, pk):
        guardians = selectors.guardian_list_for_group(group=self.object)
        return render(request, "groups/guardian_list.html", {"group": self.object, "guardians": guardians})


class MyGuardiansView(CollegePageView):
    """The student's page: «Подтвердите: это ваш родитель?»."""

    allowed = permissions.can_view_my_guardians

    def get(self, request):
        guardians = selectors.guardian_list_for_student(user=request.user, college=self.college)
        return render(request, "groups/my_guardians.html", {"guardians": guardians})


class GuardianDecideView(CollegePageView):
    """POST ``action=confirm|reject``: the student or the curator decides; back to the page they came from."""

    lookup = selectors.guardian_get_for
    allowed_on = permissions.can_decide_guardian
    denied_on_message = "Подтвердить родителя может сам обучающийся или куратор его группы."

    def post(self, request, pk):
        guardian: Guardian = self.object
        action = request.POST.get("action")
        if action not in ("confirm", "reject"):
            messages.error(request, "Выберите: подтвердить или отклонить.")
        else:
            decide = guardian_confirm if action == "confirm" else guardian_reject
            decide(actor=request.user, guardian=guardian)
            messages.success(request, CONFIRMED_MESSAGE if action == "confirm" else REJECTED_MESSAGE)
        if guardian.student.user_id == request.user.pk:
            return redirect("groups:my_guardians")
        return redirect("groups:guardians", pk=guardian.group_id)
