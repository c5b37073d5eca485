"""``manage.py seed_demo``: a deterministic demo college to try the platform on.

The same arguments give the same college every time (names come from fixed
lists through a seeded ``random.Random``): 4 departments, 12 specialties,
~25 students per study group (600 students → 24 groups, 10 000 → 400),
60 staff at the default size (the administrator, the director and three
deputies, teachers), a curator for every group, disciplines with subject
teachers.

Writes go straight through the models with ``bulk_create`` instead of the
services. This is a documented exception for seeding only: the services
write one row, one audit event and one signal at a time, and 10 000 students
must load in seconds. One audit event (``demo.seed``) records the seeding.
``bulk_create`` sends no signals: receivers of ``groups.signals`` (group
chats and the like) do not hear of the seeded people, so an app that keeps
per-group data of its own adds its demo rows here.
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
import math
import random
import time
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log
from colleges.models import College, Department, Membership, Role
from groups.models import (
    CuratorAssignment,
    Discipline,
    Enrollment,
    FormOfStudy,
    StaffGroup,
    StudyGroup,
    SubjectTeacherAssignment,
)

DEMO_INN = "6950000017"
DEMO_OGRN = "1026900000016"
ADMIN_PHONE = "+79990000001"
STAFF_PHONE = "+79990000000"
STAFF_EMAIL = "operator@example.org"
DEMO_STAFF_PASSWORD = "demo-sferum-2026"
# Base32, as authenticator apps expect. A demo secret, printed on purpose.
DEMO_TOTP_SECRET = "SFERUMADMINDEMOSECRETKEY23456722"
STUDENTS_PER_GROUP = 25
DEFAULT_STUDENTS = 600
DEFAULT_SEED = 2026

DEPARTMENTS = [
    (
        "Отделение информационных технологий",
        [
            ("ИС", "09.02.07", "Информационные системы и программирование"),
            ("СА", "09.02.06", "Сетевое и системное администрирование"),
            ("ИБ", "10.02.05", "Обеспечение информационной безопасности автоматизированных систем"),
        ],
    ),
    (
        "Экономическое отделение",
        [
            ("БУ", "38.02.01", "Экономика и бухгалтерский учёт (по отраслям)"),
            ("БД", "38.02.07", "Банковское дело"),
            ("ПСО", "40.02.01", "Право и организация социального обеспечения"),
        ],
    ),
    (
        "Отделение машиностроения и транспорта",
        [
            ("ТМ", "15.02.16", "Технология машиностроения"),
            ("ТО", "23.02.07", "Техническое обслуживание и ремонт автотранспортных средств"),
            ("ЭМ", "13.02.13", "Эксплуатация и обслуживание электрического и электромеханического оборудования"),
        ],
    ),
    (
        "Строительное отделение",
        [
            ("СЗ", "08.02.01", "Строительство и эксплуатация зданий и сооружений"),
            ("ВВ", "08.02.04", "Водоснабжение и водоотведение"),
            ("ЗУ", "21.02.19", "Землеустройство"),
        ],
    ),
]
DEPARTMENT_HEADS = [
    "Лебедева Ольга Николаевна",
    "Морозов Сергей Викторович",
    "Ковалёв Андрей Петрович",
    "Зайцева Ирина Юрьевна",
]
COMMON_DISCIPLINES = [
    ("ОГСЭ.01", "Основы философии"),
    ("ОГСЭ.02", "История России"),
    ("ОГСЭ.03", "Иностранный язык в профессиональной деятельности"),
    ("ОГСЭ.04", "Физическая культура"),
    ("ЕН.01", "Математика"),
    ("ОП.01", "Безопасность жизнедеятельности"),
]
SPECIAL_DISCIPLINES = {
    "ИС": ("МДК.01.01", "Разработка программных модулей"),
    "СА": ("МДК.01.01", "Компьютерные сети"),
    "ИБ": ("МДК.02.01", "Программные и программно-аппаратные средства защиты информации"),
    "БУ": ("МДК.01.01", "Практические основы бухгалтерского учёта активов организации"),
    "БД": ("МДК.01.01", "Организация безналичных расчётов"),
    "ПСО": ("ОП.05", "Гражданское право"),
    "ТМ": ("МДК.01.01", "Технологические процессы изготовления деталей машин"),
    "ТО": ("МДК.01.01", "Устройство автомобилей"),
    "ЭМ": ("ОП.02", "Электротехника и электроника"),
    "СЗ": ("МДК.01.01", "Проектирование зданий и сооружений"),
    "ВВ": ("МДК.01.01", "Сооружения и оборудование систем водоснабжения"),
    "ЗУ": ("МДК.01.01", "Проектирование, организация и устройство территорий"),
}

SURNAMES = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
    "Жуков",
    "Баранов",
    "Филиппов",
    "Комаров",
    "Давыдов",
    "Беляев",
    "Герасимов",
    "Богданов",
    "Осипов",
    "Сидоров",
    "Матвеев",
    "Титов",
    "Марков",
    "Миронов",
    "Крылов",
    "Куликов",
    "Карпов",
    "Власов",
    "Мельников",
    "Денисов",
    "Гаврилов",
    "Тихонов",
    "Казаков",
    "Афанасьев",
    "Данилов",
    "Савельев",
    "Тимофеев",
    "Фомин",
    "Чернов",
    "Абрамов",
    "Мартынов",
    "Ефимов",
    "Федотов",
    "Щербаков",
    "Назаров",
    "Калинин",
    "Исаев",
    "Чернышёв",
    "Быков",
    "Маслов",
    "Родионов",
    "Коновалов",
    "Лазарев",
    "Воронин",
    "Климов",
    "Филатов",
    "Пономарёв",
    "Голубев",
    "Кудрявцев",
    "Прохоров",
    "Наумов",
    "Потапов",
    "Журавлёв",
    "Овчинников",
    "Трофимов",
    "Леонов",
    "Соболев",
    "Ермаков",
    "Колесников",
    "Гончаров",
    "Емельянов",
    "Никифоров",
    "Грачёв",
    "Котов",
    "Гришин",
    "Ефремов",
    "Архипов",
    "Громов",
    "Кириллов",
    "Малышев",
    "Панов",
    "Моисеев",
    "Румянцев",
    "Акимов",
    "Кондратьев",
    "Бирюков",
    "Горбунов",
    "Анисимов",
    "Еремин",
    "Тихомиров",
    "Галкин",
    "Лукьянов",
    "Михеев",
    "Скворцов",
    "Юдин",
    "Белоусов",
    "Нестеров",
    "Симонов",
    "Прокофьев",
    "Харитонов",
    "Князев",
    "Цветков",
    "Левин",
    "Митрофанов",
    "Воронцов",
    "Аксенов",
    "Софронов",
    "Мальцев",
    "Логинов",
    "Горшков",
    "Савин",
    "Краснов",
    "Майоров",
    "Демидов",
    "Елисеев",
    "Рыбаков",
    "Сафонов",
    "Плотников",
    "Дёмин",
    "Хохлов",
    "Жданов",
    "Руденко",
    "Шевченко",
    "Бондаренко",
    "Кравченко",
    "Черных",
    "Седых",
    "Белых",
    "Долгих",
    "Островский",
    "Вишневский",
    "Ковальский",
]
MALE_NAMES = [
    "Александр",
    "Дмитрий",
    "Максим",
    "Сергей",
    "Андрей",
    "Алексей",
    "Артём",
    "Илья",
    "Кирилл",
    "Михаил",
    "Никита",
    "Матвей",
    "Роман",
    "Егор",
    "Арсений",
    "Иван",
    "Денис",
    "Евгений",
    "Даниил",
    "Тимофей",
    "Владислав",
    "Игорь",
    "Владимир",
    "Павел",
    "Руслан",
    "Марк",
    "Константин",
    "Тимур",
    "Олег",
    "Ярослав",
    "Антон",
    "Николай",
    "Глеб",
    "Данила",
    "Савелий",
    "Вадим",
    "Степан",
    "Юрий",
    "Богдан",
    "Лев",
    "Фёдор",
    "Григорий",
    "Виктор",
    "Георгий",
    "Семён",
]
FEMALE_NAMES = [
    "Анастасия",
    "Мария",
    "Анна",
    "Виктория",
    "Екатерина",
    "Наталья",
    "Марина",
    "Полина",
    "София",
    "Дарья",
    "Алиса",
    "Ксения",
    "Александра",
    "Елена",
    "Юлия",
    "Ирина",
    "Ольга",
    "Вероника",
    "Валерия",
    "Алина",
    "Татьяна",
    "Варвара",
    "Елизавета",
    "Кристина",
    "Арина",
    "Ева",
    "Диана",
    "Маргарита",
    "Светлана",
    "Ульяна",
    "Василиса",
    "Милана",
    "Яна",
    "Вера",
    "Людмила",
    "Надежда",
    "Галина",
    "Любовь",
    "Софья",
    "Таисия",
]
# Fathers' names and the patronymics made from them (male, female).
PATRONYMICS = [
    ("Александрович", "Александровна"), ("Дмитриевич", "Дмитриевна"), ("Сергеевич", "Сергеевна"),
    ("Андреевич", "Андреевна"), ("Алексеевич", "Алексеевна"), ("Михайлович", "Михайловна"),
    ("Иванович", "Ивановна"), ("Евгеньевич", "Евгеньевна"), ("Владимирович", "Владимировна"),
    ("Павлович", "Павловна"), ("Николаевич", "Николаевна"), ("Олегович", "Олеговна"),
    ("Викторович", "Викторовна"), ("Юрьевич", "Юрьевна"), ("Игоревич", "Игоревна"),
    ("Петрович", "Петровна"), ("Васильевич", "Васильевна"), ("Анатольевич", "Анатольевна"),
    ("Романович", "Романовна"), ("Максимович", "Максимовна"), ("Константинович", "Константиновна"),
    ("Вячеславович", "Вячеславовна"), ("Геннадьевич", "Геннадьевна"), ("Борисович", "Борисовна"),
    ("Артёмович", "Артёмовна"), ("Денисович", "Денисовна"), ("Ильич", "Ильинична"),
    ("Григорьевич", "Григорьевна"), ("Фёдорович", "Фёдоровна"), ("Тимурович", "Тимуровна"),
]  # fmt: skip
ADMINISTRATION_POSITIONS = [
    "Директор",
    "Заместитель директора по учебной работе",
    "Заместитель директора по воспитательной работе",
    "Заместитель директора по учебно-производственной работе",
]


def feminine_surname(surname: str) -> str:
    """Иванов → Иванова, Островский → Островская; Шевченко and Черных stay as they are."""
    if surname.endswith(("ов", "ёв", "ев", "ин", "ын")):
        return surname + "а"
    if surname.endswith(("ский", "цкий")):
        return surname[:-2] + "ая"
    return surname


class NameMaker:
    """Russian full names from the fixed lists, in an order fixed by the seed."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def person(self) -> dict[str, str]:
        female = self.rng.random() < 0.5
        surname = self.rng.choice(SURNAMES)
        patronymic = self.rng.choice(PATRONYMICS)[1 if female else 0]
        return {
            "last_name": feminine_surname(surname) if female else surname,
            "first_name": self.rng.choice(FEMALE_NAMES if female else MALE_NAMES),
            # Some people, by their family's tradition, have no patronymic.
            "patronymic": "" if self.rng.random() < 0.03 else patronymic,
        }


