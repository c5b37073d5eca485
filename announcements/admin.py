from django.contrib import admin

from announcements.models import Announcement, AnnouncementRead


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    """Read-mostly view for platform staff; changes go through the college's own pages."""

    list_display = ("title", "college", "audience", "published_at", "pinned_until", "withdrawn_at")
    list_filter = ("audience",)
    search_fields = ("title", "college__short_name")
    raw_id_fields = ("college", "author", "groups", "withdrawn_by")
    readonly_fields = ("published_at", "notified_at")


@admin.register(AnnouncementRead)
class AnnouncementReadAdmin(admin.ModelAdmin):
    list_display = ("announcement", "user", "read_at")
    raw_id_fields = ("announcement", "user")
