"""Bounds on a roster upload: its size before it is read, an XLSX's unpacked size, rows and columns (issue point 5)."""

import datetime
import io
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from movement import importers, services
from movement.models import ImportBatch

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
HEADER = ["Фамилия", "Имя", "Отчество", "Телефон", "Группа", "Дата рождения"]


def upload(admin, college, data, name="k.xlsx"):
    return services.import_upload(
        actor=admin,
        college=college,
        name=name,
        data=data,
        order_number="1",
        order_date=TODAY,
        effective_date=TODAY,
    )


def xlsx(rows: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append([f"Иванов{i}", "Иван", "Иванович", f"8912{i:07d}", "ИС-20", "01.02.2008"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_of_size(size: int) -> bytes:
    line = "Иванов;Иван;;89120000001;ИС-20;\n".encode("cp1251")
    head = (";".join(HEADER) + "\n").encode("cp1251")
    return head + line * (size // len(line) + 1)


def test_a_file_over_the_size_setting_is_refused_before_reading_on_the_page_the_api_and_the_service(
    client_for, admin, college, groups, settings, monkeypatch
):
    settings.ROSTER_MAX_UPLOAD_BYTES = 1024 * 1024
    data = csv_of_size(1024 * 1024 + 10)
    monkeypatch.setattr(importers, "_decode", lambda data: pytest.fail("a file over the limit was read"))
    fields = {"order_number": "1", "order_date": TODAY.isoformat(), "effective_date": TODAY.isoformat()}
    api = APIClient()
    api.force_authenticate(admin)

    page = client_for(admin).post(
        reverse("movement:import_upload"), {"file": SimpleUploadedFile("k.csv", data), **fields}
    )
    answer = api.post("/api/v1/movement/imports/", {"file": SimpleUploadedFile("k.csv", data), **fields})
    with pytest.raises(ValidationError) as exc:
        upload(admin, college, data, name="k.csv")

    message = "Файл больше 1 МБ. Разделите контингент на несколько файлов."
    assert page.status_code == 400 and message in page.content.decode()
    assert answer.status_code == 400 and answer.data["file"] == [message]
    assert (exc.value.code, exc.value.messages) == ("too_large", [message])
    assert not ImportBatch.objects.exists()


def test_an_xlsx_packed_like_a_zip_bomb_is_refused_before_it_is_unpacked(admin, college, groups, monkeypatch):
    out = io.BytesIO(xlsx(3))
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/filler.bin", b"\0" * (8 * 1024 * 1024))
    monkeypatch.setattr(importers, "_cell", lambda value: pytest.fail("the sheet was read"))

    with pytest.raises(ValidationError) as exc:
        upload(admin, college, out.getvalue())

    assert exc.value.code == "xlsx_too_large"
    assert "распаковывается в слишком большой объём" in exc.value.messages[0]
    assert not ImportBatch.objects.exists()


def test_an_xlsx_unpacking_over_the_setting_is_refused(admin, college, groups, settings):
    data = xlsx(500)
    settings.ROSTER_MAX_UNPACKED_BYTES = 50_000

    with pytest.raises(ValidationError) as exc:
        upload(admin, college, data)

    assert exc.value.code == "xlsx_too_large"
    settings.ROSTER_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
    assert upload(admin, college, data).summary["new"] == 500


def test_a_row_with_too_many_filled_columns_is_refused(admin, college, groups):
    wide = ";".join(HEADER + [f"Столбец {i}" for i in range(200)])
    data = f"{wide}\nИванов;Иван;;89120000001;ИС-20;\n".encode()

    with pytest.raises(ValidationError) as exc:
        upload(admin, college, data, name="k.csv")

    assert exc.value.code == "too_many_columns"


@pytest.mark.slow
def test_a_60000_row_xlsx_is_refused_reading_at_most_the_limit_in_bounded_memory(admin, college, groups, monkeypatch):
    data = xlsx(60_000)
    cells = 0
    real_cell = importers._cell

    def counting(value):
        nonlocal cells
        cells += 1
        return real_cell(value)

    monkeypatch.setattr(importers, "_cell", counting)
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as exc:
            upload(admin, college, data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert exc.value.code == "too_many_rows"
    assert cells <= (importers.MAX_ROWS + 2) * len(HEADER)  # reading stopped at the limit
    assert peak < 64 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB"
    assert not ImportBatch.objects.exists()
