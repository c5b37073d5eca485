"""Browser test against `make run` as a newcomer gets it: SQLite, tasks in-process, the demo college.

The other browser tests run against the PostgreSQL test database; this one
starts the real `make run` with nothing configured, so a flow that works
only on PostgreSQL (the roster import once used COPY) fails here.
"""

import re
import sqlite3

import pytest
from playwright.sync_api import expect

from sferum_admin.management.commands.seed_demo import ADMIN_PHONE, DEMO_TOTP_SECRET
from tests.e2e.helpers import totp_code
from tests.test_make_run import _bare_env, _free_port, _start_make_run, _stop

ROSTER = "Фамилия;Имя;Отчество;Телефон;Группа;Дата рождения\n{rows}"


def _code_sent_to(log_path, phone: str) -> str:
    codes = re.findall(rf"\[SMS → {re.escape(phone)}\][^\n]*?(\d{{6}})", log_path.read_text(encoding="utf-8"))
    assert codes, "no code SMS in the make run output"
    return codes[-1]


@pytest.fixture
def make_run_server(tmp_path):
    database = tmp_path / "run.sqlite3"
    port = _free_port()
    env = {**_bare_env(), "DATABASE_URL": f"sqlite:///{database}"}
    process, log_path = _start_make_run(port=port, env=env, tmp_path=tmp_path)
    try:
        yield f"http://127.0.0.1:{port}", database, log_path
    finally:
        _stop(process)


def test_on_make_run_the_administrator_imports_a_cp1251_roster_on_a_phone(make_run_server, phone_context, tmp_path):
    base_url, database, log_path = make_run_server
    with sqlite3.connect(database) as db:
        (group,) = db.execute("SELECT name FROM groups_studygroup ORDER BY name LIMIT 1").fetchone()
    roster = tmp_path / "kontingent.csv"
    roster.write_bytes(
        ROSTER.format(
            rows=f"Ёлкина;Алёна;Игоревна;8 (912) 555-01-01;{group};03.04.2008\n"
            f"Зайцев;Артём;;+7 912 555 01 02;{group};11.11.2008\n"
        ).encode("cp1251")
    )
    page = phone_context.new_page()

    # Sign in as the demo administrator: the code from the console SMS, then TOTP.
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#by-phone input[name=phone]").fill(ADMIN_PHONE)
    page.locator("#by-phone button[type=submit]").click()
    page.wait_for_url(re.compile("/accounts/login/code/confirm/"))
    page.locator("input[name=code]").fill(_code_sent_to(log_path, ADMIN_PHONE))
    page.locator("input[name=code]").press("Enter")
    page.wait_for_url(re.compile("/accounts/2fa/authenticate/"))
    page.locator("input[name=code]").fill(totp_code(DEMO_TOTP_SECRET))
    page.locator("input[name=code]").press("Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)

    # Upload, check and apply the roster: on SQLite, with tasks in-process.
    page.goto(f"{base_url}/movement/imports/")
    page.get_by_role("button", name="Загрузить файл").click()
    page.get_by_label("Файл контингента (CSV или XLSX)").set_input_files(str(roster))
    page.get_by_label("Номер приказа").fill("55-к")
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.locator("#batch-status")).to_have_text("проверен, ждёт применения")
    page.get_by_text("Новые обучающиеся: 2").click()
    expect(page.get_by_role("cell", name="Ёлкина Алёна Игоревна")).to_be_visible()
    page.get_by_role("button", name="Применить").click()
    expect(page.locator("#import-result")).to_have_text("Применено: записано приказов — 2.", timeout=60_000)

    with sqlite3.connect(database) as db:
        joined = db.execute(
            "SELECT count(*) FROM accounts_user WHERE phone IN ('+79125550101', '+79125550102')"
        ).fetchone()[0]
    assert joined == 2
