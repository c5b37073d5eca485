"""1,000 distinct people accept one invitation link at once, through the whole HTTP stack.

What it does, in one run:

1. creates a fresh PostgreSQL database (``sferum_bench_inv`` next to the one in
   DATABASE_URL), migrates it and collects the static files into a temporary
   STATIC_ROOT; empties its own Redis database (REDIS_DB of the server in
   REDIS_URL) for the cache and the sessions, as production keeps them;
2. starts a real HTTP server: gunicorn with WORKERS gthread workers of THREADS
   threads each (default 3 × 2 on this 2-core machine; gthread keeps
   connections alive, as a browser's are), with the production settings
   (``DJANGO_ENV=production``: DEBUG off, persistent database connections with
   health checks, sessions through Redis, WhiteNoise, HTTPS behind a proxy —
   the client sends the ``X-Forwarded-Proto: https`` a TLS proxy adds, and an
   ``Origin`` as a browser does; Celery tasks queued to the broker in that Redis
   database, with no worker taking them: the figures are the web's), the
   invitation rate limits and burst pause off;
   with ``--pgbouncer``, the server reaches the database through Debian's
   PgBouncer in transaction pool mode (``DATABASE_POOLING=transaction``), started
   on a free port with a configuration in a temporary folder;
3. after a warm-up rush of WARM_UP_USERS people that does not count, ROUNDS
   times (default 5): creates a college, a study group, a student link
   with ``max_uses`` (default 900, so the last 100 must be told «used up»),
   USERS people and a signed-in session for each, then sends every person's
   «Присоединиться» (POST /i/<token>/) from CONNECTIONS concurrent connections
   and prints accepts/s, the answers by status, how busy the machine was, the
   CPU spent per answer in the gunicorn workers, in PostgreSQL (and PgBouncer)
   and in the client, memberships and enrollments created, over-use
   (memberships beyond ``max_uses`` — must be 0), 5xx answers (must be 0) and
   the tasks queued;
   then the same sessions send as many POSTs to ``/bench/bare/`` (routed with
   ``BENCHMARK``: the same middleware, CSRF and session user, answered by a
   redirect with no work of its own) and it prints that rate and the ratio;
4. prints the median accepts/s and bare POSTs/s of the rounds and their ratio
   next to the goals (≥ 200 accepts/s and ≥ 0.4 × the bare rate), stops the
   server (and PgBouncer) and drops the database.

The client, the server and PostgreSQL share the machine, and other work on it
moves a single rush by ±10 %: hence the rounds and their median, and the bare
rate measured in the same round. The CPU per answer is the figure that does
not depend on what else runs.

Usage: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/sferum .venv/bin/python bench/invitations_rush.py``
Options: ``--users``, ``--max-uses``, ``--connections``, ``--workers``, ``--worker-class``, ``--threads``,
``--rounds``, ``--keep``, ``--pgbouncer``. Every request goes to 127.0.0.1.

``--in-process N`` starts no server: N accepts, then N bare POSTs, through Django's handler in this process,
one at a time, printing each one's CPU, statements and Redis round trips (see ``_in_process``): the figure
to compare before and after a change on a busy machine.
"""

import argparse
import base64
import http.client
import os
import pwd
import queue
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench._support import database_urls as _database_urls
from bench._support import flush_redis as _flush_redis
from bench._support import free_port as _free_port
from bench._support import recreate_database as _recreate_database
from bench._support import redis_url as _redis_url

DB_NAME = "sferum_bench_inv"  # with the suffix of DATABASE_URL's own name (sferum_x → sferum_bench_inv_x)
GOAL_ACCEPTS_PER_SECOND = 200
GOAL_SHARE_OF_BARE = 0.4
PGBOUNCER = "/usr/sbin/pgbouncer"
LOAD_DEADLINE = 300
CSRF_SECRET = "benchcsrfsecretbenchcsrfsecret00"  # 32 characters, sent as cookie and header
REDIS_DB = 13  # the bench's own Redis database, emptied before the run
WARM_UP_USERS = 300


