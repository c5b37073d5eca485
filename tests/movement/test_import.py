import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from colleges.models import Membership, Role
from groups.models import Enrollment
from movement import importers, messages, services
from movement.models import ImportBatch, Movement, RosterRow
from tests import factories
from tests.groups.student_counts import assert_student_counts_exact

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
HEADER = "Фамилия;Имя;Отчество;Телефон;Группа;Дата рождения"


def roster(lines, header=HEADER, encoding="cp1251", sep=";") -> bytes:
    text = "\n".join([header.replace(";", sep)] + [line.replace(";", sep) for line in lines]) + "\n"
    return text.encode(encoding)


def upload(admin, college, data, name="kontingent.csv"):
    return services.import_upload(
        actor=admin,
        college=college,
        name=name,
        data=data,
        order_number="77-к",
        order_date=TODAY,
        effective_date=TODAY,
    )


def apply(admin, batch, capture, **kwargs):
    with capture(execute=True):
        services.import_apply_start(actor=admin, batch=batch, **kwargs)
    batch.refresh_from_db()
    return batch


def group_of(phone):
    e = Enrollment.objects.filter(student__user__phone=phone, ended_at__isnull=True).select_related("group").first()
    return e.group.name if e else None


LINES = [
    "Иванов;Иван;Иванович;8 (912) 000-00-01;ИС-20;01.02.2008",
    "Петрова;Мария;;+7 912 000 00 02;ис-21;15.03.2008",
    "Сидоров;Пётр;Петрович;89120000003;ИС-22;",
]


def test_cp1251_semicolon_roster_previews_then_applies(admin, college, groups, django_capture_on_commit_callbacks):
    batch = upload(admin, college, roster(LINES))

    assert (batch.encoding, batch.delimiter, batch.status) == ("cp1251", ";", ImportBatch.Status.PREVIEWED)
    assert batch.summary["new"] == 3
    assert not Membership.objects.filter(college=college, role=Role.STUDENT).exists()

    batch = apply(admin, batch, django_capture_on_commit_callbacks)

    assert batch.status == ImportBatch.Status.APPLIED
    assert (batch.processed, batch.total) == (3, 3)
    assert [group_of(p) for p in ("+79120000001", "+79120000002", "+79120000003")] == ["ИС-20", "ИС-21", "ИС-22"]
    assert Movement.objects.filter(batch=batch, kind="enrol", status="applied").count() == 3
    assert assert_student_counts_exact() == {"ИС-20": 1, "ИС-21": 1, "ИС-22": 1}


def test_names_with_tabs_and_backslashes_are_stored_as_typed(
    admin, college, groups, django_capture_on_commit_callbacks
):
    batch = upload(admin, college, roster(['"Д\\Артаньян\tмл.";Шарль;;89120000001;ИС-20;'], encoding="utf-8"))

    apply(admin, batch, django_capture_on_commit_callbacks)

    assert batch.rows.get().last_name == "Д\\Артаньян\tмл."
    assert Membership.objects.get(user__phone="+79120000001").user.last_name == "Д\\Артаньян\tмл."


def test_utf8_comma_roster_is_sniffed(admin, college, groups):
    batch = upload(admin, college, roster(LINES, encoding="utf-8", sep=","))

    assert (batch.encoding, batch.delimiter, batch.summary["new"]) == ("utf-8", ",", 3)


def test_xlsx_roster_is_read(admin, college, groups):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append(["Иванов", "Иван", "", "89120000001", "ИС-20", datetime.datetime(2008, 2, 1)])
    out = io.BytesIO()
    workbook.save(out)

    batch = upload(admin, college, out.getvalue(), name="kontingent.xlsx")

    row = batch.rows.get()
    assert (batch.encoding, row.action, row.birth_date) == ("xlsx", "new", datetime.date(2008, 2, 1))


def test_reimporting_the_same_file_changes_nothing(admin, college, groups, django_capture_on_commit_callbacks):
    apply(admin, upload(admin, college, roster(LINES)), django_capture_on_commit_callbacks)
    enrollments = Enrollment.objects.count()

    again = upload(admin, college, roster(LINES))
    again = apply(admin, again, django_capture_on_commit_callbacks)

    assert again.summary["unchanged"] == 3
    assert Movement.objects.filter(batch=again).count() == 0
    assert Enrollment.objects.count() == enrollments


