"""Pieces every app's pages share: service errors onto a form, and a page of a long list."""

from collections.abc import Iterable

from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Page, Paginator

BAD_ID_MESSAGE = "Неверное значение «{name}»: ожидался номер записи."
# A bigint primary key: a longer number is no id of ours (and PostgreSQL would refuse to compare it).
ID_MAX = 2**63 - 1


def apply_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError onto the form: by field where the form has that field, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def paginate(request, queryset, per_page: int) -> Page:
    """The page of ``queryset`` that ``?page=`` asks for (the last when past the end, the first when not a number)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def parse_id(value: str | None, *, name: str) -> int | None:
    """An object id from a query or form value: None when absent, 400 for anything but plain digits.

    ``str.isdigit`` is not enough: it accepts «²» and other Unicode digits
    that ``int()`` refuses. Pages and API endpoints both call this, so a
    forged value is a 400 with one Russian message everywhere
    (``BadRequest`` renders errors/400.html, or a DRF 400 through the API's
    exception handler).
    """
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit()) or int(value) > ID_MAX:
        raise BadRequest(BAD_ID_MESSAGE.format(name=name))
    return int(value)


def parse_ids(values: Iterable[str], *, name: str) -> list[int]:
    """Every id of a repeated parameter (``?ids=1&ids=2``); one bad value is a 400."""
    return [pk for pk in (parse_id(value, name=name) for value in values) if pk is not None]
