"""The administrator's dashboard and the study group list of a 10 000-student college.

What it does, in one run:

1. creates a fresh PostgreSQL database (``sferum_bench`` next to the one in
   DATABASE_URL), migrates it and loads ``seed_demo --students 10000``
   (400 study groups), printing the seeding time, then VACUUM ANALYZEs it (as
   autovacuum would after a bulk insert: planner statistics and the visibility
   map that index-only scans need);
2. signs in the demo administrator (the seed gives them an activated TOTP
   authenticator, which the dashboard requires) and counts the SQL queries of
   ``/dashboard/``, the group list (``groups:study_group_list``) and a bare
   view that only loads the session user (``bench_bare``, routed because this
   script sets BENCHMARK);
3. starts a real HTTP server in a subprocess (Django's WSGI server with a
   fixed pool of THREADS threads and persistent database connections, like
   gunicorn's threaded workers) and sends each page THREADS × REQUESTS (8 × 50)
   requests from as many concurrent client threads (keep-alive) — the pages
   take turns in ten bursts, so that other load on the machine falls on
   all of them alike — printing the median and 95th percentile
   latency, and the median of each page divided by the bare view's median —
   the goal is at most 2×;
4. measures each page once more from one client right after a change to the
   college's data, so nothing comes from the per-college cache
   (core/college_cache.py) and the page is computed in full: the
   price of the first view after each change, printed next to the bare view
   (the one-client median above, and a bare request sent right after each
   cold one, which the machine's other load moves alike);
5. stops the server and drops the database.

The cache is Redis, as in production: database REDIS_DB (``--redis-db``) of the
server in REDIS_URL (default redis://127.0.0.1:6379), emptied before the run.

Everything runs with the production settings (``DJANGO_ENV=production``: DEBUG
off, the cached template loader, WhiteNoise and the manifest static storage —
``collectstatic`` goes to a temporary STATIC_ROOT first — persistent database
connections with health checks), except that HTTPS is not enforced
(``SECURE_SSL_REDIRECT=false``: the server is plain HTTP on 127.0.0.1) and the
secret key is a throwaway one; only ``seed_demo``, which refuses production,
runs with ``DJANGO_ENV=development``. Earlier versions ran ``DJANGO_ENV=development``
with DEBUG off, so figures from before this change are not strictly comparable.

Usage: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/sferum .venv/bin/python bench/dashboard.py``
(``make bench`` runs it). Options: ``--students``, ``--threads``, ``--requests``, ``--database``,
``--redis-db``, ``--keep`` (keep the database). Every request goes to 127.0.0.1; the load is bounded in count and time.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench._support import database_urls as _database_urls
from bench._support import flush_redis as _flush_redis
from bench._support import free_port as _free_port
from bench._support import http_load as _http_load
from bench._support import production_env as _production_env
from bench._support import recreate_database as _recreate_database
from bench._support import redis_url as _redis_url
from bench._support import serve_wsgi as _serve_wsgi
from bench._support import wait_for_http as _wait_for_http

GOAL_RATIO = 2.0
GOAL_COLD_RATIO = 3.0  # right after a change, to the bare view requested alongside
REQUEST_TIMEOUT = 30
LOAD_DEADLINE = 300  # seconds for the whole load phase, whatever the arguments
ROUNDS = 10  # the pages are measured in turns, this many bursts each
REDIS_DB = 12  # the bench's own Redis database, emptied before the run
COLD_REQUESTS = 25  # one-client requests per page right after a change (nothing cached)


def _analyze(url: str) -> None:
    """Statistics and visibility map, as autovacuum would have them on a database in use; a fresh bulk load has none."""
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def serve(port: int, threads: int) -> None:
    """The server subprocess: ``bench._support.serve_wsgi`` (a fixed pool of ``threads`` threads, persistent
    database connections as in production)."""
    import django

    django.setup()
    _serve_wsgi(port, threads)


def _sign_in_and_count(paths: dict[str, str]) -> tuple[str, dict[str, int]]:
    """Session cookie of the demo administrator, and the SQL query count of each page (after a warm-up)."""
    import django

    django.setup()
    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from sferum_admin.management.commands.seed_demo import ADMIN_PHONE

    admin = User.objects.get(phone=ADMIN_PHONE)
    if not Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists():
        raise SystemExit("the demo administrator has no TOTP authenticator: the dashboard would redirect")
    client = Client()
    client.force_login(admin)
    counts = {}
    for name, path in paths.items():
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{name} {path} answered {response.status_code}")
        counts[name] = len(queries)
        _college_changed()
        with CaptureQueriesContext(connection) as cold_queries:
            client.get(path)
        counts[f"{name}, cold"] = len(cold_queries)
        slowest = sorted(cold_queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
        print(f"{name}: {len(queries)} queries, {len(cold_queries)} right after a change; slowest of those:")
        for query in slowest:
            print(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:150]}")
    return client.cookies[settings.SESSION_COOKIE_NAME].value, counts


def _college_changed() -> None:
    """What any change to the demo college's data does to its cached page parts (core/college_cache.py)."""
    from colleges.models import College
    from core import college_cache

    college_cache.changed(College.objects.values_list("pk", flat=True))


