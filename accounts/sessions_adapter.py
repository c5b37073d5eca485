"""allauth's user-sessions adapter: signing out on other devices also stops the person's API keys."""

from allauth.usersessions.adapter import DefaultUserSessionsAdapter


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    def end_sessions(self, sessions) -> None:
        """allauth's «Выйти на всех других устройствах» (/accounts/sessions/) ends them here."""
        from accounts.services import api_tokens_revoke_all

        sessions = list(sessions)
        super().end_sessions(sessions)
        for user in {session.user for session in sessions}:
            api_tokens_revoke_all(actor=user, user=user, reason="sessions_end_others")
