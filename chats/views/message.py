"""One message's page and what a viewer may do with it: reply, edit, delete, pin, report, moderate."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from chats import permissions, selectors, services
from chats.forms import EditForm, ReasonForm
from chats.views.base import ChatPage, chat_url, message_in_context_url
from core.pages import apply_service_errors, parse_id


class MessagePage(ChatPage):
    """A page of one message of a chat the viewer reads (404 for a message they cannot see)."""

    def load(self, message_id):
        message_id = parse_id(str(message_id), name="message_id")
        message = selectors.message_for(self.request.user, self.chat, message_id)
        if message is None:
            raise Http404
        message.chat = self.chat
        return message

    def render_page(self, request, message, *, edit_form=None, report_form=None, status=200):
        user, chat = request.user, self.chat
        can_edit = permissions.can_edit_message(user, message)
        return render(
            request,
            "chats/message.html",
            {
                "chat": chat,
                "message": message,
                "context_url": message_in_context_url(message),
                "can_reply": permissions.can_post(user, chat) and not message.hidden,
                "can_edit": can_edit,
                "edit_form": edit_form or (EditForm(initial={"text": message.text}) if can_edit else None),
                "edit_minutes": settings.CHAT_EDIT_WINDOW_MINUTES,
                "can_delete": permissions.can_delete_message(user, message),
                "can_moderate": permissions.can_moderate(user, chat),
                "can_report": permissions.can_report(user, message),
                "report_form": report_form or ReasonForm(),
            },
            status=status,
        )


class MessageView(MessagePage):
    def get(self, request, pk, message_id):
        return self.render_page(request, self.load(message_id))


class MessageEditView(MessagePage):
    def post(self, request, pk, message_id):
        message = self.load(message_id)
        form = EditForm(request.POST)
        if form.is_valid():
            try:
                services.message_edit(actor=request.user, message=message, text=form.cleaned_data["text"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                return self.render_page(request, message, edit_form=form, status=403)
            else:
                messages.success(request, "Сообщение изменено.")
                return redirect(chat_url(self.chat, message_id=message.pk))
        return self.render_page(request, message, edit_form=form, status=400)


class MessageDeleteView(MessagePage):
    """The author deletes their own message: a confirmation page, then the deletion."""

    def get(self, request, pk, message_id):
        message = self.load(message_id)
        self.require(permissions.can_delete_message(request.user, message), "Удалить можно только своё сообщение.")
        return render(request, "chats/message_confirm_delete.html", {"chat": self.chat, "message": message})

    def post(self, request, pk, message_id):
        message = self.load(message_id)
        try:
            services.message_delete(actor=request.user, message=message)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Сообщение удалено.")
        return redirect(chat_url(self.chat, message_id=message.pk))


class MessagePinView(MessagePage):
    def post(self, request, pk, message_id):
        message = self.load(message_id)
        pinned = request.POST.get("pinned", "1") == "1"
        services.message_pin(actor=request.user, message=message, pinned=pinned)
        messages.success(request, "Сообщение закреплено." if pinned else "Сообщение откреплено.")
        return redirect(chat_url(self.chat, message_id=message.pk))


class MessageReportView(MessagePage):
    def post(self, request, pk, message_id):
        message = self.load(message_id)
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                services.report_create(actor=request.user, message=message, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                return self.render_page(request, message, report_form=form, status=403)
            else:
                messages.success(request, "Жалоба отправлена модераторам чата. Решение появится в «Мои жалобы».")
                return redirect(chat_url(self.chat, message_id=message.pk))
        return self.render_page(request, message, report_form=form, status=400)


class MessageModerateView(MessagePage):
    """A moderator removes a message with a reason: the form and its confirmation on one page, then the POST."""

    template_name = "chats/message_moderate.html"

    def get(self, request, pk, message_id):
        message = self.load(message_id)
        self.require(
            permissions.can_moderate(request.user, self.chat), "Это могут делать только владельцы и модераторы чата."
        )
        return render(request, self.template_name, {"chat": self.chat, "message": message, "form": ReasonForm()})

    def post(self, request, pk, message_id):
        message = self.load(message_id)
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                services.message_moderate_delete(
                    actor=request.user, message=message, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "Сообщение удалено. Участники видят «Сообщение удалено модератором».")
                return redirect(chat_url(self.chat, message_id=message.pk))
        return render(request, self.template_name, {"chat": self.chat, "message": message, "form": form}, status=400)
