"""/healthz (liveness: touches nothing) and /readyz (database, Redis, Celery workers: a real worker process)."""

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


@pytest.fixture(autouse=True)
def fresh_readiness():
    from sferum_admin.views import readiness_cache_clear

    readiness_cache_clear()
    yield
    readiness_cache_clear()


@pytest.fixture
def broker_untouchable(monkeypatch):
    """Any ping of Redis or of Celery workers fails the test."""
    import redis
    from celery.app.control import Control

    def forbidden(*args, **kwargs):
        raise AssertionError("a broker was called")

    monkeypatch.setattr(redis.Redis, "ping", forbidden)
    monkeypatch.setattr(redis.Redis, "from_url", forbidden)
    monkeypatch.setattr(Control, "ping", forbidden)


@pytest.mark.django_db
def test_liveness_touches_no_database_redis_or_worker(
    client, with_broker, broker_untouchable, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
@pytest.mark.slow
def test_liveness_answers_at_once_when_no_worker_answers(client, with_broker):
    import time

    assert ping_workers() == [], "a stray worker listens on this test run's Redis database"
    started = time.monotonic()

    response = client.get("/healthz")

    assert response.status_code == 200
    assert time.monotonic() - started < 0.3


@pytest.mark.django_db
def test_readiness_answer_is_reused_for_a_few_seconds(client, settings, monkeypatch, django_assert_num_queries):
    settings.READINESS_CACHE_SECONDS = 5
    first = client.get("/readyz")
    import redis

    def forbidden(*args, **kwargs):
        raise AssertionError("readiness checked again within its cache time")

    monkeypatch.setattr(redis.Redis, "from_url", forbidden)

    with django_assert_num_queries(0):
        second = client.get("/readyz")

    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()


@pytest.mark.django_db
def test_readiness_is_checked_again_once_its_cache_time_has_passed(client, settings, monkeypatch):
    settings.READINESS_CACHE_SECONDS = 5
    assert client.get("/readyz").status_code == 200
    from sferum_admin import views

    cached_at, checks = views._readiness["last"]
    views._readiness["last"] = (cached_at - 6, checks)
    monkeypatch.setattr(views, "_check_database", lambda: "error")

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"


@pytest.mark.django_db
def test_without_redis_tasks_run_in_process_and_count_as_healthy(client, settings):
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "in-process", "celery": "in-process"},
    }


@pytest.mark.django_db
@pytest.mark.slow
def test_no_worker_answers_503_no_workers(client, with_broker):
    assert ping_workers() == [], "a stray worker listens on this test run's Redis database"

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "ok", "redis": "ok", "celery": "no-workers"}}


@pytest.mark.django_db
@pytest.mark.slow
def test_running_worker_makes_every_check_ok(client, with_broker, celery_worker_process):
    response = client.get("/readyz")

    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "celery": "ok"}}
    assert response.status_code == 200


@pytest.mark.django_db
def test_redis_down_answers_503(client, with_broker, refused_redis_url):
    with_broker.REDIS_URL = refused_redis_url

    response = client.get("/readyz")

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

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"


def test_bench_bare_view_is_not_routed_outside_benchmarks():
    from django.urls import NoReverseMatch, reverse

    with pytest.raises(NoReverseMatch):
        reverse("bench_bare")


@pytest.mark.slow
def test_worker_logs_through_django_logging_as_json_lines(tmp_path):
    log_path = tmp_path / "worker.log"
    process = start_worker(log_path, LOG_JSON="true", DJANGO_ENV="development")
    stop_worker(process)

    lines = [line for line in log_path.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    assert any(r["logger"].startswith("celery") and "ready" in r["message"] for r in records)


@pytest.mark.django_db
def test_readiness_being_checked_elsewhere_answers_the_last_result_without_waiting(client, settings, monkeypatch):
    settings.READINESS_CACHE_SECONDS = 5
    assert client.get("/readyz").status_code == 200
    from sferum_admin import views

    cached_at, checks = views._readiness["last"]
    views._readiness["last"] = (cached_at - 6, checks)
    monkeypatch.setattr(views, "_check_database", lambda: "error")

    with views._readiness_lock:  # another thread is running the checks
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == checks
