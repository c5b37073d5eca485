"""Pages of the support app: «Помощь» (my questions and the instructions), the administrator's queue,
a question's page, and platform staff's queue of escalated questions."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from colleges.pages import CollegePageView
from core.pages import apply_service_errors, paginate, parse_id
from support import articles, selectors, services
from support import messages as texts
from support.downloads import attachment_response_for
from support.forms import ArticleSearchForm, ReplyForm, TicketFilterForm, TicketForm
from support.permissions import (
    REOPEN_DAYS,
    can_ask,
    can_close,
    can_escalate,
    can_manage_tickets,
    can_reopen,
    can_reply,
    can_see_documents,
    can_see_seminars,
    can_view_platform_queue,
)

PAGE_SIZE = 20


class HelpPage(CollegePageView):
    allowed = can_ask
    denied_message = texts.NOT_A_MEMBER


class HelpView(HelpPage):
    """«Помощь»: the form to ask, my questions, and the instructions."""

    template_name = "support/help.html"

    def render_page(self, request, form, *, status=200):
        page = paginate(request, selectors.ticket_list_mine(user=request.user, college=self.college), PAGE_SIZE)
        context = {
            "form": form,
            "page_obj": page,
            "tickets": page.object_list,
            "articles": articles.articles(),
            "can_manage": can_manage_tickets(request.user, self.college),
            "seminars": can_see_seminars(request.user, self.college),
            "documents": can_see_documents(request.user, self.college),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(request, TicketForm())

    def post(self, request):
        form = TicketForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                ticket = services.ticket_create(
                    actor=request.user,
                    college=self.college,
                    topic=form.cleaned_data["topic"],
                    text=form.cleaned_data["text"],
                    attachments=form.cleaned_data["attachments"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                email = f" и на {request.user.email}" if request.user.email else ""
                messages.success(request, texts.ASKED.format(email=email))
                return redirect("support:ticket", pk=ticket.pk)
        return self.render_page(request, form, status=400)


class TicketQueueView(HelpPage):
    """«Обращения»: the college's questions for its administrator, by status, with a search."""

    allowed = can_manage_tickets
    denied_message = texts.NO_MANAGE

    def get(self, request):
        filters = TicketFilterForm(request.GET or None)
        status, search = filters.values()
        qs = selectors.ticket_list_for_college(college=self.college, status=status, search=search)
        page = paginate(request, qs, PAGE_SIZE)
        return render(
            request,
            "support/ticket_queue.html",
            {
                "page_obj": page,
                "tickets": page.object_list,
                "filters": filters,
                "status": status,
                "filtered": bool(status or search),
                "open_count": selectors.open_ticket_count(college=self.college),
            },
        )


class TicketPage(HelpPage):
    lookup = selectors.ticket_get_for
    lookup_user = "user"


def _ticket_context(user, ticket, form) -> dict:
    files = selectors.thread_attachments(ticket)
    return {
        "ticket": ticket,
        "question_files": files.get(None, []),
        "replies": [(reply, files.get(reply.pk, [])) for reply in ticket.replies.all()],
        "form": form,
        "can_reply": can_reply(user, ticket),
        "can_close": can_close(user, ticket),
        "can_reopen": can_reopen(user, ticket),
        "can_escalate": can_escalate(user, ticket),
        "reopen_days": REOPEN_DAYS,
    }


def _reply(request, ticket, form) -> bool:
    """The reply form's post through the service; False with the errors on the form."""
    if not form.is_valid():
        return False
    try:
        services.ticket_reply(
            actor=request.user,
            ticket=ticket,
            text=form.cleaned_data["text"],
            attachments=form.cleaned_data["attachments"],
        )
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return False
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return False
    messages.success(request, texts.REPLIED)
    return True


class TicketDetailView(TicketPage):
    """A question with its thread and the reply form (its post is the reply)."""

    template_name = "support/ticket_detail.html"

    def get(self, request, pk):
        return render(request, self.template_name, _ticket_context(request.user, self.object, ReplyForm()))

    def post(self, request, pk):
        form = ReplyForm(request.POST, request.FILES)
        if _reply(request, self.object, form):
            return redirect("support:ticket", pk=self.object.pk)
        return render(request, self.template_name, _ticket_context(request.user, self.object, form), status=400)


