"""A real Celery worker process for tests (health check, tasks through Redis)."""

import os
import subprocess
import sys
import time
from pathlib import Path

from sferum_admin.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parents[2]


def ping_workers(timeout: float = 0.5) -> list:
    return celery_app.control.ping(timeout=timeout)


def start_worker(log_path: Path, **extra_env: str) -> subprocess.Popen:
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
    while not ping_workers():
        if process.poll() is not None:
            raise AssertionError(f"the worker exited: {log_path.read_text(encoding='utf-8')[-2000:]}")
        if time.monotonic() > deadline:
            stop_worker(process)
            raise AssertionError("the worker did not answer a ping within 60 s")
    return process


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
