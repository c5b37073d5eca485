"""Members of a chat and what moderators do to one: mute, remove, ban, unban, appoint."""

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from chats import permissions, selectors, services
from chats.forms import MuteForm, RoleForm
from chats.models import ChatMember
from chats.views.base import ChatModeratePage, ChatPage
from core.pages import parse_id

# Destructive actions ask first: the form posts once for the confirmation page, then with «confirm».
CONFIRM = {
    "remove": ("Исключить {name} из чата?", "Человек перестанет видеть чат. Его можно будет добавить снова."),
    "ban": (
        "Заблокировать {name} в чате?",
        "Человек перестанет видеть чат и не вернётся в него ни по ссылке, ни со списком группы, "
        "пока блокировку не снимут.",
    ),
}
DONE = {
    "mute": "{name} не может писать в чат до {until}.",
    "mute_forever": "{name} не может писать в чат до отмены.",
    "unmute": "{name} снова может писать в чат.",
    "remove": "{name} исключён(а) из чата.",
    "ban": "{name} заблокирован(а) в чате.",
    "unban": "Блокировка снята: {name} может вернуться в чат.",
    "role": "{name}: роль в чате — {role}.",
}


class ChatMembersView(ChatPage):
    """«Участники»: who is in the chat; moderators also see the banned (to lift a ban)."""

    def get(self, request, pk):
        chat, user = self.chat, request.user
        can_moderate = permissions.can_moderate(user, chat)
        return render(
            request,
            "chats/chat_members.html",
            {
                "chat": chat,
                "members": selectors.chat_members(user, chat),
                "banned": selectors.chat_banned(user, chat) if can_moderate else [],
                "can_moderate": can_moderate,
                "can_leave": chat.kind != "direct",
            },
        )


class MemberView(ChatModeratePage):
    """One member's page for a moderator: the actions as small forms, each a POST (``action``)."""

    template_name = "chats/member.html"

    def row(self, member_id) -> ChatMember:
        member_id = parse_id(str(member_id), name="member_id")
        row = ChatMember.objects.filter(chat=self.chat, member_id=member_id).select_related("member__user").first()
        if row is None:
            raise Http404
        return row

    def render_page(self, request, row, *, mute_form=None, status=200):
        return render(
            request,
            self.template_name,
            {
                "chat": self.chat,
                "row": row,
                "name": row.member.user.full_name,
                "mute_form": mute_form or MuteForm(),
                "role_form": RoleForm(initial={"role": row.role}),
                "can_manage": permissions.can_manage_chat(request.user, self.chat),
                "refusal": None,
            },
            status=status,
        )

    def get(self, request, pk, member_id):
        return self.render_page(request, self.row(member_id))

    def post(self, request, pk, member_id):
        row = self.row(member_id)
        action = request.POST.get("action", "")
        if action not in DONE or action == "mute_forever":
            raise BadRequest("Выберите действие с участником.")
        name = row.member.user.full_name
        if action in CONFIRM and request.POST.get("confirm") != "1":
            question, consequence = CONFIRM[action]
            return render(
                request,
                "chats/member_confirm.html",
                {
                    "chat": self.chat,
                    "row": row,
                    "action": action,
                    "question": question.format(name=name),
                    "consequence": consequence,
                },
            )
        try:
            done = self.act(request, row, action)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return self.render_page(request, row, status=400)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return self.render_page(request, row, status=403)
        if done is None:
            return self.render_page(request, row, mute_form=self.mute_form, status=400)
        messages.success(request, done.format(name=name))
        if action in ("remove", "ban"):
            return redirect("chats:members", pk=self.chat.pk)
        return redirect("chats:member", pk=self.chat.pk, member_id=row.member_id)

    def act(self, request, row, action) -> str | None:
        """Do ``action``; the sentence to show, or None when its form is wrong."""
        user, chat, member = request.user, self.chat, row.member
        if action == "mute":
            self.mute_form = MuteForm(request.POST)
            if not self.mute_form.is_valid():
                return None
            muted = services.member_mute(actor=user, chat=chat, member=member, until=self.mute_form.until())
            if self.mute_form.cleaned_data["period"] == "forever":
                return DONE["mute_forever"]
            until = timezone.localtime(muted.muted_until).strftime("%d.%m.%Y %H:%M")
            return DONE["mute"].replace("{until}", until)
        if action == "unmute":
            services.member_unmute(actor=user, chat=chat, member=member)
        elif action == "remove":
            services.member_remove(actor=user, chat=chat, member=member)
        elif action == "ban":
            services.member_ban(actor=user, chat=chat, member=member)
        elif action == "unban":
            services.member_unban(actor=user, chat=chat, member=member)
        elif action == "role":
            form = RoleForm(request.POST)
            if not form.is_valid():
                raise ValidationError(" ".join(form.errors["role"]))
            services.moderator_set(actor=user, chat=chat, member=member, role=form.cleaned_data["role"])
            return DONE["role"].replace("{role}", ChatMember.Role(form.cleaned_data["role"]).label)
        return DONE[action]


class ChatLeaveView(ChatPage):
    """«Выйти из чата»: a confirmation page, then leaving (not from a chat that follows the roster)."""

    def get(self, request, pk):
        return render(request, "chats/chat_leave_confirm.html", {"chat": self.chat})

    def post(self, request, pk):
        services.member_leave(actor=request.user, chat=self.chat)
        messages.success(request, f"Вы вышли из чата «{self.chat.title}».")
        return redirect("chats:list")
