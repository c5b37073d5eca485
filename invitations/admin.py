from django.contrib import admin

from invitations.models import BulkDispatch, Invitation, InvitationUse, JoinRequest


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["id", "college", "role", "group", "kind", "status", "uses_count", "max_uses", "expires_at"]
    list_filter = ["status", "kind", "role"]
    list_select_related = ["college", "group"]
    search_fields = ["recipient_phone", "recipient_email", "group__name"]
    # The token never shows here: only its hash and seal exist, and both stay out of the form.
    exclude = ["token_hash", "token_sealed"]
    raw_id_fields = ["college", "group", "created_by", "handed_to", "dispatch"]


@admin.register(InvitationUse)
class InvitationUseAdmin(admin.ModelAdmin):
    list_display = ["id", "invitation", "user", "result", "created_at"]
    list_filter = ["result"]
    raw_id_fields = ["invitation", "college", "user", "membership", "join_request"]


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "college", "user", "role", "group", "status", "created_at"]
    list_filter = ["status", "role"]
    raw_id_fields = ["college", "user", "group", "from_group", "invitation", "decided_by"]


@admin.register(BulkDispatch)
class BulkDispatchAdmin(admin.ModelAdmin):
    list_display = ["id", "college", "role", "group", "status", "total", "created_at"]
    raw_id_fields = ["college", "group", "created_by"]
