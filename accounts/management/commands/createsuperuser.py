"""``createsuperuser`` for a phone-identified user: the phone may be typed in any common format
(``8 (912) 000-11-22``, ``+7 912 000 11 22``) and is stored as E.164. The platform staff account
it makes signs in by SMS code or password, then sets up TOTP (required for staff)."""

import os

from django.contrib.auth.management.commands import createsuperuser
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from accounts.phones import normalize_phone

PHONE_ENV = "DJANGO_SUPERUSER_PHONE"


class Command(createsuperuser.Command):
    help = "Создаёт сотрудника платформы (суперпользователя) по номеру телефона в любом привычном виде."

    def handle(self, *args, **options):
        phone = options.get("phone") or os.environ.get(PHONE_ENV)
        if phone:
            try:
                normalized = normalize_phone(phone)
            except ValidationError as exc:
                raise CommandError(exc.messages[0]) from exc
            options["phone"] = normalized
            if os.environ.get(PHONE_ENV):
                os.environ[PHONE_ENV] = normalized
        return super().handle(*args, **options)

    def get_input_data(self, field, message, default=None):
        """The interactive question: the phone is normalised before Django checks its length and uniqueness."""
        if field is not self.username_field:
            return super().get_input_data(field, message, default)
        raw_value = input(message) or (default or "")
        try:
            return field.clean(normalize_phone(raw_value), None)
        except ValidationError as exc:
            self.stderr.write(f"Error: {'; '.join(exc.messages)}")
            return None