def academic_year_start(today: datetime.date) -> int:
    return today.year if today.month >= 9 else today.year - 1


def totp_uri(phone: str) -> str:
    issuer = settings.MFA_TOTP_ISSUER
    return f"otpauth://totp/{quote(issuer)}:{quote(phone)}?secret={DEMO_TOTP_SECRET}&issuer={quote(issuer)}"


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
            if College.objects.filter(inn=DEMO_INN).exists():
                self._print_sign_in()
            return
        if College.objects.filter(inn=DEMO_INN).exists():
            raise CommandError("Демо-колледж уже загружен. Для новой загрузки нужна пустая база.")

        started = time.perf_counter()
        with transaction.atomic():
            counts = self._seed(students=students, seed=seed)
        elapsed = time.perf_counter() - started

        summary = ", ".join(f"{label}: {value}" for label, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Демо-колледж загружен за {elapsed:.1f} с ({summary})."))
        self._print_sign_in()

    # --- building ----------------------------------------------------------

    def _seed(self, *, students: int, seed: int) -> dict[str, int]:
        rng = random.Random(seed)
        names = NameMaker(rng)
        year = academic_year_start(timezone.localdate())
        term_start = datetime.date(year, 9, 1)
        n_groups = max(4, math.ceil(students / STUDENTS_PER_GROUP))
        n_teachers = max(55, math.ceil(n_groups * 5 / 4))

        college = College.objects.create(
            full_name="ГБПОУ «Демонстрационный политехнический колледж»",
            short_name="Демонстрационный колледж",
            inn=DEMO_INN,
            ogrn=DEMO_OGRN,
            region="Тверская область",
            address="170100, г. Тверь, ул. Учебная, д. 1",
            email="info@example.org",
            phone="+74822000000",
        )
        departments = Department.objects.bulk_create(
            [
                Department(college=college, name=name, head_name=head)
                for (name, _), head in zip(DEPARTMENTS, DEPARTMENT_HEADS, strict=True)
            ]
        )

        # Staff: the administrator, the administration, teachers.
        admin = User(phone=ADMIN_PHONE, phone_verified=True, **names.person())
        administration = [
            User(phone=f"+7999000001{i}", phone_verified=True, **names.person())
            for i in range(len(ADMINISTRATION_POSITIONS))
        ]
        teachers = [User(phone=f"+79991{i:06d}", phone_verified=True, **names.person()) for i in range(n_teachers)]
        student_users = [User(phone=f"+79992{i:06d}", phone_verified=True, **names.person()) for i in range(students)]
        staff_user = User(
            phone=STAFF_PHONE,
            email=STAFF_EMAIL,
            phone_verified=True,
            is_staff=True,
            # A person's name, not the role spelt across the name fields: pages greet people by
            # first name (the Django admin's «Добро пожаловать, …» read «…, ПЛАТФОРМЫ»).
            last_name="Соколова",
            first_name="Мария",
            patronymic="Андреевна",
        )
        staff_user.set_password(DEMO_STAFF_PASSWORD)
        people = [admin, *administration, *teachers, *student_users]
        for user in people:
            user.set_unusable_password()
        for user in (staff_user, *people):
            user.fill_search_fields()  # bulk_create skips save(), which sets them
        User.objects.bulk_create([staff_user, *people], batch_size=2000)

        admin_m = Membership(
            user=admin, college=college, role=Role.ADMINISTRATOR, position="Администратор платформы «Сферум»"
        )
        admin_m.order_number, admin_m.order_date = "12-од", datetime.date(year, 8, 29)
        administration_m = [
            Membership(user=user, college=college, role=Role.ADMINISTRATION, position=position)
            for user, position in zip(administration, ADMINISTRATION_POSITIONS, strict=True)
        ]
        teacher_m = [
            Membership(user=user, college=college, role=Role.TEACHER, position="Преподаватель") for user in teachers
        ]
        student_m = [Membership(user=user, college=college, role=Role.STUDENT) for user in student_users]
        Membership.objects.bulk_create([admin_m, *administration_m, *teacher_m, *student_m], batch_size=2000)

        administration_group = StaffGroup.objects.create(college=college, name="Администрация")
        teaching_staff = StaffGroup.objects.create(college=college, name="Педагогический состав")
        Through = StaffGroup.members.through
        Through.objects.bulk_create(
            [Through(staffgroup=administration_group, membership=m) for m in [admin_m, *administration_m]]
            + [Through(staffgroup=teaching_staff, membership=m) for m in teacher_m],
            batch_size=2000,
        )

        # Study groups: 12 specialties; each specialty fills its courses 1–4 in turn.
        specialties = [
            (dept, spec) for dept, (_, specs) in zip(departments, DEPARTMENTS, strict=True) for spec in specs
        ]
        groups = []
        for i in range(n_groups):
            spec_index, slot = i % len(specialties), i // len(specialties)
            department, (abbr, code, specialty) = specialties[spec_index]
            course = (slot + spec_index) % 4 + 1
            number = slot // 4 + 1
            groups.append(
                StudyGroup(
                    college=college,
                    department=department,
                    name=f"{abbr}-{course}{number}",
                    specialty_code=code,
                    specialty_name=specialty,
                    course=course,
                    admission_year=year - course + 1,
                    form_of_study=FormOfStudy.PART_TIME if abbr == "ПСО" and course >= 3 else FormOfStudy.FULL_TIME,
                )
            )
        StudyGroup.objects.bulk_create(groups, batch_size=2000)

        Enrollment.objects.bulk_create(
            [
                Enrollment(
                    college=college,
                    student=membership,
                    group=groups[index % n_groups],
                    started_at=datetime.date(groups[index % n_groups].admission_year, 9, 1),
                )
                for index, membership in enumerate(student_m)
            ],
            batch_size=2000,
        )
        CuratorAssignment.objects.bulk_create(
            [
                CuratorAssignment(
                    college=college, group=group, teacher=teacher_m[i % n_teachers], started_at=term_start
                )
                for i, group in enumerate(groups)
            ],
            batch_size=2000,
        )

        common = Discipline.objects.bulk_create(
            [Discipline(college=college, code=code, name=name) for code, name in COMMON_DISCIPLINES]
        )
        special = {
            abbr: discipline
            for abbr, discipline in zip(
                SPECIAL_DISCIPLINES,
                Discipline.objects.bulk_create(
                    [Discipline(college=college, code=code, name=name) for code, name in SPECIAL_DISCIPLINES.values()]
                ),
                strict=True,
            )
        }
        assignments = []
        for group in groups:
            abbr = group.name.split("-")[0]
            for discipline in (rng.choice(common[:3]), rng.choice(common[3:]), special[abbr]):
                assignments.append(
                    SubjectTeacherAssignment(
                        college=college,
                        group=group,
                        teacher=rng.choice(teacher_m),
                        discipline=discipline,
                        started_at=term_start,
                    )
                )
        SubjectTeacherAssignment.objects.bulk_create(assignments, batch_size=2000)

        self._activate_demo_totp(admin)
        self._activate_demo_totp(staff_user)

        counts = {
            "отделений": len(departments),
            "учебных групп": len(groups),
            "сотрудников": 1 + len(administration) + len(teachers),
            "обучающихся": len(student_users),
            "дисциплин": len(common) + len(special),
        }
        audit_log(
            actor=None,
            action="demo.seed",
            target=college,
            after={"students": students, "seed": seed, "groups": n_groups, "teachers": n_teachers},
        )
        return counts

    def _activate_demo_totp(self, user: User) -> None:
        from allauth.mfa.totp.internal.auth import TOTP

        TOTP.activate(user, DEMO_TOTP_SECRET)

    # --- output ------------------------------------------------------------

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
            "",
        ]
        self.stdout.write("\n".join(lines))
