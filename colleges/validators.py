"""Check digits of Russian organisation identifiers."""

from django.core.exceptions import ValidationError

INN_MESSAGE = "ИНН организации — 10 цифр с верной контрольной цифрой."
OGRN_MESSAGE = "ОГРН — 13 цифр с верной контрольной цифрой."


def validate_inn(value: str) -> None:
    """A legal entity's INN: 10 digits, the last a weighted checksum."""
    if len(value) != 10 or not value.isdigit():
        raise ValidationError(INN_MESSAGE, code="invalid_inn")
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(int(d) * w for d, w in zip(value, weights, strict=False)) % 11 % 10
    if check != int(value[9]):
        raise ValidationError(INN_MESSAGE, code="invalid_inn")


def validate_ogrn(value: str) -> None:
    """OGRN: 13 digits, the last is (first 12 mod 11) mod 10."""
    if len(value) != 13 or not value.isdigit():
        raise ValidationError(OGRN_MESSAGE, code="invalid_ogrn")
    if int(value[:12]) % 11 % 10 != int(value[12]):
        raise ValidationError(OGRN_MESSAGE, code="invalid_ogrn")
