from django.contrib import admin

from materials.models import Material, MaterialFile, MaterialNotice


class MaterialFileInline(admin.TabularInline):
    model = MaterialFile
    extra = 0
    fields = ("original_name", "kind", "size", "version", "is_current", "download_count", "created_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    """Read-mostly view for platform staff; changes go through the college's own pages."""

    list_display = ("title", "college", "section", "kind", "audience", "status", "published_at", "pinned")
    list_filter = ("section", "kind", "audience", "status")
    search_fields = ("title", "college__short_name")
    raw_id_fields = ("college", "author", "discipline", "groups")
    readonly_fields = ("created_at", "updated_at", "notified_at")
    inlines = [MaterialFileInline]


@admin.register(MaterialNotice)
class MaterialNoticeAdmin(admin.ModelAdmin):
    list_display = ("user", "material", "created_at", "seen_at")
    raw_id_fields = ("user", "material")
