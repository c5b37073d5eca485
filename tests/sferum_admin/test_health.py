"""/healthz: database, Redis and Celery workers, against a real worker process."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sferum_admin.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parents[2]


def _ping(timeout: float = 0.5) -> list:
    return celery_app.control.ping(timeout=timeout)


def _start_worker(log_path: Path, **extra_env: str) -> subprocess.Popen:
    """A real Celery worker, started as `make run` starts one, against this test run's Redis."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sferum_admin.settings_test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **extra_env,
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "sferum_admin",
                "worker",
                "--concurrency=1",
                "-P",
                "solo",
                "-n",
                f"healthz-test-{os.getpid()}@%h",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while not _ping():
        if process.poll() is not None:
            raise AssertionError(f"the worker exited: {log_path.read_text(encoding='utf-8')[-2000:]}")
        if time.monotonic() > deadline:
            _stop(process)
            raise AssertionError("the worker did not answer a ping within 60 s")
    return process


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def celery_worker_process(tmp_path):
    process = _start_worker(tmp_path / "worker.log")
    yield process
    _stop(process)


@pytest.fixture
def with_broker(settings):
    """Tasks go to Redis instead of running in-process, as in production."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    return settings


@pytest.mark.django_db
def test_without_redis_tasks_run_in_process_and_count_as_healthy(client, settings):
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "in-process", "celery": "in-process"},
    }


@pytest.mark.django_db
def test_no_worker_answers_503_no_workers(client, with_broker):
    assert _ping() == [], "a stray worker listens on this test run's Redis database"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "ok", "redis": "ok", "celery": "no-workers"}}


@pytest.mark.django_db
def test_running_worker_makes_every_check_ok(client, with_broker, celery_worker_process):
    response = client.get("/healthz")

    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "celery": "ok"}}
    assert response.status_code == 200


@pytest.mark.django_db
def test_redis_down_answers_503(client, with_broker, refused_redis_url):
    with_broker.REDIS_URL = refused_redis_url

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "error"
    assert response.json()["checks"]["celery"] == "error"
    assert "127.0.0.1" not in response.content.decode()


@pytest.fixture
def refused_redis_url():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.mark.django_db
def test_database_down_answers_503(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"


def test_bench_bare_view_is_not_routed_outside_benchmarks():
    from django.urls import NoReverseMatch, reverse

    with pytest.raises(NoReverseMatch):
        reverse("bench_bare")


def test_worker_logs_through_django_logging_as_json_lines(tmp_path):
    log_path = tmp_path / "worker.log"
    process = _start_worker(log_path, LOG_JSON="true", DJANGO_ENV="development")
    _stop(process)

    lines = [line for line in log_path.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    assert any(r["logger"].startswith("celery") and "ready" in r["message"] for r in records)