def test_changed_group_is_a_transfer(admin, college, groups, django_capture_on_commit_callbacks):
    apply(admin, upload(admin, college, roster(LINES)), django_capture_on_commit_callbacks)
    moved = [LINES[0].replace("ИС-20", "ИС-21"), LINES[1], LINES[2]]

    batch = apply(admin, upload(admin, college, roster(moved)), django_capture_on_commit_callbacks)

    assert batch.summary["transfer"] == 1
    assert group_of("+79120000001") == "ИС-21"
    assert assert_student_counts_exact() == {"ИС-20": 0, "ИС-21": 2, "ИС-22": 1}
    movement = Movement.objects.get(batch=batch)
    assert (movement.kind, movement.from_group.name, movement.to_group.name) == ("transfer", "ИС-20", "ИС-21")


def test_missing_students_are_expelled_only_when_ticked(admin, college, groups, django_capture_on_commit_callbacks):
    apply(admin, upload(admin, college, roster(LINES)), django_capture_on_commit_callbacks)

    kept = apply(admin, upload(admin, college, roster(LINES[:2])), django_capture_on_commit_callbacks)
    assert (kept.summary["missing"], group_of("+79120000003")) == (1, "ИС-22")

    batch = upload(admin, college, roster(LINES[:2]))
    with pytest.raises(ValidationError) as exc:
        services.import_apply_start(actor=admin, batch=batch, include_expulsions=True)
    assert "больше 10%" in exc.value.messages[0]
    batch = apply(admin, batch, django_capture_on_commit_callbacks, include_expulsions=True, confirm_threshold=True)

    assert group_of("+79120000003") is None
    assert assert_student_counts_exact() == {"ИС-20": 1, "ИС-21": 1, "ИС-22": 0}
    assert Membership.objects.get(user__phone="+79120000003", role="student").status == "left"
    assert Movement.objects.get(batch=batch).kind == "expel"


def test_a_roster_with_carriage_returns_only_is_read(admin, college, groups):
    batch = upload(admin, college, roster(LINES).replace(b"\n", b"\r"))

    assert batch.summary["new"] == 3 and not batch.summary["error"]


@pytest.mark.parametrize(
    "line",
    [
        "Ор\rлов;Олег;;89120000009;ИС-20;",
        '"Ор\nлов";Олег;;89120000009;ИС-20;',
        "Ор\x00лов;Олег;;89120000009;ИС-20;",
    ],
)
def test_a_line_break_or_nul_inside_a_cell_is_an_error_of_its_row(admin, college, groups, line):
    # The first 4 KiB are the binary-file check; a NUL after them reached PostgreSQL's JSON.
    padding = [f"Житель{i:05d};Иван;;8913{i:07d};ИС-21;" for i in range(150)]

    batch = upload(admin, college, roster(padding + [LINES[0], line], encoding="utf-8"))

    error = batch.rows.get(action=RosterRow.Action.ERROR)
    assert "есть перенос строки или непечатаемый символ" in error.error
    assert (batch.summary["new"], batch.summary["error"]) == (151, 1)


def test_a_name_longer_than_100_characters_is_an_error_not_cut(admin, college, groups):
    batch = upload(admin, college, roster([LINES[0], "Я" * 300 + ";Олег;;89120000009;ИС-20;"]))

    error = batch.rows.get(action=RosterRow.Action.ERROR)
    assert "Поле «Фамилия» длиннее 100 символов." in error.error


def test_an_xlsx_over_the_row_limit_is_refused_without_reading_it_whole(admin, college, groups, monkeypatch):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER.split(";"))
    for i in range(1000):
        sheet.append(["Иванов", "Иван", "", f"8912{i:07d}", "ИС-20", ""])
    out = io.BytesIO()
    workbook.save(out)
    monkeypatch.setattr(importers, "MAX_ROWS", 10)
    cells = []
    real_cell = importers._cell
    monkeypatch.setattr(importers, "_cell", lambda value: cells.append(value) or real_cell(value))

    with pytest.raises(ValidationError) as exc:
        upload(admin, college, out.getvalue(), name="kontingent.xlsx")

    assert exc.value.code == "too_many_rows"
    assert len(cells) <= 12 * 6
    assert not ImportBatch.objects.exists()


