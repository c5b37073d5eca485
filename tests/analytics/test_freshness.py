"""«Данные на 15:32»: each section page says when its figures were computed, on the college's clock."""

import datetime
import types
import zoneinfo

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from analytics import figures
from analytics.periods import moment_label
from core import college_cache
from tests.analytics.conftest import OCTOBER
from tests.analytics.test_api import api
from tests.college_api import api_url

pytestmark = pytest.mark.django_db

YEKATERINBURG = zoneinfo.ZoneInfo("Asia/Yekaterinburg")  # UTC+5, two hours ahead of Moscow

# The section, how its figures are computed for the director (the cache key the page reads).
CACHED_SECTIONS = {
    "joining": lambda college, period: figures.joining(college=college, period=period),
    "invitations": lambda college, period: figures.invitation_figures(college=college, period=period),
    "chats": lambda college, period: figures.chat_figures(college=college, period=period),
    "sessions": lambda college, period: figures.session_figures(college=college, period=period),
}


@pytest.fixture
def yekaterinburg(aw, settings):
    """The college on Yekaterinburg time, with the college cache on and empty."""
    settings.COLLEGE_CACHE_SECONDS = 300
    cache.clear()
    aw.college.time_zone = "Asia/Yekaterinburg"
    aw.college.save(update_fields=["time_zone"])
    return aw


def _seven_past_midnight() -> datetime.datetime:
    """00:07 today in Yekaterinburg: the evening before in UTC and in Moscow, so another zone shows a date."""
    return timezone.now().astimezone(YEKATERINBURG).replace(hour=0, minute=7, second=0, microsecond=0)


def _computed_at(monkeypatch, moment: datetime.datetime, compute):
    """Compute (and cache) figures as if the clock showed ``moment``; the clock runs on afterwards."""
    with monkeypatch.context() as patched:
        patched.setattr(figures, "timezone", types.SimpleNamespace(now=lambda: moment))
        return compute()


@pytest.mark.parametrize("section", CACHED_SECTIONS)
def test_a_section_shows_when_its_figures_were_computed_not_when_it_is_opened(
    yekaterinburg, client, monkeypatch, section
):
    aw = yekaterinburg
    _computed_at(monkeypatch, _seven_past_midnight(), lambda: CACHED_SECTIONS[section](aw.college, aw.october))
    client.force_login(aw.users["director"])

    body = client.get(reverse(f"analytics:{section}"), OCTOBER).content.decode()

    assert "Данные на 00:07 · обновляются каждые 5 мин." in body


def test_after_a_change_of_the_college_the_page_shows_the_new_moment(yekaterinburg, client, monkeypatch):
    aw = yekaterinburg
    two_days_ago = _seven_past_midnight() - datetime.timedelta(days=2)
    _computed_at(monkeypatch, two_days_ago, lambda: figures.chat_figures(college=aw.college, period=aw.october))
    college_cache.changed([aw.college.pk])  # what every audited change of the college does on commit
    client.force_login(aw.users["director"])
    before = timezone.now()

    body = client.get(reverse("analytics:chats"), OCTOBER).content.decode()

    shown = {moment_label(before, college=aw.college), moment_label(timezone.now(), college=aw.college)}
    assert any(f"Данные на {label} ·" in body for label in shown)
    assert two_days_ago.strftime("%d.%m.%Y") not in body


def test_teachers_are_counted_on_each_look_and_say_so_without_the_delay(yekaterinburg, client):
    aw = yekaterinburg
    client.force_login(aw.users["director"])
    before = timezone.now()

    body = client.get(reverse("analytics:teachers"), OCTOBER).content.decode()

    shown = {moment_label(before, college=aw.college), moment_label(timezone.now(), college=aw.college)}
    assert any(f"Данные на {label}</p>" in body for label in shown)
    assert "обновляются каждые" not in body


def test_the_api_gives_the_moment_the_figures_were_computed(yekaterinburg, monkeypatch):
    aw = yekaterinburg
    moment = _seven_past_midnight()
    _computed_at(monkeypatch, moment, lambda: figures.chat_figures(college=aw.college, period=aw.october))

    data = api(aw.users["director"]).get(api_url("api:analytics-chats", aw.college), OCTOBER)

    assert datetime.datetime.fromisoformat(data.json()["computed_at"]) == moment


def test_the_moment_is_on_the_colleges_clock_with_the_date_when_not_today(aw):
    aw.college.time_zone = "Asia/Yekaterinburg"
    now = timezone.now()
    earlier_today = now.astimezone(YEKATERINBURG).replace(hour=0, minute=7)
    yesterday = now.astimezone(YEKATERINBURG).replace(hour=23, minute=58) - datetime.timedelta(days=1)

    assert moment_label(earlier_today.astimezone(datetime.UTC), college=aw.college) == "00:07"
    assert moment_label(yesterday, college=aw.college) == yesterday.strftime("%d.%m.%Y 23:58")
