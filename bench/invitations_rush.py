"""1,000 distinct people accept one invitation link at once, through the whole HTTP stack.

What it does, in one run:

1. creates a fresh PostgreSQL database (``sferum_bench_inv`` next to the one in
   DATABASE_URL), migrates it and collects the static files into a temporary
   STATIC_ROOT; creates a college, a study group, a student link with
   ``max_uses`` (default 900, so the last 100 must be told «used up»), USERS
   people and a signed-in session for each;
2. starts a real HTTP server: gunicorn with WORKERS sync worker processes
   (default 4 on this 2-core machine), with the production settings
   (``DJANGO_ENV=production``: DEBUG off, persistent database connections with
   health checks, WhiteNoise, HTTPS behind a proxy — the client sends the
   ``X-Forwarded-Proto: https`` a TLS proxy adds, and an ``Origin`` as a browser
   does), the invitation rate limits and burst pause off;
3. sends every person's «Присоединиться» (POST /i/<token>/) from CONNECTIONS
   concurrent connections and prints accepts/s, the answers by status, the CPU
   spent per answer in the gunicorn workers and in PostgreSQL, memberships
   created, over-use (memberships beyond ``max_uses`` — must be 0) and 5xx
   answers (must be 0);
4. stops the server and drops the database.

The client, the server and PostgreSQL share the machine: the CPU per answer is
the figure that does not depend on what else runs.

Usage: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/sferum .venv/bin/python bench/invitations_rush.py``
Options: ``--users``, ``--max-uses``, ``--connections``, ``--workers``, ``--keep``. Every request goes to 127.0.0.1.
"""

import argparse
import http.client
import os
import queue
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench._support import database_urls as _database_urls
from bench._support import free_port as _free_port
from bench._support import recreate_database as _recreate_database

DB_NAME = "sferum_bench_inv"
GOAL_ACCEPTS_PER_SECOND = 300
LOAD_DEADLINE = 300
CSRF_SECRET = "benchcsrfsecretbenchcsrfsecret00"  # 32 characters, sent as cookie and header


