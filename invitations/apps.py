from django.apps import AppConfig


class InvitationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "invitations"
    verbose_name = "Приглашения"

    def ready(self):
        from invitations import cards, notes, receivers
        from sferum_admin import home, nav

        receivers.connect()
        cards.register()
        nav.register(label="Приглашения", url_name="invitations:list", visible=_can_view_invitations, order=36)
        nav.register(
            label="Заявки на вступление", url_name="invitations:request_list", visible=_can_review_requests, order=37
        )
        home.register(key="invitations.pending_join_requests", provider=notes.pending_join_request_notes)


def _can_view_invitations(request) -> bool:
    from invitations.permissions import can_view_invitations

    college = getattr(request, "college", None)
    return bool(college) and can_view_invitations(request.user, college)


def _can_review_requests(request) -> bool:
    from invitations.permissions import can_review_join_requests

    college = getattr(request, "college", None)
    return bool(college) and can_review_join_requests(request.user, college)
