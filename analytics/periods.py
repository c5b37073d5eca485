"""The period a figure covers: the last 7, 30 or 90 days, or dates typed from–to (``core.dates``).

A period is whole days of the college's own calendar: from the start of ``start`` to the end of ``end``
in the college's time zone, as [since, until). «За 7 дней» is today and the six days before it.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.utils import timezone

from analytics import messages
from colleges.middleware import college_zone
from core.dates import parse_ru_date

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 30
# Longer spans are a typo or a load nobody needs: three years at most.
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive
    since: datetime.datetime
    until: datetime.datetime  # exclusive: the start of the day after ``end``
    days: int | None = None  # the preset chosen, None for typed dates

    @property
    def label(self) -> str:
        if self.days:
            return messages.PERIOD_DAYS.format(days=self.days)
        return messages.PERIOD_DATES.format(start=self.start.strftime("%d.%m.%Y"), end=self.end.strftime("%d.%m.%Y"))

    @property
    def query(self) -> str:
        """The period as a query string for the section tabs and the export links."""
        if self.days:
            return urlencode({"days": self.days})
        return urlencode({"from": self.start.strftime("%d.%m.%Y"), "to": self.end.strftime("%d.%m.%Y")})

    @property
    def key(self) -> tuple[str, str]:
        return (self.start.isoformat(), self.end.isoformat())

    @property
    def slug(self) -> str:
        """For file names: «2026-11-01_2026-11-30»."""
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


def _bounds(college, start: datetime.date, end: datetime.date, days: int | None) -> Period:
    zone = college_zone(college)
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return Period(start=start, end=end, since=since, until=until, days=days)


def today_in(college) -> datetime.date:
    return timezone.now().astimezone(college_zone(college)).date()


def moment_label(moment: datetime.datetime, *, college) -> str:
    """A moment on the college's clock: «15:32» when it is today there, «29.11.2026 23:58» when not."""
    local = moment.astimezone(college_zone(college))
    if local.date() == today_in(college):
        return local.strftime("%H:%M")
    return local.strftime("%d.%m.%Y %H:%M")


def period_from(params, *, college) -> Period:
    """The period a request's ``days`` or ``from``/``to`` name (30 days when none); a Russian
    ``ValidationError`` for anything else."""
    today = today_in(college)
    typed_from, typed_to = (params.get("from") or "").strip(), (params.get("to") or "").strip()
    if typed_from or typed_to:
        return _typed(college, typed_from, typed_to, today)
    raw = params.get("days") or ""
    if not raw:
        days = DEFAULT_DAYS
    elif raw in {str(days) for days in PRESETS}:
        days = int(raw)
    else:
        raise ValidationError(messages.BAD_DAYS, code="bad_days")
    return _bounds(college, today - datetime.timedelta(days=days - 1), today, days)


def _typed(college, typed_from: str, typed_to: str, today: datetime.date) -> Period:
    start = parse_ru_date(typed_from) if typed_from else None
    end = parse_ru_date(typed_to) if typed_to else today
    if (typed_from and start is None) or end is None:
        raise ValidationError(messages.BAD_DATE, code="bad_date")
    if start is None:
        start = end - datetime.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ValidationError(messages.DATES_REVERSED, code="dates_reversed")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationError(messages.PERIOD_TOO_LONG, code="period_too_long")
    return _bounds(college, start, end, None)
