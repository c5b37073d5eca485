from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Пользователи"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_removed

        from accounts.receivers import forget_totp_seen

        authenticator_removed.connect(forget_totp_seen, dispatch_uid="accounts_forget_totp_seen")
