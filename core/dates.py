"""Dates and date-times as people type them: one accepted range for every page form and API field.

Python accepts years 1 to 9999, but a date in year 64 or 9000 in a college is a
typo, and a date-time before 1900 comes back with the zone's local mean time
(``+02:30:17`` for Moscow), which nobody can read. Every date or date-time that
comes in goes through a field from here (forms: ``DateField`` and
``DateTimeField``; API: ``ApiDateField`` and ``ApiDateTimeField``) or through
``validate_year_range``.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

MIN_YEAR = 1900
MAX_YEAR = 2100
OUT_OF_RANGE_MESSAGE = _("Укажите дату с 1900 по 2100 год.")
MIN_DATE = datetime.date(MIN_YEAR, 1, 1)
MAX_DATE = datetime.date(MAX_YEAR, 12, 31)


def year_in_range(value: datetime.date | datetime.datetime | None) -> bool:
    return value is None or MIN_YEAR <= value.year <= MAX_YEAR


def validate_year_range(value: datetime.date | datetime.datetime | None) -> None:
    if not year_in_range(value):
        raise ValidationError(OUT_OF_RANGE_MESSAGE, code="date_out_of_range")


def _picker_limits(widget, *, with_time: bool) -> dict[str, str]:
    """``min``/``max`` for the browser's date picker, so it does not offer year 0064 in the first place."""
    if getattr(widget, "input_type", "") not in ("date", "datetime-local"):
        return {}
    if with_time or widget.input_type == "datetime-local":
        return {"min": f"{MIN_DATE.isoformat()}T00:00", "max": f"{MAX_DATE.isoformat()}T23:59"}
    return {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()}


class DateField(forms.DateField):
    default_validators = [validate_year_range]

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), **_picker_limits(widget, with_time=False)}


class DateTimeField(forms.DateTimeField):
    default_validators = [validate_year_range]

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), **_picker_limits(widget, with_time=True)}


class ApiDateField(serializers.DateField):
    default_validators = [validate_year_range]


class ApiDateTimeField(serializers.DateTimeField):
    default_validators = [validate_year_range]
