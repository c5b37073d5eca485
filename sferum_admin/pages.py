"""Pieces every app's pages share: service errors onto a form, and a page of a long list."""

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator


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