def _load_cold(url: str, bare_url: str, cookie: str, *, requests: int, deadline: float) -> tuple[list, list]:
    """One client; before each request the college's data «changes», so nothing comes from the college cache.

    A request to the bare view follows each one, and the two lists are returned: the machine's other
    load falls on both alike, so their ratio holds where the absolute figures drift.
    """
    import requests as http

    session = http.Session()
    session.cookies.set("sessionid", cookie, domain="127.0.0.1")
    latencies, bare = [], []
    for _ in range(requests):
        if time.monotonic() > deadline:
            break
        for target, out, change in ((url, latencies, True), (bare_url, bare, False)):
            if change:
                _college_changed()
            started = time.perf_counter()
            response = session.get(target, timeout=REQUEST_TIMEOUT, allow_redirects=False)
            out.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{target} answered {response.status_code}")
    return latencies, bare


def _load(url: str, cookie: str, *, threads: int, requests_per_thread: int, deadline: float) -> list[float]:
    return _http_load(
        url, {"sessionid": cookie}, threads=threads, requests_per_thread=requests_per_thread, deadline=deadline
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--requests", type=int, default=50, help="requests per thread and page")
    parser.add_argument("--database", default="sferum_bench")
    parser.add_argument("--redis-db", type=int, default=REDIS_DB, help="the Redis database to empty and use")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.threads)
        return

    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sferum")
    bench_url, maintenance_url = _database_urls(base_url, args.database)
    static_root = tempfile.TemporaryDirectory(prefix="sferum-bench-static-")
    # The cache (and the college cache in it) lives in Redis, as in production: a database of its own.
    bench_redis = _redis_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), args.redis_db)
    env = _production_env(database_url=bench_url, redis_url=bench_redis, static_root=static_root.name)
    os.environ.update(env)
    _flush_redis(env["REDIS_URL"])
    _manage(env, "collectstatic", "--noinput", "-v0")

    print(f"database {args.database}: created afresh, migrating…", flush=True)
    _recreate_database(maintenance_url, args.database)
    server = None
    try:
        _manage(env, "migrate", "--noinput", "-v0")
        started = time.perf_counter()
        # seed_demo refuses to run in production (it prints a password and a TOTP secret).
        seed_output = _manage({**env, "DJANGO_ENV": "development"}, "seed_demo", "--students", str(args.students))
        seed_wall = time.perf_counter() - started
        print(seed_output.splitlines()[0])
        print(f"seed_demo --students {args.students}: {seed_wall:.1f} s wall clock (with Django start-up)")
        _analyze(bench_url)

        import django

        django.setup()  # configured by the environment above
        from django.urls import reverse

        paths = {
            "bare view": reverse("bench_bare"),
            "dashboard": reverse("dashboard"),
            "group list": reverse("groups:study_group_list"),
        }
        cookie, counts = _sign_in_and_count(paths)

        port = _free_port()
        server_log = tempfile.TemporaryFile()
        # The server's request log goes to a file: a full pipe would stall it.
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port), "--threads", str(args.threads)],
            cwd=BASE_DIR,
            env=env,
            stdout=server_log,
            stderr=server_log,
        )
        _wait_for_http(f"http://127.0.0.1:{port}/accounts/login/", server, server_log)

        deadline = time.monotonic() + LOAD_DEADLINE
        urls = {name: f"http://127.0.0.1:{port}{path}" for name, path in paths.items()}
        results = {name: [] for name in paths}
        sequential = {name: [] for name in paths}
        for url in urls.values():
            _load(url, cookie, threads=args.threads, requests_per_thread=3, deadline=deadline)  # warm-up
        # The pages take turns in ROUNDS short bursts rather than one long run each, so
        # that load from other work on the machine falls on all of them alike and the
        # ratios to the bare view stay meaningful.
        for round_ in range(ROUNDS):
            share = args.requests // ROUNDS + (1 if round_ < args.requests % ROUNDS else 0)
            for name, url in urls.items():
                sequential[name] += _load(url, cookie, threads=1, requests_per_thread=share, deadline=deadline)
                results[name] += _load(url, cookie, threads=args.threads, requests_per_thread=share, deadline=deadline)

        cold = {
            name: _load_cold(urls[name], urls["bare view"], cookie, requests=COLD_REQUESTS, deadline=deadline)
            for name in ("dashboard", "group list")
        }
        _report(args, counts, results, sequential, cold)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _recreate_database(maintenance_url, args.database, drop_only=True)
            print(f"database {args.database}: dropped")
        static_root.cleanup()


