"""The period of a request: presets end today in the college's zone, typed dates are whole days."""

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from analytics import figures, messages
from analytics.periods import period_from, today_in
from core import college_cache
from tests.analytics.conftest import MSK, OCTOBER, _message, msk

pytestmark = pytest.mark.django_db


def test_seven_days_are_today_and_the_six_before(aw):
    today = today_in(aw.college)

    period = period_from({"days": "7"}, college=aw.college)

    assert (period.start, period.end, period.days) == (today - datetime.timedelta(days=6), today, 7)
    assert period.until - period.since == datetime.timedelta(days=7)


def test_thirty_days_by_default(aw):
    assert period_from({}, college=aw.college).days == 30


def test_typed_dates_are_whole_days_in_the_colleges_zone(aw):
    period = period_from(OCTOBER, college=aw.college)

    assert period.since == datetime.datetime(2026, 10, 1, tzinfo=MSK)
    assert period.until == datetime.datetime(2026, 11, 1, tzinfo=MSK)
    assert period.label == "с 01.10.2026 по 31.10.2026"


def test_iso_dates_and_a_start_alone_until_today(aw):
    period = period_from({"from": "2026-10-01"}, college=aw.college)

    assert (period.start, period.end) == (datetime.date(2026, 10, 1), today_in(aw.college))


def test_an_end_alone_takes_the_thirty_days_before_it(aw):
    period = period_from({"to": "31.10.2026"}, college=aw.college)

    assert (period.start, period.end) == (datetime.date(2026, 10, 2), datetime.date(2026, 10, 31))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"days": "0"}, messages.BAD_DAYS),
        ({"days": "-7"}, messages.BAD_DAYS),
        ({"from": "32.10.2026"}, messages.BAD_DATE),
        ({"from": "01.10.2026", "to": "никогда"}, messages.BAD_DATE),
        ({"to": "01.01.2101"}, messages.BAD_DATE),
    ],
)
def test_what_is_no_period_says_so_in_russian(aw, params, message):
    with pytest.raises(ValidationError) as caught:
        period_from(params, college=aw.college)

    assert caught.value.messages == [message]


def test_figures_are_cached_until_the_college_changes(aw, settings, django_assert_num_queries):
    settings.COLLEGE_CACHE_SECONDS = 300
    cache.clear()
    period = period_from(OCTOBER, college=aw.college)
    assert figures.chat_figures(college=aw.college, period=period)["messages"] == 5
    _message(aw.chats["staff"], aw.members["t2"], msk(10, 25))

    with django_assert_num_queries(0):
        cached = figures.chat_figures(college=aw.college, period=period)
    college_cache.changed([aw.college.pk])  # what every audited change of the college does on commit

    assert cached["messages"] == 5
    assert figures.chat_figures(college=aw.college, period=period)["messages"] == 6


def test_the_dashboards_figures_are_kept_by_the_clock_not_dropped_by_each_change(
    aw, settings, django_assert_num_queries
):
    settings.COLLEGE_CACHE_SECONDS = 300
    cache.clear()
    period = period_from(OCTOBER, college=aw.college)
    first = figures.headline(college=aw.college, period=period)
    _message(aw.chats["staff"], aw.members["t2"], msk(10, 25))
    college_cache.changed([aw.college.pk])

    with django_assert_num_queries(0):
        assert figures.headline(college=aw.college, period=period) == first
    cache.clear()  # the figures expired
    assert figures.headline(college=aw.college, period=period)["messages"] == first["messages"] + 1