def _prepare(users: int, max_uses: int, round_: int = 0) -> tuple[str, list[str], int, int]:
    """(token, session keys, college id, link id): a college of its own for each round."""
    import django

    django.setup()
    import datetime
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    from django.utils import timezone

    from accounts.models import User
    from colleges.models import College, Department, Membership, Role
    from groups.models import StudyGroup
    from invitations.services import invitation_create

    college = College.objects.create(
        full_name="ГБПОУ «Колледж для замера»",
        short_name="Колледж для замера",
        inn=f"77000000{round_:02d}",
        ogrn=f"10277000000{round_:02d}",
        region="Тверская область",
        address="г. Тверь",
    )
    department = Department.objects.create(college=college, name="Отделение")
    group = StudyGroup.objects.create(college=college, department=department, name="ИС-21", admission_year=2026)
    admin = User.objects.create_user(phone=f"+7998{round_:07d}", last_name="Администратор")
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
        [
            User(phone=f"+79{round_ + 10:02d}{i:07d}", last_name=f"Участник{i}", first_name="Анна", password="!")
            for i in range(users)
        ]
    )
    keys = []
    for person in people:
        store = SessionStore()
        store[SESSION_KEY] = str(person.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = person.get_session_auth_hash()
        store.create()
        keys.append(store.session_key)
    return token, keys, college.pk, invitation.pk


def _rush(port: int, path: str, session_keys: list[str], connections: int) -> tuple[Counter, float, list[str]]:
    work: queue.Queue[str] = queue.Queue()
    for key in session_keys:
        work.put(key)
    answers: Counter = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(connections + 1)
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


def _queued_tasks() -> int:
    """Celery messages waiting in the broker's default queue (the bench's Redis database)."""
    import redis

    return redis.Redis.from_url(os.environ["REDIS_URL"]).llen("celery")


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


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far (Linux /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def _busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    return (after[0] - before[0]) / max(after[1] - before[1], 1)


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


def _round(args, round_: int, port: int, workers: list[int], server_log) -> tuple[float, float, bool]:
    """One rush at a fresh link by fresh people, then the same people's bare POSTs; prints their figures,
    returns (accepts/s, bare POSTs/s, invariants held)."""
    started = time.perf_counter()
    token, keys, college_id, link_id = _prepare(args.users, args.max_uses, round_)
    prepared = time.perf_counter() - started
    db_before = _cpu_seconds(_database_backends() + args.pooler_pids)
    app_cpu = _cpu_seconds(workers)
    client_cpu = time.process_time()
    machine = _machine_ticks()
    queued = _queued_tasks()
    answers, elapsed, errors = _rush(port, f"/i/{token}/", keys, args.connections)
    queued = _queued_tasks() - queued
    machine_busy = _busy_share(machine, _machine_ticks())
    client_cpu = time.process_time() - client_cpu
    app_cpu = _cpu_seconds(workers) - app_cpu
    # The warm-up's workers open their persistent connections during the rush: then all their CPU is the rush's.
    db_cpu = _cpu_seconds(_database_backends() + args.pooler_pids) - (db_before if round_ else 0)
    outcome = _outcome(college_id, link_id)
    total = sum(answers.values())
    server_errors = sum(n for status, n in answers.items() if isinstance(status, int) and status >= 500)
    over_use = max(outcome["memberships"] - args.max_uses, 0)
    rate = total / elapsed
    print(
        f"round {round_} (people prepared in {prepared:.1f}s): {rate:.0f} accepts/s ({total} answers in"
        f" {elapsed:.2f}s), answers {dict(sorted(answers.items(), key=str))} (302 = joined, 409 = used up);"
        f" machine busy {machine_busy:.0%}"
    )
    print(
        f"  CPU per answer: {app_cpu / total * 1000:.1f} ms in the gunicorn workers, "
        f"{db_cpu / total * 1000:.1f} ms in PostgreSQL{' and PgBouncer' if args.pooler_pids else ''}, "
        f"{client_cpu / total * 1000:.1f} ms in the client"
    )
    print(
        f"  memberships created: {outcome['memberships']}, enrollments: {outcome['enrollments']}, "
        f"link uses_count: {outcome['uses_count']}; over-use: {over_use} (must be 0); "
        f"5xx: {server_errors} (must be 0); network errors: {len(errors)}; tasks queued: {queued}"
    )
    bare_cpu = _cpu_seconds(workers)
    bare_answers, bare_elapsed, bare_errors = _rush(port, "/bench/bare/", keys, args.connections)
    bare_cpu = (_cpu_seconds(workers) - bare_cpu) / max(sum(bare_answers.values()), 1)
    bare_rate = sum(bare_answers.values()) / bare_elapsed
    print(
        f"  bare POST (redirect only): {bare_rate:.0f}/s, answers {dict(sorted(bare_answers.items(), key=str))},"
        f" {bare_cpu * 1000:.1f} ms CPU per answer in the gunicorn workers; accepts at {rate / bare_rate:.2f} × the"
        " bare rate"
    )
    if server_errors:
        server_log.seek(0)
        print(server_log.read().decode(errors="replace")[-3000:])
    ok = (
        over_use == 0
        and server_errors == 0
        and not errors
        and outcome["memberships"] == min(args.users, args.max_uses)
        and outcome["enrollments"] == outcome["memberships"]
        and outcome["uses_count"] == outcome["memberships"]
        and set(bare_answers) == {302}
        and not bare_errors
    )
    return rate, bare_rate, ok


def _summary(rates: list[float], bare_rates: list[float]) -> None:
    median, bare = statistics.median(rates), statistics.median(bare_rates)
    share = statistics.median(rate / bare_rate for rate, bare_rate in zip(rates, bare_rates, strict=True))
    print(
        f"accepts/s over {len(rates)} rounds: {', '.join(f'{r:.0f}' for r in rates)}; median {median:.0f} "
        f"(goal ≥ {GOAL_ACCEPTS_PER_SECOND}: {'met' if median >= GOAL_ACCEPTS_PER_SECOND else 'NOT met'})"
    )
    print(
        f"bare POSTs/s: {', '.join(f'{r:.0f}' for r in bare_rates)}; median {bare:.0f}; accepts at a median "
        f"{share:.2f} × the bare rate of their round (goal ≥ {GOAL_SHARE_OF_BARE}: "
        f"{'met' if share >= GOAL_SHARE_OF_BARE else 'NOT met'})"
    )


def _start_pgbouncer(bench_url: str, folder: str) -> tuple[subprocess.Popen, str]:
    """PgBouncer in transaction pool mode on a free port in front of the bench database, configured in
    ``folder``; returns the process and the database URL through it. As root it runs as ``postgres``
    (PgBouncer refuses root)."""
    parts = urlsplit(bench_url)
    user = parts.username or "postgres"
    port = _free_port()
    config = Path(folder, "pgbouncer.ini")
    Path(folder, "users.txt").write_text(f'"{user}" ""\n')
    config.write_text(
        f"""[databases]
{DB_NAME} = host={parts.hostname or "127.0.0.1"} port={parts.port or 5432} dbname={DB_NAME} user={user}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
ignore_startup_parameters = extra_float_digits,options
logfile = {folder}/pgbouncer.log
"""
    )
    command = [PGBOUNCER, str(config)]
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        for path in (folder, *Path(folder).iterdir()):
            os.chown(path, owner.pw_uid, owner.pw_gid)
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for_port(port)
    return process, urlunsplit(parts._replace(netloc=f"{user}@127.0.0.1:{port}"))


def _in_process(requests: int) -> None:
    """``--in-process N``: N people accept a link (all of them join), then the same N send the bare POST,
    through Django's WSGI handler in this process with the server's settings, one at a time; prints the CPU
    of each kind of request and what it sends to PostgreSQL and Redis. Other work on the machine moves these
    figures far less than a rush's; for counts that do not move at all, run it under
    ``valgrind --tool=cachegrind --cache-sim=no`` with two values of N and divide the difference."""
    import io

    import redis.connection
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    token, keys, _, _ = _prepare(requests + 10, requests + 10, round_=1)
    handler = WSGIHandler()
    counts = Counter()

    def post(path: str, key: str) -> str:
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1", "CONTENT_LENGTH": "0",
            "HTTP_COOKIE": f"sessionid={key}; csrftoken={CSRF_SECRET}", "HTTP_X_CSRFTOKEN": CSRF_SECRET,
            "HTTP_X_FORWARDED_PROTO": "https", "HTTP_ORIGIN": "https://127.0.0.1",
            "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
        }  # fmt: skip
        status = []
        b"".join(handler(environ, lambda line, headers, *_: status.append(line)))
        return status[0].split()[0]

    def statement(execute, sql, params, many, context):
        counts["statements"] += 1
        return execute(sql, params, many, context)

    send = redis.connection.AbstractConnection.send_packed_command

    def round_trip(self, command, check_health=True):
        counts["Redis round trips"] += 1
        return send(self, command, check_health)

    for key in keys[:10]:  # warm: templates, URL resolvers, compiled statements, connections
        post(f"/i/{token}/", key), post("/bench/bare/", key)
    with connection.cursor() as cursor:  # the server process of this connection, whose CPU is the database's
        cursor.execute("SELECT pg_backend_pid()")
        backend = [cursor.fetchone()[0]]
    redis.connection.AbstractConnection.send_packed_command = round_trip
    for name, path in (("accept", f"/i/{token}/"), ("bare POST", "/bench/bare/")):
        counts.clear()
        statuses = Counter()
        with connection.execute_wrapper(statement):
            started, database = time.thread_time(), _cpu_seconds(backend)
            for key in keys[10:]:
                statuses[post(path, key)] += 1
            cpu = (time.thread_time() - started) / requests
            database = (_cpu_seconds(backend) - database) / requests
        print(
            f"{name}: {cpu * 1000:.2f} ms CPU per request in-process, {database * 1000:.2f} ms in PostgreSQL,"
            f" answers {dict(statuses)}; per request "
            + ", ".join(f"{what} {n / requests:.1f}" for what, n in sorted(counts.items()))
        )
    redis.connection.AbstractConnection.send_packed_command = send


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--max-uses", type=int, default=900)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"], help="gunicorn worker class")
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--rounds", type=int, default=5, help="rushes, each at a fresh link; the median counts")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument(
        "--in-process", type=int, default=0, metavar="N", help="N accepts and N bare POSTs in this process, no server"
    )
    parser.add_argument(
        "--pgbouncer", action="store_true", help="the server reaches PostgreSQL through PgBouncer in transaction mode"
    )
    args = parser.parse_args()
    args.pooler_pids = []

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sferum")
    global DB_NAME
    # Engineers on one server each run the bench in a database of their own: sferum_x → sferum_bench_inv_x.
    suffix = urlsplit(base).path.lstrip("/").removeprefix("sferum").lstrip("_")
    DB_NAME = f"{DB_NAME}_{suffix}" if suffix else DB_NAME
    bench_url, maintenance_url = _database_urls(base, DB_NAME)
    static_root = tempfile.mkdtemp(prefix="sferum-bench-static-")
    env = {
        **os.environ,
        # Persistent connections as in production; DEBUG off (no query log kept in memory).
        # Production settings: DEBUG off, persistent connections with health checks (CONN_MAX_AGE),
        # WhiteNoise, HTTPS behind a proxy (the client sends X-Forwarded-Proto like the proxy would).
        "DATABASE_URL": bench_url,
        "DJANGO_ENV": "production",
        # Connections kept through the whole run, so that the CPU of their PostgreSQL processes adds up.
        "DB_CONN_MAX_AGE": "3600",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "MFA_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),  # a Fernet key
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://sferum.college.example",  # production refuses a local address for links
        # Production refuses backends that only print; nothing here sends an SMS or an e-mail.
        "EMAIL_URL": "smtp://127.0.0.1:1",
        "SMS_BACKEND": "notifications.backends.HttpGatewaySmsBackend",
        "SMS_GATEWAY_URL": "http://127.0.0.1:1/send",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "ERROR",
        # Tasks go to the broker (the bench's Redis database), as production queues them for its worker;
        # no worker runs here, so the rush's figures are the web's alone. The tasks queued are counted.
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # The rush is one IP and one burst by design: protections off, measured elsewhere (tests).
        "INVITATION_BURST_LIMIT": "100000000",
        "INVITATION_OPEN_LIMIT_PER_IP": "0",
        "INVITATION_ACCEPT_LIMIT_PER_IP": "0",
        "INVITATION_ACCEPT_LIMIT_PER_USER": "0",
        "DJANGO_SETTINGS_MODULE": "sferum_admin.settings",
        # Routes /bench/bare/, the POST the accepts are compared with.
        "BENCHMARK": "true",
        # Cache, sessions and the broker in Redis, as in production: a database of the bench's own.
        "REDIS_URL": _redis_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), REDIS_DB),
    }
    os.environ.update(env)
    _flush_redis(env["REDIS_URL"])
    _recreate_database(maintenance_url, DB_NAME)
    servers = []
    pooler_dir = None
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True
        )
        # The «used up» page links static files through the production manifest.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True
        )
        if args.in_process:
            return _in_process(args.in_process)
        server_env = env
        if args.pgbouncer:
            pooler_dir = tempfile.mkdtemp(prefix="sferum-bench-pgbouncer-")
            pooler, pooled_url = _start_pgbouncer(bench_url, pooler_dir)
            servers.append(pooler)
            args.pooler_pids = [pooler.pid]
            server_env = {**env, "DATABASE_URL": pooled_url, "DATABASE_POOLING": "transaction"}
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
                    args.worker_class,
                    "--threads",
                    str(args.threads),
                    "--backlog",
                    "256",
                ],
                cwd=BASE_DIR,
                env=server_env,
                stdout=subprocess.DEVNULL,
                stderr=server_log,
            )
        )
        _wait_for_port(port)
        time.sleep(1.0)
        workers = _children(servers[-1].pid)
        print(
            f"users: {args.users} a round, link max_uses: {args.max_uses}, connections: {args.connections}, "
            f"server: gunicorn, {args.workers} {args.worker_class} workers"
            f"{f' × {args.threads} threads' if args.worker_class == 'gthread' else ''}, production settings; "
            f"{os.cpu_count()} CPUs shared by server, database and client"
            f"{'; database through PgBouncer (transaction pool mode)' if args.pgbouncer else ''}"
        )
        # A warm-up rush first, as a server in service is warm: each thread has its database
        # connection, templates are compiled. Its figures do not count.
        warm_up = argparse.Namespace(**{**vars(args), "users": WARM_UP_USERS, "max_uses": WARM_UP_USERS * 9 // 10})
        print("warm-up:", end=" ")
        _, _, all_ok = _round(warm_up, 0, port, workers, server_log)
        rates, bare_rates = [], []
        for round_ in range(1, args.rounds + 1):
            rate, bare_rate, ok = _round(args, round_, port, workers, server_log)
            rates.append(rate)
            bare_rates.append(bare_rate)
            all_ok = all_ok and ok
        _summary(rates, bare_rates)
        print("invariants (over-use 0, 5xx 0, every place taken once):", "OK" if all_ok else "BROKEN")
        if not all_ok:
            raise SystemExit(1)
    finally:
        for server in reversed(servers):
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        from django.db import connections

        connections.close_all()
        shutil.rmtree(static_root, ignore_errors=True)
        if pooler_dir:
            shutil.rmtree(pooler_dir, ignore_errors=True)
        if not args.keep:
            _recreate_database(maintenance_url, DB_NAME, drop_only=True)


if __name__ == "__main__":
    main()
