"""A region's installation: does every list page cost the same with N colleges as with one?

What it does, in one run:

1. creates a fresh PostgreSQL database (``sferum_bench_region`` next to the one
   in DATABASE_URL) and migrates it;
2. builds the first college through the owning apps' services, as a college
   fills up in real life: departments (``department_create``), teachers
   (``users_get_or_create_many`` + ``memberships_add_many_unchecked``), study
   groups (``study_group_create``), curators (``curator_assign_unchecked``),
   disciplines and subject teachers (``discipline_create``,
   ``subject_teacher_assign``), the students by the roster import
   (``import_upload`` + ``import_apply_start``: users, memberships,
   enrolments and an enrolment order per student), links of every role and
   personal links (``invitation_create``), people joining by a link and
   filing join requests (``invitation_accept``), and materials
   (``material_create``) — then VACUUM ANALYZEs the database;
3. finds every list page and list endpoint of the administrator, a teacher
   (a curator) and a student of that college: every GET route of the URL conf
   without arguments (the API's ``college_id`` filled in) that is not a form,
   an export or a sign-in page, which answers that person 200 — plus the
   searches of issue #12, and the bare view (``bench_bare``: only the session
   user) as the yardstick; then copies the database as it is (``<name>_one``,
   the first college alone);
4. adds the other N−1 colleges the same way, VACUUM ANALYZEs, and measures
   both databases in turns (a round of every page on one, then on the other,
   REPEATS rounds each, the order alternating), so that other load on the
   machine falls on both sizes alike; for each page it counts the SQL queries
   and takes the median latency (Django's test client, in-process), and
   prints the queries and the median with one college and with N, the ratio,
   and the ratio divided by the bare view's; then the load rate (students per
   second of building, and of the roster import alone);
5. drops the databases (``--keep`` keeps the region's).

The per-college cache (core/college_cache.py) is switched off
(``COLLEGE_CACHE_SECONDS=0``): every page is computed in full, so what is
measured is the computation, not a cache hit. Settings are the development
ones with DEBUG off and tasks run in-process (the roster import's apply among
them); Redis database REDIS_DB of the server in REDIS_URL is the cache.

Usage: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/sferum .venv/bin/python bench/region.py``
Options: ``--colleges`` (50), ``--students`` per college (5000), ``--repeats`` (7), ``--keep``, ``--chats``
(``all``: every college's roster chats, the default and the recommended mode; ``first``: the first college's
only, for a quicker build). Chats' roster sync is set-based (issue #13) and a college's groups are set up inside
``core.batching.batch()``, as the roster queue gathers them in production: a college of 5,000 students and 200
groups builds in about 9–12 s with its chats, 4–5 s of them the chats' (load average 4 on 2 cores), so the
whole region's 50 colleges in some 10 minutes. The report prints the build's time in chats' syncs.
"""

import argparse
import datetime
import logging
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench._support import database_urls, flush_redis, recreate_database, redis_url

REDIS_DB = 14  # the bench's own Redis database, emptied before the run
STUDENTS_PER_GROUP = 25
DEPARTMENTS = 4
JOINERS = 10  # newcomers per college joining by a link, and as many filing join requests
PERSONAL_LINKS = 20
MATERIALS = 5
# Route names that are not list pages: forms, exports, actions, sign-in and platform pages.
NOT_LISTS = (
    "create",
    "new",
    "edit",
    "add",
    "upload",
    "hire",
    "enrol",
    "switch",
    "rollover",
    "decide",
    "apply",
    "appoint",
    "token",
    "logout",
    "schema",
    "docs",
    "mfa",
    "export",
    "healthz",
    "readyz",
    "favicon",
    "set_language",
    "sessions_end",
    "home",
    "dispatch_create",
)
THIRD_PARTY = ("allauth.", "django.contrib.", "django.views.i18n", "django_celery_beat")
# The searches issue #12 measured, on top of the bare lists.
SEARCHES = {
    "movement:people": "?q=Иванов",
    "movement:list": "?q=Иванов",
    "colleges:staff_list": "?q=Иванов",
    "api:movement-list": "?q=Иванов",
    "api:membership-list": "?search=Иванов",
    "invitations:request_list": "?q=Иванов",
}
SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков"]
NAMES = ["Иван", "Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Никита", "Егор", "Артём"]


def _phone(college_index: int, kind: int, n: int) -> str:
    """A unique E.164 number: +7 9<kind><college:2><n:6>."""
    return f"+79{kind}{college_index:02d}{n:06d}"


