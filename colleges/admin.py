"""Django admin for platform staff: for looking, not for writing.

Writes go through the services (with permission checks and audit rows), so
the admin shows colleges, applications, departments and memberships
read-only and sends reviewers to the application queue.
"""

from django.contrib import admin

from colleges.models import College, CollegeApplication, Department, Membership


class ReadOnlyAdmin(admin.ModelAdmin):
    hidden_fields: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields if field.name not in self.hidden_fields]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(College)
class CollegeAdmin(ReadOnlyAdmin):
    list_display = ("short_name", "inn", "ogrn", "region", "status", "created_at")
    list_filter = ("status", "time_zone")
    search_fields = ("short_name", "full_name", "inn", "ogrn")


@admin.register(CollegeApplication)
class CollegeApplicationAdmin(ReadOnlyAdmin):
    list_display = ("short_name", "inn", "status", "created_at", "reviewed_by")
    list_filter = ("status",)
    search_fields = ("short_name", "full_name", "inn", "admin_last_name")
    list_select_related = ("reviewed_by",)
    # The scan is served only by the staff-only download view, never by a media link.
    hidden_fields = ("order_file",)


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    list_display = ("name", "college", "head_name")
    search_fields = ("name", "college__short_name")
    list_select_related = ("college",)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "college", "role", "status", "position", "created_at")
    list_filter = ("role", "status")
    search_fields = ("user__last_name", "user__phone", "college__short_name")
    list_select_related = ("user", "college")
