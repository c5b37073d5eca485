from django.contrib import admin

from notifications.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "recipient", "template", "status", "attempts")
    list_filter = ("channel", "status", "template")
    search_fields = ("recipient",)
    readonly_fields = [f.name for f in Message._meta.fields]
