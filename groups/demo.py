"""The demo college's groups (``manage.py seed_demo``): study groups with their students, curators,
disciplines and subject teachers, and the two staff groups.

Written with ``bulk_create``, as the college's people are (see ``accounts/demo.py``): seeding only; the
groups' ``student_count`` is set through ``student_counts_add`` as the enrollment services set it.
``bulk_create`` sends no signals, so receivers of ``groups.signals`` (group chats and the like) do
not hear of the seeded rows: an app that keeps per-group data of its own adds its demo rows in its
own ``demo.py``, given what this one made.
"""

import datetime
import math
import random
from collections import Counter
from dataclasses import dataclass

from colleges.demo import DemoCollege
from groups.models import (
    CuratorAssignment,
    Discipline,
    Enrollment,
    FormOfStudy,
    StaffGroup,
    StudyGroup,
    SubjectTeacherAssignment,
)
from groups.services.student_counts import student_counts_add

STUDENTS_PER_GROUP = 25
# The specialties of each demo department, in the order of ``colleges.demo.DEPARTMENTS``: (abbreviation, code, name).
SPECIALTIES = [
    [
        ("ИС", "09.02.07", "Информационные системы и программирование"),
        ("СА", "09.02.06", "Сетевое и системное администрирование"),
        ("ИБ", "10.02.05", "Обеспечение информационной безопасности автоматизированных систем"),
    ],
    [
        ("БУ", "38.02.01", "Экономика и бухгалтерский учёт (по отраслям)"),
        ("БД", "38.02.07", "Банковское дело"),
        ("ПСО", "40.02.01", "Право и организация социального обеспечения"),
    ],
    [
        ("ТМ", "15.02.16", "Технология машиностроения"),
        ("ТО", "23.02.07", "Техническое обслуживание и ремонт автотранспортных средств"),
        ("ЭМ", "13.02.13", "Эксплуатация и обслуживание электрического и электромеханического оборудования"),
    ],
    [
        ("СЗ", "08.02.01", "Строительство и эксплуатация зданий и сооружений"),
        ("ВВ", "08.02.04", "Водоснабжение и водоотведение"),
        ("ЗУ", "21.02.19", "Землеустройство"),
    ],
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


def demo_group_count(students: int) -> int:
    """About ``STUDENTS_PER_GROUP`` students a group, at least four groups."""
    return max(4, math.ceil(students / STUDENTS_PER_GROUP))


def demo_teacher_count(groups: int) -> int:
    return max(55, math.ceil(groups * 5 / 4))


@dataclass(frozen=True)
class DemoGroups:
    """What the demo groups are, for the demo rows of the apps above groups."""

    groups: list[StudyGroup]
    disciplines: list[Discipline]


def demo_groups_create(*, demo: DemoCollege, rng: random.Random, year: int) -> DemoGroups:
    """Staff groups, study groups (12 specialties, each filling its courses 1–4 in turn), every student
    enrolled in one, a curator for every group and three subject teachers each."""
    _staff_groups_create(demo)
    groups = _study_groups_create(demo, groups=demo_group_count(len(demo.students)), year=year)
    enrollments = Enrollment.objects.bulk_create(
        [
            Enrollment(
                college=demo.college,
                student=membership,
                group=groups[index % len(groups)],
                started_at=datetime.date(groups[index % len(groups)].admission_year, 9, 1),
            )
            for index, membership in enumerate(demo.students)
        ],
        batch_size=2000,
    )
    student_counts_add(Counter(enrollment.group_id for enrollment in enrollments))
    term_start = datetime.date(year, 9, 1)
    CuratorAssignment.objects.bulk_create(
        [
            CuratorAssignment(
                college=demo.college,
                group=group,
                teacher=demo.teachers[i % len(demo.teachers)],
                started_at=term_start,
            )
            for i, group in enumerate(groups)
        ],
        batch_size=2000,
    )
    disciplines = _subjects_create(demo, groups=groups, rng=rng, term_start=term_start)
    return DemoGroups(groups=groups, disciplines=disciplines)


def _staff_groups_create(demo: DemoCollege) -> None:
    administration = StaffGroup.objects.create(college=demo.college, name="Администрация")
    teaching_staff = StaffGroup.objects.create(college=demo.college, name="Педагогический состав")
    Through = StaffGroup.members.through
    Through.objects.bulk_create(
        [Through(staffgroup=administration, membership=m) for m in [demo.administrator, *demo.administration]]
        + [Through(staffgroup=teaching_staff, membership=m) for m in demo.teachers],
        batch_size=2000,
    )


def _study_groups_create(demo: DemoCollege, *, groups: int, year: int) -> list[StudyGroup]:
    specialties = [
        (department, specialty)
        for department, specs in zip(demo.departments, SPECIALTIES, strict=True)
        for specialty in specs
    ]
    made = []
    for i in range(groups):
        spec_index, slot = i % len(specialties), i // len(specialties)
        department, (abbr, code, specialty) = specialties[spec_index]
        course = (slot + spec_index) % 4 + 1
        number = slot // 4 + 1
        made.append(
            StudyGroup(
                college=demo.college,
                department=department,
                name=f"{abbr}-{course}{number}",
                specialty_code=code,
                specialty_name=specialty,
                course=course,
                admission_year=year - course + 1,
                form_of_study=FormOfStudy.PART_TIME if abbr == "ПСО" and course >= 3 else FormOfStudy.FULL_TIME,
            )
        )
    return StudyGroup.objects.bulk_create(made, batch_size=2000)


def _subjects_create(
    demo: DemoCollege, *, groups: list[StudyGroup], rng: random.Random, term_start: datetime.date
) -> list[Discipline]:
    """The disciplines, and for every group two common ones and its specialty's, each with a teacher."""
    college = demo.college
    common = Discipline.objects.bulk_create(
        [Discipline(college=college, code=code, name=name) for code, name in COMMON_DISCIPLINES]
    )
    special_rows = Discipline.objects.bulk_create(
        [Discipline(college=college, code=code, name=name) for code, name in SPECIAL_DISCIPLINES.values()]
    )
    special = dict(zip(SPECIAL_DISCIPLINES, special_rows, strict=True))
    assignments = []
    for group in groups:
        abbr = group.name.split("-")[0]
        for discipline in (rng.choice(common[:3]), rng.choice(common[3:]), special[abbr]):
            assignments.append(
                SubjectTeacherAssignment(
                    college=college,
                    group=group,
                    teacher=rng.choice(demo.teachers),
                    discipline=discipline,
                    started_at=term_start,
                )
            )
    SubjectTeacherAssignment.objects.bulk_create(assignments, batch_size=2000)
    return [*common, *special_rows]