def _report(args, counts: dict[str, int], results: dict[str, list[float]], sequential: dict, cold: dict) -> None:
    bare = statistics.median(results["bare view"])
    bare_seq = statistics.median(sequential["bare view"])
    print()
    print(
        f"{args.threads} threads × {args.requests} requests per page against a {args.threads}-thread WSGI server "
        "on 127.0.0.1, "
        f"{os.cpu_count()} CPU cores shared by server and clients; 'one client' = 1 thread × {args.requests}"
    )
    print(
        f"{'page':<12} {'queries':>7} {'requests':>8} {'median ms':>10} {'p95 ms':>8} {'× bare':>7}"
        f" {'one client ms':>14} {'× bare':>7}"
    )
    for name, latencies in results.items():
        median = statistics.median(latencies)
        p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 20 else max(latencies)
        seq = statistics.median(sequential[name])
        print(
            f"{name:<12} {counts[name]:>7} {len(latencies):>8} {median * 1000:>10.1f} {p95 * 1000:>8.1f} "
            f"{median / bare:>6.2f}× {seq * 1000:>14.1f} {seq / bare_seq:>6.2f}×"
        )
    print(f"right after a change to the college's data (nothing cached; one client, {COLD_REQUESTS} requests each):")
    for name, (latencies, bare_alongside) in cold.items():
        median, alongside = statistics.median(latencies), statistics.median(bare_alongside)
        print(
            f"{name + ', cold':<20} {counts[name + ', cold']:>3} queries {median * 1000:>8.1f} ms"
            f" {median / bare_seq:>6.2f}× the bare view (one client);"
            f" {median / alongside:>5.2f}× the bare view requested alongside ({alongside * 1000:.1f} ms)"
            f" — goal ≤ {GOAL_COLD_RATIO:.0f}×: {'met' if median / alongside <= GOAL_COLD_RATIO else 'NOT met'}"
        )
    print(f"goal: each page's median ≤ {GOAL_RATIO:.0f}× the bare view's median")
    for name in ("dashboard", "group list"):
        ratio = statistics.median(results[name]) / bare
        verdict = "met" if ratio <= GOAL_RATIO else "NOT met"
        print(f"  {name}: {ratio:.2f}× — {verdict}")


if __name__ == "__main__":
    main()
