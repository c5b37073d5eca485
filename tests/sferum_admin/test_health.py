import pytest


@pytest.mark.django_db
def test_healthz_reports_database_redis_and_celery(client):
    response = client.get("/healthz")

    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == "ok"
    assert body["checks"]["celery"] == "in-process"
    assert response.status_code == 200
