from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Пользователи"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_removed
        from django.db.backends.signals import connection_created

        from accounts.receivers import forget_totp_seen
        from accounts.search import register_sqlite_functions

        authenticator_removed.connect(forget_totp_seen, dispatch_uid="accounts_forget_totp_seen")
        connection_created.connect(register_sqlite_functions, dispatch_uid="accounts_sqlite_functions")
