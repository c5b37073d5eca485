"""Reading roster files: CSV (UTF-8 or Windows-1251, `,` or `;`) and XLSX, with Russian headers.

Only parsing lives here; what the rows mean for the college is decided in services.
"""

import csv
import datetime
import io
import re
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.phones import normalize_phone
from core.dates import year_in_range
from core.zipcheck import zip_is_too_large

FIELDS = {
    "last_name": "Фамилия",
    "first_name": "Имя",
    "patronymic": "Отчество",
    "phone": "Телефон",
    "group": "Группа",
    "birth_date": "Дата рождения",
}
REQUIRED = ("last_name", "first_name", "phone", "group")
SYNONYMS = {
    "last_name": {"фамилия"},
    "first_name": {"имя"},
    "patronymic": {"отчество"},
    "phone": {"телефон", "мобильный телефон", "тел", "номер телефона", "мобильный", "сотовый телефон"},
    "group": {"группа", "учебная группа", "номер группы"},
    "birth_date": {"дата рождения", "др", "день рождения"},
}
MAX_ROWS = 50_000
MAX_COLUMNS = 100

EMPTY_FILE_MESSAGE = "Файл пуст: в нём нет ни строки заголовков, ни данных."
ENCODING_MESSAGE = (
    "Не удалось прочитать файл: неизвестная кодировка. Сохраните его как CSV в кодировке UTF-8 или Windows-1251, "
    "либо как XLSX."
)
XLSX_MESSAGE = "Не удалось открыть файл XLSX: он повреждён или это не таблица Excel."
TOO_MANY_ROWS_MESSAGE = f"В файле больше {MAX_ROWS} строк. Разделите его на части."
TOO_MANY_COLUMNS_MESSAGE = (
    f"В файле больше {MAX_COLUMNS} заполненных столбцов. Оставьте в таблице только данные контингента."
)
XLSX_TOO_LARGE_MESSAGE = (
    "Файл XLSX распаковывается в слишком большой объём — так не бывает у обычной таблицы. "
    "Сохраните контингент заново из Excel или как CSV."
)
MISSING_COLUMNS_MESSAGE = "В файле нет обязательных столбцов: {columns}. Сопоставьте столбцы вручную."
NO_ROWS_MESSAGE = "В файле есть заголовки, но нет ни одной строки с данными."
CSV_MESSAGE = (
    "Не удалось разобрать файл CSV: проверьте, что поля разделены «;» или «,», а кавычки закрыты. "
    "Сохраните таблицу из Excel как «CSV (разделители — точки с запятой)» или как XLSX."
)
# Put in place of a line break, NUL or other control character found inside a cell, so that the file
# reads (and PostgreSQL stores it) and the dry run reports the row instead of storing a broken name.
BAD_CHARACTER = "\ufffd"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def too_large_message() -> str:
    megabytes = settings.ROSTER_MAX_UPLOAD_BYTES / (1024 * 1024)
    return f"Файл больше {megabytes:g} МБ. Разделите контингент на несколько файлов."


def check_upload_size(size: int) -> None:
    """Refuse a file over ``ROSTER_MAX_UPLOAD_BYTES`` before anything reads it."""
    if size > settings.ROSTER_MAX_UPLOAD_BYTES:
        raise ValidationError(too_large_message(), code="too_large")


def _norm_header(value: str) -> str:
    return re.sub(r"[\s.*:]+", " ", str(value or "").lower().replace("ё", "е")).strip()


def auto_mapping(headers: list[str]) -> dict[str, int]:
    """Field → column index for the headers recognised by name."""
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = _norm_header(header)
        for field, names in SYNONYMS.items():
            if name in names and field not in mapping:
                mapping[field] = index
    return mapping


def missing_required(mapping: dict) -> list[str]:
    return [FIELDS[f] for f in REQUIRED if f not in mapping]


