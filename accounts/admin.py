"""People in the platform staff's admin: read-only, like the rest of it (changes go through the
services, which audit them). Searching by phone accepts any common format."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.phones import normalize_phone


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("phone", "last_name", "first_name", "patronymic", "email", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_active", "phone_verified")
    search_fields = ("phone", "email", "last_name", "first_name")
    ordering = ("sort_name",)
    fields = (
        "phone",
        "phone_verified",
        "email",
        "last_name",
        "first_name",
        "patronymic",
        "is_staff",
        "is_superuser",
        "is_active",
        "date_joined",
        "last_login",
    )
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        try:
            search_term = normalize_phone(search_term)
        except ValidationError:
            pass
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