def test_the_owning_apps_write_and_audit_what_an_import_changes(
    admin, college, groups, django_capture_on_commit_callbacks
):
    from audit.models import AuditEvent

    apply(admin, upload(admin, college, roster(LINES)), django_capture_on_commit_callbacks)
    apply(admin, upload(admin, college, roster(LINES[:2])), django_capture_on_commit_callbacks)
    batch = upload(admin, college, roster([LINES[0].replace("ИС-20", "ИС-21"), LINES[1]]))
    apply(admin, batch, django_capture_on_commit_callbacks, include_expulsions=True, confirm_threshold=True)

    events = AuditEvent.objects.filter(action__endswith="_many", actor=admin, college=college)
    counts = {
        action: sum(e.after["count"] for e in events.filter(action=action))
        for action in events.values_list("action", flat=True)
    }
    assert counts == {
        "membership.create_many": 3,
        "enrollment.start_many": 4,
        "enrollment.end_many": 2,
        "membership.end_many": 1,
    }
    expelled = Membership.objects.get(user__phone="+79120000003", role="student")
    assert events.get(action="membership.end_many").after["ids"] == [expelled.pk]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Орлов;Олег;;12345;ИС-20;", "Неверный номер телефона"),
        ("Орлов;Олег;;89120000001;ИС-20;", "повторяется"),
        ("Орлов;Олег;;89120000009;ИС-99;", "Группа «ИС-99» не найдена"),
        ("Орлов;Олег;;89120000009;ИС-20;31.02.2008", "Неверная дата рождения «31.02.2008»"),
        (";Олег;;89120000009;ИС-20;", "Не заполнено поле «Фамилия»"),
    ],
)
def test_malformed_rows_are_reported_and_nothing_is_written(admin, college, groups, line, message):
    batch = upload(admin, college, roster([LINES[0], line]))

    errors = batch.rows.filter(action=RosterRow.Action.ERROR)
    assert errors.count() == 1
    assert message in errors.get().error
    with pytest.raises(ValidationError) as exc:
        services.import_apply_start(actor=admin, batch=batch)
    assert exc.value.messages == [messages.IMPORT_HAS_ERRORS_MESSAGE]
    assert not Membership.objects.filter(college=college, role=Role.STUDENT).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("Фамилия;Имя\n".encode("utf-16"), importers.ENCODING_MESSAGE),
        (b"M\xfcller;J\xfcrgen\nSchr\xf6der;G\xfcnter\n", importers.ENCODING_MESSAGE),
        (b"", importers.EMPTY_FILE_MESSAGE),
        (HEADER.encode("utf-8"), importers.NO_ROWS_MESSAGE),
        (b"PK\x03\x04not really a workbook", importers.XLSX_MESSAGE),
        (('Фамилия;Имя\n"' + "я" * 140_000 + '";Иван\n').encode("utf-8"), importers.CSV_MESSAGE),
    ],
)
def test_unreadable_files_get_a_russian_error_and_no_batch(admin, college, data, message):
    with pytest.raises(ValidationError) as exc:
        upload(admin, college, data)

    assert exc.value.messages == [message]
    assert not ImportBatch.objects.exists()


def test_unknown_headers_need_the_mapping_step(admin, college, groups, django_capture_on_commit_callbacks):
    data = roster(["Иванов;Иван;89120000001;ИС-20"], header="Ф;И;Мобильник;Гр")
    batch = upload(admin, college, data)
    assert batch.status == ImportBatch.Status.NEEDS_MAPPING
    with pytest.raises(ValidationError):
        services.import_set_mapping(actor=admin, batch=batch, mapping={"last_name": 0})

    services.import_set_mapping(
        actor=admin, batch=batch, mapping={"last_name": 0, "first_name": 1, "phone": 2, "group": 3}
    )
    batch = apply(admin, batch, django_capture_on_commit_callbacks)

    assert group_of("+79120000001") == "ИС-20"


