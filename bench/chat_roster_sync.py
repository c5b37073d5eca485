"""Chats' roster sync of one college: seconds and SQL queries per study group.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sferum .venv/bin/python bench/chat_roster_sync.py \
        [--students 5000] [--redis-db 15]

Builds a college in a fresh database (``sferum_bench_chat_sync`` next to the one in DATABASE_URL) through the
owning apps' services, with chats' receivers disconnected: teachers, study groups of 25 students (as
bench/region.py makes them: a curator and a subject teacher each), then measures the sync in four phases, the
way a region's build and its nights run it:

1. ``made``: each group's roster chats made while the group is empty (``chat_sync_group`` per group, as a new
   group's ``study_group_changed`` runs it);
2. ``import``: the students enrolled in one ``enrollments_start_many``, then the roster queue's sync of all
   their entries (``chats.roster_queue.roster_sync``, what a roster import costs the chats);
3. ``again``: ``chat_sync_group`` per group once more, nothing left to change (the nightly sync);
4. ``college``: the college and staff chats, the whole college at once (``chat_sync_college``).

Prints each phase's wall seconds, seconds per group and queries, and the projection for 50 colleges × 5,000
students (the region of bench/region.py). Redis database REDIS_DB of the server in REDIS_URL is the cache and
the channel layer (emptied).
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench._support import database_urls, flush_redis, recreate_database, redis_url

DB_NAME = "sferum_bench_chat_sync"
REDIS_DB = 15  # the bench's own Redis database, emptied before the run


class Counter:
    """Counts the statements run through Django's connection (``execute_wrapper``)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def build(students: int):
    from accounts.services import PersonByPhone, users_get_or_create_many
    from bench.region import STUDENTS_PER_GROUP, Builder
    from colleges.models import College, Membership, Role
    from colleges.services import department_create, memberships_add_many_unchecked

    college = College.objects.create(
        full_name="ГБПОУ «Колледж замера синхронизации»",
        short_name="Колледж синхронизации",
        inn="6900000001",
        ogrn="1026900000001",
        region="Тверская область",
    )
    groups = max(4, -(-students // STUDENTS_PER_GROUP))
    phones = [f"+7990{n:07d}" for n in range(1 + groups * 5 // 4 + students)]
    ids = users_get_or_create_many(
        people=[PersonByPhone(phone=p, last_name="Иванов", first_name="Иван") for p in phones]
    )
    memberships_add_many_unchecked(actor=None, college=college, role=Role.ADMINISTRATOR, user_ids=[ids[phones[0]]])
    admin = Membership.objects.get(college=college, role=Role.ADMINISTRATOR).user
    teacher_phones, student_phones = phones[1 : 1 + groups * 5 // 4], phones[1 + groups * 5 // 4 :]
    teachers = memberships_add_many_unchecked(
        actor=admin, college=college, role=Role.TEACHER, user_ids=[ids[p] for p in teacher_phones]
    )
    student_ids = memberships_add_many_unchecked(
        actor=admin, college=college, role=Role.STUDENT, user_ids=[ids[p] for p in student_phones]
    )
    departments = [department_create(actor=admin, college=college, name=f"Отделение {n + 1}") for n in range(4)]
    teacher_rows = list(Membership.objects.filter(pk__in=teachers.values()).order_by("pk"))
    study_groups = Builder(students)._groups(admin, college, departments, teacher_rows, groups)
    return college, study_groups, [student_ids[ids[p]] for p in student_phones]


def enrol(college, groups, students) -> None:
    from groups.services import EnrollmentStart, enrollments_start_many

    starts = [EnrollmentStart(student_id=pk, group_id=groups[n % len(groups)].pk) for n, pk in enumerate(students)]
    enrollments_start_many(actor=None, college=college, starts=starts, started_at=datetime.date(2025, 9, 1))


def measure(name: str, groups: int, work) -> float:
    from django.db import connection

    counter = Counter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        work()
    seconds = time.perf_counter() - started
    print(
        f"{name:<8} {seconds:8.2f} s  {seconds / groups * 1000:8.1f} ms/group  {counter.count:7d} queries "
        f"({counter.count / groups:.1f}/group)",
        flush=True,
    )
    return seconds


def run(students: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from chats import receivers
    from chats.roster_queue import COLLEGE, roster_sync
    from chats.services import chat_sync_college, chat_sync_group

    call_command("migrate", verbosity=0)
    receivers.disconnect()
    started = time.perf_counter()
    college, groups, student_ids = build(students)
    print(f"built: {students} students, {len(groups)} groups in {time.perf_counter() - started:.0f} s", flush=True)

    def sync_each():
        for group in groups:
            chat_sync_group(group=group)

    def sync_import():
        items = [f"{groups[n % len(groups)].pk}:{pk}" for n, pk in enumerate(student_ids)]
        roster_sync(college.pk, items + [f"{COLLEGE}:{pk}" for pk in student_ids])

    total = measure("made", len(groups), sync_each)
    enrol(college, groups, student_ids)
    total += measure("import", len(groups), sync_import)
    measure("again", len(groups), sync_each)
    total += measure("college", len(groups), lambda: chat_sync_college(college=college))
    per_group = total / len(groups)
    print(
        f"made + import + college: {per_group * 1000:.1f} ms per group; 50 colleges × 5,000 students "
        f"(10,000 groups) ≈ {per_group * 10_000 / 60:.0f} min of chats' sync; load {open('/proc/loadavg').read()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--database", default=DB_NAME)
    parser.add_argument("--redis-db", type=int, default=REDIS_DB, help="the Redis database to use (emptied)")
    args = parser.parse_args()
    bench_url, maintenance_url = database_urls(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sferum"), args.database
    )
    cache_url = redis_url(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379", args.redis_db)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "sferum_admin.settings",
            "DJANGO_ENV": "development",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": bench_url,
            "REDIS_URL": cache_url,
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "LOG_LEVEL": "ERROR",
        }
    )
    flush_redis(cache_url)
    recreate_database(maintenance_url, args.database)
    try:
        run(args.students)
    finally:
        from django.db import connections

        connections.close_all()
        recreate_database(maintenance_url, args.database, drop_only=True)
        flush_redis(cache_url)


if __name__ == "__main__":
    main()
