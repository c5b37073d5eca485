"""The demo college itself (``manage.py seed_demo``): its profile, departments and the roles of its people.

Written with ``bulk_create``, as the people are (see ``accounts/demo.py``): seeding only.
"""

import datetime
from dataclasses import dataclass

from accounts.demo import NameMaker, demo_person, demo_totp_activate, demo_users_create
from colleges.models import College, Department, Membership, Role

DEMO_INN = "6950000017"
DEMO_OGRN = "1026900000016"
ADMIN_PHONE = "+79990000001"
DEPARTMENTS = [
    ("Отделение информационных технологий", "Лебедева Ольга Николаевна"),
    ("Экономическое отделение", "Морозов Сергей Викторович"),
    ("Отделение машиностроения и транспорта", "Ковалёв Андрей Петрович"),
    ("Строительное отделение", "Зайцева Ирина Юрьевна"),
]
ADMINISTRATION_POSITIONS = [
    "Директор",
    "Заместитель директора по учебной работе",
    "Заместитель директора по воспитательной работе",
    "Заместитель директора по учебно-производственной работе",
]


@dataclass(frozen=True)
class DemoCollege:
    """What the demo college is made of, for the demo rows of the apps above colleges."""

    college: College
    departments: list[Department]
    administrator: Membership
    administration: list[Membership]
    teachers: list[Membership]
    students: list[Membership]


def demo_college_exists() -> bool:
    return College.objects.filter(inn=DEMO_INN).exists()


def demo_college_create(*, names: NameMaker, teachers: int, students: int, year: int) -> DemoCollege:
    """The college, its departments and its people with their roles.

    The administrator gets the demo TOTP secret; the administration set TOTP up at first sign-in.
    Phones: the administrator ``ADMIN_PHONE``, the administration +79990000010…, teachers
    +79991000000…, students +79992000000….
    """
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
        [Department(college=college, name=name, head_name=head) for name, head in DEPARTMENTS]
    )
    people = [
        demo_person(names, ADMIN_PHONE),
        *(demo_person(names, f"+7999000001{i}") for i in range(len(ADMINISTRATION_POSITIONS))),
        *(demo_person(names, f"+79991{i:06d}") for i in range(teachers)),
        *(demo_person(names, f"+79992{i:06d}") for i in range(students)),
    ]
    users = demo_users_create(people=people)
    admin, administration = users[0], users[1 : 1 + len(ADMINISTRATION_POSITIONS)]
    teacher_users = users[1 + len(ADMINISTRATION_POSITIONS) : 1 + len(ADMINISTRATION_POSITIONS) + teachers]
    student_users = users[1 + len(ADMINISTRATION_POSITIONS) + teachers :]

    admin_m = Membership(
        user=admin,
        college=college,
        role=Role.ADMINISTRATOR,
        position="Администратор платформы «Сферум»",
        order_number="12-од",
        order_date=datetime.date(year, 8, 29),
    )
    administration_m = [
        Membership(user=user, college=college, role=Role.ADMINISTRATION, position=position)
        for user, position in zip(administration, ADMINISTRATION_POSITIONS, strict=True)
    ]
    teacher_m = [
        Membership(user=user, college=college, role=Role.TEACHER, position="Преподаватель") for user in teacher_users
    ]
    student_m = [Membership(user=user, college=college, role=Role.STUDENT) for user in student_users]
    made = [admin_m, *administration_m, *teacher_m, *student_m]
    for membership in made:
        membership.copy_user_names()  # bulk_create skips save(), which copies them
    Membership.objects.bulk_create(made, batch_size=2000)
    demo_totp_activate(admin)
    return DemoCollege(
        college=college,
        departments=departments,
        administrator=admin_m,
        administration=administration_m,
        teachers=teacher_m,
        students=student_m,
    )
