from django.contrib import admin

from broadcasts.models import Attendance, Session


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    """Read-mostly view for platform staff; changes go through the college's own pages."""

    list_display = ("title", "college", "kind", "audience", "status", "starts_at", "duration_minutes")
    list_filter = ("kind", "audience", "status")
    search_fields = ("title", "college__short_name")
    raw_id_fields = ("college", "host", "groups", "created_by")
    readonly_fields = ("room_name", "reminded_at", "created_at", "updated_at")


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("session", "user", "joined_at")
    raw_id_fields = ("session", "user")
