"""Pieces the benchmark scripts share: a database and a Redis database of their own, a free port, the
command of the `asgi` service (also what the tests' real ASGI servers run, tests/sockets/servers.py).

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
