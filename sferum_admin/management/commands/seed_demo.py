"""``manage.py seed_demo``: a deterministic demo college to try the platform on.

The same arguments give the same college every time (names come from fixed
lists through a seeded ``random.Random``): 4 departments, 12 specialties,
~25 students per study group (600 students → 24 groups, 10 000 → 400),
60 staff at the default size (the administrator, the director and three
deputies, teachers), a curator for every group, disciplines with subject
teachers, one invitation link per role to try joining with, and two materials.

Each app makes its own demo rows, in layer order, given what the lower ones
made: ``accounts/demo.py`` (people), ``colleges/demo.py`` (the college, its
departments and roles), ``groups/demo.py`` (groups, enrolments, curators,
subjects), ``invitations/demo.py`` (the links), ``materials/demo.py`` (a
welcome article and a link), ``chats/demo.py`` (the roster's chats and two
greetings), ``support/demo.py`` (an answered and an open question).
Movement has no demo rows. The bulk of the rows is written
with ``bulk_create`` (10 000 students load in seconds), a
documented exception for seeding only; one audit event (``demo.seed``)
records the seeding, and the links and materials are made by their services
like any other.

Nothing here runs in production: the command refuses ``DJANGO_ENV=production``
because it prints a fixed password and a fixed TOTP secret.

Sign-in: the administrator signs in by phone and an SMS code (the console SMS
backend prints it) and then needs TOTP: the administrator gets an activated
TOTP authenticator with the fixed ``DEMO_TOTP_SECRET`` printed at the end, so
it can be added to an authenticator app once and reused after every reseed.
The administration (director, deputies) set up TOTP themselves at first
sign-in. Platform staff sign in by phone or e-mail and ``DEMO_STAFF_PASSWORD``,
then TOTP (platform staff must have it) with the same ``DEMO_TOTP_SECRET``.
"""

import datetime
import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.demo import (
    DEMO_STAFF_PASSWORD,
    DEMO_TOTP_SECRET,
    STAFF_EMAIL,
    STAFF_PHONE,
    NameMaker,
    demo_platform_operator_create,
    feminine_surname,
    totp_uri,
)
from announcements.demo import demo_announcements_create
from audit.services import audit_log
from broadcasts.demo import demo_sessions_create
from chats.demo import demo_chats_create
from colleges.demo import ADMIN_PHONE, DEMO_INN, demo_college_create, demo_college_exists
from colleges.models import College
from groups.demo import demo_group_count, demo_groups_create, demo_teacher_count
from invitations.demo import demo_invitation_links, demo_invitations_create
from materials.demo import demo_materials_create
from support.demo import demo_tickets_create

DEFAULT_STUDENTS = 600
DEFAULT_SEED = 2026

__all__ = [
    "ADMIN_PHONE",
    "DEMO_STAFF_PASSWORD",
    "DEMO_TOTP_SECRET",
    "STAFF_EMAIL",
    "STAFF_PHONE",
    "Command",
    "feminine_surname",
]


def academic_year_start(today: datetime.date) -> int:
    return today.year if today.month >= 9 else today.year - 1


class Command(BaseCommand):
    help = "Загружает демонстрационный колледж (детерминированно: одинаковые аргументы — одинаковые данные)."

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=DEFAULT_STUDENTS, help="сколько обучающихся (600)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="зерно генератора имён")
        parser.add_argument("--if-empty", action="store_true", help="ничего не делать, если в базе уже есть колледж")

    def handle(self, *args, students: int, seed: int, if_empty: bool, **options):
        if settings.PRODUCTION:
            raise CommandError("Демо-данные не загружаются в production: команда печатает пароль и секрет TOTP.")
        if students < 1:
            raise CommandError("--students должно быть не меньше 1.")
        if if_empty and College.objects.exists():
            self.stdout.write("Колледж в базе уже есть: демо-данные не загружаются.")
            if demo_college_exists():
                self._print_sign_in()
            return
        if demo_college_exists():
            raise CommandError("Демо-колледж уже загружен. Для новой загрузки нужна пустая база.")

        started = time.perf_counter()
        with transaction.atomic():
            counts = self._seed(students=students, seed=seed)
        elapsed = time.perf_counter() - started

        summary = ", ".join(f"{label}: {value}" for label, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Демо-колледж загружен за {elapsed:.1f} с ({summary})."))
        self._print_sign_in()

    def _seed(self, *, students: int, seed: int) -> dict[str, int]:
        """Each app's demo rows, lowest layer first; what a lower app made is handed to the next."""
        rng = random.Random(seed)
        year = academic_year_start(timezone.localdate())
        n_groups = demo_group_count(students)
        n_teachers = demo_teacher_count(n_groups)

        demo_platform_operator_create()
        demo = demo_college_create(names=NameMaker(rng), teachers=n_teachers, students=students, year=year)
        groups = demo_groups_create(demo=demo, rng=rng, year=year)
        invitations = demo_invitations_create(demo=demo, groups=groups)
        materials = demo_materials_create(demo=demo, groups=groups)
        chats = demo_chats_create(demo=demo, groups=groups)
        sessions = demo_sessions_create(demo=demo, groups=groups)
        announcements = demo_announcements_create(demo=demo, groups=groups)
        tickets = demo_tickets_create(demo=demo)

        audit_log(
            actor=None,
            action="demo.seed",
            target=demo.college,
            after={"students": students, "seed": seed, "groups": n_groups, "teachers": n_teachers},
        )
        return {
            "отделений": len(demo.departments),
            "учебных групп": len(groups.groups),
            "сотрудников": 1 + len(demo.administration) + len(demo.teachers),
            "обучающихся": len(demo.students),
            "дисциплин": len(groups.disciplines),
            "ссылок-приглашений": len(invitations),
            "материалов": len(materials),
            "чатов": len(chats),
            "сеансов видеосвязи": len(sessions),
            "объявлений": len(announcements),
            "вопросов в «Помощь»": len(tickets),
        }

    def _print_sign_in(self) -> None:
        login_url = f"{settings.SITE_URL.rstrip('/')}/accounts/login/"
        lines = [
            "",
            "Вход в демо-колледж:",
            f"  Страница входа: {login_url}",
            f"  Администратор платформы колледжа: телефон {ADMIN_PHONE} — вход по коду из SMS",
            "    (в разработке SMS печатается в консоль сервера), затем код из приложения-аутентификатора.",
            f"    Секрет TOTP для приложения (Google Authenticator, Яндекс Ключ и т. п.): {DEMO_TOTP_SECRET}",
            f"    или ссылка: {totp_uri(ADMIN_PHONE)}",
            f"  Сотрудник платформы: телефон {STAFF_PHONE} или e-mail {STAFF_EMAIL}, пароль {DEMO_STAFF_PASSWORD},",
            "    затем код из приложения-аутентификатора с тем же секретом TOTP.",
            "  Директор и заместители (+79990000010…13) настраивают TOTP при первом входе;",
            "  преподаватели +79991000000…, обучающиеся +79992000000… входят по коду из SMS.",
        ]
        links = demo_invitation_links(college=College.objects.get(inn=DEMO_INN))
        if links:
            lines += [
                "",
                "Ссылки-приглашения в демо-колледж (откройте и войдите с любым новым номером телефона):",
                *(f"  {shown}: {url}" for shown, url in links),
            ]
        self.stdout.write("\n".join([*lines, ""]))