class Builder:
    """One college after another, each through the owning apps' services."""

    def __init__(self, students: int):
        self.students = students
        self.student_seconds = 0.0
        self.chats = ChatsClock()

    def college(self, index: int):
        from accounts.services import PersonByPhone, users_get_or_create_many
        from colleges.models import College, Membership, Role
        from colleges.services import department_create, memberships_add_many_unchecked
        from core import batching

        # A college comes from an approved application; the bench writes the row as colleges/demo.py does.
        college = College.objects.create(
            full_name=f"ГБПОУ «Колледж № {index + 1}»",
            short_name=f"Колледж № {index + 1}",
            inn=f"69{index:08d}",
            ogrn=f"10269{index:08d}",
            region="Тверская область",
        )
        groups = max(4, -(-self.students // STUDENTS_PER_GROUP))
        teachers = max(10, groups * 5 // 4)
        admin_phone, teacher_phones = _phone(index, 0, 0), [_phone(index, 1, n) for n in range(teachers)]
        ids = users_get_or_create_many(
            people=[PersonByPhone(phone=admin_phone, last_name="Админов", first_name="Админ")]
            + [
                PersonByPhone(phone=phone, last_name=SURNAMES[n % 9], first_name=NAMES[n % 7])
                for n, phone in enumerate(teacher_phones)
            ]
        )
        memberships_add_many_unchecked(
            actor=None, college=college, role=Role.ADMINISTRATOR, user_ids=[ids[admin_phone]]
        )
        admin = Membership.objects.get(college=college, role=Role.ADMINISTRATOR).user
        teacher_ids = memberships_add_many_unchecked(
            actor=admin, college=college, role=Role.TEACHER, user_ids=[ids[p] for p in teacher_phones]
        )
        teacher_ms = list(Membership.objects.filter(pk__in=teacher_ids.values()).order_by("pk"))
        departments = [
            department_create(actor=admin, college=college, name=f"Отделение {n + 1}") for n in range(DEPARTMENTS)
        ]
        # An administrator sets the groups up in a burst: the roster queue gathers their chats' changes into one
        # sync (chats.roster_queue, GATHER_SECONDS); with tasks run in-process, batch() gathers them alike.
        with batching.batch():
            study_groups = self._groups(admin, college, departments, teacher_ms, groups)
        self._students(admin, college, index, study_groups)
        self._links(admin, college, index, study_groups)
        self._materials(admin, college, study_groups)
        return college

    def _groups(self, admin, college, departments, teachers, count):
        from groups.services import (
            curator_assign_unchecked,
            discipline_create,
            study_group_create,
            subject_teacher_assign,
        )

        year = datetime.date.today().year
        disciplines = [discipline_create(actor=admin, college=college, name=f"Дисциплина {n + 1}") for n in range(3)]
        made = []
        for n in range(count):
            course = n % 4 + 1
            group = study_group_create(
                actor=admin,
                college=college,
                department=departments[n % len(departments)],
                name=f"ИС-{course}{n // 4 + 1}",
                admission_year=year - course + 1,
                specialty_code="09.02.07",
                specialty_name="Информационные системы и программирование",
                course=course,
            )
            curator_assign_unchecked(actor=admin, group=group, teacher=teachers[n % len(teachers)])
            subject_teacher_assign(
                actor=admin, group=group, teacher=teachers[(n + 1) % len(teachers)], discipline=disciplines[n % 3]
            )
            made.append(group)
        return made

    def _students(self, admin, college, index, groups):
        """The students by the roster import, as a college loads its contingent: an enrolment order each."""
        from movement import services
        from movement.models import ImportBatch

        lines = ["Фамилия;Имя;Отчество;Телефон;Группа;Дата рождения"]
        for n in range(self.students):
            phone = _phone(index, 2, n)
            lines.append(
                f"{SURNAMES[n % 9]};{NAMES[n % 7]};Иванович;8{phone[2:]};{groups[n % len(groups)].name};"
                f"{n % 28 + 1:02d}.{n % 12 + 1:02d}.2008"
            )
        today = datetime.date.today()
        started = time.perf_counter()
        batch = services.import_upload(
            actor=admin,
            college=college,
            name="kontingent.csv",
            data=("\n".join(lines) + "\n").encode("cp1251"),
            order_number="1-к",
            order_date=today,
            effective_date=today,
        )
        services.import_apply_start(actor=admin, batch=batch)  # applied in-process on commit
        self.student_seconds += time.perf_counter() - started
        status = ImportBatch.objects.values_list("status", flat=True).get(pk=batch.pk)
        if status != ImportBatch.Status.APPLIED:
            raise SystemExit(f"college {index + 1}: the roster import ended {status}: {batch.summary}")

    def _links(self, admin, college, index, groups):
        """A link per role, personal links, newcomers joining by a link and others filing join requests."""
        from django.utils import timezone

        from accounts.models import User
        from accounts.services import PersonByPhone, users_get_or_create_many
        from colleges.models import Role
        from invitations.models import Invitation
        from invitations.permissions import INVITABLE_ROLES
        from invitations.services import invitation_accept, invitation_create

        expires = timezone.now() + datetime.timedelta(days=30)
        for role in INVITABLE_ROLES:
            group = groups[0] if role in (Role.STUDENT, Role.PARENT) else None
            invitation_create(actor=admin, college=college, role=role, group=group, expires_at=expires)
        for n in range(PERSONAL_LINKS):
            invitation_create(
                actor=admin,
                college=college,
                role=Role.STUDENT,
                group=groups[n % len(groups)],
                kind=Invitation.Kind.PERSONAL,
                recipient_phone=_phone(index, 3, n),
                expires_at=expires,
            )
        open_link, _ = invitation_create(
            actor=admin, college=college, role=Role.STUDENT, group=groups[1 % len(groups)], expires_at=expires
        )
        reviewed, _ = invitation_create(
            actor=admin,
            college=college,
            role=Role.STUDENT,
            group=groups[2 % len(groups)],
            expires_at=expires,
            requires_approval=True,
        )
        phones = [_phone(index, 4, n) for n in range(2 * JOINERS)]
        ids = users_get_or_create_many(
            people=[
                PersonByPhone(phone=p, last_name=SURNAMES[n % 9], first_name=NAMES[n % 7]) for n, p in enumerate(phones)
            ]
        )
        users = User.objects.in_bulk([ids[p] for p in phones])
        for n, phone in enumerate(phones):
            invitation_accept(invitation=open_link if n < JOINERS else reviewed, user=users[ids[phone]])

    def _materials(self, admin, college, groups):
        from groups.selectors import study_group_curator
        from materials.models import Audience, Kind
        from materials.services import material_create

        for n in range(MATERIALS):
            group = groups[n % len(groups)]
            material_create(
                actor=study_group_curator(group=group).teacher.user,
                college=college,
                kind=Kind.ARTICLE,
                title=f"Материал {n + 1} для группы {group.name}",
                audience=Audience.GROUPS,
                groups=[group],
                body="<p>Расписание консультаций.</p>",
                publish=True,
            )
        material_create(
            actor=admin,
            college=college,
            kind=Kind.LINK,
            title="Справка по платформе",
            audience=Audience.STAFF,
            url="https://sferum.ru/",
            publish=True,
        )


class ChatsClock:
    """The wall time the build spends in chats' roster sync (every sync goes through ``chat_sync_roster``)."""

    def __init__(self):
        self.seconds = 0.0
        self.calls = 0

    def install(self) -> None:
        from chats import services
        from chats.services import sync

        real = sync.chat_sync_roster

        def timed(**kwargs):
            started = time.perf_counter()
            try:
                return real(**kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1

        sync.chat_sync_roster = services.chat_sync_roster = timed


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _people(college):
    """The administrator (with TOTP, which their pages require), a curator and a student of ``college``."""
    from accounts.demo import demo_totp_activate
    from colleges.models import Membership, Role
    from groups.models import CuratorAssignment, Enrollment

    admin = Membership.objects.get(college=college, role=Role.ADMINISTRATOR).user
    demo_totp_activate(admin)
    curator = CuratorAssignment.objects.filter(college=college, ended_at__isnull=True).order_by("pk").first()
    student = Enrollment.objects.filter(college=college, ended_at__isnull=True).order_by("pk").first()
    return {"administrator": admin, "teacher": curator.teacher.user, "student": student.student.user}


def _routes(college) -> list[tuple[str, str]]:
    """(name, path) of every argument-free GET route of the project that is not a form or an action."""
    from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

    found = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                module = getattr(pattern.urlconf_module, "__name__", "")
                if module.startswith(THIRD_PARTY) or pattern.app_name == "admin":
                    continue
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                if getattr(pattern.callback, "__module__", "").startswith(THIRD_PARTY):
                    continue
                name = namespace + pattern.name
                if any(word in name for word in NOT_LISTS) or name.endswith("-detail"):
                    continue
                if set(pattern.pattern.regex.groupindex):
                    continue
                for kwargs in ({}, {"college_id": college.pk}):  # the API's college comes from its prefix
                    try:
                        found.append((name, reverse(name, kwargs=kwargs)))
                        break
                    except NoReverseMatch:
                        continue

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def _use_database(name: str) -> None:
    """Point the default connection at database ``name`` (the next query connects to it)."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def _measure(clients: dict, pages: list[tuple[str, str, str]], repeats: int, databases: tuple[str, ...]) -> dict:
    """database → (role, page) → (queries, median seconds), for every page, of the role that may open it.

    The databases take turns, a round of every page each, in alternating order; within a round the pages
    take turns, one request each. Other load on the machine thus falls on both sizes alike, where
    measuring one size before building the other would compare two different minutes of the machine.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {database: {} for database in databases}
    for database in databases:
        _use_database(database)
        for role, name, path in pages:
            clients[role].get(path)  # warm-up: templates, the session, the connection
            with CaptureQueriesContext(connection) as queries:
                response = clients[role].get(path)
            if response.status_code != 200:
                raise SystemExit(f"{database}: {role} {path} answered {response.status_code}")
            counts[database][(role, name)] = len(queries)  # read now: the next request empties the log
    latencies = {database: {key: [] for key in counts[database]} for database in databases}
    for round_ in range(repeats):
        for database in databases if round_ % 2 == 0 else databases[::-1]:
            _use_database(database)
            clients[pages[0][0]].get(pages[0][2])  # connects, untimed
            for role, name, path in pages:
                started = time.perf_counter()
                clients[role].get(path)
                latencies[database][(role, name)].append(time.perf_counter() - started)
    return {
        database: {key: (count, statistics.median(latencies[database][key])) for key, count in counts[database].items()}
        for database in databases
    }


def _pages(clients: dict, routes: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(role, shown name, path) of the list pages each person may open: those answering them 200 in HTML or JSON."""
    pages = []
    for role, client in clients.items():
        for name, path in routes:
            response = client.get(path)
            kind = response.get("Content-Type", "")
            page = kind.startswith(("text/html", "application/json")) or name == "bench_bare"
            if response.status_code != 200 or not page:
                continue
            pages.append((role, name, path))
            if name in SEARCHES:
                pages.append((role, name + SEARCHES[name], path + SEARCHES[name]))
    return pages


def run(args) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    # Persistent connections, as in production: a request pays for its own work, not for connecting.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 60
    connection.settings_dict["CONN_MAX_AGE"] = 60
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the probing meets many 403s and 405s
    call_command("migrate", verbosity=0)
    builder = Builder(args.students)
    builder.chats.install()
    started = time.perf_counter()
    first = builder.college(0)
    first_seconds = time.perf_counter() - started
    print(f"college 1: {args.students} students built in {first_seconds:.1f} s", flush=True)
    _analyze()
    people = _people(first)
    clients = {}
    for role, user in people.items():
        clients[role] = Client()
        clients[role].force_login(user)
    pages = _pages(clients, _routes(first))
    print(f"{len(pages)} list pages and endpoints of the administrator, a teacher and a student", flush=True)
    region_name = connection.settings_dict["NAME"]
    alone_name = f"{region_name}_one"
    _copy_database(region_name, alone_name)

    started = time.perf_counter()
    if args.chats == "first":
        from chats import receivers

        receivers.disconnect()  # the other colleges get no roster chats (see --chats)
    for index in range(1, args.colleges):
        builder.college(index)
        if index % 5 == 0 or index == args.colleges - 1:
            elapsed = time.perf_counter() - started
            print(f"colleges 2…{index + 1}: {index * args.students} students in {elapsed:.0f} s", flush=True)
    rest_seconds = time.perf_counter() - started
    _analyze()
    try:
        measured = _measure(clients, pages, args.repeats, (alone_name, region_name))
    finally:
        _use_database(region_name)
        _drop_database(alone_name)
    _report(args, pages, measured[alone_name], measured[region_name], builder, first_seconds, rest_seconds)


def _copy_database(source: str, copy: str) -> None:
    """``copy``: the database ``source`` as it is now (the first college alone), made from it as a template."""
    from django.db import connection

    connection.close()
    with _maintenance() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')


def _drop_database(name: str) -> None:
    with _maintenance() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class _maintenance:
    """A cursor on the server's ``postgres`` database, in autocommit (CREATE DATABASE needs it)."""

    def __enter__(self):
        import psycopg2

        url = os.environ["BENCH_MAINTENANCE_URL"]
        self.connection = psycopg2.connect(url)
        self.connection.autocommit = True
        return self.connection.cursor()

    def __exit__(self, *exc):
        self.connection.close()


def _report(args, pages, alone, region, builder, first_seconds, rest_seconds) -> None:
    from accounts.models import User
    from groups.models import StudyGroup
    from movement.models import Movement

    print()
    print(
        f"{args.colleges} colleges × {args.students} students: {User.objects.count()} users, "
        f"{Movement.objects.count()} orders; median of {args.repeats} requests, in-process, college cache off"
    )
    print(
        f"{'role':<13} {'page':<46} {'queries':>9} {'1 college ms':>13} "
        f"{f'{args.colleges} colleges ms':>15} {'ratio':>6} {'÷ bare':>8}"
    )
    # The machine's other load moves between the two measurements: each page's ratio is also shown
    # divided by the bare view's ratio (the median over the three people), which that load moves alike.
    bare_ratios = [region[(role, name)][1] / alone[(role, name)][1] for role, name, _ in pages if name == "bench_bare"]
    drift = statistics.median(bare_ratios) if bare_ratios else 1.0
    worst = 0.0
    for role, name, _path in pages:
        (q1, t1), (qn, tn) = alone[(role, name)], region[(role, name)]
        ratio = tn / t1
        adjusted = ratio / drift
        worst = max(worst, adjusted)
        queries = f"{q1}" if q1 == qn else f"{q1}→{qn}"
        flag = "" if q1 == qn and adjusted <= 1.2 else "  ←"
        print(
            f"{role:<13} {name:<46} {queries:>9} {t1 * 1000:>13.1f} {tn * 1000:>15.1f} "
            f"{ratio:>5.2f}× {adjusted:>7.2f}×{flag}"
        )
    total = args.colleges * args.students
    print(
        f"load: {total} students in {first_seconds + rest_seconds:.0f} s = {total / (first_seconds + rest_seconds):.0f}"
        f" students/s with groups, staff, links, requests and materials; the roster import alone "
        f"{total / builder.student_seconds:.0f} students/s"
    )
    groups = StudyGroup.objects.count()
    print(
        f"chats: {builder.chats.seconds:.0f} s of the build in {builder.chats.calls} roster syncs = "
        f"{builder.chats.seconds / max(groups, 1) * 1000:.0f} ms per study group ({groups} groups)"
    )
    print(f"worst ratio ÷ bare {worst:.2f}× (goal ≤ 1.2×, query counts equal; ← marks a page that misses it)")
    if args.chats == "first":
        print("--chats first: only the first college has roster chats, so the chat pages' ratios say little here")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--colleges", type=int, default=50)
    parser.add_argument("--students", type=int, default=5000, help="students per college")
    parser.add_argument("--repeats", type=int, default=7, help="requests per page and size (the median is shown)")
    parser.add_argument("--database", default="sferum_bench_region")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--redis-db", type=int, default=REDIS_DB, help="the Redis database to use (emptied)")
    parser.add_argument(
        "--chats",
        choices=("all", "first"),
        default="all",
        help="whose roster chats the build makes: every college's (as a region would have; recommended: the "
        "set-based sync costs some 20-25 ms per study group), or the first's only (a quicker build; the other "
        "pages do not read chats' tables)",
    )
    args = parser.parse_args()
    if args.colleges < 2 or args.students < 1:
        raise SystemExit("--colleges must be at least 2 and --students at least 1")

    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sferum")
    bench_url, maintenance_url = database_urls(base_url, args.database)
    cache_url = redis_url(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379", args.redis_db)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "sferum_admin.settings",
            "DJANGO_ENV": "development",
            "DJANGO_DEBUG": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DATABASE_URL": bench_url,
            "REDIS_URL": cache_url,
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "COLLEGE_CACHE_SECONDS": "0",
            "BENCHMARK": "true",  # routes bench_bare: a view that only loads the session user
            "LOG_LEVEL": "ERROR",
            "BENCH_MAINTENANCE_URL": maintenance_url,
        }
    )
    flush_redis(cache_url)
    recreate_database(maintenance_url, args.database)
    print(f"database {args.database}: created afresh", flush=True)
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            recreate_database(maintenance_url, args.database, drop_only=True)
            print(f"database {args.database}: dropped")
        flush_redis(cache_url)


if __name__ == "__main__":
    main()
