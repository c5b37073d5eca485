"""Opening a chat with 1,000,000 messages in the database and 100,000 in that chat (issue #13): the query count
stays what it is for a chat of 100 messages, and the median time is within 2× the bare session view.

What it does, in one run:

1. creates a fresh PostgreSQL database (``sferum_bench_chat_history`` next to the one in DATABASE_URL; ``--reuse``
   takes the one a ``--keep`` run left) and empties its Redis database (``--redis-db``: cache and sessions, as
   production keeps them); migrates;
2. builds a college, a chat of MEMBERS members (bench/_chat_world.py, through the services) and CHATS - 1
   more chats, then writes PER_CHAT messages into each through ``chats.services.messages_post_many_unchecked``
   (CHATS × PER_CHAT = 1,000,000 by default), and a small chat of 100 messages for the query-count comparison;
   ANALYZE;
3. signs the chats' owner (a teacher) in and measures four pages: **bare** — a college page doing only the
   session, the user and the membership (``CollegePageView`` with ``is_member``, routed here), the yardstick;
   **session** — ``bench_bare``, only the session user (bench/dashboard.py's yardstick), for reference;
   **chat** — the real chat page (``chats:chat``, GET: the history of 50 messages, pinned messages, the
   composer, the read marker, the menu); **small chat** — the same page of the 100-message chat. For each:
   - its queries (one request after a warm-up, in this process);
   - **in process**: ROUNDS × (``--rounds`` / ROUNDS) requests through Django's test client — the view's own
     work, no network — median wall and CPU time of this process;
   - **over HTTP**, as a person meets it (the goal line, as bench/dashboard.py measures): a real server in a
     subprocess (Django's WSGI server with a fixed pool of ``--threads`` threads and persistent database
     connections, like gunicorn's threaded workers), one keep-alive client and then ``--threads`` concurrent
     ones, ``--requests`` requests per client and page, median and 95th percentile, and the server's CPU per
     request (from /proc, which other load on the machine moves less);
   the pages take turns in ROUNDS bursts, in process and over HTTP, so other load on the machine falls on all
   of them alike and the ratios to the bare page hold where the absolute figures drift;
   - **cold**: the newest page of history comes from the college cache (``chats.fragments.history_part``),
     dropped by every change to the college's data; so the chat page is also measured right after such a
     change, COLD_REQUESTS times from one client, a bare request following each (as bench/dashboard.py does):
     its queries, median and ratios — the price of the first view after each write;
4. prints the figures, the ratios chat / bare and the goals, with the load average; stops the server and
   drops the database (unless ``--keep``).

Everything runs with the production settings (``DJANGO_ENV=production``: DEBUG off, the cached template
loader — the run checks both — WhiteNoise and the manifest static storage, ``collectstatic`` going to a
temporary STATIC_ROOT, persistent database connections), sessions and cache in Redis, except that HTTPS is not
enforced (plain HTTP on 127.0.0.1) and the keys are throwaway ones (bench/_support.py ``production_env``).
Figures from before the HTTP measure (in process only, ``DJANGO_ENV=development`` with DEBUG off, no
WhiteNoise) are close to, not strictly comparable with, the in-process figures here.

Usage: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/sferum REDIS_URL=redis://127.0.0.1:6379/0
.venv/bin/python bench/chat_history.py``. Options: ``--chats``, ``--per-chat``, ``--rounds``, ``--threads``,
``--requests``, ``--redis-db``, ``--keep``, ``--reuse``. Every request goes to 127.0.0.1; the load is bounded
in count and time.
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
from bench._chat_world import build_chat_world, sign_in
from bench._support import (
    database_urls,
    flush_redis,
    free_port,
    http_load,
    production_env,
    recreate_database,
    redis_url,
    serve_wsgi,
    wait_for_http,
)

BENCH_DATABASE = "sferum_bench_chat_history"
BENCH_REDIS_DB = 11
MEMBERS = 50
GOAL_RATIO = 2.0
ROUNDS = 10  # the pages take turns, this many bursts each
LOAD_DEADLINE = 600  # seconds for all HTTP requests, whatever the arguments
COLD_REQUESTS = 25  # one-client requests of the chat page right after a change (nothing cached)
BIG_TITLE = "Общий чат замера"  # bench/_chat_world.py names it
SMALL_TITLE = "Маленький чат"
BARE_PATH = "/bench/college-bare/"


def _fill(teacher, chat, authors: list[int], count: int) -> None:
    from chats.services import messages_post_many_unchecked

    step = 20000
    for start in range(0, count, step):
        posts = [
            (authors[n % len(authors)], f"Сообщение {n} о расписании, зачётах и практике")
            for n in range(start, min(count, start + step))
        ]
        messages_post_many_unchecked(actor=teacher, chat=chat, posts=posts)


def build(chats: int, per_chat: int):
    """(the reader, the big chat, the small chat) with ``chats`` × ``per_chat`` messages in the database."""
    from django.db import connection

    from accounts.models import User
    from chats.models import Chat, ChatKind
    from chats.services import chat_create

    world = build_chat_world(members=MEMBERS, sessions=0)
    teacher = User.objects.get(pk=world.teacher_id)
    big = Chat.objects.get(pk=world.chat_id)
    assert big.title == BIG_TITLE, big.title
    started = time.perf_counter()
    _fill(teacher, big, world.member_ids, per_chat)
    for n in range(chats - 1):
        other = chat_create(actor=teacher, college=big.college, kind=ChatKind.FREE, title=f"Чат {n + 2}")
        _fill(teacher, other, world.member_ids[:1], per_chat)
    small = chat_create(actor=teacher, college=big.college, kind=ChatKind.FREE, title=SMALL_TITLE)
    _fill(teacher, small, world.member_ids[:1], 100)
    print(f"{chats * per_chat + 100} messages written in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return teacher, big, small


def built():
    """(the reader, the big chat, the small chat) of a database a ``--keep`` run left."""
    from chats.models import Chat, Message

    big, small = Chat.objects.get(title=BIG_TITLE), Chat.objects.get(title=SMALL_TITLE)
    print(f"reusing the kept database: {Message.objects.count()} messages, {big.messages.count()} in the big chat")
    return big.created_by, big, small


def add_bare_route() -> None:
    """Route the bare college page at BARE_PATH: the session, the user and the membership, no page work."""
    from django.http import HttpResponse
    from django.urls import clear_url_caches, path

    from colleges.pages import CollegePageView
    from colleges.permissions import is_member
    from sferum_admin import urls as root

    class BareCollegePage(CollegePageView):
        allowed = is_member

        def get(self, request, pk=None):
            return HttpResponse(str(request.user.pk), content_type="text/plain")

    root.urlpatterns += [path(BARE_PATH.strip("/") + "/", BareCollegePage.as_view())]
    clear_url_caches()


def serve(port: int, threads: int) -> None:
    """The server subprocess (``--serve``): the project with the bare college page, on ``port``."""
    import django

    django.setup()
    add_bare_route()
    serve_wsgi(port, threads)


def _check_production_rendering() -> None:
    """DEBUG off and templates from the cached loader, as production renders them."""
    from django.conf import settings
    from django.template import engines

    loaders = engines["django"].engine.loaders
    cached = len(loaders) == 1 and loaders[0][0] == "django.template.loaders.cached.Loader"
    if settings.DEBUG or not cached:
        raise SystemExit(f"not as production renders: DEBUG={settings.DEBUG}, template loaders {loaders}")
    print("rendering as production: DEBUG off, cached template loader")


def count_queries(client, paths: dict[str, str], college_id: int) -> dict[str, int]:
    """The SQL queries of one GET of each page after a warm-up (the first request loads what later ones find),
    and of one right after a change to the college's data (``<page>, cold``)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, url in paths.items():
        for _ in range(3):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{name} {url} answered {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts[name] = len(queries)
        _college_changed(college_id)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts[f"{name}, cold"] = len(queries)
    return counts


def _college_changed(college_id: int) -> None:
    """What any change to the college's data does to its cached page parts (core/college_cache.py)."""
    from core import college_cache

    college_cache.changed([college_id])


def cold_over_http(url: str, bare_url: str, cookies: dict, college_id: int, deadline: float) -> tuple[list, list]:
    """One client; before each GET of ``url`` the college's data «changes», so nothing comes from the college
    cache; a GET of the bare page follows each (the machine's other load falls on both alike)."""
    latencies, bare = [], []
    for _ in range(COLD_REQUESTS):
        _college_changed(college_id)
        latencies += http_load(url, cookies, threads=1, requests_per_thread=1, deadline=deadline)
        bare += http_load(bare_url, cookies, threads=1, requests_per_thread=1, deadline=deadline)
    return latencies, bare


def in_process(client, paths: dict[str, str], rounds: int) -> dict[str, tuple[list, list]]:
    """(wall seconds, CPU seconds of this process) of ``rounds`` GETs of each page, in ROUNDS turns."""
    out = {name: ([], []) for name in paths}
    for round_ in range(ROUNDS):
        share = rounds // ROUNDS + (1 if round_ < rounds % ROUNDS else 0)
        for name, url in paths.items():
            times, cpu = out[name]
            for _ in range(share):
                started, started_cpu = time.perf_counter(), time.process_time()
                client.get(url)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
    return out


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def over_http(base: str, paths: dict, names: dict, cookies: dict, *, options, pid: int, college_id: int) -> tuple:
    """Per page: latencies of one client, of ``threads`` concurrent clients, and the server's CPU seconds per
    request — ``requests`` per client in ROUNDS turns of the pages; then the chat page's cold latencies with the
    bare page's alongside (``cold_over_http``)."""
    threads, requests = options.threads, options.requests
    deadline = time.monotonic() + LOAD_DEADLINE
    out = {name: {"one": [], "many": [], "cpu": 0.0, "count": 0} for name in paths}
    for url in paths.values():
        http_load(base + url, cookies, threads=threads, requests_per_thread=3, deadline=deadline)  # warm-up
    for round_ in range(ROUNDS):
        share = requests // ROUNDS + (1 if round_ < requests % ROUNDS else 0)
        for name, url in paths.items():
            figures = out[name]
            cpu = _cpu_seconds(pid)
            one = http_load(base + url, cookies, threads=1, requests_per_thread=share, deadline=deadline)
            many = http_load(base + url, cookies, threads=threads, requests_per_thread=share, deadline=deadline)
            figures["cpu"] += _cpu_seconds(pid) - cpu
            figures["count"] += len(one) + len(many)
            figures["one"] += one
            figures["many"] += many
    cold = cold_over_http(base + paths[names["chat"]], base + paths[names["bare"]], cookies, college_id, deadline)
    return out, cold


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def report(options, counts: dict, local: dict, http: dict, cold: tuple, names: dict[str, str]) -> None:
    bare = names["bare"]
    local_bare, local_bare_cpu = (statistics.median(series) for series in local[bare])
    one_bare, many_bare = statistics.median(http[bare]["one"]), statistics.median(http[bare]["many"])
    cpu_bare = http[bare]["cpu"] / http[bare]["count"]
    print()
    print(
        f"in process: Django's test client, {options.rounds} requests per page, median wall (CPU of this process)."
        f"\nover HTTP: a {options.threads}-thread WSGI server on 127.0.0.1, 1 client × {options.requests} requests"
        f" per page, then {options.threads} clients × {options.requests}; the server's CPU per request;"
        f" {os.cpu_count()} CPU cores shared by server, clients, PostgreSQL and Redis."
    )
    print(
        f"{'page':<24} {'queries':>7} │ {'in process ms':>13} {'CPU ms':>6} {'× bare':>6} │ {'1 client ms':>11}"
        f" {'× bare':>6} │ {options.threads} clients ms {'p95':>6} {'× bare':>6} │ {'server CPU ms':>13} {'× bare':>6}"
    )
    for name in names.values():
        wall, cpu = (statistics.median(series) for series in local[name])
        one, many = statistics.median(http[name]["one"]), statistics.median(http[name]["many"])
        p95 = statistics.quantiles(http[name]["many"], n=20)[-1]
        server_cpu = http[name]["cpu"] / http[name]["count"]
        print(
            f"{name:<24} {counts[name]:>7} │ {_ms(wall):>13} {_ms(cpu):>6} {wall / local_bare:>5.2f}× │"
            f" {_ms(one):>11} {one / one_bare:>5.2f}× │ {_ms(many):>13} {_ms(p95):>6} {many / many_bare:>5.2f}× │"
            f" {_ms(server_cpu):>13} {server_cpu / cpu_bare:>5.2f}×"
        )
    chat = names["chat"]
    ratio = statistics.median(http[chat]["many"]) / many_bare
    one_ratio = statistics.median(http[chat]["one"]) / one_bare
    local_wall, local_cpu = (statistics.median(series) for series in local[chat])
    print(
        f"goal: the chat page's median over HTTP ≤ {GOAL_RATIO:.0f}× the bare college page's: {ratio:.2f}× with"
        f" {options.threads} clients — {'met' if ratio <= GOAL_RATIO else 'NOT met'} (one client {one_ratio:.2f}×;"
        f" in process {local_wall / local_bare:.2f}×, CPU {local_cpu / local_bare_cpu:.2f}×)"
    )
    latencies, alongside = (statistics.median(series) for series in cold)
    print(
        f"right after a change to the college's data (nothing cached; one client, {COLD_REQUESTS} requests):"
        f" {counts[chat + ', cold']} queries, {_ms(latencies)} ms, {latencies / one_bare:.2f}× the bare page (one"
        f" client), {latencies / alongside:.2f}× the bare page requested alongside ({_ms(alongside)} ms)"
    )
    small = names["small"]
    constant = counts[chat] == counts[small] and counts[chat + ", cold"] == counts[small + ", cold"]
    print(f"queries constant (chat of {options.per_chat} and of 100, cached and cold): {constant}")
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=10)
    parser.add_argument("--per-chat", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200, help="in-process requests per page")
    parser.add_argument("--threads", type=int, default=8, help="the server's threads and the concurrent clients")
    parser.add_argument("--requests", type=int, default=50, help="HTTP requests per client and page")
    parser.add_argument("--redis-db", type=int, default=BENCH_REDIS_DB, help="the Redis database to empty and use")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure on the database a --keep run left")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> int:
    options = _arguments()
    if options.serve:
        serve(options.serve, options.threads)
        return 0
    database_url, maintenance_url = database_urls(os.environ["DATABASE_URL"], BENCH_DATABASE)
    bench_redis = redis_url(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0", options.redis_db)
    static_root = tempfile.TemporaryDirectory(prefix="sferum-bench-static-")
    env = production_env(database_url=database_url, redis_url=bench_redis, static_root=static_root.name)
    env["CELERY_TASK_ALWAYS_EAGER"] = "true"
    os.environ.update(env)
    if not options.reuse:
        recreate_database(maintenance_url, BENCH_DATABASE)
    flush_redis(bench_redis)
    server = None
    try:
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, check=True)
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        call_command("migrate", verbosity=0)
        _check_production_rendering()
        reader, big, small = built() if options.reuse else build(options.chats, options.per_chat)
        add_bare_route()
        names = {
            "bare": "bare college page",
            "session": "bare session view",
            "chat": f"chat of {options.per_chat} messages",
            "small": "chat of 100 messages",
        }
        paths = {
            names["bare"]: BARE_PATH,
            names["session"]: reverse("bench_bare"),
            names["chat"]: reverse("chats:chat", kwargs={"pk": big.pk}),
            names["small"]: reverse("chats:chat", kwargs={"pk": small.pk}),
        }
        cookies = {settings.SESSION_COOKIE_NAME: sign_in(reader)}
        client = Client()
        client.cookies.load(cookies)
        counts = count_queries(client, paths, big.college_id)
        local = in_process(client, paths, options.rounds)
        connection.close()

        port = free_port()
        server_log = tempfile.TemporaryFile()  # the request log: a full pipe would stall the server
        command = [sys.executable, __file__, "--serve", str(port), "--threads", str(options.threads)]
        server = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=server_log, stderr=server_log)
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/healthz", server, server_log)
        http, cold = over_http(base, paths, names, cookies, options=options, pid=server.pid, college_id=big.college_id)
        report(options, counts, local, http, cold, names)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        if not options.keep:
            recreate_database(maintenance_url, BENCH_DATABASE, drop_only=True)
        static_root.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