class AttachmentDownloadView(HelpPage):
    """The only way to a ticket's stored file: ``permissions.can_view_attachment``, then nginx sends the bytes.
    ``?thumb=1`` is an image's small copy (the thread's thumbnails), ``?inline=1`` the full image opened in
    the browser; a PDF is always a download."""

    lookup = selectors.attachment_get_for
    lookup_user = "user"

    def get(self, request, pk):
        return attachment_response_for(request, self.object)


class TicketCloseView(TicketPage):
    allowed_on = can_close
    denied_on_message = texts.NO_CLOSE

    def get(self, request, pk):
        return render(request, "support/ticket_confirm.html", {"ticket": self.object, "action": "close"})

    def post(self, request, pk):
        services.ticket_close(actor=request.user, ticket=self.object)
        messages.success(request, texts.CLOSED)
        return redirect("support:ticket", pk=self.object.pk)


class TicketReopenView(TicketPage):
    allowed_on = can_reopen
    denied_on_message = texts.NO_REOPEN.format(days=REOPEN_DAYS)

    def post(self, request, pk):
        services.ticket_reopen(actor=request.user, ticket=self.object)
        messages.success(request, texts.REOPENED)
        return redirect("support:ticket", pk=self.object.pk)


class TicketEscalateView(TicketPage):
    allowed_on = can_escalate
    denied_on_message = texts.NO_ESCALATE

    def get(self, request, pk):
        return render(request, "support/ticket_confirm.html", {"ticket": self.object, "action": "escalate"})

    def post(self, request, pk):
        services.ticket_escalate(actor=request.user, ticket=self.object)
        messages.success(request, texts.ESCALATED)
        return redirect("support:ticket", pk=self.object.pk)


# --- The instructions: public, so that a person who cannot sign in reads how to ------------------


class ArticleListView(View):
    def get(self, request):
        form = ArticleSearchForm(request.GET or None)
        query = form.query()
        found = articles.article_search(query)
        return render(request, "support/article_list.html", {"form": form, "articles": found, "query": query})


class ArticleDetailView(View):
    def get(self, request, slug):
        article = articles.article_get(slug)
        if article is None:
            raise Http404
        return render(request, "support/article_detail.html", {"article": article})


# --- Platform staff: the escalated questions of every college ------------------------------------


class PlatformSupportPage(LoginRequiredMixin, View):
    """Platform staff only; anyone else signed in gets 404 (the queue is not theirs to know of)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_view_platform_queue(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class PlatformQueueView(PlatformSupportPage):
    def get(self, request):
        filters = TicketFilterForm(request.GET or None)
        status, search = filters.values()
        page = paginate(request, selectors.ticket_list_escalated(status=status, search=search), PAGE_SIZE)
        return render(
            request,
            "support/platform_queue.html",
            {"page_obj": page, "tickets": page.object_list, "filters": filters, "filtered": bool(status or search)},
        )


class PlatformTicketView(PlatformSupportPage):
    template_name = "support/ticket_detail.html"

    def _ticket(self, request, pk):
        return selectors.ticket_get_escalated(user=request.user, pk=parse_id(str(pk), name="pk"))

    def _context(self, request, ticket, form) -> dict:
        return {**_ticket_context(request.user, ticket, form), "platform": True}

    def get(self, request, pk):
        ticket = self._ticket(request, pk)
        return render(request, self.template_name, self._context(request, ticket, ReplyForm()))

    def post(self, request, pk):
        ticket = self._ticket(request, pk)
        form = ReplyForm(request.POST, request.FILES)
        if _reply(request, ticket, form):
            return redirect("support:platform_ticket", pk=ticket.pk)
        return render(request, self.template_name, self._context(request, ticket, form), status=400)


class PlatformAttachmentView(PlatformSupportPage):
    """A file of an escalated question, for platform staff (they hold no membership: no college page)."""

    def get(self, request, pk):
        attachment = selectors.attachment_get_escalated(user=request.user, pk=parse_id(str(pk), name="pk"))
        return attachment_response_for(request, attachment)
