"""The list of my chats with search, creating a chat, and opening a direct one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from chats import permissions, selectors, services
from chats.forms import ChatCreateForm, SearchForm
from chats.models import GROUP_KINDS, ChatKind
from chats.views.base import CollegeChatsPage, chat_url, message_in_context_url
from colleges.models import Membership
from core.pages import apply_service_errors, paginate, parse_id
from groups.models import Discipline, StudyGroup
from groups.permissions import teacher_scope

PAGE_SIZE = 30
COMMON_KINDS = (ChatKind.FREE, ChatKind.CHANNEL, ChatKind.STAFF, ChatKind.COLLEGE)


def _search(request, college, *, chat=None):
    """(form, results, error) of ``?q=``: results None when nothing was asked."""
    form = SearchForm(request.GET or None)
    if not form.is_bound or not form.is_valid():
        return form, None, " ".join(form.errors.get("q", []))
    q = form.cleaned_data["q"]
    if not q:
        return form, None, ""
    try:
        found = selectors.messages_search(request.user, college, q, chat=chat)
    except ValidationError as exc:
        return form, None, " ".join(exc.messages)
    for message in found:
        message.context_url = message_in_context_url(message)
    return form, found, ""


def group_choices(user, college):
    """Groups and disciplines the viewer may make a group, parents' or subject chat for."""
    if permissions.is_college_administrator(user, college):
        groups = StudyGroup.objects.filter(college=college).order_by("name")
        return list(groups), list(Discipline.objects.filter(college=college).order_by("name"))
    scope = teacher_scope(user, college)
    group_ids = set(scope.curated) | {group_id for group_id, _ in scope.subjects}
    if not group_ids:
        return [], []
    groups = list(StudyGroup.objects.filter(college=college, pk__in=group_ids).order_by("name"))
    disciplines = Discipline.objects.filter(college=college).order_by("name")
    if not scope.curated:
        disciplines = disciplines.filter(pk__in={discipline for _, discipline in scope.subjects})
    return groups, list(disciplines)


def creatable_kinds(user, college) -> list[str]:
    """The kinds of chat the viewer may create (``permissions.can_create_chat`` / ``can_create_group_chat``)."""
    kinds = [kind for kind in COMMON_KINDS if permissions.can_create_chat(user, college, kind)]
    scope = teacher_scope(user, college)
    if permissions.is_college_administrator(user, college) or scope.curated:
        kinds += [ChatKind.STUDY_GROUP, ChatKind.PARENTS, ChatKind.SUBJECT]
    elif scope.subjects:
        kinds.append(ChatKind.SUBJECT)
    return kinds


class ChatListView(CollegeChatsPage):
    """«Чаты»: mine, the latest activity first, with unread counts; ``?q=`` searches my chats' messages."""

    def get(self, request):
        user, college = request.user, self.college
        form, results, error = _search(request, college)
        page = paginate(request, selectors.chats_for(user, college), PAGE_SIZE)
        return render(
            request,
            "chats/chat_list.html",
            {
                "page_obj": page,
                "items": page.object_list,
                "search_form": form,
                "results": results,
                "search_error": error,
                "can_create": bool(creatable_kinds(user, college)),
                "can_view_reports": permissions.can_view_reports(user, college),
            },
            status=400 if error else 200,
        )


class ChatCreateView(CollegeChatsPage):
    template_name = "chats/chat_create.html"

    def build_form(self, request, data=None):
        kinds = creatable_kinds(request.user, self.college)
        self.require(bool(kinds), "Создавать чаты вам не разрешено.")
        groups, disciplines = group_choices(request.user, self.college) if set(kinds) & GROUP_KINDS else ([], [])
        return ChatCreateForm(data, kinds=kinds, groups=groups, disciplines=disciplines)

    def get(self, request):
        return render(request, self.template_name, {"form": self.build_form(request)})

    def post(self, request):
        form = self.build_form(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            group = StudyGroup.objects.filter(college=self.college, pk=data["study_group"]).first()
            discipline = Discipline.objects.filter(college=self.college, pk=data["discipline"]).first()
            if data["kind"] in GROUP_KINDS and group is None:
                form.add_error("study_group", "Выберите группу.")
            elif data["kind"] == ChatKind.SUBJECT and discipline is None:
                form.add_error("discipline", "Выберите дисциплину.")
            else:
                try:
                    chat = services.chat_create(
                        actor=request.user,
                        college=self.college,
                        kind=data["kind"],
                        title=data["title"],
                        study_group=group,
                        discipline=discipline,
                    )
                except ValidationError as exc:
                    apply_service_errors(form, exc)
                except PermissionDenied as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, f"Чат «{chat.title}» создан.")
                    return redirect(chat_url(chat))
        return render(request, self.template_name, {"form": form}, status=400)


class DirectChatView(CollegeChatsPage):
    """«Написать»: people the viewer may write to personally (safe mode), and opening the chat with one."""

    def get(self, request):
        form = SearchForm(request.GET or None)
        q = form.cleaned_data["q"] if form.is_valid() else ""
        people = (
            selectors.direct_candidates(request.user, self.college, q) if form.is_valid() or not form.is_bound else []
        )
        return render(
            request,
            "chats/direct.html",
            {"search_form": form, "people": people, "q": q},
            status=200 if form.is_valid() or not form.is_bound else 400,
        )

    def post(self, request):
        member_id = parse_id(request.POST.get("member"), name="member")
        other = Membership.objects.filter(college=self.college, pk=member_id).select_related("user", "college").first()
        if other is None:
            raise Http404
        chat = services.direct_chat_get_or_create(actor=request.user, college=self.college, other=other)
        return redirect(chat_url(chat))
