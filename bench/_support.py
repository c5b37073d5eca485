"""Pieces the benchmark scripts share: a database and a Redis database of their own, a free port, the
command of the `asgi` service (also what the tests' real ASGI servers run, tests/sockets/servers.py), the
production environment of a web server, a threaded WSGI server and concurrent HTTP clients to time pages with.

Not a benchmark itself (``make bench`` skips files starting with «_»).
"""

import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

COMPOSE_FILE = Path(__file__).resolve().parent.parent / "docker-compose.yml"


def database_urls(base_url: str, name: str) -> tuple[str, str]:
    """(URL of the bench database, URL of the maintenance database) on the server of ``base_url``."""
    parts = urlsplit(base_url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("the benchmarks need PostgreSQL in DATABASE_URL")
    return urlunsplit(parts._replace(path=f"/{name}")), urlunsplit(parts._replace(path="/postgres"))


def recreate_database(maintenance_url: str, name: str, *, drop_only: bool = False) -> None:
    """Drop ``name`` (closing its connections) and, unless ``drop_only``, create it empty."""
    import psycopg2

    connection = psycopg2.connect(maintenance_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_url(base_url: str, db: int) -> str:
    """``base_url`` pointing at Redis database ``db`` (a benchmark's own)."""
    return urlunsplit(urlsplit(base_url)._replace(path=f"/{db}"))


def flush_redis(url: str) -> None:
    """Empty the Redis database of ``url``."""
    import redis

    redis.Redis.from_url(url).flushdb()


def asgi_service_command(*, port: int, host: str = "127.0.0.1", app: str | None = None) -> list[str]:
    """The `asgi` service's command in docker-compose.yml (``uvicorn <app> --host … --port … …``), run by this
    interpreter on ``host:port`` — with another ASGI application when ``app`` is given (the browser tests add
    the static files): the benchmarks and the tests' servers run what production runs, flag for flag."""
    import yaml

    program, *args = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))["services"]["asgi"]["command"]
    if program != "uvicorn" or args[0].startswith("-"):
        raise ValueError(f"the asgi service's command is not `uvicorn <app> …`: {[program, *args]}")
    args = [app or args[0], *args[1:]]
    for option, value in (("--host", host), ("--port", str(port))):
        args[args.index(option) + 1] = value
    return [sys.executable, "-m", program, *args]


def production_env(*, database_url: str, redis_url: str, static_root: str) -> dict[str, str]:
    """The environment of a bench's web server as production runs it (``DJANGO_ENV=production``: DEBUG off, the
    cached template loader, WhiteNoise and the manifest static storage — ``collectstatic`` into ``static_root``
    first — persistent database connections), except plain HTTP on 127.0.0.1 and throwaway keys; nothing in it
    sends an SMS or an e-mail. Sessions are keyed by the secret key: the server and whoever signs in share it."""
    import base64
    import os
    import secrets

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sferum_admin.settings",
        "DJANGO_ENV": "production",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SITE_URL": "https://sferum.college.example",  # production refuses a local address for links
        "MFA_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),  # a Fernet key
        "EMAIL_URL": "smtp://127.0.0.1:1",
        "SMS_BACKEND": "notifications.backends.HttpGatewaySmsBackend",
        "SMS_GATEWAY_URL": "http://127.0.0.1:1/send",
        "STATIC_ROOT": static_root,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "BENCHMARK": "true",
        "LOG_LEVEL": "WARNING",
    }


def serve_wsgi(port: int, threads: int) -> None:
    """Django's WSGI server with a fixed pool of ``threads`` threads, until killed (call ``django.setup()`` first).

    Like gunicorn's threaded workers, and unlike runserver's thread per request, the threads live on, so
    database connections persist (CONN_MAX_AGE, as in production) and each request pays only its own work.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
    from django.core.wsgi import get_wsgi_application

    class PooledWSGIServer(WSGIServer):
        pool = ThreadPoolExecutor(max_workers=threads)

        def process_request(self, request, client_address):
            self.pool.submit(self._handle, request, client_address)

        def _handle(self, request, client_address):
            try:
                self.finish_request(request, client_address)
            except Exception:  # noqa: BLE001 (reported like socketserver does)
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    httpd = PooledWSGIServer(("127.0.0.1", port), WSGIRequestHandler)
    httpd.set_app(get_wsgi_application())
    httpd.serve_forever()


def wait_for_http(url: str, server, log) -> None:
    """Until ``url`` answers (any status), or SystemExit with the server's log if it exits or 60 s pass."""
    import time

    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise SystemExit(f"the server exited: {log.read().decode()[-2000:]}")
        try:
            requests.get(url, timeout=10)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise SystemExit("the server did not start within 60 s")


def http_load(url: str, cookies: dict[str, str], *, threads: int, requests_per_thread: int, deadline: float) -> list:
    """Latencies (seconds) of ``threads`` keep-alive clients sending ``requests_per_thread`` GETs each at once;
    SystemExit on an answer other than 200. Stops early at ``deadline`` (time.monotonic())."""
    import threading
    import time

    import requests

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def worker():
        session = requests.Session()
        for name, value in cookies.items():
            session.cookies.set(name, value, domain="127.0.0.1")
        barrier.wait()
        for _ in range(requests_per_thread):
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            response = session.get(url, timeout=30, allow_redirects=False)
            elapsed = time.perf_counter() - started
            with lock:
                if response.status_code == 200:
                    latencies.append(elapsed)
                else:
                    errors.append(str(response.status_code))

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if errors:
        raise SystemExit(f"{url}: {len(errors)} answers other than 200 ({sorted(set(errors))})")
    return latencies
