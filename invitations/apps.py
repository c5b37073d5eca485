from django.apps import AppConfig


class InvitationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "invitations"
    verbose_name = "Приглашения"

    def ready(self):
        from core import home, nav
        from invitations import cards, notes, receivers
        from invitations.permissions import can_review_join_requests, can_view_invitations

        receivers.connect()
        cards.register()
        nav.register(
            label="Приглашения",
            url_name="invitations:list",
            visible=nav.allowed(can_view_invitations),
            order=36,
            section=nav.PEOPLE,
        )
        nav.register(
            label="Заявки на вступление",
            url_name="invitations:request_list",
            visible=nav.allowed(can_review_join_requests),
            order=37,
            section=nav.PEOPLE,
        )
        home.register(key="invitations.pending_join_requests", provider=notes.pending_join_request_notes)