def _prepare(users: int, max_uses: int) -> tuple[str, list[str], int, int]:
    """(token, session keys, college id, link id)."""
    import django

    django.setup()
    import datetime

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from accounts.models import User
    from colleges.models import College, Department, Membership, Role
    from groups.models import StudyGroup
    from invitations.services import invitation_create

    college = College.objects.create(
        full_name="ГБПОУ «Колледж для замера»",
        short_name="Колледж для замера",
        inn="7700000001",
        ogrn="1027700000001",
        region="Тверская область",
        address="г. Тверь",
    )
    department = Department.objects.create(college=college, name="Отделение")
    group = StudyGroup.objects.create(college=college, department=department, name="ИС-21", admission_year=2026)
    admin = User.objects.create_user(phone="+79990000000", last_name="Администратор")
    Membership.objects.create(user=admin, college=college, role=Role.ADMINISTRATOR)
    invitation, token = invitation_create(
        actor=admin,
        college=college,
        role=Role.STUDENT,
        group=group,
        max_uses=max_uses,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    people = User.objects.bulk_create(
        [User(phone=f"+7991{i:07d}", last_name=f"Участник{i}", password="!") for i in range(users)]
    )
    keys = []
    for person in people:
        store = SessionStore()
        store[SESSION_KEY] = str(person.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = person.get_session_auth_hash()
        store.create()
        keys.append(store.session_key)
    return token, keys, college.pk, invitation.pk


def _rush(port: int, token: str, session_keys: list[str], connections: int) -> tuple[Counter, float, list[str]]:
    work: queue.Queue[str] = queue.Queue()
    for key in session_keys:
        work.put(key)
    answers: Counter = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(connections + 1)
    path = f"/i/{token}/"
    deadline = time.monotonic() + LOAD_DEADLINE

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        while time.monotonic() < deadline:
            try:
                key = work.get_nowait()
            except queue.Empty:
                break
            headers = {
                "Cookie": f"sessionid={key}; csrftoken={CSRF_SECRET}",
                "X-CSRFToken": CSRF_SECRET,
                "Content-Length": "0",
                "Host": f"127.0.0.1:{port}",
                # What the TLS-terminating proxy in front of gunicorn adds; the browser sends Origin.
                "X-Forwarded-Proto": "https",
                "Origin": f"https://127.0.0.1:{port}",
            }
            for attempt in range(2):
                try:
                    conn.request("POST", path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                    if response.getheader("Connection", "").lower() == "close":
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    break
                except (http.client.HTTPException, OSError) as exc:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    if attempt == 1:
                        status = "network"
                        with lock:
                            errors.append(repr(exc))
            with lock:
                answers[status] += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return answers, time.perf_counter() - started, errors


def _outcome(college_id: int, link_id: int) -> dict[str, int]:
    from colleges.models import Membership
    from groups.models import Enrollment
    from invitations.models import Invitation

    return {
        "memberships": Membership.objects.filter(college_id=college_id, role="student").count(),
        "enrollments": Enrollment.objects.filter(college_id=college_id, ended_at__isnull=True).count(),
        "uses_count": Invitation.objects.get(pk=link_id).uses_count,
    }


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _database_backends() -> list[int]:
    """Server processes of the bench database's connections, this process's own excluded."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [DB_NAME])
        return [pid for (pid,) in cursor.fetchall()]


def _wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--max-uses", type=int, default=900)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync worker processes")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sferum")
    bench_url, maintenance_url = _database_urls(base, DB_NAME)
    static_root = tempfile.mkdtemp(prefix="sferum-bench-static-")
    env = {
        **os.environ,
        # Persistent connections as in production; DEBUG off (no query log kept in memory).
        # Production settings: DEBUG off, persistent connections with health checks (CONN_MAX_AGE),
        # WhiteNoise, HTTPS behind a proxy (the client sends X-Forwarded-Proto like the proxy would).
        "DATABASE_URL": bench_url,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "ERROR",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        # The rush is one IP and one burst by design: protections off, measured elsewhere (tests).
        "INVITATION_BURST_LIMIT": "100000000",
        "INVITATION_OPEN_LIMIT_PER_IP": "0",
        "INVITATION_ACCEPT_LIMIT_PER_IP": "0",
        "INVITATION_ACCEPT_LIMIT_PER_USER": "0",
        "DJANGO_SETTINGS_MODULE": "sferum_admin.settings",
    }
    os.environ.update(env)
    _recreate_database(maintenance_url, DB_NAME)
    servers = []
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True
        )
        # The «used up» page links static files through the production manifest.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True
        )
        started = time.perf_counter()
        token, keys, college_id, link_id = _prepare(args.users, args.max_uses)
        print(f"prepared {args.users} people with sessions in {time.perf_counter() - started:.1f}s")

        port = _free_port()
        server_log = tempfile.TemporaryFile()
        servers.append(
            subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("gunicorn")),
                    "sferum_admin.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(args.workers),
                    "--worker-class",
                    "sync",
                    "--backlog",
                    "256",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=server_log,
            )
        )
        _wait_for_port(port)
        time.sleep(1.0)

        workers = _children(servers[0].pid)
        app_cpu = _cpu_seconds(workers)
        answers, elapsed, errors = _rush(port, token, keys, args.connections)
        app_cpu = _cpu_seconds(workers) - app_cpu
        # The workers opened their persistent connections during the rush: their whole CPU is the rush's.
        db_cpu = _cpu_seconds(_database_backends())
        outcome = _outcome(college_id, link_id)
        total = sum(answers.values())
        server_errors = sum(n for status, n in answers.items() if isinstance(status, int) and status >= 500)
        over_use = max(outcome["memberships"] - args.max_uses, 0)
        print(
            f"users: {args.users}, link max_uses: {args.max_uses}, connections: {args.connections}, "
            f"server: gunicorn, {args.workers} sync workers, production settings"
        )
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (shared with the database and client)")
        print(f"answers: {dict(sorted(answers.items(), key=str))} (302 = joined, 409 = used up)")
        print(f"accepts/s: {total / elapsed:.0f} ({total} answers in {elapsed:.2f}s; goal ≥ {GOAL_ACCEPTS_PER_SECOND})")
        print(
            f"CPU per answer: {app_cpu / total * 1000:.1f} ms in the gunicorn workers, "
            f"{db_cpu / total * 1000:.1f} ms in PostgreSQL"
        )
        print(
            f"memberships created: {outcome['memberships']}, enrollments: {outcome['enrollments']}, "
            f"link uses_count: {outcome['uses_count']}"
        )
        print(f"over-use: {over_use} (must be 0)")
        print(f"5xx: {server_errors} (must be 0); network errors: {len(errors)}")
        if server_errors:
            server_log.seek(0)
            print(server_log.read().decode(errors="replace")[-3000:])
        ok = (
            over_use == 0
            and server_errors == 0
            and not errors
            and outcome["memberships"] == min(args.users, args.max_uses)
            and outcome["uses_count"] == outcome["memberships"]
        )
        print("invariant:", "OK" if ok else "BROKEN")
        if not ok:
            raise SystemExit(1)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        from django.db import connections

        connections.close_all()
        shutil.rmtree(static_root, ignore_errors=True)
        if not args.keep:
            _recreate_database(maintenance_url, DB_NAME, drop_only=True)


if __name__ == "__main__":
    main()
