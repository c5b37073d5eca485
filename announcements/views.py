"""Pages of the announcements app («Объявления»): thin views over selectors and services."""

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from announcements import messages, selectors, services
from announcements.forms import AnnouncementFilterForm, AnnouncementForm, AnnouncementWithdrawForm
from announcements.permissions import (
    can_publish_announcements,
    can_view_announcement_reads,
    can_view_announcements,
    can_withdraw_announcement,
)
from colleges.pages import CollegePageView
from core.formatting import render_message
from core.pages import apply_service_errors, paginate

PAGE_SIZE = 20
UNREAD_PAGE_SIZE = 50


class CollegeAnnouncementsPage(CollegePageView):
    """A page of the current college's announcements: its members."""

    allowed = can_view_announcements
    denied_message = messages.NOT_A_MEMBER


class AnnouncementListView(CollegeAnnouncementsPage):
    def get(self, request):
        filters = AnnouncementFilterForm(request.GET or None)
        search = filters.cleaned_data["q"].strip() if filters.is_valid() else ""
        announcements = selectors.announcement_list(viewer=request.user, college=self.college, search=search)
        page = paginate(request, announcements, PAGE_SIZE)
        return render(
            request,
            "announcements/announcement_list.html",
            {
                "page_obj": page,
                "announcements": page.object_list,
                "search": search,
                "can_publish": can_publish_announcements(request.user, self.college),
            },
        )


class AnnouncementCreateView(CollegeAnnouncementsPage):
    """The publish form; «Проверить, кто получит» shows the audience's size before publishing."""

    template_name = "announcements/announcement_form.html"

    def get(self, request):
        self.require(can_publish_announcements(request.user, self.college), messages.NO_PUBLISH_PERMISSION)
        form = AnnouncementForm(user=request.user, college=self.college)
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        self.require(can_publish_announcements(request.user, self.college), messages.NO_PUBLISH_PERMISSION)
        form = AnnouncementForm(request.POST, user=request.user, college=self.college)
        recipients = None
        if form.is_valid():
            data = form.cleaned_data
            fields = {
                "title": data["title"],
                "text": data["text"],
                "audience": data["audience"],
                "groups": data["groups"],
                "pinned_until": data["pinned_until"],
            }
            try:
                if "preview" in request.POST:
                    _, _, groups = services.announcement_check(actor=request.user, college=self.college, **fields)
                    recipients = selectors.audience_users(
                        college=self.college,
                        audience=data["audience"],
                        group_ids=[g.pk for g in groups],
                        with_parents=data["with_parents"],
                    ).count()
                else:
                    announcement = services.announcement_publish(
                        actor=request.user, college=self.college, with_parents=data["with_parents"], **fields
                    )
                    flash.success(request, "Объявление опубликовано.")
                    return redirect("announcements:detail", pk=announcement.pk)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
        status = 200 if recipients is not None else 400
        return render(request, self.template_name, {"form": form, "recipients": recipients}, status=status)


class AnnouncementPage(CollegeAnnouncementsPage):
    """A page of one announcement the viewer may open (404 for any other)."""

    lookup = selectors.announcement_get_for
    lookup_user = "user"


class AnnouncementDetailView(AnnouncementPage):
    def get(self, request, pk):
        announcement = self.object
        if not announcement.is_withdrawn:
            services.announcement_mark_read(user=request.user, announcement=announcement)
        can_reads = can_view_announcement_reads(request.user, announcement)
        return render(
            request,
            "announcements/announcement_detail.html",
            {
                "announcement": announcement,
                "text_html": render_message(announcement.text),
                "can_withdraw": can_withdraw_announcement(request.user, announcement) and not announcement.is_withdrawn,
                "can_view_reads": can_reads,
                "figures": selectors.announcement_read_figures(announcement=announcement) if can_reads else None,
            },
        )


class AnnouncementUnreadView(AnnouncementPage):
    """Who of the audience has not opened the announcement yet (paged)."""

    allowed_on = can_view_announcement_reads
    denied_on_message = messages.NO_READS_PERMISSION

    def get(self, request, pk):
        announcement = self.object
        filters = AnnouncementFilterForm(request.GET or None)
        # A query too long for the box (only a typed-in address can carry one) is said so and searches nothing.
        search_error = " ".join(filters.errors.get("q", []))
        search = filters.cleaned_data["q"].strip() if filters.is_valid() else ""
        people = selectors.announcement_unread_people(announcement=announcement, search=search)
        page = paginate(request, people.none() if search_error else people, UNREAD_PAGE_SIZE)
        return render(
            request,
            "announcements/announcement_unread.html",
            {
                "announcement": announcement,
                "figures": selectors.announcement_read_figures(announcement=announcement),
                "page_obj": page,
                "people": page.object_list,
                "filters": filters,
                "search": search,
                "search_error": search_error,
            },
            status=400 if search_error else 200,
        )


class AnnouncementWithdrawView(AnnouncementPage):
    """Asks for the reason and a confirmation, then withdraws."""

    allowed_on = can_withdraw_announcement
    denied_on_message = messages.NO_WITHDRAW_PERMISSION
    template_name = "announcements/announcement_confirm_withdraw.html"

    def get(self, request, pk):
        return render(request, self.template_name, {"announcement": self.object, "form": AnnouncementWithdrawForm()})

    def post(self, request, pk):
        announcement = self.object
        form = AnnouncementWithdrawForm(request.POST)
        if form.is_valid():
            try:
                services.announcement_withdraw(
                    actor=request.user, announcement=announcement, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                flash.success(request, f"Объявление «{announcement.title}» снято.")
                return redirect("announcements:list")
        return render(request, self.template_name, {"announcement": announcement, "form": form}, status=400)
