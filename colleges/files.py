"""The scan of the appointment order: checked by its content, stored under a random name."""

import uuid

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

# What a scan may be, by the bytes it starts with, and the extension it is stored under.
ORDER_FILE_KINDS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}

ORDER_FILE_TYPE_MESSAGE = (
    "Файл не похож на скан приказа: приложите документ PDF или изображение JPEG или PNG. "
    "Расширение в имени файла не учитывается — проверяется содержимое."
)
ORDER_FILE_EMPTY_MESSAGE = "Файл пуст. Приложите скан приказа о назначении администратора."


def order_file_too_big_message() -> str:
    limit_mb = settings.APPOINTMENT_ORDER_MAX_BYTES / (1024 * 1024)
    return f"Файл слишком большой: не более {limit_mb:g} МБ."


def validate_order_file(uploaded) -> str:
    """Return the extension to store ``uploaded`` under, or raise ValidationError in Russian."""
    size = getattr(uploaded, "size", None)
    if not size:
        raise ValidationError(ORDER_FILE_EMPTY_MESSAGE, code="empty")
    if size > settings.APPOINTMENT_ORDER_MAX_BYTES:
        raise ValidationError(order_file_too_big_message(), code="too_big")
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ORDER_FILE_KINDS:
        raise ValidationError(ORDER_FILE_TYPE_MESSAGE, code="bad_type")
    return ORDER_FILE_KINDS[kind.mime]


def random_order_file_name(extension: str) -> str:
    """A name that says nothing about the sender and cannot be guessed or collide."""
    return f"prikaz-{uuid.uuid4().hex}.{extension}"