def test_rollback_of_an_import_restores_the_roster_by_compensating_movements(
    admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    staying = make_student(groups[0])
    first = apply(admin, upload(admin, college, roster(LINES)), django_capture_on_commit_callbacks)
    second_lines = [LINES[0].replace("ИС-20", "ИС-22"), LINES[1]]
    phone = staying.user.phone
    second = apply(
        admin,
        upload(admin, college, roster(second_lines)),
        django_capture_on_commit_callbacks,
        include_expulsions=True,
        confirm_threshold=True,
    )
    assert (group_of("+79120000001"), group_of(phone), group_of("+79120000003")) == ("ИС-22", None, None)
    assert assert_student_counts_exact() == {"ИС-20": 0, "ИС-21": 1, "ИС-22": 1}

    with django_capture_on_commit_callbacks(execute=True):
        rollback = services.import_rollback(actor=admin, batch=second)

    rollback.refresh_from_db()
    assert rollback.status == ImportBatch.Status.APPLIED
    assert (group_of("+79120000001"), group_of(phone), group_of("+79120000003")) == ("ИС-20", "ИС-20", "ИС-22")
    assert assert_student_counts_exact() == {"ИС-20": 2, "ИС-21": 1, "ИС-22": 1}
    assert Movement.objects.filter(batch=rollback, status="applied").count() == 3
    assert Movement.objects.filter(batch=second, status="applied").count() == 3
    second.refresh_from_db()
    assert second.status == ImportBatch.Status.ROLLED_BACK
    with pytest.raises(ValidationError):
        services.import_rollback(actor=admin, batch=second)
    assert first.status == ImportBatch.Status.APPLIED


def test_import_in_other_college_group_names_do_not_match(admin, college, groups):
    factories.StudyGroupFactory(name="ИС-77")

    batch = upload(admin, college, roster(["Иванов;Иван;;89120000001;ИС-77;"]))

    assert batch.summary["error"] == 1


def test_joined_report_compares_last_import_with_signed_in_students(
    client_for, admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from movement.selectors import NOT_IN_ROSTER, NOT_JOINED, joined_report

    apply(admin, upload(admin, college, roster(LINES[:2])), django_capture_on_commit_callbacks)
    Membership.objects.get(user__phone="+79120000001", role="student").user.__class__.objects.filter(
        phone="+79120000001"
    ).update(last_login=timezone.now())
    outsider = make_student(groups[0])
    outsider.user.__class__.objects.filter(pk=outsider.user_id).update(last_login=timezone.now())

    rows = joined_report(college=college)

    assert {(r["phone"], r["status"]) for r in rows} == {
        ("+79120000002", NOT_JOINED),
        (outsider.user.phone, NOT_IN_ROSTER),
    }
    csv_response = client_for(admin).get("/movement/reports/joined/?format=csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "присоединился, но нет в контингенте" in csv_response.content.decode("utf-8-sig")
    xlsx_response = client_for(admin).get("/movement/reports/joined/?format=xlsx")
    assert xlsx_response.content[:2] == b"PK"


def test_applying_costs_the_same_queries_for_3_rows_and_30(
    admin, college, groups, django_capture_on_commit_callbacks, without_chat_sync
):
    """The apply reads, writes and marks rows in bulk: no query per row (a deferred field read lazily, say)."""

    def lines(start, n):
        return [f"Иванов;Иван;Иванович;8912{start + i:07d};ИС-2{i % 3};01.02.2008" for i in range(n)]

    small, large = upload(admin, college, roster(lines(100, 3))), upload(admin, college, roster(lines(200, 30)))
    with CaptureQueriesContext(connection) as few:
        apply(admin, small, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as many:
        large = apply(admin, large, django_capture_on_commit_callbacks)

    assert large.status == ImportBatch.Status.APPLIED and large.processed == 30
    assert len(many.captured_queries) == len(few.captured_queries)
