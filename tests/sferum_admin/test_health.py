"""/healthz: database, Redis and Celery workers, against a real worker process."""

import json

import pytest

from tests.sferum_admin.worker import ping_workers, start_worker, stop_worker


@pytest.fixture
def celery_worker_process(tmp_path):
    process = start_worker(tmp_path / "worker.log")
    yield process
    stop_worker(process)


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
    assert ping_workers() == [], "a stray worker listens on this test run's Redis database"

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
    process = start_worker(log_path, LOG_JSON="true", DJANGO_ENV="development")
    stop_worker(process)

    lines = [line for line in log_path.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    assert any(r["logger"].startswith("celery") and "ready" in r["message"] for r in records)
