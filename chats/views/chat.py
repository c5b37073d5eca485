"""One chat: its history with the composer, search in it, its settings and status."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from chats import permissions, selectors, services
from chats.forms import ChatSettingsForm, ComposerForm
from chats.fragments import history_part, newest_cached_part
from chats.models import Chat, ChatKind, Message
from chats.views.base import ChatManagePage, ChatPage, chat_url
from chats.views.lists import _search
from core.pages import apply_service_errors, parse_id

HISTORY_PAGE = 50
TOO_BIG_REQUEST_MESSAGE = "Файлы слишком большие: всего не больше {limit} МБ."
STATUS_CHANGES = {
    Chat.Status.READ_ONLY: (
        "Сделать чат «только для чтения»?",
        "Писать в чат смогут только после того, как его снова откроют.",
    ),
    Chat.Status.ARCHIVED: (
        "Перенести чат в архив?",
        "Чат останется в списке участников, но писать в него будет нельзя.",
    ),
    Chat.Status.ACTIVE: ("Снова открыть чат для сообщений?", "Участники снова смогут писать в чат."),
}


def _reply_target(chat: Chat, user, value) -> Message | None:
    """The message of this chat the viewer answers (``reply`` in the query or form), or None."""
    reply_id = parse_id(value, name="reply")
    if reply_id is None:
        return None
    return selectors.message_for(user, chat, reply_id)


class ChatView(ChatPage):
    """The chat: history (newest at the bottom, «Загрузить ранее»), pinned messages, the composer; marks read."""

    template_name = "chats/chat.html"

    def context(self, request, *, form=None, reply_to=None):
        chat, user = self.chat, request.user
        before = parse_id(request.GET.get("before"), name="before")
        history = history_part(user, chat, before_id=before, limit=HISTORY_PAGE)
        if history.last_id and before is None:
            services.chat_mark_read(actor=user, chat=chat, up_to_message_id=history.last_id)
        row = permissions.viewer_member(user, chat)
        return {
            "chat": chat,
            "history": history,
            "older_url": f"?before={history.before_id}" if history.has_more else "",
            "pinned": history.pinned,
            "refusal": permissions.post_refusal(user, chat),
            "form": form or ComposerForm(),
            "reply_to": reply_to,
            "member": row,
            "can_moderate": permissions.can_moderate(user, chat),
            "can_manage": permissions.can_manage_chat(user, chat),
            "ws_url": f"/ws/colleges/{chat.college_id}/chats/{chat.pk}/",
            "max_text": services.messages.MAX_TEXT,
        }

    def cached_parts(self, request):
        parts = super().cached_parts(request)
        if "before" not in request.GET:  # the newest page of history, read with the menu in one round trip
            parts.append(newest_cached_part(request.user, self.chat, limit=HISTORY_PAGE))
        return parts

    def get(self, request, pk):
        reply_to = _reply_target(self.chat, request.user, request.GET.get("reply"))
        return render(request, self.template_name, self.context(request, reply_to=reply_to))

    def post(self, request, pk):
        chat = self.chat
        limit = max(settings.CHAT_ATTACHMENT_MAX_BYTES.values()) * services.messages.MAX_ATTACHMENTS + 256 * 1024
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > limit:
            messages.error(request, TOO_BIG_REQUEST_MESSAGE.format(limit=limit // (1024 * 1024)))
            return redirect(chat_url(chat))
        form = ComposerForm(request.POST)
        reply_to = _reply_target(chat, request.user, request.POST.get("reply"))
        status = 400
        if form.is_valid():
            try:
                message = services.message_post(
                    actor=request.user,
                    chat=chat,
                    text=form.cleaned_data["text"],
                    reply_to=reply_to,
                    attachments=request.FILES.getlist("attachments"),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            else:
                return redirect(chat_url(chat, message_id=message.pk))
        return render(request, self.template_name, self.context(request, form=form, reply_to=reply_to), status=status)


class ChatSearchView(ChatPage):
    def get(self, request, pk):
        form, results, error = _search(request, self.college, chat=self.chat)
        return render(
            request,
            "chats/chat_search.html",
            {"chat": self.chat, "search_form": form, "results": results, "search_error": error},
            status=400 if error else 200,
        )


class ChatSettingsView(ChatManagePage):
    """Rename, history for newcomers; links to the status changes."""

    template_name = "chats/chat_settings.html"

    def render_form(self, request, form, status=200):
        changes = [value for value in STATUS_CHANGES if value != self.chat.status]
        return render(request, self.template_name, {"chat": self.chat, "form": form, "changes": changes}, status=status)

    def get(self, request, pk):
        chat = self.chat
        return self.render_form(
            request, ChatSettingsForm(initial={"title": chat.title, "history_visible": chat.history_visible})
        )

    def post(self, request, pk):
        form = ChatSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.chat_update(
                    actor=request.user,
                    chat=self.chat,
                    title=form.cleaned_data["title"],
                    history_visible=form.cleaned_data["history_visible"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "Настройки чата сохранены.")
                return redirect("chats:settings", pk=self.chat.pk)
        return self.render_form(request, form, status=400)


class ChatStatusView(ChatManagePage):
    """Read-only, archive or reopen: a confirmation page (GET ?status=…), then the change (POST)."""

    def wanted(self, data) -> str:
        status = data.get("status", "")
        if status not in STATUS_CHANGES or self.chat.kind == ChatKind.DIRECT:
            raise BadRequest("Выберите, что сделать с чатом: только чтение, архив или снова открыть.")
        return status

    def get(self, request, pk):
        status = self.wanted(request.GET)
        question, consequence = STATUS_CHANGES[status]
        return render(
            request,
            "chats/chat_status_confirm.html",
            {"chat": self.chat, "status": status, "question": question, "consequence": consequence},
        )

    def post(self, request, pk):
        status = self.wanted(request.POST)
        services.chat_set_status(actor=request.user, chat=self.chat, status=status)
        messages.success(request, f"Чат теперь: {Chat.Status(status).label}.")
        return redirect(reverse("chats:settings", kwargs={"pk": self.chat.pk}))


PUSH_ON_MESSAGE = "Уведомления этого чата включены. На каком устройстве их получать, настраивается в профиле."
PUSH_OFF_MESSAGE = "Уведомления этого чата выключены."


class ChatPushView(ChatPage):
    """«Уведомления этого чата: вкл/выкл»: the viewer's own switch (``chat_push_set``); POST only."""

    def post(self, request, pk):
        value = request.POST.get("enabled")
        if value not in ("0", "1"):
            raise BadRequest("Не понятно, включить или выключить уведомления.")
        enabled = value == "1"
        services.chat_push_set(actor=request.user, chat=self.chat, enabled=enabled)
        messages.success(request, PUSH_ON_MESSAGE if enabled else PUSH_OFF_MESSAGE)
        return redirect(chat_url(self.chat))
