"""`make run` on a machine with no services: SQLite, tasks in-process, the demo college, a Russian sign-in page."""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest
import requests

# Each test starts Python or `make run` in a subprocess: left out of `make test-fast`.
pytestmark = pytest.mark.slow

BASE_DIR = Path(__file__).resolve().parent.parent
SERVICE_VARIABLES = (
    "SITE_URL",
    "RUN_PORT",
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_ENV",
    "DJANGO_SETTINGS_MODULE",
    "CELERY_TASK_ALWAYS_EAGER",
    "SMS_BACKEND",
)


def _bare_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}


def test_with_nothing_configured_the_app_needs_no_services():
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
        "'engine': s.DATABASES['default']['ENGINE'], 'eager': s.CELERY_TASK_ALWAYS_EAGER,"
        "'channels': s.CHANNEL_LAYERS['default']['BACKEND'], 'cache': s.CACHES['default']['BACKEND'],"
        "'sms': s.SMS_BACKEND, 'debug': s.DEBUG}))"
    )
    env = {**_bare_env(), "DJANGO_SETTINGS_MODULE": "sferum_admin.settings"}

    result = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "engine": "django.db.backends.sqlite3",
        "eager": True,
        "channels": "channels.layers.InMemoryChannelLayer",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "sms": "notifications.backends.ConsoleSmsBackend",
        "debug": True,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_make_run(*, port: int, env: dict[str, str], tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    """`make run` on ``port``, its output in a log file; returns once the sign-in page answers."""
    log_path = tmp_path / "make-run.log"
    with log_path.open("wb") as log:
        # -o: the virtualenv and npm packages are installed already; never reinstall here.
        process = subprocess.Popen(
            ["make", "-o", ".venv/.installed", "-o", "node_modules/.installed", "run", f"RUN_PORT={port}"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for(f"http://127.0.0.1:{port}/accounts/login/", process, log_path)
    except BaseException:
        _stop(process)
        raise
    return process, log_path


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def test_make_run_serves_the_russian_sign_in_page_and_prints_the_demo_sign_in(tmp_path):
    port = _free_port()
    # SQLite in a temporary file: the default path is the checkout's own db.sqlite3.
    env = {**_bare_env(), "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}"}
    process, log_path = _start_make_run(port=port, env=env, tmp_path=tmp_path)
    try:
        login = requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=10)
        health = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
        echo = asyncio.run(_ping(f"http://127.0.0.1:{port}"))
    finally:
        _stop(process)

    output = log_path.read_text(encoding="utf-8")
    assert login.status_code == 200
    assert '<html lang="ru"' in login.text
    assert "Войти" in login.text and "Номер телефона" in login.text
    assert health.json()["checks"] == {"database": "ok", "redis": "in-process", "celery": "in-process"}
    # The same port serves WebSockets (daphne's runserver): the echo of /ws/ping/.
    assert echo["n"] == 1 and "server_time" in echo
    assert "Вход в демо-колледж" in output
    # The printed sign-in address (and every link the demo makes) is where this server runs.
    assert f"Страница входа: http://127.0.0.1:{port}/accounts/login/" in output
    assert "127.0.0.1:8000" not in output
    assert "+79990000001" in output
    assert "Celery tasks run in-process" in output


async def _ping(site: str) -> dict:
    async with aiohttp.ClientSession() as http, http.ws_connect(f"{site}/ws/ping/", origin=site) as socket_:
        await socket_.send_json({"n": 1})
        return await socket_.receive_json(timeout=10)


def _wait_for(url: str, process: subprocess.Popen, log_path: Path) -> requests.Response:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make run exited:\n{log_path.read_text(encoding='utf-8')[-3000:]}")
        try:
            return requests.get(url, timeout=10)
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.5)
    raise AssertionError(f"make run did not serve {url}:\n{log_path.read_text(encoding='utf-8')[-3000:]}")
