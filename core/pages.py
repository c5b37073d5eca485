"""Pieces every app's pages share: service errors onto a form, and a page of a long list."""

from collections.abc import Iterable

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

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


# A list counts its rows up to this many past the page asked for; beyond, it says «более» and offers the next page.
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """A paginator whose COUNT stops ``COUNT_CAP`` rows in (or one page past ``wanted``, if further).

    An exact count redoes the whole search for a number nobody reads past
    the first pages; a capped one stops early, unordered. The count is
    ``limit`` when there are more rows: every page up to ``wanted`` is full and
    the page after it exists, so «Вперёд» keeps going. ``count_is_capped`` says
    so, and ``known_pages`` is the number of pages surely there.
    """

    def __init__(self, object_list, per_page, *, wanted: int = 1):
        super().__init__(object_list, per_page)
        self.limit = max(COUNT_CAP, wanted * per_page) + 1
        self.count_is_capped = False

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return super().count
        counted = self.object_list.order_by()[: self.limit].count()
        self.count_is_capped = counted == self.limit
        return counted

    @property
    def known_pages(self) -> int:
        return self.num_pages - 1 if self.count_is_capped else self.num_pages


def paginate(request, queryset, per_page: int) -> Page:
    """The page of ``queryset`` that ``?page=`` asks for (the last when past the end, the first when not a number).

    Counted up to ``COUNT_CAP`` rows (``CappedPaginator``).
    """
    number = request.GET.get("page")
    wanted = int(number) if number and number.isascii() and number.isdigit() and len(number) < 10 else 1
    return CappedPaginator(queryset, per_page, wanted=wanted).get_page(number)


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


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows by id that refuses an id no database column holds before querying.

    Django's own field hands ``999…9`` (30 digits) to the database, and SQLite's driver raises
    OverflowError (a 500) where PostgreSQL simply finds nothing.
    """

    def _check_values(self, value):
        for pk in value or ():
            text = str(pk)
            if not (text.isascii() and text.isdigit()) or int(text) > ID_MAX:
                message = self.error_messages["invalid_pk_value"]
                raise ValidationError(message, code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)
