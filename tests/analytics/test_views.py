"""The analytics pages: figures shown the Russian way, the period picker, exports, the curator's view."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from analytics import messages
from core.middleware import NULL_CHARACTER_MESSAGE
from tests.analytics.conftest import OCTOBER

pytestmark = pytest.mark.django_db

SECTIONS = ("analytics:joining", "analytics:invitations", "analytics:chats", "analytics:sessions", "analytics:teachers")


@pytest.fixture
def director(aw, client):
    client.force_login(aw.users["director"])
    return client


@pytest.mark.parametrize("name", SECTIONS)
def test_every_section_opens_for_the_director_with_the_period(director, name):
    response = director.get(reverse(name), OCTOBER)

    assert response.status_code == 200
    assert "с 01.10.2026 по 31.10.2026" in response.content.decode()


def test_joining_shows_groups_worst_first_and_the_roles(director, aw):
    html = director.get(reverse("analytics:joining"), OCTOBER).content.decode()

    assert html.index("ИС-1") < html.index("ИС-2") < html.index("ИС-3")
    assert "66,7\u00a0%" in html and "100\u00a0%" in html
    assert 'data-role="student"' in html
    assert reverse("movement:report") in html and reverse("invitations:provenance") in html


def test_a_curator_sees_the_joining_of_their_own_groups_only(aw, client):
    client.force_login(aw.users["t1"])

    html = client.get(reverse("analytics:joining"), OCTOBER).content.decode()

    assert "ИС-1" in html and "ИС-2" not in html
    assert 'data-role="student"' not in html
    assert reverse("analytics:chats") not in html


def test_a_curator_may_not_open_the_other_sections(aw, client):
    client.force_login(aw.users["t1"])

    response = client.get(reverse("analytics:chats"))

    assert response.status_code == 403


def test_chats_section_says_so_when_nothing_was_written(director):
    html = director.get(reverse("analytics:chats"), {"from": "01.01.2020", "to": "31.01.2020"}).content.decode()

    assert messages.NO_MESSAGES in html


def test_sessions_section_says_so_when_there_were_none(director):
    html = director.get(reverse("analytics:sessions"), {"from": "01.01.2020", "to": "31.01.2020"}).content.decode()

    assert messages.NO_SESSIONS in html


def test_numbers_are_grouped_by_thousands_with_a_non_breaking_space():
    from analytics.templatetags.analytics_format import number, percent

    assert (number(1234567), percent(66.7), percent(100.0), percent(None)) == (
        "1\u00a0234\u00a0567",
        "66,7\u00a0%",
        "100\u00a0%",
        "—",
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"days": "14"}, messages.BAD_DAYS),
        ({"days": "\x00"}, NULL_CHARACTER_MESSAGE),
        ({"days": "9" * 30}, messages.BAD_DAYS),
        ({"from": "31.02.2026"}, messages.BAD_DATE),
        ({"from": "01.01.1800", "to": "01.02.1800"}, messages.BAD_DATE),
        ({"from": "x\x00"}, NULL_CHARACTER_MESSAGE),
        ({"days": "²"}, messages.BAD_DAYS),
        ({"from": "10.10.2026", "to": "01.10.2026"}, messages.DATES_REVERSED),
        ({"from": "01.01.2000", "to": "01.01.2026"}, messages.PERIOD_TOO_LONG),
    ],
)
def test_a_bad_period_is_a_russian_400(director, query, message):
    response = director.get(reverse("analytics:chats"), query)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_huge_page_number_shows_the_last_page(director):
    response = director.get(reverse("analytics:teachers"), {**OCTOBER, "page": "9" * 30})

    assert response.status_code == 200


def test_teachers_search_and_figures(director):
    html = director.get(reverse("analytics:teachers"), {**OCTOBER, "q": "Куратов"}).content.decode()

    assert "Куратова" in html and "Преподаватов" not in html


def test_joining_export_csv_has_roles_and_groups(director):
    response = director.get(reverse("analytics:joining"), {**OCTOBER, "format": "csv"})

    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "analitika-joining-2026-10-01_2026-10-31.csv" in response["Content-Disposition"]
    assert "Группа;ИС-1;3;2;66.7;1;33.3" in text
    assert "Роль;обучающийся;5;4;80.0;2;40.0" in text


def test_teachers_export_xlsx(director):
    response = director.get(reverse("analytics:teachers"), {**OCTOBER, "format": "xlsx"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "ФИО"
    assert [row[2:] for row in rows[1:]] == [[2, 2, 1], [1, 0, 0]]


def test_an_export_never_hands_over_a_formula(director, aw):
    user = aw.users["t2"]
    user.last_name = "=HYPERLINK(1)"
    user.save()

    text = director.get(reverse("analytics:teachers"), {**OCTOBER, "format": "csv"}).content.decode("utf-8-sig")

    assert "'=HYPERLINK(1)" in text


@pytest.mark.parametrize("name", SECTIONS)
def test_every_section_exports_both_formats(director, name):
    for fmt in ("csv", "xlsx"):
        response = director.get(reverse(name), {**OCTOBER, "format": fmt})

        assert response.status_code == 200
        assert f".{fmt}" in response["Content-Disposition"]


def test_the_dashboard_card_shows_the_week(director):
    html = director.get(reverse("dashboard")).content.decode()

    assert 'data-card="analytics.usage"' in html
    assert "обучающихся подключилось" in html


def test_the_menu_offers_analytics_to_the_director(director):
    html = director.get(reverse("dashboard")).content.decode()

    assert reverse("analytics:joining") in html
