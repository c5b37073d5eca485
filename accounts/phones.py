"""Phone numbers as people type them, stored as E.164."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_REGION = "RU"

# Digits with the usual separators; «+» only in front. Letters are refused
# (phonenumbers would read them as a vanity number: 8-800-FLOWERS).
_PHONE_CHARS_RE = re.compile(r"^\+?[\d\s()\-.]+$")

INVALID_PHONE_MESSAGE = "Неверный номер телефона. Введите номер в формате +7 912 345-67-89 или 8 912 345-67-89."


def normalize_phone(raw: str) -> str:
    """Return ``raw`` as E.164 (``+79123456789``) or raise ValidationError in Russian.

    Accepts ``8 (912) 345-67-89``, ``+7 912 345 67 89``, ``89123456789``,
    ``9123456789``.
    """
    text = (raw or "").strip()
    if not text or not _PHONE_CHARS_RE.match(text):
        raise ValidationError(_(INVALID_PHONE_MESSAGE), code="invalid_phone")
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+"):
        # A Russian «8» trunk prefix, or a bare ten-digit mobile number.
        if len(digits) == 11 and digits[0] in "78":
            text = "+7" + digits[1:]
        elif len(digits) == 10:
            text = "+7" + digits
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_(INVALID_PHONE_MESSAGE), code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_(INVALID_PHONE_MESSAGE), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """``+79123456789`` → ``+7 912 345-67-89`` for pages."""
    try:
        number = phonenumbers.parse(e164, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
