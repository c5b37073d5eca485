"""Opening a chat with 1,000,000 messages in the database and 100,000 in that chat (issue #13): the query count
stays what it is for a chat of 100 messages, and the median time is within 2× the bare session view.

What it does, in one run:

1. creates a fresh PostgreSQL database (``sferum_bench_chat_history`` next to the one in DATABASE_URL) and
   empties Redis database 11 (cache and sessions, as production keeps them); migrates;
2. builds a college, a chat of MEMBERS members (bench/_chat_world.py, through the services) and CHATS - 1
   more chats, then writes PER_CHAT messages into each through ``chats.services.messages_post_many_unchecked``
   (CHATS × PER_CHAT = 1,000,000 by default), and a small chat of 100 messages for the query-count comparison;
   ANALYZE;
3. signs a member in (Django's test client, in this process: no network, the view's own work) and times, ROUNDS
   requests each, after a warm-up: **bare** — a college page doing only the session, the user and the
   membership (``CollegePageView`` with ``is_member``); **chat** — the real chat page (``chats:chat``, GET: the
   history of 50 messages, each rendered by ``chats.fragments``, pinned messages, the composer, the read
   marker); **small chat** — the same page of the 100-message chat;
4. prints the queries of each, the medians, the ratio chat / bare and the goals, with the load average (other
   work on the machine moves the medians); drops the database (unless ``--keep``).

It renders as production does: the production settings module with DEBUG off and the cached template loader
(Django's default when TEMPLATES names no loaders; the run checks both and says so), sessions and cache in Redis.

Usage: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/sferum REDIS_URL=redis://127.0.0.1:6379/5
.venv/bin/python bench/chat_history.py``. Options: ``--chats``, ``--per-chat``, ``--rounds``, ``--keep``.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench._chat_world import build_chat_world
from bench._support import database_urls, flush_redis, recreate_database, redis_url

BENCH_DATABASE = "sferum_bench_chat_history"
BENCH_REDIS_DB = 11
MEMBERS = 50
GOAL_RATIO = 2.0


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
    started = time.perf_counter()
    _fill(teacher, big, world.member_ids, per_chat)
    for n in range(chats - 1):
        other = chat_create(actor=teacher, college=big.college, kind=ChatKind.FREE, title=f"Чат {n + 2}")
        _fill(teacher, other, world.member_ids[:1], per_chat)
    small = chat_create(actor=teacher, college=big.college, kind=ChatKind.FREE, title="Маленький чат")
    _fill(teacher, small, world.member_ids[:1], 100)
    print(f"{chats * per_chat + 100} messages written in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return teacher, big, small


def routes() -> dict:
    """URL builders of the measured views: the bare signed-in page (added here) and the real chat page."""
    from django.http import HttpResponse
    from django.urls import clear_url_caches, path, reverse

    from colleges.pages import CollegePageView
    from colleges.permissions import is_member
    from sferum_admin import urls as root

    class BareCollegePage(CollegePageView):
        allowed = is_member

        def get(self, request, pk=None):
            return HttpResponse(str(request.user.pk), content_type="text/plain")

    root.urlpatterns += [path("bench/college-bare/", BareCollegePage.as_view())]
    clear_url_caches()
    return {
        "bare": lambda pk: "/bench/college-bare/",
        "chat": lambda pk: reverse("chats:chat", kwargs={"pk": pk}),
        "label": "chats:chat (the real chat page, GET as a signed-in member)",
    }


def _check_production_rendering() -> None:
    """DEBUG off and templates from the cached loader, as production renders them."""
    from django.conf import settings
    from django.template import engines

    loaders = engines["django"].engine.loaders
    cached = len(loaders) == 1 and loaders[0][0] == "django.template.loaders.cached.Loader"
    if settings.DEBUG or not cached:
        raise SystemExit(f"not as production renders: DEBUG={settings.DEBUG}, template loaders {loaders}")
    print("rendering as production: DEBUG off, cached template loader")


def measure(client, url: str, rounds: int) -> tuple[float, float, int]:
    """(median seconds, median CPU seconds of this process, queries of one request) of GET ``url``.

    The CPU time leaves out the waits for PostgreSQL and Redis and moves less with other load on the machine."""
    from django.db import connection

    for _ in range(5):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    times, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(times), statistics.median(cpu), len(queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=10)
    parser.add_argument("--per-chat", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    database_url, maintenance_url = database_urls(os.environ["DATABASE_URL"], BENCH_DATABASE)
    bench_redis = redis_url(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0", BENCH_REDIS_DB)
    recreate_database(maintenance_url, BENCH_DATABASE)
    flush_redis(bench_redis)
    os.environ.update(DATABASE_URL=database_url, REDIS_URL=bench_redis, DJANGO_SETTINGS_MODULE="sferum_admin.settings")
    os.environ.update(CELERY_TASK_ALWAYS_EAGER="true", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="testserver")
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        settings.DATABASES["default"]["CONN_MAX_AGE"] = 60
        connection.settings_dict["CONN_MAX_AGE"] = 60
        call_command("migrate", verbosity=0)
        _check_production_rendering()
        reader, big, small = build(options.chats, options.per_chat)
        urls = routes()
        client = Client()
        client.force_login(reader)
        bare_s, bare_cpu, bare_q = measure(client, urls["bare"](None), options.rounds)
        chat_s, chat_cpu, chat_q = measure(client, urls["chat"](big.pk), options.rounds)
        small_s, small_cpu, small_q = measure(client, urls["chat"](small.pk), options.rounds)
        print(f"measured: {urls['label']}, {options.rounds} requests each, median (wall; CPU of this process)")
        print(f"bare session view: {bare_s * 1000:.1f} ms; CPU {bare_cpu * 1000:.1f} ms; {bare_q} queries")
        big_label = f"chat of {options.per_chat} messages"
        print(f"{big_label}: {chat_s * 1000:.1f} ms; CPU {chat_cpu * 1000:.1f} ms; {chat_q} queries")
        print(f"chat of 100 messages: {small_s * 1000:.1f} ms; CPU {small_cpu * 1000:.1f} ms; {small_q} queries")
        print(f"ratio chat / bare: {chat_s / bare_s:.2f} (goal ≤ {GOAL_RATIO}); CPU {chat_cpu / bare_cpu:.2f}")
        print(f"queries constant: {chat_q == small_q}")
        print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        connection.close()
    finally:
        if not options.keep:
            recreate_database(maintenance_url, BENCH_DATABASE, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
