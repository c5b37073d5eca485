"""Lists of recipients for bulk personal invitations: pasted text, CSV (UTF-8 or cp1251, «,» or «;») or XLSX."""

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.phones import normalize_phone

MAX_ROWS = 20000


@dataclass
class Row:
    line: int
    name: str
    contact: str
    phone: str = ""
    email: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    def as_recipient(self) -> dict:
        return {"name": self.name, "phone": self.phone, "email": self.email}


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("Не удалось прочитать файл: сохраните его в кодировке UTF-8 или Windows-1251.")


def rows_from_text(text: str) -> list[list[str]]:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    sample = "\n".join(lines[:20])
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    if "\t" in sample and not (";" in sample or "," in sample):
        delimiter = "\t"
    return [row for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)]


def rows_from_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ValidationError("Файл XLSX повреждён или это не таблица Excel.") from exc
    sheet = workbook.worksheets[0]
    out = []
    for values in sheet.iter_rows(values_only=True):
        cells = ["" if v is None else str(v).strip() for v in values]
        if any(cells):
            out.append(cells)
        if len(out) > MAX_ROWS:
            break
    return out


def rows_from_upload(name: str, data: bytes) -> list[list[str]]:
    if data[:2] == b"PK" or name.lower().endswith(".xlsx"):
        return rows_from_xlsx(data)
    return rows_from_text(decode(data))


def _contact_cell(cells: list[str]) -> tuple[str, str]:
    """(name, contact): the contact is the cell that looks like a phone or an e-mail; the rest is the name."""
    contact_index = None
    for index, cell in enumerate(cells):
        text = cell.strip()
        looks_like_number = sum(ch.isdigit() for ch in text) >= 5 and all(ch in "0123456789+()- ." for ch in text)
        if "@" in text or looks_like_number:
            contact_index = index
            break
    if contact_index is None:
        return " ".join(c.strip() for c in cells if c.strip()), ""
    name = " ".join(c.strip() for i, c in enumerate(cells) if i != contact_index and c.strip())
    return name, cells[contact_index].strip()


def recipients_preview(rows: list[list[str]]) -> list[Row]:
    """Every row with its normalised contact or its error; duplicates and invalid numbers are marked, not sent."""
    if len(rows) > MAX_ROWS:
        raise ValidationError(f"Слишком длинный список: не больше {MAX_ROWS} строк за одну рассылку.")
    seen: dict[str, int] = {}
    out = []
    for number, cells in enumerate(rows, start=1):
        name, contact = _contact_cell(cells)
        row = Row(line=number, name=name, contact=contact)
        if not contact:
            if number == 1:
                continue  # a header line such as «ФИО;Телефон»
            row.error = "Нет телефона или e-mail."
        elif "@" in contact:
            try:
                validate_email(contact)
                row.email = contact.lower()
            except ValidationError:
                row.error = "Неверный e-mail."
        else:
            try:
                row.phone = normalize_phone(contact)
            except ValidationError:
                row.error = "Неверный номер телефона."
        key = row.phone or row.email
        if key and key in seen:
            row.error = f"Повтор строки {seen[key]}."
        elif key:
            seen[key] = number
        out.append(row)
    return out
