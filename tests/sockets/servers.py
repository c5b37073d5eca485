"""Real ASGI servers for WebSocket tests: the `asgi` service's command of docker-compose.yml (uvicorn serving
``sferum_admin.asgi:application``, flag for flag: ``bench._support.asgi_service_command``), one worker
process each, against the test database and the Redis channel layer.

``asgi_server_pair`` (a fixture; its tests are marked slow, tests/test_markers.py) starts two, so a test
shows that what is sent through one process reaches a socket held by the other. Sessions are in the
database (settings' test mode), so a cookie from ``socket_headers`` signs a socket in on either.
"""

import os
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from bench._support import asgi_service_command

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _test_database_url() -> str:
    """The database this pytest process made (test_…), for the servers to share."""
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the ASGI server processes share the PostgreSQL test database")
    auth = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _server_env(redis_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="sferum_admin.settings_test",
        DATABASE_URL=_test_database_url(),
        REDIS_URL=redis_url,
        PYTHONUNBUFFERED="1",
        WEB_CONCURRENCY="1",  # uvicorn's --workers: one process per server (the service runs ASGI_WORKERS)
    )
    return env


def _wait_until_listening(port: int, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the ASGI server exited:\n{log_path.read_text(encoding='utf-8')[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"the ASGI server did not listen on {port}:\n{log_path.read_text(encoding='utf-8')[-3000:]}")


def start_asgi_server(*, redis_url: str, log_path: Path, app: str | None = None) -> tuple[subprocess.Popen, int]:
    """One server process on a free port (the project's application, or ``app``); returns once it accepts
    connections."""
    port = _free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            asgi_service_command(port=port, app=app),
            cwd=BASE_DIR,
            env=_server_env(redis_url),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_listening(port, process, log_path)
    except BaseException:
        stop_asgi_server(process)
        raise
    return process, port


def stop_asgi_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


@pytest.fixture
def asgi_server_pair(transactional_db, settings, tmp_path):
    """Two server processes sharing the test database and the Redis channel layer at REDIS_URL:
    yields their addresses, ``("ws://127.0.0.1:<a>", "ws://127.0.0.1:<b>")``."""
    if not settings.REDIS_URL:
        pytest.skip("two server processes share the Redis channel layer: set REDIS_URL")
    servers = []
    try:
        for name in ("a", "b"):
            servers.append(start_asgi_server(redis_url=settings.REDIS_URL, log_path=tmp_path / f"asgi-{name}.log"))
        yield tuple(f"ws://127.0.0.1:{port}" for _, port in servers)
    finally:
        for process, _ in servers:
            stop_asgi_server(process)
