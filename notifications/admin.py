from django.contrib import admin

from notifications.models import Message, PushSubscription


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "recipient", "template", "status", "attempts")
    list_filter = ("channel", "status", "template")
    search_fields = ("recipient",)
    readonly_fields = [f.name for f in Message._meta.fields]


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "user_agent", "last_success_at", "failures")
    raw_id_fields = ("user",)
    readonly_fields = ("endpoint", "p256dh", "auth", "user_agent", "created_at", "last_success_at", "failures")