def _decode(data: bytes) -> tuple[str, str]:
    if b"\x00" in data[:4096]:
        raise ValidationError(ENCODING_MESSAGE, code="encoding")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError as exc:
        raise ValidationError(ENCODING_MESSAGE, code="encoding") from exc
    # Windows-1251 decodes almost any bytes: accept it only if the letters read as Russian.
    letters = [ch for ch in text[:20000] if ch.isalpha()]
    cyrillic = sum(1 for ch in letters if "а" <= ch.lower() <= "я" or ch in "ёЁ")
    if letters and cyrillic / len(letters) < 0.5:
        raise ValidationError(ENCODING_MESSAGE, code="encoding")
    return text, "cp1251"


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ";"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _CONTROL_RE.sub(BAD_CHARACTER, str(value).strip())


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    # The ZIP directory first: a small upload must not unpack (its shared strings are read whole) into gigabytes.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            too_large = zip_is_too_large(
                archive,
                max_unpacked=settings.ROSTER_MAX_UNPACKED_BYTES,
                max_ratio=settings.ROSTER_MAX_COMPRESSION_RATIO,
            )
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ValidationError(XLSX_MESSAGE, code="xlsx") from exc
    if too_large:
        raise ValidationError(XLSX_TOO_LARGE_MESSAGE, code="xlsx_too_large")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationError(XLSX_MESSAGE, code="xlsx") from exc
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_cell(v) for v in row]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError) as exc:
        # A sheet is read as it goes: a broken one shows only here (SyntaxError covers XML parse errors).
        raise ValidationError(XLSX_MESSAGE, code="xlsx") from exc
    finally:
        workbook.close()


def _csv_rows(text: str, delimiter: str):
    text = text.replace("\r\n", "\n")
    if "\n" not in text:
        text = text.replace("\r", "\n")  # a file with the old Mac line endings
    # A lone carriage return left is inside a cell; the csv module would refuse the whole file.
    text = text.replace("\r", BAD_CHARACTER)
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            yield [_CONTROL_RE.sub(BAD_CHARACTER, c.strip()) for c in row]
    except csv.Error as exc:
        raise ValidationError(CSV_MESSAGE, code="csv") from exc


def read_table(*, name: str, data: bytes) -> dict:
    """``{"headers", "rows", "encoding", "delimiter"}`` or a ValidationError with a Russian message."""
    check_upload_size(len(data))
    if not data.strip():
        raise ValidationError(EMPTY_FILE_MESSAGE, code="empty")
    if data[:4] == b"PK\x03\x04" or name.lower().endswith(".xlsx"):
        reader, encoding, delimiter = _xlsx_rows(data), "xlsx", ""
    else:
        text, encoding = _decode(data)
        delimiter = _sniff_delimiter(text)
        reader = _csv_rows(text, delimiter)
    # Rows are read one by one and reading stops past the limit: a sheet of 650,000 rows is not read whole.
    table = []
    for row in reader:
        while row and not row[-1]:
            row.pop()  # Excel pads rows with the empty cells of the sheet's whole width
        if len(row) > MAX_COLUMNS:
            reader.close()
            raise ValidationError(TOO_MANY_COLUMNS_MESSAGE, code="too_many_columns")
        if row:
            table.append(row)
            if len(table) > MAX_ROWS + 1:
                reader.close()
                raise ValidationError(TOO_MANY_ROWS_MESSAGE, code="too_many_rows")
    if not table:
        raise ValidationError(EMPTY_FILE_MESSAGE, code="empty")
    headers, rows = table[0], table[1:]
    if not rows:
        raise ValidationError(NO_ROWS_MESSAGE, code="no_rows")
    return {"headers": headers, "rows": rows, "encoding": encoding, "delimiter": delimiter}


_MOBILE = re.compile(r"^(?:\+?7|8)?(9\d{9})$")


def clean_phone(raw: str) -> str:
    """E.164; a fast path for the usual Russian mobile numbers, the full parser for the rest."""
    digits = re.sub(r"[\s()\-]", "", raw or "")
    match = _MOBILE.match(digits)
    if match:
        return "+7" + match.group(1)
    return normalize_phone(raw)


def parse_date(raw: str) -> datetime.date:
    raw = (raw or "").strip()
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            parsed = datetime.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if year_in_range(parsed):
            return parsed
        break
    raise ValueError(raw)
